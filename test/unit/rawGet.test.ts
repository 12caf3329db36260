/**
 * rawGet, the GET a large download to a file takes over a connection of its own: the framing it
 * parses itself (Content-Length, chunked with extensions and trailers, to the close, 1xx answers
 * skipped) must give the exact bytes however the server splits its writes, whether the body is
 * read as a stream or by a sink that pauses; and every broken answer must fail, never end as a
 * clean body.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { randomBytes } from 'node:crypto';
import { rawGet, type RawResponse } from '../../src/api/rawGet';
import { TEST_CERT, TEST_KEY } from './tlsFixture';

/** A server that answers every connection with `answer` once the request head arrived; resolves its origin. */
async function serve(t: TestContext, answer: (socket: net.Socket, head: string) => void, secure = false): Promise<{ origin: string; heads: string[] }> {
  const heads: string[] = [];
  const sockets = new Set<net.Socket>();
  const onSocket = (socket: net.Socket): void => {
    sockets.add(socket);
    let got = '';
    socket.on('error', () => undefined);
    const onData = (d: Buffer): void => {
      got += d.toString('latin1');
      if (!got.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      heads.push(got);
      answer(socket, got);
    };
    socket.on('data', onData);
  };
  const server = secure ? tls.createServer({ key: TEST_KEY, cert: TEST_CERT }, onSocket) : net.createServer(onSocket);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    // Connections a failed test left open would keep close() waiting.
    for (const s of sockets) s.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const { port } = server.address() as net.AddressInfo;
  return { origin: `${secure ? 'https' : 'http'}://127.0.0.1:${port}`, heads };
}

/** Writes `data` in pieces of 1..maxPiece bytes, each on its own turn of the event loop, then ends (unless `keepOpen`). */
function trickle(socket: net.Socket, data: Buffer, maxPiece: number, keepOpen = false): void {
  let at = 0;
  const next = (): void => {
    if (socket.destroyed) return;
    if (at >= data.length) return void (keepOpen ? undefined : socket.end());
    const n = 1 + Math.floor(Math.random() * maxPiece);
    socket.write(data.subarray(at, at + n));
    at += n;
    setImmediate(next);
  };
  next();
}

function get(origin: string, extra: Partial<Parameters<typeof rawGet>[0]> = {}): Promise<RawResponse> {
  return rawGet({ origin, path: '/f?x=1', headers: { authorization: 'Bearer k' }, signal: new AbortController().signal, connectTimeoutMs: 5000, ...extra });
}

/** The body read as a stream. */
async function streamed(res: RawResponse): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of res.body) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

/** The body read by a sink that copies each view and pauses every `pauseEvery`th time, resuming on a later turn. */
function sunk(res: RawResponse, pauseEvery = 0): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let calls = 0;
    res.body.sinkTo((view) => {
      parts.push(Buffer.from(view));
      calls++;
      if (pauseEvery && calls % pauseEvery === 0) {
        setTimeout(() => res.body.resumeSink(), 2);
        return false;
      }
      return true;
    });
    res.body.on('error', reject);
    res.body.on('end', () => resolve(Buffer.concat(parts)));
  });
}

