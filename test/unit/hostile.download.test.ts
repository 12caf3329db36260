/**
 * Downloads against a server whose word cannot be trusted: a body is bounded by 100 MiB, by
 * the size the listing announced and by Content-Length; a trickle under the floor rate is a
 * timeout; a body shorter than the listing said is checked against a fresh listing. Nothing
 * partial is kept, and the message says why.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type * as http from 'node:http';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isNenApiError, type DriveClientOptions } from '../../src/api';
import { hostileServer, type Hostile } from './hostileServer';
import { bytesIn, hostileTally } from './hostileTally';

/** Each hostile body is tried twice, in memory and to a file; kept is what stayed on disk. */
const tally = hostileTally('hostile downloads');

const DESK = 'dsk_hostile00001';
const MIB = 1024 * 1024;

async function failure(p: Promise<unknown>): Promise<Error & { kind?: string }> {
  try {
    await p;
  } catch (e) {
    assert.ok(isNenApiError(e), `a NenApiError, got ${String(e)}`);
    return e;
  }
  assert.fail('the download resolved');
}

async function scratch(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'nen-hostile-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** GET of the file list answers `listed` bytes for every name; GET of a file runs `body`. */
function drive(listed: () => number, body: (res: http.ServerResponse) => void) {
  return (req: http.IncomingMessage, res: http.ServerResponse): void => {
    if (req.url?.endsWith('/files')) {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ files: [{ name: 'a.bin', size: listed(), modified: 1 }] }));
      return;
    }
    body(res);
  };
}

/** Writes 1 MiB chunks (up to 200 MiB) until the client goes away; `sent.bytes` is the most one response sent. */
function endless(sent: { bytes: number }) {
  return (res: http.ServerResponse): void => {
    const chunk = Buffer.alloc(MIB, 7);
    let bytes = 0;
    const more = (): void => {
      while (!res.destroyed && bytes < 200 * MIB) {
        bytes += chunk.length;
        sent.bytes = Math.max(sent.bytes, bytes);
        if (!res.write(chunk)) return void res.once('drain', more);
      }
      res.end();
    };
    more();
  };
}

async function both(h: Hostile, dir: string, extra: { expectedSize?: number }, kind: string, why: RegExp): Promise<void> {
  tally.tried++;
  const e1 = await failure(h.client.download(DESK, 'a.bin', extra));
  assert.equal(e1.kind, kind, e1.message);
  assert.match(e1.message, why);
  tally.handled++;
  // To a file twice: over the pool's connection (a small listed size), then over a connection
  // of its own read into one reused buffer (a large one; see rawGet).
  for (const sizeHint of [1, 64 * MIB]) {
    tally.tried++;
    const e2 = await failure(h.client.downloadToFile(DESK, 'a.bin', join(dir, 'a.bin'), { ...extra, sizeHint }));
    tally.kept += await bytesIn(dir);
    assert.equal(e2.kind, kind, `${sizeHint}: ${e2.message}`);
    assert.match(e2.message, why);
    assert.deepEqual(await readdir(dir), [], 'nothing partial is left');
    tally.handled++;
  }
}

test('a chunked body over 100 MiB is stopped as tooLarge, in memory and on disk', async (t) => {
  const sent = { bytes: 0 };
  const h = await hostileServer(t, drive(() => 1, endless(sent)));
  await both(h, await scratch(t), {}, 'tooLarge', /100 MiB/);
  assert.ok(sent.bytes < 150 * MIB, `the server could send only ${sent.bytes / MIB} MiB`);
});

test('a body larger than the listing announced is stopped at once', async (t) => {
  const sent = { bytes: 0 };
  const h = await hostileServer(t, drive(() => 4, endless(sent)));
  await both(h, await scratch(t), { expectedSize: 4 }, 'protocol', /more than the 4 bytes the listing announced/);
  assert.ok(sent.bytes < 50 * MIB, `the server could send only ${sent.bytes / MIB} MiB`);
});

