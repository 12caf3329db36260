/**
 * Uploads and downloads against the emulator: streaming from disk with the exact
 * Content-Length, Content-Type by extension, progress, stream factories reopened on retry,
 * abort mid-transfer, the 100 MiB guard on both sides, and download-to-file that never
 * clobbers and never leaves a temporary file behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { open, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { MAX_UPLOAD_BYTES, isNenApiError, type DriveClient, type Progress, type UploadSource } from '../../src/api';
import { clientFixture, DESK } from './clientFixture';
import type { EmulatorHandle } from '../../tools/emulator/types';
import { hostileServer } from './hostileServer';
import { MIN_WRITE_BYTES } from '../../src/api/bodyToFile';

const KEY = 'sk_nen_transfers_Hh27dLq0PpXv31mK';

const { texts, setup, expectKind } = clientFixture(KEY);

const posts = (emu: EmulatorHandle) => emu.requests.filter((r) => r.method === 'POST');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


/** 100 chunks, one every 20 ms: an upload slow enough to cancel midway. */
function slowStream(chunk: Buffer): UploadSource {
  return {
    kind: 'stream',
    size: chunk.length * 100,
    open: () =>
      Readable.from(
        (async function* () {
          for (let i = 0; i < 100; i++) {
            yield chunk;
            await sleep(20);
          }
        })(),
      ),
  };
}

const SLOW_CHUNK = 64 * 1024;

/** Starts a slow upload of `slow.bin`, cancels it after 3 chunks, expects `cancelled`; returns when Cancel was pressed. */
async function cancelledMidUpload(client: DriveClient): Promise<number> {
  const ac = new AbortController();
  const chunk = Buffer.alloc(SLOW_CHUNK, 1);
  let abortedAt = 0;
  await expectKind(client.upload(DESK, 'slow.bin', slowStream(chunk), cancelAfter(ac, chunk.length * 3, (at) => (abortedAt = at))), 'cancelled');
  assert.ok(abortedAt > 0, 'the upload was cancelled midway');
  return abortedAt;
}

/** Upload options that cancel once `bytes` went out, reporting when. */
function cancelAfter(ac: AbortController, bytes: number, onAbort: (at: number) => void): { signal: AbortSignal; onProgress: (p: { done: number }) => void } {
  let done = false;
  return {
    signal: ac.signal,
    onProgress: (pr) => {
      if (pr.done >= bytes && !done) {
        done = true;
        onAbort(Date.now());
        ac.abort();
      }
    },
  };
}

test('a file on disk streams with its exact Content-Length and round-trips byte-exact', async (t) => {
  const { emu, client, work, logs } = await setup(t);
  const data = randomBytes(3 * 1024 * 1024 + 17);
  const local = join(work, 'data.bin');
  await writeFile(local, data);
  const progress: Progress[] = [];
  const result = await client.upload(DESK, 'data.bin', { kind: 'file', path: local }, { onProgress: (p) => progress.push(p) });
  assert.deepEqual(result, { success: true, size: data.length, filename: 'data.bin' });
  const [post] = posts(emu);
  assert.equal(post.headers['content-length'], String(data.length));
  assert.equal(post.headers['transfer-encoding'], undefined);
  assert.equal(post.headers.authorization, `Bearer ${KEY}`);
  assert.equal(post.bytesReceived, data.length);
  assert.ok(emu.readFile(DESK, 'data.bin')?.equals(data));
  assert.ok(progress.length > 2, 'progress is reported as the body goes out');
  assert.deepEqual(progress.at(-1), { done: data.length, total: data.length });
  assert.ok(progress.every((p, i) => i === 0 || p.done >= progress[i - 1].done));
  assert.equal(logs.at(-1)?.bytesSent, data.length);

  const back = await client.download(DESK, 'data.bin');
  assert.ok(Buffer.from(back).equals(data));
  const entry = await client.stat(DESK, 'data.bin');
  assert.equal(entry?.size, data.length);
  assert.equal(entry?.isDir, false);
  assert.equal(await client.stat(DESK, 'data.bi'), undefined);
});

