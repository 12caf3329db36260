/**
 * How the client fails: every status → kind, the message rule, malformed success bodies,
 * retries (bounded, honouring Retry-After, never after an abort) and timeouts. Each test
 * starts its own emulator on 127.0.0.1:0. Every error and log entry is collected, and the
 * last test asserts the key appears in none of them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DriveClient, messageFromBody, type NenErrorKind } from '../../src/api';
import { backoffDelay, parseRetryAfter } from '../../src/api/http';
import { clientFixture, DESK } from './clientFixture';
import type { EmulatorHandle } from '../../tools/emulator/types';
import type * as http from 'node:http';
import { hostileServer } from './hostileServer';

const KEY = 'sk_nen_errors_Zq8xK3v9LmP2wR7tYb4';

const { texts, setup, expectKind } = clientFixture(KEY);

const fileRequests = (emu: EmulatorHandle) => emu.requests.filter((r) => r.path.startsWith(`/desktops/${DESK}/files`));

const STATUS_KINDS: [number, NenErrorKind][] = [
  [400, 'badRequest'],
  [401, 'unauthorized'],
  [403, 'forbidden'],
  [404, 'notFound'],
  [405, 'unavailable'],
  [409, 'conflict'],
  [413, 'tooLarge'],
  [418, 'unavailable'],
  [422, 'badRequest'],
  [429, 'rateLimited'],
  [500, 'unavailable'],
  [502, 'unavailable'],
  [503, 'unavailable'],
  [504, 'unavailable'],
];

for (const [status, kind] of STATUS_KINDS) {
  test(`HTTP ${status} from the server becomes kind ${kind} with the status and the server's message`, async (t) => {
    const { emu, client } = await setup(t, { maxRetries: 0 });
    emu.injectFault({ type: 'status', status, body: JSON.stringify({ error: `boom ${status}` }) });
    const err = await expectKind(client.listFiles(DESK), kind);
    assert.equal(err.status, status);
    assert.match(err.message, new RegExp(`boom ${status}`));
  });
}

test('an upload refused with 413 by the server is tooLarge', async (t) => {
  const { emu, client } = await setup(t);
  emu.injectFault({ type: 'status', status: 413, body: '{"error":"file exceeds 100 MiB"}' }, { method: 'POST' });
  const err = await expectKind(client.upload(DESK, 'big.bin', { kind: 'bytes', data: new Uint8Array(10) }), 'tooLarge');
  assert.equal(err.status, 413);
  assert.equal(emu.requests.length, 1, 'a 413 is not retried');
});

test('real server answers map too: a wrong key is unauthorized, unknown desktops and files are notFound', async (t) => {
  const { emu, client } = await setup(t);
  const wrong = new DriveClient({ baseUrl: emu.url, getApiKey: () => 'sk_nen_wrong_key_123456', onRequest: (e) => texts.push(JSON.stringify(e)) });
  t.after(() => wrong.close());
  const e401 = await expectKind(wrong.listFiles(DESK), 'unauthorized');
  assert.equal(e401.status, 401);
  assert.ok(!e401.message.includes('sk_nen_wrong_key_123456'));
  await expectKind(client.listFiles('dsk_nothere000000'), 'notFound');
  await expectKind(client.download(DESK, 'missing.txt'), 'notFound');
  await expectKind(client.getDesktop('dsk_nothere000000'), 'notFound');
});

test('the error message follows error, then message, then detail, then the text cut short', async (t) => {
  const { emu, client } = await setup(t, { maxRetries: 0 });
  const cases: [string, RegExp][] = [
    ['{"error":"E1","message":"M1","detail":"D1"}', /^E1 \(HTTP 400\)$/],
    ['{"message":"M2","detail":"D2"}', /^M2 \(HTTP 400\)$/],
    ['{"detail":"D3"}', /^D3 \(HTTP 400\)$/],
    ['<html><body>Bad gateway thing</body></html>', /^<html><body>Bad gateway thing<\/body><\/html> \(HTTP 400\)$/],
    ['', /^bad request \(HTTP 400\)$/],
    ['{"error": 42}', /^\{"error": 42\} \(HTTP 400\)$/],
  ];
  for (const [body, re] of cases) {
    emu.injectFault({ type: 'status', status: 400, body });
    const err = await expectKind(client.listFiles(DESK), 'badRequest');
    assert.match(err.message, re);
  }
  emu.injectFault({ type: 'status', status: 400, body: 'x'.repeat(5000) });
  const long = await expectKind(client.listFiles(DESK), 'badRequest');
  assert.ok(long.message.length < 230, `message is ${long.message.length} chars`);
});

test('messageFromBody never trusts JSON and handles odd shapes', () => {
  assert.equal(messageFromBody('{"error":"nope"}'), 'nope');
  assert.equal(messageFromBody('{"detail":[{"msg":"field required"},{"msg":"bad"}]}'), 'field required; bad');
  assert.equal(messageFromBody('{"error":{"message":"nested"}}'), 'nested');
  assert.equal(messageFromBody('   '), undefined);
  assert.equal(messageFromBody('line1\nline2'), 'line1 line2');
  assert.equal(messageFromBody('[1,2]'), '[1,2]');
  assert.equal(messageFromBody('null'), 'null');
});

const MALFORMED_LISTS = [
  'not json at all',
  '{}',
  '{"files":"nope"}',
  '{"files":{}}',
  '[]',
  'null',
  '{"files":[1]}',
  '{"files":[{"size":1,"modified":1}]}',
  '{"files":[{"name":7,"size":1,"modified":1}]}',
  '{"files":[{"name":"a","size":"1","modified":1}]}',
  '{"files":[{"name":"a","modified":1}]}',
  '{"files":[{"name":"a","size":1,"modified":"yesterday"}]}',
  '{"files":[{"name":"a","size":1,"modified":1,"is_dir":"yes"}]}',
  '{"files":[{"name":"a","size":-1,"modified":1}]}',
];

test('malformed 200 file lists are protocol errors, never crashes', async (t) => {
  const { emu, client } = await setup(t);
  for (const body of MALFORMED_LISTS) {
    emu.injectFault({ type: 'body', body });
    const err = await expectKind(client.listFiles(DESK), 'protocol');
    assert.equal(err.status, 200, body);
  }
  assert.equal(emu.requests.length, MALFORMED_LISTS.length, 'protocol errors are not retried');
});

test('file lists tolerate extra fields and missing optional ones, keep is_dir and skip unaddressable names', async (t) => {
  const { emu, client } = await setup(t);
  emu.injectFault({
    type: 'body',
    body: JSON.stringify({
      files: [
        { name: 'report.pdf', size: 102400, modified: 1779229492.703, owner: 'x', extra: { a: 1 } },
        { name: 'docs', size: 0, modified: 1779229000.5, is_dir: true },
        { name: 'nodir', is_dir: true },
        { name: 'nomtime.txt', size: 3 },
        { name: '../escape', size: 1, modified: 1 },
        { name: '', size: 1, modified: 1 },
      ],
      next: null,
    }),
  });
  const entries = await client.listFiles(DESK);
  assert.deepEqual(entries, [
    { name: 'report.pdf', size: 102400, modified: 1779229492.703, isDir: false },
    { name: 'docs', size: 0, modified: 1779229000.5, isDir: true },
    { name: 'nodir', size: 0, modified: 0, isDir: true },
    { name: 'nomtime.txt', size: 3, modified: 0, isDir: false },
  ]);
});

test('malformed upload answers and desktop answers are protocol errors', async (t) => {
  const { emu, client } = await setup(t);
  const data = { kind: 'bytes' as const, data: new Uint8Array([1, 2, 3]) };
  for (const body of ['oops', '[]', '{"success":true,"size":"3","filename":"a.bin"}', '{"success":"yes"}', '{"filename":5}']) {
    emu.injectFault({ type: 'body', body }, { method: 'POST' });
    await expectKind(client.upload(DESK, 'a.bin', data), 'protocol');
  }
  emu.injectFault({ type: 'body', body: '{"desktops":[]}' });
  await expectKind(client.listDesktops(), 'protocol');
  emu.injectFault({ type: 'body', body: '[{"id":"x"}]' });
  await expectKind(client.listDesktops(), 'protocol');
  emu.injectFault({ type: 'body', body: '{"status":"running"}' });
  await expectKind(client.getDesktop(DESK), 'protocol');
  emu.injectFault({ type: 'body', body: '<html>' });
  await expectKind(client.deleteDesktop(DESK), 'protocol');
});

test('503 twice then success: retried, and each attempt is logged with its number', async (t) => {
  const { emu, client, logs } = await setup(t);
  emu.putFile(DESK, 'a.txt', 'hello');
  emu.injectFault({ type: 'status', status: 503 }, { method: 'GET' }, 2);
  const entries = await client.listFiles(DESK);
  assert.deepEqual(entries.map((e) => e.name), ['a.txt']);
  assert.equal(fileRequests(emu).length, 3);
  assert.deepEqual(logs.map((l) => [l.attempt, l.status]), [[1, 503], [2, 503], [3, 200]]);
  assert.ok(logs.every((l) => l.method === 'GET' && l.path === `/desktops/${DESK}/files` && l.durationMs >= 0));
});

for (const status of [429, 502, 504]) {
  test(`${status} is retried until it succeeds`, async (t) => {
    const { emu, client } = await setup(t);
    emu.injectFault({ type: 'status', status }, {}, 1);
    await client.listFiles(DESK);
    assert.equal(emu.requests.length, 2);
  });
}

test('500 is not retried', async (t) => {
  const { emu, client } = await setup(t);
  emu.injectFault({ type: 'status', status: 500 }, {}, 5);
  await expectKind(client.listFiles(DESK), 'unavailable');
  assert.equal(emu.requests.length, 1);
});

test('retries are bounded by maxRetries: 1 + 2 requests, then the last error', async (t) => {
  const { emu, client } = await setup(t, { maxRetries: 2 });
  emu.injectFault({ type: 'status', status: 503, body: '{"error":"down for maintenance"}' }, {}, 10);
  const err = await expectKind(client.listFiles(DESK), 'unavailable');
  assert.equal(err.status, 503);
  assert.match(err.message, /down for maintenance/);
  assert.equal(emu.requests.length, 3);
});

test('Retry-After in seconds is honoured', async (t) => {
  const { emu, client } = await setup(t);
  emu.injectFault({ type: 'status', status: 429, retryAfter: 1 });
  const start = Date.now();
  await client.listFiles(DESK);
  const elapsed = Date.now() - start;
  assert.equal(emu.requests.length, 2);
  assert.ok(elapsed >= 950, `waited only ${elapsed} ms`);
  const gap = emu.requests[1].at - emu.requests[0].at;
  assert.ok(gap >= 950, `second request came ${gap} ms after the first`);
});

test('Retry-After as an HTTP date is honoured', async (t) => {
  const { emu, client } = await setup(t);
  const when = new Date(Date.now() + 2500);
  emu.injectFault({ type: 'status', status: 503, retryAfter: when.toUTCString() });
  const start = Date.now();
  await client.listFiles(DESK);
  // HTTP dates have whole seconds: the wait is between 1.5 and 2.5 s.
  assert.ok(Date.now() - start >= 1400, `waited only ${Date.now() - start} ms`);
  assert.equal(emu.requests.length, 2);
});

test('a Retry-After beyond the wait budget gives up at once with retryAfterMs set', async (t) => {
  const { emu, client } = await setup(t, { maxRetryWaitMs: 2000 });
  emu.injectFault({ type: 'status', status: 429, retryAfter: 60 }, {}, 5);
  const start = Date.now();
  const err = await expectKind(client.listFiles(DESK), 'rateLimited');
  assert.ok(Date.now() - start < 1000);
  assert.equal(err.retryAfterMs, 60_000);
  assert.equal(emu.requests.length, 1);
});

test('the total wait between retries stays within maxRetryWaitMs', async (t) => {
  const { emu, client } = await setup(t, { maxRetries: 10, maxRetryWaitMs: 1500 });
  emu.injectFault({ type: 'status', status: 503, retryAfter: 1 }, {}, 10);
  const start = Date.now();
  await expectKind(client.listFiles(DESK), 'unavailable');
  const elapsed = Date.now() - start;
  assert.equal(emu.requests.length, 2, 'one wait of 1 s fits in 1.5 s, a second does not');
  assert.ok(elapsed < 2000, `took ${elapsed} ms`);
});

test('a connection reset mid-body is retried for a list and for a download', async (t) => {
  const { emu, client } = await setup(t);
  const data = Buffer.alloc(300_000, 7);
  emu.putFile(DESK, 'blob.bin', data);
  emu.injectFault({ type: 'reset', afterBytes: 5 }, { method: 'GET' });
  assert.equal((await client.listFiles(DESK)).length, 1);
  assert.equal(emu.requests.length, 2);
  emu.clearRequests();
  emu.injectFault({ type: 'reset', afterBytes: 100_000 }, { method: 'GET' });
  const got = await client.download(DESK, 'blob.bin');
  assert.ok(Buffer.from(got).equals(data));
  assert.equal(emu.requests.length, 2);
});

test('a connection reset without retries left is kind network', async (t) => {
  const { emu, client } = await setup(t, { maxRetries: 0 });
  emu.putFile(DESK, 'blob.bin', Buffer.alloc(100_000));
  emu.injectFault({ type: 'reset', afterBytes: 1000 }, { method: 'GET' });
  await expectKind(client.download(DESK, 'blob.bin'), 'network');
});

test('a refused connection is kind network', async (t) => {
  const { emu } = await setup(t);
  const url = emu.url;
  await emu.close();
  const client = new DriveClient({ baseUrl: url, getApiKey: () => KEY, maxRetries: 0 });
  t.after(() => client.close());
  await expectKind(client.listFiles(DESK), 'network');
});

test('creating a desktop is not retried after a gateway error (it may have happened)', async (t) => {
  const { emu, client } = await setup(t);
  emu.injectFault({ type: 'status', status: 502 }, { method: 'POST' });
  await expectKind(client.createDesktop({ desktop_type: 'sandbox' }), 'unavailable');
  assert.equal(emu.requests.length, 1);
  emu.injectFault({ type: 'status', status: 503 }, { method: 'POST' });
  const d = await client.createDesktop();
  assert.match(d.desktop_id, /^dsk_/);
});

test('no retry after an abort during the Retry-After wait, and the abort is prompt', async (t) => {
  const { emu, client } = await setup(t);
  emu.injectFault({ type: 'status', status: 503, retryAfter: 5 }, {}, 5);
  const ac = new AbortController();
  const start = Date.now();
  setTimeout(() => ac.abort(), 200);
  await expectKind(client.listFiles(DESK, { signal: ac.signal }), 'cancelled');
  assert.ok(Date.now() - start < 1000, `abort took ${Date.now() - start} ms`);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(emu.requests.length, 1);
});

test('an abort while the server hangs is cancelled promptly and not retried', async (t) => {
  const { emu, client } = await setup(t);
  emu.injectFault({ type: 'hang' }, {}, 5);
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 150);
  const start = Date.now();
  await expectKind(client.listFiles(DESK, { signal: ac.signal }), 'cancelled');
  assert.ok(Date.now() - start < 1000);
  assert.equal(emu.requests.length, 1);
});

test('an already aborted signal sends nothing', async (t) => {
  const { emu, client } = await setup(t);
  await expectKind(client.listFiles(DESK, { signal: AbortSignal.abort() }), 'cancelled');
  await expectKind(client.upload(DESK, 'a.txt', { kind: 'bytes', data: new Uint8Array(1) }, { signal: AbortSignal.abort() }), 'cancelled');
  assert.equal(emu.requests.length, 0);
});

test('a metadata call times out after metadataTimeoutMs and is not retried', async (t) => {
  const { emu, client } = await setup(t, { metadataTimeoutMs: 300 });
  emu.injectFault({ type: 'hang' }, {}, 5);
  const start = Date.now();
  const err = await expectKind(client.listDesktops(), 'timeout');
  const elapsed = Date.now() - start;
  assert.ok(elapsed >= 280 && elapsed < 1500, `timed out after ${elapsed} ms`);
  assert.match(err.message, /0\.3 s/);
  assert.equal(emu.requests.length, 1);
});

test('a stalled transfer times out after transferTimeoutMs of inactivity, a slow but moving one does not', async (t) => {
  const { emu, client } = await setup(t, { transferTimeoutMs: 400 });
  emu.putFile(DESK, 'a.bin', Buffer.alloc(1000));
  emu.injectFault({ type: 'hang' }, { method: 'GET' });
  await expectKind(client.download(DESK, 'a.bin'), 'timeout');
  // 300 ms latency per response stays under the 400 ms inactivity limit.
  emu.setLatency(300);
  assert.equal((await client.download(DESK, 'a.bin')).length, 1000);
});

/**
 * Sends `bytes` body bytes one at a time, `everyMs` apart (announcing `length` in
 * Content-Length), then ends the body, or with `stall` stops sending and keeps the connection open.
 */
