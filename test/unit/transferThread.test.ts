/**
 * Large transfers on a worker thread (DriveClientOptions.offThread, src/api/transferThread.ts):
 * the bytes, the progress, the cancel, the errors and the key are what the client on the calling
 * thread gives, while the transfer's socket lives on the worker, not on this thread's event loop.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DriveClient, isNenApiError, type NenApiError, type Progress } from '../../src/api';
import { TRANSFER_WORKER_SCRIPT } from '../../src/api/transferThread';
import { TRANSFER_NICE } from '../../src/api/transferWorker';
import { MIN_WRITE_BYTES } from '../../src/api/bodyToFile';
import { clientFixture, DESK } from './clientFixture';

const KEY = 'nen_thread_key_5f1c2a9e';
const MIB = 1024 * 1024;
const { setup, expectKind } = clientFixture(KEY);
const offThread = { script: TRANSFER_WORKER_SCRIPT };

/** This thread's TCP sockets (the worker's are not on this event loop). */
const tcpHere = (): number => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;

test('a large download and upload run on the worker: same bytes, progress to the end, and no socket of theirs on this thread', async (t) => {
  const { emu, client, work, logs } = await setup(t, { offThread });
  const data = randomBytes(24 * MIB + 123);
  emu.putFile(DESK, 'big.bin', data);
  const seen: Progress[] = [];
  const sockets: number[] = [];
  let aboard = false;
  const before = tcpHere();
  const down = client.downloadToFile(DESK, 'big.bin', join(work, 'big.bin'), {
    expectedSize: data.length,
    onProgress: (p) => {
      seen.push(p);
      sockets.push(tcpHere());
      aboard ||= client.transferThreadRunning;
    },
  });
  assert.deepEqual(await down, { size: data.length });
  assert.ok((await readFile(join(work, 'big.bin'))).equals(data), 'the file holds the bytes');
  assert.deepEqual(seen.at(-1), { done: data.length, total: data.length }, 'the last progress is the whole file');
  assert.ok(seen.length >= 1 && seen.length < 200, `progress crosses the threads a limited number of times (${seen.length})`);
  // The emulator runs on this thread: its end of the connection is the one socket more here. A
  // download on this thread would add its own end too (two more).
  assert.ok(sockets.every((n) => n <= before + 1), `only the server's end of the connection is on this thread (${before} before, ${sockets.join(',')} during)`);
  assert.ok(aboard, 'the worker ran while the download did');
  assert.deepEqual((await readdir(work)).sort(), ['big.bin'], 'no temporary file left');

  const local = join(work, 'up.bin');
  await writeFile(local, data);
  let upDone = 0;
  const r = await client.upload(DESK, 'up.bin', { kind: 'file', path: local }, { onProgress: (p) => (upDone = p.done) });
  assert.deepEqual(r, { success: true, size: data.length, filename: 'up.bin' });
  assert.equal(upDone, data.length);
  assert.ok(emu.readFile(DESK, 'up.bin')?.equals(data), 'the server holds the uploaded bytes');
  assert.deepEqual(
    logs.map((e) => `${e.method} ${e.status}`),
    ['GET 200', 'POST 200'],
    "the worker's requests reach this thread's request log",
  );
});

test('a small download stays on the calling thread (its warm pooled connection beats a worker hop)', async (t) => {
  const { emu, client, work } = await setup(t, { offThread });
  emu.putFile(DESK, 'small.txt', Buffer.from('hello'));
  await client.downloadToFile(DESK, 'small.txt', join(work, 'small.txt'), { sizeHint: 5 });
  assert.equal(client.transferThreadRunning, false);
  assert.equal(await readFile(join(work, 'small.txt'), 'utf8'), 'hello');
});