test('Content-Type comes from the extension, else octet-stream, unless overridden, and comes back on download', async (t) => {
  const { emu, client } = await setup(t);
  const bytes = { kind: 'bytes' as const, data: Buffer.from('%PDF-1.4') };
  await client.upload(DESK, 'report.pdf', bytes);
  await client.upload(DESK, 'notes.txt', bytes);
  await client.upload(DESK, 'photo.PNG', bytes);
  await client.upload(DESK, 'Makefile', bytes);
  await client.upload(DESK, 'x.weirdext', bytes);
  await client.upload(DESK, 'data.custom', bytes, { contentType: 'application/vnd.nen.custom' });
  const types = posts(emu).map((r) => r.headers['content-type']);
  assert.deepEqual(types, ['application/pdf', 'text/plain', 'image/png', 'application/octet-stream', 'application/octet-stream', 'application/vnd.nen.custom']);
  const dl = await client.downloadStream(DESK, 'report.pdf');
  assert.equal(dl.contentType, 'application/pdf');
  assert.equal(dl.size, 8);
  const chunks: Buffer[] = [];
  for await (const c of dl.body) chunks.push(c as Buffer);
  assert.equal(Buffer.concat(chunks).toString(), '%PDF-1.4');
});

test('an empty file uploads and downloads', async (t) => {
  const { emu, client, work } = await setup(t);
  const local = join(work, 'empty.txt');
  await writeFile(local, '');
  await client.upload(DESK, 'empty.txt', { kind: 'file', path: local });
  assert.equal(posts(emu)[0].headers['content-length'], '0');
  assert.equal((await client.download(DESK, 'empty.txt')).length, 0);
});

test('a stream upload reopens its factory for a retry after a reset and stores exact bytes', async (t) => {
  const { emu, client } = await setup(t);
  const data = randomBytes(600_000);
  let opened = 0;
  emu.injectFault({ type: 'reset', afterBytes: 100_000 }, { method: 'POST' });
  const result = await client.upload(DESK, 'streamed.bin', {
    kind: 'stream',
    size: data.length,
    open: () => {
      opened++;
      return Readable.from([data.subarray(0, 200_000), data.subarray(200_000)]);
    },
  });
  assert.equal(result.size, data.length);
  assert.equal(opened, 2);
  assert.equal(posts(emu).length, 2);
  assert.ok(emu.readFile(DESK, 'streamed.bin')?.equals(data));
});

test('a file upload is retried after a 503 with the body read again from disk', async (t) => {
  const { emu, client, work } = await setup(t);
  const data = randomBytes(200_000);
  const local = join(work, 'r.bin');
  await writeFile(local, data);
  emu.injectFault({ type: 'status', status: 503 }, { method: 'POST' });
  await client.upload(DESK, 'r.bin', { kind: 'file', path: local });
  assert.equal(posts(emu).length, 2);
  assert.ok(emu.readFile(DESK, 'r.bin')?.equals(data));
});

test('a stream whose length differs from its declared size is refused, not stored', async (t) => {
  const { emu, client } = await setup(t, { maxRetries: 0 });
  await expectKind(client.upload(DESK, 'short.bin', { kind: 'stream', size: 1000, open: () => Readable.from([Buffer.alloc(10)]) }), 'badRequest');
  assert.equal(emu.readFile(DESK, 'short.bin'), undefined);
});

test('over 100 MiB is refused client-side before any request, naming the size', async (t) => {
  const { emu, client, work } = await setup(t);
  let opened = 0;
  const err = await expectKind(
    client.upload(DESK, 'huge.bin', { kind: 'stream', size: MAX_UPLOAD_BYTES + 1, open: () => (opened++, Readable.from([])) }),
    'tooLarge',
  );
  assert.match(err.message, /104,857,601 bytes/);
  // A sparse file on disk: its size is known from stat, nothing is read.
  const sparse = join(work, 'sparse.bin');
  const fh = await open(sparse, 'w');
  await fh.truncate(MAX_UPLOAD_BYTES + 4096);
  await fh.close();
  const err2 = await expectKind(client.upload(DESK, 'sparse.bin', { kind: 'file', path: sparse }), 'tooLarge');
  assert.match(err2.message, /100\.0 MiB|104,861,696 bytes/);
  await expectKind(client.upload(DESK, 'b.bin', { kind: 'bytes', data: new Uint8Array(MAX_UPLOAD_BYTES + 1) }), 'tooLarge');
  assert.equal(opened, 0);
  assert.equal(emu.requests.length, 0, 'no request reached the server');
});

test('exactly 100 MiB passes the guard on both sides and is stored', async (t) => {
  const { emu, client } = await setup(t);
  const mib = Buffer.alloc(1024 * 1024, 0x5a);
  const res = await client.upload(DESK, 'max.bin', {
    kind: 'stream',
    size: MAX_UPLOAD_BYTES,
    open: () => Readable.from((function* () {
      for (let i = 0; i < MAX_UPLOAD_BYTES / mib.length; i++) yield mib;
    })()),
  });
  assert.equal(res.size, MAX_UPLOAD_BYTES);
  assert.equal(posts(emu)[0].headers['content-length'], String(MAX_UPLOAD_BYTES));
  assert.equal(emu.readFile(DESK, 'max.bin')?.length, MAX_UPLOAD_BYTES);
});