/** `p`, or a failure once `ms` passed (a body that never ends must fail the test, not hang it). */
function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no end within ${ms} ms`)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

function chunkedOf(data: Buffer, sizes: number[]): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  let i = 0;
  while (at < data.length) {
    const n = Math.min(sizes[i++ % sizes.length], data.length - at);
    // Upper-case hex, an extension on some chunks: both allowed.
    parts.push(Buffer.from(`${n.toString(16).toUpperCase()}${i % 2 ? ';ext=1' : ''}\r\n`), data.subarray(at, at + n), Buffer.from('\r\n'));
    at += n;
  }
  parts.push(Buffer.from('0\r\nx-trailer: yes\r\n\r\n'));
  return Buffer.concat(parts);
}

test('a Content-Length body arrives byte-exact through a pausing sink and as a stream, however the server splits it', { timeout: 20_000 }, async (t) => {
  const data = randomBytes(300_000);
  const head = Buffer.from(`HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\nContent-Length: ${data.length}\r\nx-two: a\r\nx-two: b\r\n\r\n`);
  const { origin, heads } = await serve(t, (s) => trickle(s, Buffer.concat([head, data]), 40_000));
  for (const read of [(r: RawResponse) => sunk(r, 3), streamed, (r: RawResponse) => sunk(r)]) {
    const res = await get(origin);
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-length'], String(data.length));
    assert.deepEqual(res.headers['x-two'], ['a', 'b']);
    assert.ok((await read(res)).equals(data), 'the exact bytes');
  }
  assert.match(heads[0], /^GET \/f\?x=1 HTTP\/1\.1\r\n/);
  assert.match(heads[0], /\r\nhost: 127\.0\.0\.1:\d+\r\n/);
  assert.match(heads[0], /\r\nconnection: close\r\n/);
  assert.match(heads[0], /\r\nauthorization: Bearer k\r\n/);
});

test('a chunked body split at every byte, with extensions and trailers, arrives byte-exact', { timeout: 20_000 }, async (t) => {
  const data = randomBytes(5000);
  const wire = Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n'), chunkedOf(data, [1, 700, 13, 2048])]);
  // The server keeps the connection open: the body must end at the last chunk, not at a close.
  const { origin } = await serve(t, (s) => trickle(s, wire, 1, true));
  assert.ok((await within(sunk(await get(origin), 2), 5000)).equals(data));
  assert.ok((await within(streamed(await get(origin)), 5000)).equals(data));
});

test('a body that arrives with the headers, before anyone reads, is kept', { timeout: 20_000 }, async (t) => {
  const data = randomBytes(1000);
  const { origin } = await serve(t, (s) => s.end(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\ncontent-length: ${data.length}\r\n\r\n`), data])));
  const res = await get(origin);
  await new Promise((r) => setTimeout(r, 50));
  assert.ok((await sunk(res)).equals(data));
});

test('1xx answers are skipped; a body without length runs to the close; 204 has none', { timeout: 20_000 }, async (t) => {
  const data = randomBytes(70_000);
  const a = await serve(t, (s) => s.end(Buffer.concat([Buffer.from('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nlink: </x>\r\n\r\nHTTP/1.1 200 OK\r\n\r\n'), data])));
  const res = await get(a.origin);
  assert.equal(res.statusCode, 200);
  assert.ok((await sunk(res)).equals(data));
  const b = await serve(t, (s) => s.write('HTTP/1.1 204 No Content\r\n\r\n'));
  const empty = await get(b.origin);
  assert.equal(empty.statusCode, 204);
  assert.equal((await streamed(empty)).length, 0);
});

test('a Content-Length body cut short ends short (the caller counts); a chunked one cut short fails', { timeout: 20_000 }, async (t) => {
  const a = await serve(t, (s) => s.end('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n0123456789'));
  assert.equal((await sunk(await get(a.origin))).toString(), '0123456789');
  const b = await serve(t, (s) => s.end('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\na\r\n0123456789\r\n5\r\n01'));
  await assert.rejects(sunk(await get(b.origin)), { code: 'UND_ERR_SOCKET' });
  await assert.rejects(streamed(await get(b.origin)), { code: 'UND_ERR_SOCKET' });
});

test('answers that are not HTTP/1.1 fail with a code, never as a body', { timeout: 20_000 }, async (t) => {
  const cases: [string, string][] = [
    ['SSH-2.0-OpenSSH\r\n\r\n', 'HPE_INVALID_CONSTANT'],
    ['HTTP/1.1 200 OK\r\nno colon here\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN'],
    ['HTTP/1.1 200 OK\r\ncontent-length: 5\r\ncontent-length: 6\r\n\r\nabcdef', 'HPE_INVALID_CONTENT_LENGTH'],
    ['HTTP/1.1 200 OK\r\ncontent-length: -1\r\n\r\n', 'HPE_INVALID_CONTENT_LENGTH'],
    [`HTTP/1.1 200 OK\r\nx: ${'a'.repeat(70 * 1024)}\r\n\r\n`, 'UND_ERR_HEADERS_OVERFLOW'],
    ['HTTP/1.1 200 OK\r\n', 'UND_ERR_SOCKET'],
  ];
  for (const [wire, code] of cases) {
    const { origin } = await serve(t, (s) => s.end(wire));
    await assert.rejects(get(origin), { code }, JSON.stringify(wire.slice(0, 40)));
  }
  const { origin } = await serve(t, (s) => s.end('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n'));
  await assert.rejects(sunk(await get(origin)), { code: 'HPE_INVALID_CHUNK_SIZE' });
});