function trickle(bytes: number, everyMs: number, opts: { length?: number; stall?: boolean } = {}) {
  return (_req: http.IncomingMessage, res: http.ServerResponse): void => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': opts.length ?? bytes });
    res.flushHeaders();
    let sent = 0;
    const timer = setInterval(() => {
      if (res.destroyed) return clearInterval(timer);
      res.write(Buffer.from([sent % 256]));
      if (++sent < bytes) return;
      clearInterval(timer);
      if (!opts.stall) res.end();
    }, everyMs);
    res.on('close', () => clearInterval(timer));
  };
}

// The two tests below tell an inactivity timeout from a total-time one: a body that keeps
// moving for 4× the timeout must arrive whole, and one that stops must fail about one timeout
// after its last byte, not one timeout after the request started.
test('the transfer timeout counts inactivity, not total time: a body moving for 4× the timeout arrives whole', async (t) => {
  const TIMEOUT = 400;
  // 16 bytes, 100 ms apart: 1.6 s in total, never more than 100 ms without a byte.
  const h = await hostileServer(t, trickle(16, 100), { transferTimeoutMs: TIMEOUT });
  const start = Date.now();
  const body = await h.client.download(DESK, 'a.bin');
  const elapsed = Date.now() - start;
  assert.equal(body.length, 16, 'the whole body arrived');
  assert.ok(elapsed >= 3 * TIMEOUT, `the body took ${elapsed} ms, so a total-time limit of ${TIMEOUT} ms would have cut it`);
});