test('a local file that does not exist is notFound without a request', async (t) => {
  const { emu, client, work } = await setup(t);
  await expectKind(client.upload(DESK, 'x.bin', { kind: 'file', path: join(work, 'nope.bin') }), 'notFound');
  await expectKind(client.upload(DESK, 'x.bin', { kind: 'file', path: work }), 'badRequest');
  assert.equal(emu.requests.length, 0);
});

test('abort mid-upload: cancelled promptly, not retried, nothing stored and the old version kept', async (t) => {
  const { emu, client } = await setup(t);
  emu.putFile(DESK, 'slow.bin', 'previous version');
  const start = Date.now();
  const abortedAt = await cancelledMidUpload(client);
  assert.ok(Date.now() - abortedAt < 500, `cancel took ${Date.now() - abortedAt} ms`);
  assert.ok(Date.now() - start < 1500);
  await sleep(200);
  assert.equal(posts(emu).length, 1);
  assert.equal(emu.readFile(DESK, 'slow.bin')?.toString(), 'previous version');
});

test('abort mid-upload closes the request at the server at once: a client that only stopped sending would leave it open', async (t) => {
  // The server reads the body and answers only once it is whole; it records when and how the
  // request ended. Cancel must end the request (the connection closes, the body incomplete),
  // not merely stop feeding it while the request waits for the inactivity timeout.
  const seen = { bytes: 0, closedAt: 0, complete: true, answered: false };
  const h = await hostileServer(t, (req, res) => {
    req.on('data', (c: Buffer) => (seen.bytes += c.length));
    req.on('end', () => {
      seen.answered = true;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ success: true, size: seen.bytes, filename: 'slow.bin' }));
    });
    req.socket.on('close', () => {
      seen.closedAt = Date.now();
      seen.complete = req.complete;
    });
  }, { transferTimeoutMs: 60_000 });
  const abortedAt = await cancelledMidUpload(h.client);
  for (let i = 0; i < 50 && !seen.closedAt; i++) await sleep(10);
  assert.ok(seen.closedAt > 0, `the server still holds the request open ${Date.now() - abortedAt} ms after Cancel (it has ${seen.bytes} bytes)`);
  assert.ok(seen.closedAt - abortedAt < 300, `the request closed ${seen.closedAt - abortedAt} ms after Cancel`);
  assert.equal(seen.complete, false, 'the server saw an incomplete body, not a finished upload');
  assert.equal(seen.answered, false);
  assert.ok(seen.bytes < SLOW_CHUNK * 100, `the server got ${seen.bytes} bytes`);
  assert.deepEqual(h.requests.filter((r) => r.startsWith('POST')).length, 1, 'not retried');
});

test('abort mid-download: cancelled, and downloadToFile leaves neither the target nor a temp file', async (t) => {
  const { emu, client, work } = await setup(t);
  emu.putFile(DESK, 'big.bin', randomBytes(8 * 1024 * 1024));
  const ac = new AbortController();
  const target = join(work, 'big.bin');
  await expectKind(
    client.downloadToFile(DESK, 'big.bin', target, {
      signal: ac.signal,
      onProgress: (p) => {
        if (p.done > 0) ac.abort();
      },
    }),
    'cancelled',
  );
  assert.deepEqual(await readdir(work), []);
  const ac2 = new AbortController();
  await expectKind(client.download(DESK, 'big.bin', { signal: ac2.signal, onProgress: (p) => p.done > 0 && ac2.abort() }), 'cancelled');
  assert.equal(emu.requests.length, 2, 'no retry after abort');
});

/** Waits until a `.part` file in `dir` holds at least `bytes` bytes: the partial file exists. */
async function partialOnDisk(dir: string, bytes: number): Promise<string> {
  for (let i = 0; i < 300; i++) {
    for (const name of await readdir(dir)) {
      if (!name.endsWith('.part')) continue;
      const size = await stat(join(dir, name)).then((s) => s.size, () => 0);
      if (size >= bytes) return name;
    }
    await sleep(10);
  }
  assert.fail(`no partial file of ${bytes} bytes appeared in ${dir}: ${(await readdir(dir)).join(', ')}`);
}