test('errors come back as the same NenApiError: kind, status, resource and message of the client on this thread', async (t) => {
  const { emu, client, work } = await setup(t, { offThread });
  const here = new DriveClient({ baseUrl: emu.url, getApiKey: () => KEY });
  t.after(() => here.close());
  const missing = (c: DriveClient, to: string): Promise<unknown> => c.downloadToFile(DESK, 'nope.bin', join(work, to), { sizeHint: 50 * MIB });
  const a = await expectKind(missing(client, 'a.bin'), 'notFound');
  assert.equal(client.transferThreadRunning, true, 'the download ran on the worker');
  const b = await expectKind(missing(here, 'b.bin'), 'notFound');
  for (const k of ['kind', 'status', 'resource', 'code', 'message'] as const) assert.equal(a[k], b[k], k);
  assert.ok(isNenApiError(a) && a instanceof Error);
  assert.deepEqual(await readdir(work), [], 'nothing left behind');
});

for (const where of ['the worker', 'this thread'] as const) {
  test(`on ${where}: beforePlace holds the whole body in the temporary file until it answers; a refusal lands nothing and fails with its error`, { timeout: 30_000 }, async (t) => {
    const { emu, client, work } = await setup(t, where === 'the worker' ? { offThread } : {});
    const data = randomBytes(9 * MIB + 7);
    emu.putFile(DESK, 'g.bin', data);
    // Answered by hand: resolve lands the file, reject refuses it.
    const gate = (): { asked: Promise<void>; answer: { resolve: () => void; reject: (e: Error) => void }; beforePlace: () => Promise<void> } => {
      let told!: () => void;
      const asked = new Promise<void>((r) => (told = r));
      const answer = {} as { resolve: () => void; reject: (e: Error) => void };
      const beforePlace = (): Promise<void> =>
        new Promise<void>((resolve, reject) => {
          Object.assign(answer, { resolve, reject });
          told();
        });
      return { asked, answer, beforePlace };
    };
    const parts = async (): Promise<string[]> => (await readdir(work)).filter((n) => n.endsWith('.part'));

    const yes = gate();
    const landing = client.downloadToFile(DESK, 'g.bin', join(work, 'g.bin'), { beforePlace: yes.beforePlace });
    await yes.asked;
    assert.equal(client.transferThreadRunning, where === 'the worker', `the download ran on ${where}`);
    const [part] = await parts();
    assert.ok(part, 'the temporary file is there while the answer is awaited');
    assert.equal((await readFile(join(work, part))).length, data.length, 'it holds the whole body before the question');
    assert.deepEqual(await readdir(work), [part], 'the target does not exist before the answer');
    yes.answer.resolve();
    assert.deepEqual(await landing, { size: data.length });
    assert.ok((await readFile(join(work, 'g.bin'))).equals(data), 'a yes lands the bytes');

    const no = gate();
    const refused = client.downloadToFile(DESK, 'g.bin', join(work, 'h.bin'), { beforePlace: no.beforePlace });
    await no.asked;
    no.answer.reject(new Error('it is a folder'));
    await assert.rejects(refused, (e: Error) => e.message === 'it is a folder');
    assert.deepEqual(await readdir(work), ['g.bin'], 'a no leaves neither the target nor the temporary file');

    const waiting = gate();
    const ac = new AbortController();
    const cancelled = expectKind(client.downloadToFile(DESK, 'g.bin', join(work, 'i.bin'), { beforePlace: waiting.beforePlace, signal: ac.signal }), 'cancelled');
    await waiting.asked;
    ac.abort();
    await cancelled; // the cancel ends the wait: the answer never comes
    assert.deepEqual(await readdir(work), ['g.bin'], 'a cancel while waiting lands nothing');
  });
}

test('the key is asked of this thread for every request, so a changed or missing key applies at once', async (t) => {
  let key: string | undefined = KEY;
  let asked = 0;
  const { emu, client, work } = await setup(t, {
    offThread,
    getApiKey: () => {
      asked++;
      return key;
    },
  });
  emu.putFile(DESK, 'k.bin', randomBytes(9 * MIB));
  await client.downloadToFile(DESK, 'k.bin', join(work, 'k.bin'));
  assert.equal(asked, 1);
  key = 'nen_wrong_key_0000';
  const e = await expectKind(client.downloadToFile(DESK, 'k.bin', join(work, 'k2.bin')), 'unauthorized');
  assert.equal(e.status, 401);
  assert.ok(!e.message.includes('nen_wrong_key_0000'), 'the refused key is not in the message');
  key = undefined;
  await expectKind(client.downloadToFile(DESK, 'k.bin', join(work, 'k3.bin')), 'unauthorized');
  assert.equal(emu.requests.length, 2, 'no key: no request');
});

