/**
 * A download's disk side: the background syncs that keep the final fsync short (EarlySync), and
 * what a user is told when the disk refuses the bytes. A disk that refuses is made for real: a
 * child process with a file size limit (`ulimit -f`) gets EFBIG from its writes, the way a full
 * disk gives ENOSPC.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import * as net from 'node:net';
import { open } from 'node:fs/promises';
import { EarlySync, writeTemp, type SyncFd } from '../../src/api/atomicFile';
import { MIN_WRITE_BYTES, pumpToFd } from '../../src/api/bodyToFile';
import { rawGet } from '../../src/api/rawGet';
import { NenApiError, type MakeError } from '../../src/api/errors';
import { startEmulator } from '../../tools/emulator/server';

const MIB = 1024 * 1024;
const fail: MakeError = (kind, message, extra) => new NenApiError(kind, message, extra);

async function folder(t: TestContext, prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A sync that records its calls and completes only when told to. */
function heldSync(): SyncFd & { calls: number[]; finish(error?: NodeJS.ErrnoException): void } {
  const waiting: ((e: NodeJS.ErrnoException | null) => void)[] = [];
  const sync = Object.assign(
    (fd: number, done: (e: NodeJS.ErrnoException | null) => void): void => {
      sync.calls.push(fd);
      waiting.push(done);
    },
    {
      calls: [] as number[],
      finish(error?: NodeJS.ErrnoException): void {
        waiting.shift()?.(error ?? null);
      },
    },
  );
  return sync;
}