// Bytes arrive, are written to the temporary file, and then the body stalls: only then does
// "nothing partial is left" say anything (with a body where no byte arrives, there is no partial
// file to leave; under MIN_WRITE_BYTES they wait in memory). Both ends are checked: cancelled by
// the user, and timed out.
test('a download cancelled after 512 KiB arrived leaves nothing, not even a partial one', async (t) => {
  const { emu, client, work } = await setup(t);
  emu.putFile(DESK, 'half.bin', randomBytes(1024 * 1024));
  emu.injectFault({ type: 'hang', afterBytes: MIN_WRITE_BYTES }, { method: 'GET', path: '/files/half.bin' });
  const ac = new AbortController();
  let arrived = 0;
  const running = client.downloadToFile(DESK, 'half.bin', join(work, 'half.bin'), { signal: ac.signal, onProgress: (p) => (arrived = p.done) });
  const partial = await partialOnDisk(work, MIN_WRITE_BYTES);
  assert.equal(arrived, MIN_WRITE_BYTES, 'exactly the bytes sent before the stall arrived');
  ac.abort();
  await expectKind(running, 'cancelled');
  assert.deepEqual(await readdir(work), [], `the partial file ${partial} is gone and no target was made`);
});

test('a download that stalls after 512 KiB times out and leaves nothing, not even a partial one', async (t) => {
  const { emu, client, work } = await setup(t, { transferTimeoutMs: 400 });
  emu.putFile(DESK, 'half.bin', randomBytes(1024 * 1024));
  await writeFile(join(work, 'half.bin'), 'my local copy');
  emu.injectFault({ type: 'hang', afterBytes: MIN_WRITE_BYTES }, { method: 'GET', path: '/files/half.bin' }, 10);
  const running = client.downloadToFile(DESK, 'half.bin', join(work, 'half.bin'), { overwrite: true });
  const failed = expectKind(running, 'timeout');
  await partialOnDisk(work, MIN_WRITE_BYTES);
  await failed;
  assert.deepEqual(await readdir(work), ['half.bin'], 'no partial file beside the target');
  assert.equal(await readFile(join(work, 'half.bin'), 'utf8'), 'my local copy', 'the existing file is untouched');
});

test('abort while reading a downloadStream body errors the stream with cancelled', async (t) => {
  const { emu, client } = await setup(t);
  emu.putFile(DESK, 'big.bin', randomBytes(8 * 1024 * 1024));
  const ac = new AbortController();
  const { body, size } = await client.downloadStream(DESK, 'big.bin', { signal: ac.signal });
  assert.equal(size, 8 * 1024 * 1024);
  let got = 0;
  const err = await (async () => {
    try {
      for await (const c of body) {
        got += (c as Buffer).length;
        if (got > 100_000) ac.abort();
      }
    } catch (e) {
      return e;
    }
    return undefined;
  })();
  assert.ok(isNenApiError(err), String(err));
  assert.equal(err.kind, 'cancelled');
  assert.ok(got < 8 * 1024 * 1024);
});

test('a downloadStream body destroyed unread releases the request, is logged, and the client goes on', async (t) => {
  const { emu, client, logs } = await setup(t);
  emu.putFile(DESK, 'big.bin', randomBytes(4 * 1024 * 1024));
  const { body } = await client.downloadStream(DESK, 'big.bin');
  body.destroy();
  await sleep(50);
  assert.equal(logs.length, 1);
  assert.match(logs[0].error ?? '', /closed by the reader/);
  assert.deepEqual((await client.listFiles(DESK)).map((e) => e.name), ['big.bin']);
});

test('downloadToFile writes the whole file and reports progress to the total', async (t) => {
  const { emu, client, work } = await setup(t);
  const data = randomBytes(1_500_000);
  emu.putFile(DESK, 'report.pdf', data, { contentType: 'application/pdf' });
  const target = join(work, 'report.pdf');
  const progress: Progress[] = [];
  const res = await client.downloadToFile(DESK, 'report.pdf', target, { onProgress: (p) => progress.push(p) });
  assert.equal(res.size, data.length);
  assert.ok((await readFile(target)).equals(data));
  assert.deepEqual(progress.at(-1), { done: data.length, total: data.length });
  assert.deepEqual(await readdir(work), ['report.pdf']);
});

test('downloadToFile refuses an existing target before any request, and replaces it with overwrite', async (t) => {
  const { emu, client, work } = await setup(t);
  emu.putFile(DESK, 'a.txt', 'remote');
  const target = join(work, 'a.txt');
  await writeFile(target, 'local');
  const err = await expectKind(client.downloadToFile(DESK, 'a.txt', target), 'conflict');
  assert.match(err.message, /already exists/);
  assert.equal(emu.requests.length, 0);
  assert.equal(await readFile(target, 'utf8'), 'local');
  await client.downloadToFile(DESK, 'a.txt', target, { overwrite: true });
  assert.equal(await readFile(target, 'utf8'), 'remote');
  assert.deepEqual(await readdir(work), ['a.txt']);
});

