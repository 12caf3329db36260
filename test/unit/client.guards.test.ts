/**
 * Guards that act before any byte goes out: bad names and folder paths, the https-unless-
 * loopback rule, a missing key; and the rule that the key only ever goes to the configured
 * origin (same-origin redirects are followed, another origin is refused, key or not).
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DriveClient, validateBaseUrl } from '../../src/api';
import { clientFixture, DESK } from './clientFixture';

const KEY = 'sk_nen_guards_Pq7Rk2nVx8Lw5Ty3';

const { texts, setup, expectKind } = clientFixture(KEY);

/** A plain server on another port (so another origin) that records what it receives. */
async function otherOrigin(t: TestContext) {
  const seen: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.headers);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"files":[]}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const BAD_NAMES = ['', '/', 'a/b', 'a\\b', '..', '../x', 'a..b', '.', 'a\u0000b', 'a\nb', 'tab\there', '\u007f', 'x\u0085', '\ud800.txt', 'é'.repeat(128)];

test('bad names are refused as badRequest before any request, on every file call', async (t) => {
  const { emu, client, dataDir } = await setup(t);
  for (const name of BAD_NAMES) {
    const label = JSON.stringify(name);
    await expectKind(client.upload(DESK, name, { kind: 'bytes', data: new Uint8Array(1) }), 'badRequest').catch((e) => assert.fail(`${label}: ${e}`));
    await expectKind(client.download(DESK, name), 'badRequest');
    await expectKind(client.downloadStream(DESK, name), 'badRequest');
    await expectKind(client.downloadToFile(DESK, name, join(dataDir, 'out.bin')), 'badRequest');
    await expectKind(client.stat(DESK, name), 'badRequest');
  }
  assert.equal(emu.requests.length, 0);
});

test('bad desktop ids and folder paths are refused before any request', async (t) => {
  const { emu, client } = await setup(t);
  for (const id of ['', '..', 'a/b', 'dsk\n1']) {
    await expectKind(client.listFiles(id), 'badRequest');
    await expectKind(client.getDesktop(id), 'badRequest');
    await expectKind(client.deleteDesktop(id), 'badRequest');
  }
  for (const path of ['a/../b', '..', 'a\\b', 'ok/\u0001']) {
    await expectKind(client.listFiles(DESK, { path }), 'badRequest');
    await expectKind(client.upload(DESK, 'a.txt', { kind: 'bytes', data: new Uint8Array(1) }, { path }), 'badRequest');
  }
  await expectKind(client.renameDesktop(DESK, '  '), 'badRequest');
  await expectKind(client.upload(DESK, 'a.txt', { kind: 'bytes', data: new Uint8Array(1) }, { contentType: 'text/plain\r\nX-Evil: 1' }), 'badRequest');
  assert.equal(emu.requests.length, 0);
});

test('the base URL must be https unless its host is loopback', () => {
  for (const ok of ['https://desktop.api.getnen.ai', 'https://example.com/prefix/', 'http://127.0.0.1:8080', 'http://127.9.8.7', 'http://localhost:3000', 'http://[::1]:9000']) {
    assert.equal(validateBaseUrl(ok), undefined, ok);
  }
  for (const bad of ['http://desktop.api.getnen.ai', 'http://128.0.0.1', 'http://localhost.evil.com', 'http://localhost.', 'http://localhost.:8080', 'http://127.0.0.1.nip.io', 'ftp://127.0.0.1', 'not a url', '', 'https://user:pw@example.com', 'https://example.com/?x=1']) {
    assert.ok(validateBaseUrl(bad), `${bad} should be refused`);
  }
});

test('a client with a plain-http remote base URL fails every call with badRequest and connects nowhere', async (t) => {
  const client = new DriveClient({ baseUrl: 'http://nen.example.com', getApiKey: () => KEY });
  t.after(() => client.close());
  const err = await expectKind(client.listFiles(DESK), 'badRequest');
  assert.match(err.message, /https/);
  const start = Date.now();
  await expectKind(client.listDesktops(), 'badRequest');
  assert.ok(Date.now() - start < 100, 'refused without a DNS lookup or a connection');
});