test('the transfer timeout fires when a moving body stalls: about one timeout after the last byte, as a timeout', async (t) => {
  const TIMEOUT = 400;
  // 8 bytes of 16, 100 ms apart (0.8 s, twice the timeout), then nothing more on an open connection.
  const h = await hostileServer(t, trickle(8, 100, { length: 16, stall: true }), { transferTimeoutMs: TIMEOUT });
  const start = Date.now();
  const err = await expectKind(h.client.download(DESK, 'a.bin'), 'timeout');
  const elapsed = Date.now() - start;
  assert.match(err.message, /no progress for 0\.4 s/);
  // The last byte left at ~800 ms: the timeout fires at ~1200 ms, well after a total-time one (400 ms).
  assert.ok(elapsed >= 800 + TIMEOUT - 100 && elapsed < 800 + 3 * TIMEOUT, `timed out after ${elapsed} ms`);
});

test('closing the client cancels calls in flight', async (t) => {
  const { emu, client } = await setup(t);
  emu.injectFault({ type: 'hang' });
  const p = client.listFiles(DESK);
  setTimeout(() => void client.close(), 100);
  await expectKind(p, 'cancelled');
  await expectKind(client.listFiles(DESK), 'cancelled');
});

test('a key echoed by the server in an error body is scrubbed from the message', async (t) => {
  const { emu, client } = await setup(t, { maxRetries: 0 });
  emu.injectFault({ type: 'status', status: 400, body: JSON.stringify({ error: `bad header Authorization: Bearer ${KEY} (key ${KEY})` }) });
  const err = await expectKind(client.listFiles(DESK), 'badRequest');
  assert.ok(!err.message.includes(KEY), err.message);
  assert.match(err.message, /Bearer \*\*\*/);
});