test('background syncs: one per `every` bytes written, never two at once in the process, and done() waits for the one running', async () => {
  const sync = heldSync();
  const a = new EarlySync(3, 8 * MIB, sync);
  const b = new EarlySync(4, 8 * MIB, sync);
  a.wrote(5 * MIB);
  assert.deepEqual(sync.calls, [], 'under 8 MiB: no sync yet');
  a.wrote(4 * MIB);
  assert.deepEqual(sync.calls, [3], '9 MiB written: one sync of the file');
  a.wrote(20 * MIB);
  b.wrote(20 * MIB);
  assert.deepEqual(sync.calls, [3], 'while one runs, no other starts, not even for another file');
  let finished = false;
  const waiting = a.done().then(() => (finished = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(finished, false, 'done() waits for the sync in flight');
  sync.finish();
  await waiting;
  b.wrote(1);
  assert.deepEqual(sync.calls, [3, 4], 'the next write of the other file starts its sync');
  sync.finish();
  await b.done();
  assert.equal(a.started + b.started, 2);
});

test('a failed background sync is reported by done(), and no further sync starts for that file', async () => {
  const sync = heldSync();
  const s = new EarlySync(7, MIB, sync);
  s.wrote(MIB);
  sync.finish(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
  await assert.rejects(s.done(), /EIO/);
  s.wrote(10 * MIB);
  assert.equal(sync.calls.length, 1);
});

/** A CheckedBody of `bytes` random bytes in 1 MiB chunks, nothing checked. */
function body(bytes: Buffer): { body: Readable; check(): void; end(): void } {
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += MIB) chunks.push(bytes.subarray(at, at + MIB));
  return { body: Readable.from(chunks, { objectMode: false }), check: () => undefined, end: () => undefined };
}

test('writeTemp syncs in the background while writing, and the file holds every byte', async (t) => {
  const dir = await folder(t, 'nen-early-');
  const bytes = randomBytes(40 * MIB + 5);
  const calls: number[] = [];
  const counting: SyncFd = (fd, done) => {
    calls.push(fd);
    setTimeout(() => done(null), 1);
  };
  const temp = join(dir, 'a.part');
  assert.equal(await writeTemp(temp, body(bytes), fail, counting), bytes.length);
  assert.ok(calls.length >= 2 && calls.length <= 5, `background syncs for 40 MiB in 8 MiB steps: ${calls.length}`);
  assert.ok((await readFile(temp)).equals(bytes));
});

test('a background sync that fails stops the download at once with a local error, not a network one', async (t) => {
  const dir = await folder(t, 'nen-early-');
  const failing: SyncFd = (_fd, done) => setTimeout(() => done(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO', syscall: 'fdatasync' })), 1);
  const temp = join(dir, 'a.part');
  let sent = 0;
  const chunks = (async function* () {
    for (; sent < 100; sent++) yield randomBytes(MIB);
  })();
  await assert.rejects(writeTemp(temp, { body: Readable.from(chunks), check: () => undefined, end: () => undefined }, fail, failing), (e: unknown) => {
    assert.ok(e instanceof NenApiError, String(e));
    assert.equal(e.kind, 'badRequest');
    assert.equal(e.code, 'EIO');
    assert.match(e.message, /^Cannot write ".*a\.part": the disk reported an error \(EIO\)\.$/);
    return true;
  });
  assert.ok(sent < 40, `the body stopped soon after the failed sync, not at its end: ${sent} MiB read`);
});

/** Runs diskLimitChild.js with a file size limit of `limitKiB`; returns what it printed last. */
function downloadUnderLimit(limitKiB: number, args: object): Promise<{ ok: boolean; kind?: string; code?: string; message?: string; requests: string[] }> {
  const child = join(__dirname, 'diskLimitChild.js');
  const script = `ulimit -f ${limitKiB / 1}; exec "${process.execPath}" "${child}" "$1"`;
  return new Promise((resolve, reject) => {
    execFile('bash', ['-c', script, 'child', JSON.stringify(args)], { timeout: 60_000 }, (error, stdout, stderr) => {
      const last = stdout.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(last));
      } catch {
        reject(new Error(`child printed no result (${error?.message ?? ''}): ${stdout} ${stderr}`));
      }
    });
  });
}

for (const [route, rawMinBytes] of [
  ['its own connection (rawGet)', 0],
  ['the shared pool (undici)', undefined],
] as const) {
  test(`a disk that refuses the bytes (EFBIG) on ${route}: a local error naming the file and the reason, one request, nothing left behind`, async (t) => {
    const data = await folder(t, 'nen-disk-emu-');
    const work = await folder(t, 'nen-disk-local-');
    const emu = await startEmulator({ port: 0, dataDir: data, apiKey: 'k-disk', desktops: ['dsk_disk'] });
    t.after(() => emu.close());
    emu.putFile('dsk_disk', 'big.bin', randomBytes(24 * MIB));
    await writeFile(join(work, 'keep.txt'), 'mine');
    const target = join(work, 'big.bin');
    const r = await downloadUnderLimit(8 * 1024, { url: emu.url, key: 'k-disk', desk: 'dsk_disk', name: 'big.bin', target, rawMinBytes });
    assert.equal(r.ok, false, 'the download failed');
    assert.equal(r.kind, 'badRequest', `a local failure, not the network's: ${r.message}`);
    assert.equal(r.code, 'EFBIG');
    assert.match(r.message ?? '', /^Cannot write ".*big\.bin\.nendrive-[0-9a-f]+\.part": the file is too large for this disk \(EFBIG\)\.$/);
    assert.deepEqual(r.requests.filter((x) => x.startsWith('GET') && x.includes('big.bin')).length, 1, `not retried: ${r.requests.join(', ')}`);
    assert.deepEqual(await readdir(work), ['keep.txt'], 'no target and no temporary file');
  });
}

/**
 * A server that sends `data` with a Content-Length in pieces of `piece` bytes, one every
 * millisecond (so the client reads them one by one, the way a loopback download arrives in
 * reads of some 70 KiB); resolves its origin.
 */
async function slowServer(t: TestContext, data: Buffer, piece: number): Promise<string> {
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    socket.once('data', () => {
      socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${data.length}\r\n\r\n`);
      let at = 0;
      const next = (): void => {
        if (socket.destroyed) return;
        if (at >= data.length) return void socket.end();
        socket.write(data.subarray(at, at + piece));
        at += piece;
        setTimeout(next, 1);
      };
      next();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}

/** The body of `origin` pumped into `path` on its own connection; resolves the size of every write, in order. */
async function pumpedWrites(origin: string, path: string): Promise<number[]> {
  const res = await rawGet({ origin, path: '/f', headers: {}, signal: new AbortController().signal, connectTimeoutMs: 5000 });
  const handle = await open(path, 'w');
  const writes: number[] = [];
  try {
    await pumpToFd(handle.fd, { body: res.body, check: () => undefined, end: () => undefined }, 4 * MIB, (n) => writes.push(n));
  } finally {
    await handle.close();
  }
  return writes;
}

test('a download read in small pieces is written in few large writes (at least MIN_WRITE_BYTES each but the last), byte-exact', { timeout: 30_000 }, async (t) => {
  const dir = await folder(t, 'nen-batch-');
  const data = randomBytes(6 * MIB + 12_345);
  const target = join(dir, 'big.bin');
  const writes = await pumpedWrites(await slowServer(t, data, 64 * 1024), target);
  assert.ok((await readFile(target)).equals(data), 'the exact bytes');
  assert.equal(writes.reduce((a, b) => a + b, 0), data.length);
  // One write per 64 KiB read would be about 100 writes.
  assert.ok(writes.length <= Math.ceil(data.length / MIN_WRITE_BYTES) + 1, `${writes.length} writes: ${writes.join(', ')}`);
  for (const w of writes.slice(0, -1)) assert.ok(w >= MIN_WRITE_BYTES, `a write of ${w} bytes before the last: ${writes.join(', ')}`);

  // A body smaller than one batch goes out in one write once it ended.
  const small = randomBytes(200_000);
  const smallTarget = join(dir, 'small.bin');
  assert.deepEqual(await pumpedWrites(await slowServer(t, small, 16 * 1024), smallTarget), [small.length]);
  assert.ok((await readFile(smallTarget)).equals(small));
});