test('a body that trickles under the floor rate fails as a timeout', { timeout: 10_000 }, async (t) => {
  const opts: Partial<DriveClientOptions> = { minTransferRate: 1024, rateWindowMs: 200 };
  const h = await hostileServer(
    t,
    drive(() => 1000, (res) => {
      const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write('x')), 20);
      res.on('close', () => clearInterval(timer));
    }),
    opts,
  );
  const started = Date.now();
  await both(h, await scratch(t), {}, 'timeout', /under 1 KiB\/s/);
  assert.ok(Date.now() - started < 3000, 'within a few windows');
});

test('a body cut short by a closed connection, still listed at its full size, fails as incomplete', async (t) => {
  // No Content-Length, no chunking: the body is whatever came before the close.
  const h = await hostileServer(
    t,
    drive(() => 1000, (res) => res.socket?.end(`HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n${'x'.repeat(500)}`)),
  );
  await both(h, await scratch(t), { expectedSize: 1000 }, 'protocol', /incomplete download.*500 bytes.*1,000 bytes/);
  assert.ok(h.requests.filter((r) => r.endsWith('/files')).length >= 2, 'the drive was listed again');
});

test('a 204 for a file listed with bytes fails as incomplete', async (t) => {
  const h = await hostileServer(t, drive(() => 10, (res) => void ((res.statusCode = 204), res.end())));
  await both(h, await scratch(t), { expectedSize: 10 }, 'protocol', /incomplete download.*0 bytes.*10 bytes/);
});

test('a body shorter than a stale listing said is accepted when the drive now lists what arrived', async (t) => {
  let listed = 1000;
  const h = await hostileServer(
    t,
    drive(() => listed, (res) => res.end(Buffer.alloc(500, 1))),
  );
  listed = 500;
  const data = await h.client.download(DESK, 'a.bin', { expectedSize: 1000 });
  assert.equal(data.byteLength, 500);
  const dir = await scratch(t);
  for (const sizeHint of [1, 64 * MIB]) {
    assert.equal((await h.client.downloadToFile(DESK, 'a.bin', join(dir, `a-${sizeHint}.bin`), { expectedSize: 1000, sizeHint })).size, 500);
  }
});

test('a file that grew after its listing (a log the desktop keeps writing) downloads whole, in memory and to a file', async (t) => {
  // The listing the caller holds says 100 bytes; the drive now holds 300 and lists 300.
  let requests = 0;
  const h = await hostileServer(
    t,
    drive(() => 300, (res) => {
      requests++;
      res.end(Buffer.alloc(300, 2));
    }),
  );
  const data = await h.client.download(DESK, 'a.bin', { expectedSize: 100 });
  assert.equal(data.byteLength, 300, 'the whole grown file');
  assert.equal(requests, 2, 'stopped past the stale size, listed again, downloaded once more');
  const dir = await scratch(t);
  for (const sizeHint of [1, 64 * MIB]) {
    requests = 0;
    const name = `a-${sizeHint}.bin`;
    assert.equal((await h.client.downloadToFile(DESK, 'a.bin', join(dir, name), { expectedSize: 100, sizeHint })).size, 300);
    assert.equal(requests, 2, `${sizeHint}: stopped past the stale size, downloaded once more`);
  }
  assert.deepEqual((await readdir(dir)).sort(), ['a-1.bin', `a-${64 * MIB}.bin`], 'only the files, no temporary left');
});

test('a download to a file takes a connection of its own from 8 MiB or when no size is known, the pool otherwise', async (t) => {
  const asked: (string | undefined)[] = [];
  const h = await hostileServer(
    t,
    drive(() => 5, (res) => {
      asked.push(res.req.headers.connection);
      res.end('hello');
    }),
  );
  const dir = await scratch(t);
  for (const sizeHint of [5, 8 * MIB - 1, 8 * MIB, undefined]) {
    await h.client.downloadToFile(DESK, 'a.bin', join(dir, `a-${sizeHint}.bin`), sizeHint === undefined ? {} : { sizeHint });
  }
  await h.client.downloadToFile(DESK, 'a.bin', join(dir, 'a-expected.bin'), { expectedSize: 5 });
  assert.deepEqual(
    asked.map((c) => (c === 'close' ? 'own' : 'pool')),
    ['pool', 'pool', 'own', 'own', 'pool'],
  );
});
