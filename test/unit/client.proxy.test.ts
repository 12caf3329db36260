/**
 * The client through a real proxy (Debian's tinyproxy, see ./tinyproxy.ts) to the emulator
 * serving https with a throwaway certificate trusted through NODE_EXTRA_CA_CERTS: listing,
 * upload and download pass byte-exact; a proxy wanting credentials gets them from
 * http.proxyAuthorization or the proxy URL; a refusing proxy gives a `proxy` error that says so,
 * and no request reaches the API. The key never appears in the proxy's log (it only ever sees
 * `CONNECT host:port`).
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NetworkOptions } from '../../src/api/proxy';
import { clientFixture, DESK } from './clientFixture';
import { TEST_CERT, TEST_KEY } from './tlsFixture';
import { startTinyproxy, freePort, type ProxyShape, type Tinyproxy } from './tinyproxy';
import { TRANSFER_WORKER_SCRIPT } from '../../src/api/transferThread';

const KEY = 'sk_nen_proxy_Rt5Kw2Xv8Lm3Pq7';
const { setup, expectKind, texts } = clientFixture(KEY);

const caDir = mkdtempSync(join(tmpdir(), 'nen-proxy-ca-'));
const caFile = join(caDir, 'ca.pem');
writeFileSync(caFile, TEST_CERT);
test.after(() => rmSync(caDir, { recursive: true, force: true }));

async function proxy(t: TestContext, shape: ProxyShape): Promise<Tinyproxy> {
  const p = await startTinyproxy(shape);
  t.after(() => p.stop());
  return p;
}

/** An https emulator and a client reaching it through `network` (proxyLoopback: the emulator is on 127.0.0.1). */
function viaProxy(t: TestContext, network: NetworkOptions) {
  return setup(t, { network: { proxyLoopback: true, env: { NODE_EXTRA_CA_CERTS: caFile }, ...network }, maxRetries: 2 }, { tls: { key: TEST_KEY, cert: TEST_CERT } });
}

/** The request lines tinyproxy logged ("CONNECT 127.0.0.1:1234 HTTP/1.1", "GET http://… HTTP/1.1"). */
function requestLines(p: Tinyproxy): string[] {
  return [...p.log().matchAll(/Request \(file descriptor \d+\): (.*)/g)].map((m) => m[1]);
}

/** The key is in no line the proxy logged, nor anything shaped like a Nen key. */
function assertProxyNeverSawKey(p: Tinyproxy): void {
  const log = p.log();
  assert.ok(!log.includes(KEY), 'the key is in the proxy log');
  assert.ok(!/sk_nen_/.test(log), 'a Nen key shape is in the proxy log');
  assert.ok(!/authorization: bearer/i.test(log), 'an Authorization header is in the proxy log');
}

/** Lists, uploads 1 MiB + 1 of random bytes and downloads them again (to memory and to a file), all byte-exact. */
async function roundTrip(s: Awaited<ReturnType<typeof viaProxy>>): Promise<void> {
  s.emu.putFile(DESK, 'seed.bin', Buffer.from([0, 1, 2, 255]));
  const listed = await s.client.listFiles(DESK);
  assert.deepEqual(listed.map((e) => [e.name, e.size]), [['seed.bin', 4]]);
  const data = randomBytes(1024 * 1024 + 1);
  const up = await s.client.upload(DESK, 'blob.bin', { kind: 'bytes', data });
  assert.equal(up.size, data.length);
  assert.ok(s.emu.readFile(DESK, 'blob.bin')?.equals(data), 'the bytes on the server are not the bytes sent');
  const down = await s.client.download(DESK, 'blob.bin', { expectedSize: data.length });
  assert.ok(Buffer.from(down).equals(data), 'the bytes downloaded are not the bytes on the server');
  const target = join(s.work, 'blob.bin');
  await s.client.downloadToFile(DESK, 'blob.bin', target);
  assert.ok(readFileSync(target).equals(data), 'the file downloaded is not the bytes on the server');
}

test('https through a plain proxy: listing, upload and download byte-exact; the proxy saw only CONNECT', async (t) => {
  const p = await proxy(t, { kind: 'plain' });
  const s = await viaProxy(t, { proxy: p.url });
  await roundTrip(s);
  const port = new URL(s.emu.url).port;
  assert.ok(requestLines(p).length > 0 && requestLines(p).every((l) => l.startsWith(`CONNECT 127.0.0.1:${port} `)), `the requests did not go through the proxy as CONNECT: ${requestLines(p).join(' | ')}`);
  assert.ok(s.emu.requests.every((r) => r.headers.authorization === `Bearer ${KEY}`), 'the API got the key');
  assertProxyNeverSawKey(p);
});