test('Retry-After parsing and backoff bounds', () => {
  assert.equal(parseRetryAfter('3'), 3000);
  assert.equal(parseRetryAfter('0.5'), 500);
  assert.equal(parseRetryAfter(' 7 '), 7000);
  assert.equal(parseRetryAfter('soon'), undefined);
  assert.equal(parseRetryAfter(undefined), undefined);
  const now = Date.parse('Wed, 21 Oct 2026 07:28:00 GMT');
  assert.equal(parseRetryAfter('Wed, 21 Oct 2026 07:28:10 GMT', now), 10_000);
  assert.equal(parseRetryAfter('Wed, 21 Oct 2020 07:28:00 GMT', now), 0);
  for (let retry = 1; retry <= 6; retry++) {
    const full = Math.min(10_000, 100 * 2 ** (retry - 1));
    assert.equal(backoffDelay(retry, 100, 10_000, () => 0), full / 2);
    assert.equal(backoffDelay(retry, 100, 10_000, () => 1), full);
  }
});

test('no error message, stack or log entry from the tests above contains the key', () => {
  assert.ok(texts.length > 50, `only ${texts.length} texts collected`);
  for (const text of texts) {
    assert.ok(!text.includes(KEY), `the key leaked into: ${text}`);
    assert.ok(!/Bearer\s+(?!\*\*\*)\S/.test(text), `a bearer token leaked into: ${text}`);
  }
});
