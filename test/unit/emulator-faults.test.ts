/**
 * The emulator's robustness and test hooks: chunked 413, disconnects mid-upload, concurrency,
 * injected faults, latency, the request log and close().
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { call, DESKTOP, filesUrl, start, TEST_KEY, walk } from '../../tools/emulator/testing';

const MiB = 1024 * 1024;

function tmpLitter(dataDir: string): string[] {
  return walk(path.join(dataDir, '.nen-emulator', 'tmp'));
}

/** Open a raw upload; the caller writes the body. Resolves the reply, or rejects on a dropped connection. */
function openUpload(base: string, rawPath: string, headers: Record<string, string> = {}): { req: http.ClientRequest; reply: Promise<{ status: number; body: string }> } {
  const u = new URL(base);
  const req = http.request({ host: u.hostname, port: u.port, method: 'POST', path: rawPath, agent: false, headers: { authorization: `Bearer ${TEST_KEY}`, ...headers } });
  const reply = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
  return { req, reply };
}

/** Write `total` bytes of `fill` in 1 MiB chunks, honouring backpressure; stops quietly if the socket dies. */
async function pump(req: http.ClientRequest, total: number, fill = 0x61): Promise<void> {
  const chunk = Buffer.alloc(MiB, fill);
  let sent = 0;
  while (sent < total && !req.destroyed) {
    const n = Math.min(MiB, total - sent);
    sent += n;
    if (!req.write(n === MiB ? chunk : chunk.subarray(0, n))) {
      await new Promise<void>((r) => {
        const done = (): void => {
          req.off('drain', done);
          req.off('close', done);
          r();
        };
        req.on('drain', done);
        req.on('close', done);
      });
    }
  }
}

test('a chunked body over 100 MiB is counted, answered 413, and stores nothing', async () => {
  const s = await start();
  try {
    s.emu.putFile(DESKTOP, 'huge.bin', 'old version');
    const { req, reply } = openUpload(s.emu.url, `${filesUrl()}/huge.bin`, { 'transfer-encoding': 'chunked' });
    req.on('error', () => undefined);
    const pumping = pump(req, 104_857_600 + 2 * MiB);
    const r = await reply;
    assert.equal(r.status, 413);
    assert.equal(typeof JSON.parse(r.body).error, 'string');
    req.destroy();
    await pumping;
    await new Promise((res) => setTimeout(res, 100));
    assert.equal(s.emu.readFile(DESKTOP, 'huge.bin')?.toString(), 'old version');
    assert.deepEqual(tmpLitter(s.dataDir), []);
    const rec = s.emu.requests.find((x) => x.method === 'POST');
    assert.equal(rec?.status, 413);
    assert.ok((rec?.bytesReceived ?? 0) > 104_857_600, 'the server counted past the cap before refusing');
    assert.ok((rec?.bytesReceived ?? 0) <= 104_857_600 + 2 * MiB, 'each byte counted once');
  } finally {
    await s.cleanup();
  }
});

test('exactly 100 MiB is accepted and downloads back byte for byte', async () => {
  const s = await start();
  try {
    const { req, reply } = openUpload(s.emu.url, `${filesUrl()}/exact.bin`, { 'content-length': String(104_857_600) });
    await pump(req, 104_857_600, 0x7a);
    req.end();
    const r = await reply;
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.body), { success: true, size: 104_857_600, filename: 'exact.bin' });
    assert.equal(fs.statSync(path.join(s.dataDir, DESKTOP, 'exact.bin')).size, 104_857_600);
    // Download streams it back (counted, not buffered, on our side too).
    const u = new URL(s.emu.url);
    const got = await new Promise<{ n: number; ok: boolean }>((resolve, reject) => {
      http.get({ host: u.hostname, port: u.port, path: `${filesUrl()}/exact.bin`, agent: false, headers: { authorization: `Bearer ${TEST_KEY}` } }, (res) => {
        let n = 0;
        let ok = true;
        res.on('data', (c: Buffer) => {
          n += c.length;
          if (c[0] !== 0x7a || c[c.length - 1] !== 0x7a) ok = false;
        });
        res.on('end', () => resolve({ n, ok }));
        res.on('error', reject);
      }).on('error', reject);
    });
    assert.deepEqual(got, { n: 104_857_600, ok: true });
  } finally {
    await s.cleanup();
  }
});