test('cancel mid-download: `cancelled`, the temporary file removed, an existing file untouched', async (t) => {
  // A short inactivity limit: were the last progress figure before the stall never delivered,
  // nothing would cancel, and this fails as a timeout in 5 s rather than 2 minutes.
  const { emu, client, work } = await setup(t, { offThread, transferTimeoutMs: 5000 });
  emu.putFile(DESK, 'slow.bin', randomBytes(20 * MIB));
  emu.injectFault({ type: 'hang', afterBytes: 4 * MIB }, { method: 'GET', path: 'slow.bin' });
  await writeFile(join(work, 'slow.bin'), 'mine');
  const ac = new AbortController();
  const p = client.downloadToFile(DESK, 'slow.bin', join(work, 'slow.bin'), {
    overwrite: true,
    signal: ac.signal,
    onProgress: (pr) => {
      if (pr.done >= 4 * MIB) ac.abort();
    },
  });
  await expectKind(p, 'cancelled');
  assert.deepEqual(await readdir(work), ['slow.bin'], 'the temporary file is gone');
  assert.equal(await readFile(join(work, 'slow.bin'), 'utf8'), 'mine', 'the existing file is untouched');
});

test('close() during an upload cancels it and ends the worker', async (t) => {
  const { emu, client, work } = await setup(t, { offThread });
  const local = join(work, 'u.bin');
  await writeFile(local, randomBytes(16 * MIB));
  emu.injectFault({ type: 'hang' }, { method: 'POST' });
  const p = expectKind(client.upload(DESK, 'u.bin', { kind: 'file', path: local }), 'cancelled');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(client.transferThreadRunning, true);
  await client.close();
  await p;
  assert.equal(client.transferThreadRunning, false);
});

test('a worker that cannot start hands its transfers back: they run on this thread', async (t) => {
  const said: string[] = [];
  const { emu, client, work } = await setup(t, { offThread: { script: join(__dirname, 'no-such-worker.js'), onLog: (m) => said.push(m) } });
  const data = randomBytes(10 * MIB);
  emu.putFile(DESK, 'f.bin', data);
  await client.downloadToFile(DESK, 'f.bin', join(work, 'f.bin'));
  assert.ok((await readFile(join(work, 'f.bin'))).equals(data));
  await client.downloadToFile(DESK, 'f.bin', join(work, 'g.bin'));
  assert.ok((await readFile(join(work, 'g.bin'))).equals(data), 'and the next one too');
  assert.equal(said.length, 1, `the log says it once: ${JSON.stringify(said)}`);
  assert.match(said[0], /^The transfer thread could not start \(.*no-such-worker\.js.*\); large transfers run on this thread\.$/);
});

test('a worker that dies mid-transfer fails it with a message saying so and leaves no file; the next transfer starts a new worker', async (t) => {
  const said: string[] = [];
  const { emu, client, work } = await setup(t, { offThread: { ...offThread, onLog: (m) => said.push(m) } });
  const data = randomBytes(12 * MIB);
  emu.putFile(DESK, 'd.bin', data);
  emu.injectFault({ type: 'hang', afterBytes: MIB }, { method: 'GET' });
  const p = expectKind(client.downloadToFile(DESK, 'd.bin', join(work, 'd.bin')), 'unavailable');
  // The first MiB arrives, then the body stalls: the file holds what went out in writes of at
  // least MIN_WRITE_BYTES (the rest of the MiB may wait in memory).
  const partial = async (): Promise<number> => {
    const part = (await readdir(work)).find((n) => n.endsWith('.part'));
    return part ? (await readFile(join(work, part))).length : 0;
  };
  for (let i = 0; i < 100 && (await partial()) < MIN_WRITE_BYTES; i++) await new Promise((r) => setTimeout(r, 50));
  const held = await partial();
  assert.ok(held >= MIN_WRITE_BYTES && held <= MIB, `the temporary file holds part of the first MiB: ${held} bytes`);
  // The worker's thread ends as a crash would end it.
  await (client['thread'] as unknown as { worker?: { terminate(): Promise<number> } }).worker?.terminate();
  const e: NenApiError = await p;
  assert.match(e.message, /The transfer thread stopped \(exit code 1\); the transfer did not finish\. Try again\./);
  assert.deepEqual(await readdir(work), [], 'the temporary file the lost thread was writing is gone');
  await client.downloadToFile(DESK, 'd.bin', join(work, 'e.bin'));
  assert.ok((await readFile(join(work, 'e.bin'))).equals(data), 'a new worker ran the next one');
  assert.deepEqual(
    said.map((m) => m.replace(/thread \d+/, 'thread N')),
    [
      'The transfer thread started (thread N).',
      'The transfer thread stopped (exit code 1) with 1 transfer(s) running; they fail, the next one starts a new thread.',
      'The transfer thread started (thread N).',
    ],
    'the log tells the story',
  );
});