test('on the transfer thread too: a large https upload and download through the proxy, byte-exact, its CA and proxy settings carried over', async (t) => {
  const p = await proxy(t, { kind: 'plain' });
  const s = await setup(
    t,
    { network: { proxy: p.url, proxyLoopback: true, env: { NODE_EXTRA_CA_CERTS: caFile } }, maxRetries: 2, offThread: { script: TRANSFER_WORKER_SCRIPT } },
    { tls: { key: TEST_KEY, cert: TEST_CERT } },
  );
  const data = randomBytes(9 * 1024 * 1024 + 7);
  const local = join(s.work, 'big.bin');
  writeFileSync(local, data);
  await s.client.upload(DESK, 'big.bin', { kind: 'file', path: local });
  assert.equal(s.client.transferThreadRunning, true, 'the upload ran on the transfer thread');
  assert.ok(s.emu.readFile(DESK, 'big.bin')?.equals(data), 'the bytes on the server are not the bytes sent');
  const target = join(s.work, 'back.bin');
  await s.client.downloadToFile(DESK, 'big.bin', target);
  assert.ok(readFileSync(target).equals(data), 'the file downloaded is not the bytes on the server');
  const port = new URL(s.emu.url).port;
  assert.equal(s.emu.requests.length, 2);
  assert.ok(requestLines(p).length > 0 && requestLines(p).every((l) => l.startsWith(`CONNECT 127.0.0.1:${port} `)), `not through the proxy as CONNECT: ${requestLines(p).join(' | ')}`);
  assertProxyNeverSawKey(p);
});

test('HTTPS_PROXY from the environment is used when http.proxy is empty, and NO_PROXY bypasses it', async (t) => {
  const p = await proxy(t, { kind: 'plain' });
  const s = await viaProxy(t, { env: { NODE_EXTRA_CA_CERTS: caFile, HTTPS_PROXY: p.url } });
  await roundTrip(s);
  assert.match(requestLines(p).join('\n'), /^CONNECT 127\.0\.0\.1:/);
  assertProxyNeverSawKey(p);

  const q = await proxy(t, { kind: 'plain' });
  const direct = await viaProxy(t, { env: { NODE_EXTRA_CA_CERTS: caFile, HTTPS_PROXY: q.url, NO_PROXY: 'example.com,127.0.0.1' } });
  await direct.client.listFiles(DESK);
  assert.deepEqual(requestLines(q), [], 'NO_PROXY did not bypass the proxy');
});

test('a proxy that wants credentials: refused without them (407, says so), passes with http.proxyAuthorization or user:password in the URL', async (t) => {
  const p = await proxy(t, { kind: 'auth', user: 'nenuser', password: 'Pr0xyPass' });
  const none = await viaProxy(t, { proxy: p.url });
  const err = await expectKind(none.client.listFiles(DESK), 'proxy');
  assert.match(err.message, /The proxy 127\.0\.0\.1:\d+ asks for credentials \(HTTP 407\)/);
  assert.equal(none.emu.requests.length, 0, 'a request reached the API');

  const withHeader = await viaProxy(t, { proxy: p.url, proxyAuthorization: `Basic ${Buffer.from('nenuser:Pr0xyPass').toString('base64')}` });
  await roundTrip(withHeader);

  const inUrl = await viaProxy(t, { proxy: `http://nenuser:Pr0xyPass@127.0.0.1:${p.port}` });
  await inUrl.client.listFiles(DESK);

  const wrong = await viaProxy(t, { proxy: `http://nenuser:wrong@127.0.0.1:${p.port}` });
  const bad = await expectKind(wrong.client.listFiles(DESK), 'proxy');
  assert.match(bad.message, /rejected the proxy credentials \(HTTP 40[17]\)/);
  assert.ok(!bad.message.includes('wrong') && !bad.message.includes('Pr0xyPass'), 'the proxy password is in the message');
  assertProxyNeverSawKey(p);
});

test('a refusing proxy: a `proxy` error naming the proxy and the refusal, not retried, nothing reaches the API', async (t) => {
  const p = await proxy(t, { kind: 'refusing' });
  const s = await viaProxy(t, { proxy: p.url });
  const err = await expectKind(s.client.listFiles(DESK), 'proxy');
  assert.match(err.message, /^The proxy 127\.0\.0\.1:\d+ refused the connection to 127\.0\.0\.1:\d+ \(HTTP 403\)/);
  assert.equal(s.logs.length, 1, 'a refusal is not retried');
  await expectKind(s.client.upload(DESK, 'x.bin', { kind: 'bytes', data: Buffer.from('x') }), 'proxy');
  assert.equal(s.emu.requests.length, 0, 'a request reached the API');
  assert.equal(s.emu.readFile(DESK, 'x.bin'), undefined);
  assertProxyNeverSawKey(p);
});