test('the key goes in the Authorization header to the configured origin', async (t) => {
  const { emu, client } = await setup(t);
  await client.listFiles(DESK);
  assert.equal(emu.requests[0].headers.authorization, `Bearer ${KEY}`);
});

test('a missing, empty or unreadable key is unauthorized without a request', async (t) => {
  const { emu } = await setup(t);
  for (const getApiKey of [() => undefined, () => '', () => '   ', async () => undefined, () => { throw new Error(`vault says ${KEY}`); }]) {
    const c = new DriveClient({ baseUrl: emu.url, getApiKey, onRequest: (e) => texts.push(JSON.stringify(e)) });
    await expectKind(c.listFiles(DESK), 'unauthorized');
    await expectKind(c.upload(DESK, 'a.txt', { kind: 'bytes', data: new Uint8Array(1) }), 'unauthorized');
    await c.close();
  }
  const broken = new DriveClient({ baseUrl: emu.url, getApiKey: () => `${KEY}\r\nX-Injected: 1` });
  const err = await expectKind(broken.listFiles(DESK), 'unauthorized');
  assert.ok(!err.message.includes(KEY));
  await broken.close();
  assert.equal(emu.requests.length, 0);
});

test('the key is read on every request, so a changed key takes effect at once', async (t) => {
  const { emu } = await setup(t);
  let key = 'sk_nen_old_key_0000000000';
  const c = new DriveClient({ baseUrl: emu.url, getApiKey: () => key });
  t.after(() => c.close());
  await expectKind(c.listFiles(DESK), 'unauthorized');
  key = KEY;
  assert.deepEqual(await c.listFiles(DESK), []);
});

test('a same-origin redirect is followed with the key', async (t) => {
  const { emu, client, logs } = await setup(t);
  emu.putFile(DESK, 'a.txt', 'x');
  emu.injectFault({ type: 'redirect', status: 307, location: `/desktops/${DESK}/files` });
  const entries = await client.listFiles(DESK, { path: 'x' }).catch((e) => e);
  // The redirect target is the root listing.
  assert.ok(Array.isArray(entries), String(entries));
  assert.deepEqual(entries.map((e: { name: string }) => e.name), ['a.txt']);
  assert.equal(emu.requests.length, 2);
  assert.ok(emu.requests.every((r) => r.headers.authorization === `Bearer ${KEY}`));
  assert.deepEqual(logs.map((l) => l.status), [307, 200]);
});

test('a redirect to another origin is not followed and the key never reaches it', async (t) => {
  const { emu, client } = await setup(t);
  const other = await otherOrigin(t);
  for (const status of [301, 302, 303, 307, 308]) {
    emu.injectFault({ type: 'redirect', status, location: `${other.url}/desktops/${DESK}/files` });
    const err = await expectKind(client.listFiles(DESK), 'protocol');
    assert.ok(err.message.includes(other.url), err.message);
    assert.equal(err.status, status);
  }
  // localhost is another origin than 127.0.0.1 even on the same port.
  emu.injectFault({ type: 'redirect', location: emu.url.replace('127.0.0.1', 'localhost') + `/desktops/${DESK}/files` });
  await expectKind(client.listFiles(DESK), 'protocol');
  emu.injectFault({ type: 'redirect', location: `${other.url}/x` }, { method: 'POST' });
  await expectKind(client.upload(DESK, 'a.txt', { kind: 'bytes', data: Buffer.from('hi') }), 'protocol');
  assert.equal(other.seen.length, 0);
  assert.equal(emu.readFile(DESK, 'a.txt'), undefined);
});

test('redirect loops stop after a few hops', async (t) => {
  const { emu, client } = await setup(t);
  emu.injectFault({ type: 'redirect', location: `/desktops/${DESK}/files` }, {}, 20);
  await expectKind(client.listFiles(DESK), 'protocol');
  assert.ok(emu.requests.length <= 4, `${emu.requests.length} requests`);
});

test('no error message, stack or log entry from the tests above contains the key', () => {
  assert.ok(texts.length > 50, `only ${texts.length} texts collected`);
  for (const text of texts) assert.ok(!text.includes(KEY), `the key leaked into: ${text}`);
});