test('a client that disconnects mid-upload leaves the previous version and no partial or temp file', async () => {
  const s = await start();
  try {
    s.emu.putFile(DESKTOP, 'doc.txt', 'version 1', { contentType: 'text/plain' });
    const before = walk(s.dataDir);
    const { req, reply } = openUpload(s.emu.url, `${filesUrl()}/doc.txt`, { 'content-length': String(8 * MiB), 'content-type': 'application/pdf' });
    reply.catch(() => undefined);
    req.on('error', () => undefined);
    await pump(req, 3 * MiB);
    await new Promise((r) => setTimeout(r, 50));
    req.destroy();
    // Wait until the server has noticed and cleaned up.
    for (let i = 0; i < 50 && tmpLitter(s.dataDir).length > 0; i++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(tmpLitter(s.dataDir), []);
    assert.deepEqual(walk(s.dataDir), before);
    const dl = await call(s.emu.url, `${filesUrl()}/doc.txt`);
    assert.equal(dl.text, 'version 1');
    assert.equal(dl.headers['content-type'], 'text/plain');
    // A new file that never completed does not appear at all.
    const { req: req2, reply: reply2 } = openUpload(s.emu.url, `${filesUrl()}/new.txt`, { 'transfer-encoding': 'chunked' });
    reply2.catch(() => undefined);
    req2.on('error', () => undefined);
    await pump(req2, MiB);
    await new Promise((r) => setTimeout(r, 50));
    req2.destroy();
    for (let i = 0; i < 50 && tmpLitter(s.dataDir).length > 0; i++) await new Promise((r) => setTimeout(r, 20));
    const names = (await call(s.emu.url, filesUrl())).json<{ files: Array<{ name: string }> }>().files.map((f) => f.name);
    assert.deepEqual(names, ['doc.txt']);
    assert.deepEqual(tmpLitter(s.dataDir), []);
  } finally {
    await s.cleanup();
  }
});

test('concurrent uploads and downloads of the same and different names stay whole and consistent', async () => {
  const s = await start();
  try {
    const versions = Array.from({ length: 8 }, (_, i) => Buffer.alloc(256 * 1024 + i * 1000, 0x41 + i));
    const types = versions.map((_, i) => `application/x-v${i}`);
    s.emu.putFile(DESKTOP, 'shared.bin', versions[0], { contentType: types[0] });
    const ops: Array<Promise<unknown>> = [];
    for (let i = 0; i < versions.length; i++) {
      ops.push(call(s.emu.url, `${filesUrl()}/shared.bin`, { method: 'POST', body: versions[i], headers: { 'content-type': types[i] } }).then((r) => assert.equal(r.status, 200)));
      ops.push(call(s.emu.url, `${filesUrl()}/own-${i}.bin`, { method: 'POST', body: versions[i] }).then((r) => assert.equal(r.status, 200)));
    }
    for (let i = 0; i < 12; i++) {
      ops.push(
        call(s.emu.url, `${filesUrl()}/shared.bin`).then((r) => {
          assert.equal(r.status, 200);
          const v = r.body[0] - 0x41;
          assert.ok(v >= 0 && v < versions.length);
          assert.deepEqual(r.body, versions[v], 'a download is exactly one whole version');
          assert.equal(r.headers['content-type'], types[v], 'with that version’s type');
        }),
      );
    }
    await Promise.all(ops);
    const final = s.emu.readFile(DESKTOP, 'shared.bin');
    assert.ok(final);
    assert.ok(versions.some((v) => v.equals(final)), 'the final content is one whole version');
    const dl = await call(s.emu.url, `${filesUrl()}/shared.bin`);
    assert.equal(dl.headers['content-type'], types[final[0] - 0x41]);
    for (let i = 0; i < versions.length; i++) assert.deepEqual(s.emu.readFile(DESKTOP, `own-${i}.bin`), versions[i]);
    assert.deepEqual(tmpLitter(s.dataDir), []);
  } finally {
    await s.cleanup();
  }
});

test('a status fault answers the next matching requests with that status and Retry-After, then stops', async () => {
  const s = await start();
  try {
    s.emu.injectFault({ type: 'status', status: 503, retryAfter: 2 }, { method: 'GET', path: '/files' }, 2);
    s.emu.injectFault({ type: 'status', status: 429, retryAfter: 'Wed, 21 Oct 2026 07:28:00 GMT', body: '{"message":"slow down"}' }, { path: /\/desktops$/ });
    const a = await call(s.emu.url, filesUrl());
    assert.equal(a.status, 503);
    assert.equal(a.headers['retry-after'], '2');
    assert.equal(typeof a.json<{ error: string }>().error, 'string');
    assert.equal((await call(s.emu.url, `${filesUrl()}/x`, { method: 'POST', body: 'x' })).status, 200, 'POST does not match');
    assert.equal((await call(s.emu.url, filesUrl())).status, 503);
    assert.equal((await call(s.emu.url, filesUrl())).status, 200, 'only twice');
    const b = await call(s.emu.url, '/desktops');
    assert.equal(b.status, 429);
    assert.equal(b.headers['retry-after'], 'Wed, 21 Oct 2026 07:28:00 GMT');
    assert.deepEqual(b.json(), { message: 'slow down' });
    assert.equal((await call(s.emu.url, '/desktops')).status, 200);
    // Faults come before auth, like a proxy in front of the API.
    s.emu.injectFault({ type: 'status', status: 502 });
    assert.equal((await call(s.emu.url, '/desktops', { auth: false })).status, 502);
    assert.deepEqual(s.emu.requests.map((r) => r.status), [503, 200, 503, 200, 429, 200, 502]);
  } finally {
    await s.cleanup();
  }
});

test('body and redirect faults send the raw body or a Location', async () => {
  const s = await start();
  try {
    s.emu.injectFault({ type: 'body', body: '{"files": nope' });
    const a = await call(s.emu.url, filesUrl());
    assert.equal(a.status, 200);
    assert.equal(a.text, '{"files": nope');
    assert.equal(a.headers['content-type'], 'application/json');
    s.emu.injectFault({ type: 'body', body: '<html>gateway</html>', contentType: 'text/html', status: 200 });
    assert.equal((await call(s.emu.url, filesUrl())).headers['content-type'], 'text/html');
    s.emu.injectFault({ type: 'redirect', location: 'http://127.0.0.2:9/steal' });
    const r = await call(s.emu.url, filesUrl());
    assert.equal(r.status, 302);
    assert.equal(r.headers.location, 'http://127.0.0.2:9/steal');
    s.emu.injectFault({ type: 'redirect', status: 307, location: '/elsewhere' });
    assert.equal((await call(s.emu.url, filesUrl())).status, 307);
  } finally {
    await s.cleanup();
  }
});

test('a reset fault on a download sends the headers and exactly afterBytes, then drops the connection', async () => {
  const s = await start();
  try {
    const data = Buffer.alloc(200_000, 7);
    s.emu.putFile(DESKTOP, 'cut.bin', data);
    s.emu.injectFault({ type: 'reset', afterBytes: 1000 }, { method: 'GET', path: 'cut.bin' });
    const u = new URL(s.emu.url);
    const res = await new Promise<{ status: number; length: string | undefined; got: number; error: boolean }>((resolve) => {
      http.get({ host: u.hostname, port: u.port, path: `${filesUrl()}/cut.bin`, agent: false, headers: { authorization: `Bearer ${TEST_KEY}` } }, (r) => {
        let got = 0;
        r.on('data', (c: Buffer) => (got += c.length));
        const done = (error: boolean): void => resolve({ status: r.statusCode ?? 0, length: r.headers['content-length'], got, error });
        r.on('error', () => done(true));
        r.on('aborted', () => done(true));
        r.on('end', () => done(!r.complete));
      }).on('error', () => resolve({ status: 0, length: undefined, got: 0, error: true }));
    });
    assert.deepEqual(res, { status: 200, length: '200000', got: 1000, error: true });
    const rec = s.emu.requests[0];
    assert.equal(rec.status, 200);
    assert.equal(rec.bytesSent, 1000);
    // The next download is whole again.
    assert.deepEqual((await call(s.emu.url, `${filesUrl()}/cut.bin`)).body, data);
    // A reset of a JSON answer works the same way, with afterBytes 0.
    s.emu.injectFault({ type: 'reset', afterBytes: 0 });
    await assert.rejects(call(s.emu.url, filesUrl()));
  } finally {
    await s.cleanup();
  }
});

test('a reset fault on an upload reads afterBytes of the body, drops the connection and stores nothing', async () => {
  const s = await start();
  try {
    s.emu.putFile(DESKTOP, 'up.bin', 'previous');
    s.emu.injectFault({ type: 'reset', afterBytes: 64 * 1024 }, { method: 'POST' });
    await assert.rejects(call(s.emu.url, `${filesUrl()}/up.bin`, { method: 'POST', body: Buffer.alloc(4 * MiB, 1) }));
    const rec = s.emu.requests[0];
    assert.equal(rec.status, 0, 'no answer was sent');
    assert.ok(rec.bytesReceived >= 64 * 1024 && rec.bytesReceived < 4 * MiB);
    assert.equal(s.emu.readFile(DESKTOP, 'up.bin')?.toString(), 'previous');
    assert.deepEqual(tmpLitter(s.dataDir), []);
  } finally {
    await s.cleanup();
  }
});

test('a hang never answers, is logged, and close() ends it promptly', async () => {
  const s = await start();
  try {
    s.emu.injectFault({ type: 'hang' });
    const pending = call(s.emu.url, filesUrl());
    let settled = false;
    pending.then(() => (settled = true), () => (settled = true));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(settled, false);
    assert.equal(s.emu.requests.length, 1);
    assert.equal(s.emu.requests[0].status, 0);
    const t0 = Date.now();
    await s.emu.close();
    assert.ok(Date.now() - t0 < 1000, `close took ${Date.now() - t0} ms`);
    await assert.rejects(pending);
  } finally {
    await s.cleanup();
  }
});

test('close() also ends idle keep-alive connections and stops listening', async () => {
  const s = await start();
  const agent = new http.Agent({ keepAlive: true });
  try {
    const u = new URL(s.emu.url);
    await new Promise<void>((resolve, reject) => {
      http.get({ host: u.hostname, port: u.port, path: '/desktops', agent, headers: { authorization: `Bearer ${TEST_KEY}` } }, (r) => {
        r.resume();
        r.on('end', resolve);
      }).on('error', reject);
    });
    const t0 = Date.now();
    await s.emu.close();
    assert.ok(Date.now() - t0 < 1000);
    await assert.rejects(call(s.emu.url, '/desktops'));
  } finally {
    agent.destroy();
    await s.cleanup();
  }
});

test('latency delays every answer; reset() clears latency, faults and the log', async () => {
  const s = await start({ latencyMs: 150 });
  try {
    let t0 = Date.now();
    await call(s.emu.url, '/desktops');
    assert.ok(Date.now() - t0 >= 140);
    s.emu.setLatency(0);
    t0 = Date.now();
    await call(s.emu.url, '/desktops');
    assert.ok(Date.now() - t0 < 140);
    s.emu.setLatency(200);
    s.emu.injectFault({ type: 'status', status: 500 });
    s.emu.reset();
    assert.equal(s.emu.requests.length, 0);
    t0 = Date.now();
    assert.equal((await call(s.emu.url, '/desktops')).status, 200);
    assert.ok(Date.now() - t0 < 190);
  } finally {
    await s.cleanup();
  }
});

test('bandwidth limits file bodies both ways to the link rate; 0 lifts it, reset() too', async () => {
  // 4 MB each way at 8 MB/s: at least 0.5 s minus the bucket's 20 ms burst, far more than loopback needs.
  const s = await start({ bandwidthMBps: 8 });
  const body = Buffer.alloc(4_000_000, 7);
  const timed = async (): Promise<{ up: number; down: number }> => {
    let t0 = performance.now();
    assert.equal((await call(s.emu.url, `${filesUrl()}/link.bin`, { method: 'POST', body })).status, 200);
    const up = performance.now() - t0;
    t0 = performance.now();
    const got = await call(s.emu.url, `${filesUrl()}/link.bin`);
    const down = performance.now() - t0;
    assert.ok(got.body.equals(body), 'every byte arrives, in order');
    return { up, down };
  };
  try {
    const slow = await timed();
    assert.ok(slow.up >= 450 && slow.down >= 450, `8 MB/s: ${JSON.stringify(slow)}`);
    assert.deepEqual(s.emu.readFile(DESKTOP, 'link.bin'), body);
    s.emu.setBandwidth(0);
    const fast = await timed();
    assert.ok(fast.up < 450 && fast.down < 450, `unlimited: ${JSON.stringify(fast)}`);
    s.emu.setBandwidth(8);
    s.emu.reset();
    const after = await timed();
    assert.ok(after.up < 450 && after.down < 450, `after reset: ${JSON.stringify(after)}`);
  } finally {
    await s.cleanup();
  }
});

test('the request log records method, raw url, decoded path, status, headers and byte counts', async () => {
  const s = await start();
  try {
    const name = 'my report é.txt';
    await call(s.emu.url, `${filesUrl()}/${encodeURIComponent(name)}?path=docs`, { method: 'POST', body: 'hello world', headers: { 'content-type': 'text/plain', 'X-Trace': 'abc' } });
    await call(s.emu.url, `${filesUrl()}/${encodeURIComponent(name)}?path=docs`);
    await call(s.emu.url, filesUrl(), { auth: false });
    const [up, dl, denied] = s.emu.requests;
    assert.equal(up.method, 'POST');
    assert.equal(up.url, `${filesUrl()}/${encodeURIComponent(name)}?path=docs`);
    assert.equal(up.path, `${filesUrl()}/${name}`);
    assert.equal(up.status, 200);
    assert.equal(up.headers['x-trace'], 'abc');
    assert.equal(up.headers.authorization, `Bearer ${TEST_KEY}`);
    assert.equal(up.bytesReceived, 11);
    assert.equal(up.bytesSent, Buffer.byteLength(JSON.stringify({ success: true, size: 11, filename: name })));
    assert.equal(dl.status, 200);
    assert.equal(dl.bytesSent, 11);
    assert.equal(dl.bytesReceived, 0);
    assert.equal(denied.status, 401);
    assert.equal(denied.headers.authorization, undefined);
    assert.ok(up.at <= dl.at && dl.at <= denied.at);
    s.emu.clearRequests();
    assert.equal(s.emu.requests.length, 0);
  } finally {
    await s.cleanup();
  }
});