test('a proxy nobody listens on: a `proxy` error saying it could not be reached', async (t) => {
  const port = await freePort();
  const s = await viaProxy(t, { proxy: `http://127.0.0.1:${port}` });
  const err = await expectKind(s.client.listFiles(DESK), 'proxy');
  assert.match(err.message, new RegExp(`The proxy 127\\.0\\.0\\.1:${port} could not be reached \\(ECONNREFUSED\\)`));
});

test('an http (loopback) API URL bypasses the proxy unless proxyLoopback asks; asked, it is tunnelled and the key stays out of the log', async (t) => {
  const p = await proxy(t, { kind: 'plain' });
  const direct = await setup(t, { network: { proxy: p.url } });
  await direct.client.listFiles(DESK);
  assert.deepEqual(requestLines(p), [], 'a loopback URL went through the proxy without being asked');

  const tunnelled = await setup(t, { network: { proxy: p.url, proxyLoopback: true } });
  tunnelled.emu.putFile(DESK, 'a.txt', 'hello');
  assert.equal(Buffer.from(await tunnelled.client.download(DESK, 'a.txt')).toString(), 'hello');
  const lines = requestLines(p);
  assert.ok(lines.length > 0 && lines.every((l) => l.startsWith('CONNECT 127.0.0.1:')), `forwarded, not tunnelled: ${lines.join(' | ')}`);
  assertProxyNeverSawKey(p);
});

test('unusable network settings fail every call with a `proxy` error saying why', async (t) => {
  const badScheme = await setup(t, { network: { proxy: 'socks5://127.0.0.1:1080' }, baseUrl: 'https://nen.invalid' });
  const e1 = await expectKind(badScheme.client.listFiles(DESK), 'proxy');
  assert.match(e1.message, /must be an http:\/\/ or https:\/\/ URL/);
  const missingCa = await setup(t, { network: { env: { NODE_EXTRA_CA_CERTS: join(caDir, 'missing.pem') } } });
  const e2 = await expectKind(missingCa.client.listFiles(DESK), 'proxy');
  assert.match(e2.message, /NODE_EXTRA_CA_CERTS names a file that cannot be read/);
});

/** An https proxy: TLS (the throwaway certificate) in front of tinyproxy, bytes passed both ways. */
async function tlsInFront(t: TestContext, p: Tinyproxy): Promise<string> {
  const server = tls.createServer({ key: TEST_KEY, cert: TEST_CERT }, (socket) => {
    const upstream = net.connect(p.port, '127.0.0.1');
    socket.pipe(upstream).pipe(socket);
    const end = (): void => {
      socket.destroy();
      upstream.destroy();
    };
    socket.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  return `https://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}

test('NODE_EXTRA_CA_CERTS without a proxy: the https emulator\'s certificate is trusted, transfers byte-exact', async (t) => {
  const s = await setup(t, { network: { env: { NODE_EXTRA_CA_CERTS: caFile } } }, { tls: { key: TEST_KEY, cert: TEST_CERT } });
  assert.match(s.emu.url, /^https:/);
  await roundTrip(s);
});

test('http.proxyStrictSSL: an https proxy with an untrusted certificate is refused, accepted with proxyStrictSSL false', async (t) => {
  const p = await proxy(t, { kind: 'plain' });
  const httpsProxy = await tlsInFront(t, p);
  // The API is the http emulator (tunnelled), so only the proxy's certificate is in question.
  const strict = await setup(t, { network: { proxy: httpsProxy, proxyLoopback: true, env: {} }, maxRetries: 0 });
  const err = await expectKind(strict.client.listFiles(DESK), 'network');
  assert.match(err.message, /certificate/i);
  assert.equal(strict.emu.requests.length, 0);
  const relaxed = await setup(t, { network: { proxy: httpsProxy, proxyLoopback: true, proxyStrictSSL: false, env: {} } });
  relaxed.emu.putFile(DESK, 'a.bin', Buffer.from([1, 2, 3]));
  assert.deepEqual([...(await relaxed.client.download(DESK, 'a.bin'))], [1, 2, 3]);
  assert.ok(requestLines(p).every((l) => l.startsWith('CONNECT ')));
});

test('http.proxyStrictSSL false never relaxes the API\'s certificate: an untrusted API is refused through the proxy', async (t) => {
  const p = await proxy(t, { kind: 'plain' });
  const s = await setup(t, { network: { proxy: p.url, proxyLoopback: true, proxyStrictSSL: false, env: {} }, maxRetries: 0 }, { tls: { key: TEST_KEY, cert: TEST_CERT } });
  const err = await expectKind(s.client.listFiles(DESK), 'network');
  assert.match(err.message, /certificate/i);
  assert.equal(s.emu.requests.length, 0, 'a request reached the API past an untrusted certificate');
});

test('the key is in no error text or log entry of this file', () => {
  assert.ok(texts.length > 0);
  for (const text of texts) assert.ok(!text.includes(KEY), text);
});