test('downloadToFile re-checks at the end: a target that appeared meanwhile is not clobbered', async (t) => {
  const { emu, client, work } = await setup(t);
  emu.putFile(DESK, 'a.bin', randomBytes(500_000));
  const target = join(work, 'a.bin');
  let created = false;
  await expectKind(
    client.downloadToFile(DESK, 'a.bin', target, {
      onProgress: (p) => {
        if (p.done > 0 && !created) {
          created = true;
          void writeFile(target, 'made by someone else');
        }
      },
    }),
    'conflict',
  );
  assert.equal(await readFile(target, 'utf8'), 'made by someone else');
  assert.deepEqual(await readdir(work), ['a.bin']);
});

test('a failed download (reset, no retries left) keeps the existing target intact and leaves no temp file', async (t) => {
  const { emu, client, work } = await setup(t, { maxRetries: 0 });
  emu.putFile(DESK, 'a.bin', randomBytes(400_000));
  const target = join(work, 'a.bin');
  await writeFile(target, 'precious');
  emu.injectFault({ type: 'reset', afterBytes: 100_000 }, { method: 'GET' });
  await expectKind(client.downloadToFile(DESK, 'a.bin', target, { overwrite: true }), 'network');
  assert.equal(await readFile(target, 'utf8'), 'precious');
  assert.deepEqual(await readdir(work), ['a.bin']);
  await expectKind(client.downloadToFile(DESK, 'missing.bin', join(work, 'missing.bin')), 'notFound');
  assert.deepEqual(await readdir(work), ['a.bin']);
  await expectKind(client.downloadToFile(DESK, 'a.bin', join(work, 'no-such-dir', 'a.bin')), 'notFound');
});

test('a download reset mid-body is retried from the start and the file is exact', async (t) => {
  const { emu, client, work } = await setup(t);
  const data = randomBytes(700_000);
  emu.putFile(DESK, 'a.bin', data);
  emu.injectFault({ type: 'reset', afterBytes: 300_000 }, { method: 'GET' });
  const target = join(work, 'a.bin');
  await client.downloadToFile(DESK, 'a.bin', target);
  assert.ok((await readFile(target)).equals(data));
  assert.equal(emu.requests.length, 2);
  assert.deepEqual(await readdir(work), ['a.bin']);
});

test('folders: upload with path creates them, list with path shows is_dir entries, names are encoded', async (t) => {
  const { emu, client } = await setup(t);
  const name = 'résumé #1 & 100%?.txt';
  await client.upload(DESK, name, { kind: 'bytes', data: Buffer.from('x') }, { path: 'docs/2026' });
  assert.equal(emu.readFile(DESK, name, { path: 'docs/2026' })?.toString(), 'x');
  assert.equal(posts(emu)[0].url, `/desktops/${DESK}/files/${encodeURIComponent(name)}?path=${encodeURIComponent('docs/2026')}`);
  const root = await client.listFiles(DESK);
  assert.deepEqual(root.map((e) => [e.name, e.isDir]), [['docs', true]]);
  const inner = await client.listFiles(DESK, { path: '/docs/' });
  assert.deepEqual(inner.map((e) => [e.name, e.isDir]), [['2026', true]]);
  const leaf = await client.stat(DESK, name, { path: 'docs/2026' });
  assert.equal(leaf?.size, 1);
  assert.equal(Buffer.from(await client.download(DESK, name, { path: 'docs/2026' })).toString(), 'x');
});

test('desktops: create, list, get, rename, delete', async (t) => {
  const { client } = await setup(t);
  const created = await client.createDesktop({ desktop_type: 'sandbox' });
  assert.equal(created.desktop_type, 'sandbox');
  const all = await client.listDesktops();
  assert.ok(all.some((d) => d.desktop_id === created.desktop_id));
  assert.equal((await client.getDesktop(created.desktop_id)).desktop_id, created.desktop_id);
  assert.equal((await client.renameDesktop(created.desktop_id, 'my-box')).name, 'my-box');
  assert.deepEqual(await client.deleteDesktop(created.desktop_id), { desktop_id: created.desktop_id, status: 'deleted' });
});

test('no error message, stack or log entry from the tests above contains the key', () => {
  assert.ok(texts.length > 30, `only ${texts.length} texts collected`);
  for (const text of texts) assert.ok(!text.includes(KEY), `the key leaked into: ${text}`);
});