test('an idle worker ends after idleMs', async (t) => {
  const said: string[] = [];
  const { emu, client, work } = await setup(t, { offThread: { ...offThread, idleMs: 100, onLog: (m) => said.push(m) } });
  emu.putFile(DESK, 'i.bin', randomBytes(9 * MIB));
  await client.downloadToFile(DESK, 'i.bin', join(work, 'i.bin'));
  assert.equal(client.transferThreadRunning, true);
  await new Promise((r) => setTimeout(r, 400));
  assert.equal(client.transferThreadRunning, false);
  assert.equal(said.at(-1), 'The transfer thread ended after 0.1 s without a transfer.');
});

/** The nice value of each of this process's threads (Linux: field 19 of /proc/self/task/<tid>/stat). */
async function niceOfThreads(): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const tid of await readdir('/proc/self/task')) {
    const stat = await readFile(`/proc/self/task/${tid}/stat`, 'utf8').catch(() => '');
    // The name (field 2) is in parentheses and may hold spaces: count fields after its ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields.length > 16) out.set(Number(tid), Number(fields[16]));
  }
  return out;
}

test('the transfer thread runs at a lower priority than the calling thread (Linux)', { skip: process.platform !== 'linux' }, async (t) => {
  const { emu, client, work } = await setup(t, { offThread });
  emu.putFile(DESK, 'n.bin', randomBytes(20 * MIB));
  emu.injectFault({ type: 'hang', afterBytes: 2 * MIB }, { method: 'GET' });
  const before = await niceOfThreads();
  assert.ok(![...before.values()].includes(TRANSFER_NICE), 'no thread at the lower priority before');
  const ac = new AbortController();
  let midway!: () => void;
  const reached = new Promise<void>((r) => (midway = r));
  const p = expectKind(client.downloadToFile(DESK, 'n.bin', join(work, 'n.bin'), { signal: ac.signal, onProgress: (pr) => pr.done >= 2 * MIB && midway() }), 'cancelled');
  await reached;
  const during = await niceOfThreads();
  ac.abort();
  await p;
  const lowered = [...during].filter(([tid, nice]) => nice === TRANSFER_NICE && !before.has(tid));
  assert.equal(lowered.length, 1, `one new thread at nice ${TRANSFER_NICE} (threads: ${JSON.stringify([...during])})`);
  assert.equal(during.get(process.pid), 0, 'the calling thread keeps its priority');
});

test('close() ends a thread that does not answer its cancel: after 5 s its transfer fails as closed, nothing hangs', { timeout: 20_000 }, async (t) => {
  const { client, work } = await setup(t, {
    offThread: { script: join(__dirname, 'transferThreadDeaf.js') },
  });
  const p = expectKind(client.downloadToFile(DESK, 'x.bin', join(work, 'x.bin'), { sizeHint: 50 * MIB }), 'cancelled');
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(client.transferThreadRunning, true);
  const t0 = performance.now();
  await client.close();
  const e = await p;
  assert.equal(e.message, 'The client was closed.');
  assert.ok(performance.now() - t0 < 7000, 'close() waited about 5 s, not forever');
  assert.equal(client.transferThreadRunning, false);
});