test('an abort before the answer rejects; an abort mid-body fails the body and closes the connection', { timeout: 20_000 }, async (t) => {
  let closed = 0;
  const { origin } = await serve(t, (s, head) => {
    s.on('close', () => closed++);
    if (head.includes('/late')) return; // never answers
    s.write('HTTP/1.1 200 OK\r\ncontent-length: 1000000\r\n\r\n');
    s.write(Buffer.alloc(1000));
  });
  const early = new AbortController();
  const pending = get(origin, { path: '/late', signal: early.signal });
  setTimeout(() => early.abort(), 20);
  await assert.rejects(pending, { code: 'ABORT_ERR' });
  const mid = new AbortController();
  const res = await get(origin, { signal: mid.signal });
  const body = sunk(res);
  setTimeout(() => mid.abort(), 20);
  await assert.rejects(body, { code: 'ABORT_ERR' });
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(closed, 2, 'both connections closed');
});

test('a refused connection fails with its code', { timeout: 20_000 }, async (t) => {
  const { origin } = await serve(t, () => undefined);
  const port = Number(new URL(origin).port);
  // A port that was just free: nothing listens there once the probe server is gone.
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const free = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  assert.notEqual(free, port);
  await assert.rejects(get(`http://127.0.0.1:${free}`), { code: 'ECONNREFUSED' });
});

test('https: the certificate is checked against the given CAs, and the body arrives byte-exact', { timeout: 20_000 }, async (t) => {
  const data = randomBytes(2 * 1024 * 1024 + 17);
  const { origin } = await serve(t, (s) => s.end(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\ncontent-length: ${data.length}\r\n\r\n`), data])), true);
  await assert.rejects(get(origin), (e: Error & { code?: string }) => /SELF_SIGNED|UNABLE_TO_VERIFY|CERT/.test(e.code ?? ''));
  const secureContext = tls.createSecureContext({ ca: [...tls.rootCertificates, TEST_CERT] });
  const res = await get(origin, { secureContext });
  assert.ok((await sunk(res, 5)).equals(data));
});

/** The body read by a sink that offers regions of its own memory as read targets: the bytes and how many reads landed in place. */
function targeted(res: RawResponse, size: number): Promise<{ data: Buffer; inPlace: number; copied: number }> {
  return new Promise((resolve, reject) => {
    const mem = Buffer.alloc(size + 256 * 1024);
    let at = 0;
    let inPlace = 0;
    let copied = 0;
    res.body.sinkTo(
      (view) => {
        if (view.buffer === mem.buffer && view.byteOffset === mem.byteOffset + at) inPlace++;
        else copied += view.copy(mem, at);
        at += view.length;
        return true;
      },
      () => mem.subarray(at, at + 128 * 1024),
    );
    res.body.on('error', reject);
    res.body.on('end', () => resolve({ data: mem.subarray(0, at), inPlace, copied }));
  });
}

for (const secure of [false, true]) {
  test(`${secure ? 'https' : 'http'}: a Content-Length body read into the sink's own memory lands in place, byte-exact; a chunked one is copied`, { timeout: 20_000 }, async (t) => {
    const data = randomBytes(3 * 1024 * 1024 + 29);
    const head = `HTTP/1.1 200 OK\r\ncontent-length: ${data.length}\r\n\r\n`;
    const { origin } = await serve(t, (s) => s.end(Buffer.concat([Buffer.from(head), data])), secure);
    const opts = secure ? { secureContext: tls.createSecureContext({ ca: [...tls.rootCertificates, TEST_CERT] }) } : {};
    const got = await targeted(await get(origin, opts), data.length);
    assert.ok(got.data.equals(data));
    assert.ok(got.inPlace > 3, `${got.inPlace} reads in place`);
    // Copied: what came with the head, and the read already bound for the socket's own 64 KiB buffer when the sink came.
    assert.ok(got.copied <= 2 * 64 * 1024, `${got.copied} bytes copied`);

    const chunked = await serve(t, (s) => s.end(Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n'), chunkedOf(data, [70_000, 13])])), secure);
    const got2 = await targeted(await get(chunked.origin, opts), data.length);
    assert.ok(got2.data.equals(data));
    assert.equal(got2.inPlace, 0, 'the framing sits between the bytes: no read target');
  });
}
