/**
 * The emulator speaks every row of the Nen API contract with the documented shapes and status
 * codes. Raw node:http is used on purpose: these tests pin the server, not the client.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { call, DESKTOP, filesUrl, start, TEST_KEY, walk } from '../../tools/emulator/testing';

type FileEntry = { name: string; size: number; modified: number; is_dir?: boolean };

test('requests without the right Bearer key get 401 with an error body', async () => {
  const s = await start();
  try {
    for (const o of [{ auth: false }, { key: 'sk_nen_wrong' }, { auth: false, headers: { authorization: TEST_KEY } }, { auth: false, headers: { authorization: `Basic ${TEST_KEY}` } }]) {
      for (const p of ['/desktops', filesUrl(), `${filesUrl()}/a.txt`, '/nowhere']) {
        const r = await call(s.emu.url, p, o);
        assert.equal(r.status, 401, `${p} ${JSON.stringify(o)}`);
        assert.equal(typeof r.json<{ error: string }>().error, 'string');
      }
    }
    const ok = await call(s.emu.url, '/desktops', { auth: false, headers: { authorization: `bearer ${TEST_KEY}` } });
    assert.equal(ok.status, 200, 'the scheme is case-insensitive');
    assert.ok(!s.emu.readFile(DESKTOP, 'a.txt'));
  } finally {
    await s.cleanup();
  }
});

test('desktops: list is a bare array, create/get/rename/delete answer the documented shapes', async () => {
  const s = await start({ desktops: ['dsk_abc123def456', 'dsk_0000aaaa1111'] });
  try {
    const list = await call(s.emu.url, '/desktops');
    assert.equal(list.status, 200);
    const arr = list.json<Array<Record<string, unknown>>>();
    assert.ok(Array.isArray(arr));
    assert.deepEqual(arr.map((d) => d.desktop_id).sort(), ['dsk_0000aaaa1111', 'dsk_abc123def456']);

    const created = await call(s.emu.url, '/desktops', { method: 'POST', body: '{"desktop_type":"sandbox"}', headers: { 'content-type': 'application/json' } });
    assert.equal(created.status, 200);
    const d = created.json<Record<string, unknown>>();
    assert.match(String(d.desktop_id), /^dsk_[0-9a-f]{12}$/);
    assert.equal(d.desktop_type, 'sandbox');
    assert.equal(d.status, 'running');
    assert.match(String(d.workspace_id), /^ws_/);
    assert.ok(Number.isInteger(d.created_at) && Number.isInteger(d.updated_at));
    assert.ok(Math.abs((d.created_at as number) - Date.now() / 1000) < 5);
    assert.equal(typeof d.name, 'string');
    assert.deepEqual(Object.keys(d.session as object).sort(), ['active', 'href', 'interactive']);

    const empty = await call(s.emu.url, '/desktops', { method: 'POST' });
    assert.equal(empty.status, 200, 'an empty body creates a sandbox too');
    assert.equal(empty.json<{ desktop_type: string }>().desktop_type, 'sandbox');

    const id = String(d.desktop_id);
    const got = await call(s.emu.url, `/desktops/${id}`);
    assert.equal(got.status, 200);
    assert.deepEqual(got.json(), d);

    const renamed = await call(s.emu.url, `/desktops/${id}`, { method: 'PATCH', body: '{"name":"build box"}' });
    assert.equal(renamed.status, 200);
    assert.equal(renamed.json<{ name: string }>().name, 'build box');
    assert.equal((await call(s.emu.url, `/desktops/${id}`)).json<{ name: string }>().name, 'build box');
    assert.equal((await call(s.emu.url, `/desktops/${id}`, { method: 'PATCH', body: '{"name":42}' })).status, 400);
    assert.equal((await call(s.emu.url, `/desktops/${id}`, { method: 'PATCH', body: 'not json' })).status, 400);
    assert.equal((await call(s.emu.url, '/desktops', { method: 'POST', body: '[1]' })).status, 400);
    const huge = await call(s.emu.url, '/desktops', { method: 'POST', body: `{"name":"${'x'.repeat(2 * 1024 * 1024)}"}` });
    assert.equal(huge.status, 413, 'desktop calls take small JSON bodies only');
    // The emulator refuses once it has counted past the 1 MiB cap and stops reading, so how much
    // of the rest it logs depends on socket timing: more than the cap, never more than was sent.
    const received = s.emu.requests[s.emu.requests.length - 1].bytesReceived;
    assert.ok(received > 1024 * 1024 && received <= 2 * 1024 * 1024 + 11, `logged ${received} bytes`);

    assert.equal((await call(s.emu.url, '/desktops/dsk_unknown00000')).status, 404);
    assert.equal((await call(s.emu.url, '/desktops/dsk_unknown00000', { method: 'PATCH', body: '{"name":"x"}' })).status, 404);
    assert.equal((await call(s.emu.url, '/desktops/dsk_unknown00000', { method: 'DELETE' })).status, 404);
  } finally {
    await s.cleanup();
  }
});

test('deleting a desktop answers {desktop_id, status:"deleted"} and wipes its drive', async () => {
  const s = await start();
  try {
    s.emu.putFile(DESKTOP, 'keep.txt', 'data', { contentType: 'text/plain' });
    const del = await call(s.emu.url, `/desktops/${DESKTOP}`, { method: 'DELETE' });
    assert.equal(del.status, 200);
    assert.deepEqual(del.json(), { desktop_id: DESKTOP, status: 'deleted' });
    assert.equal(fs.existsSync(path.join(s.dataDir, DESKTOP)), false);
    assert.equal((await call(s.emu.url, `/desktops/${DESKTOP}`)).status, 404);
    assert.equal((await call(s.emu.url, filesUrl())).status, 404);
    assert.deepEqual((await call(s.emu.url, '/desktops')).json(), []);
    // Re-creating the same id starts from an empty drive.
    s.emu.addDesktop(DESKTOP);
    assert.deepEqual((await call(s.emu.url, filesUrl())).json(), { files: [] });
  } finally {
    await s.cleanup();
  }
});

test('desktops and files survive a restart on the same data folder', async () => {
  const s = await start();
  try {
    const created = (await call(s.emu.url, '/desktops', { method: 'POST', body: '{}' })).json<{ desktop_id: string; name: string }>();
    const up = await call(s.emu.url, `${filesUrl()}/notes.md`, { method: 'POST', body: '# hi', headers: { 'content-type': 'text/markdown' } });
    assert.equal(up.status, 200);
    await s.emu.close();

    const again = await start({ dataDir: s.dataDir, desktops: [] });
    try {
      const d = await call(again.emu.url, `/desktops/${created.desktop_id}`);
      assert.equal(d.status, 200);
      assert.equal(d.json<{ name: string }>().name, created.name);
      const ids = (await call(again.emu.url, '/desktops')).json<Array<{ desktop_id: string }>>().map((x) => x.desktop_id);
      assert.deepEqual(ids.sort(), [DESKTOP, created.desktop_id].sort());
      const dl = await call(again.emu.url, `${filesUrl()}/notes.md`);
      assert.equal(dl.status, 200);
      assert.equal(dl.text, '# hi');
      assert.equal(dl.headers['content-type'], 'text/markdown');
    } finally {
      await again.cleanup();
    }
  } finally {
    await s.cleanup();
  }
});

test('upload answers {success,size,filename}; list shows name/size/modified; download returns the bytes and type', async () => {
  const s = await start();
  try {
    assert.deepEqual((await call(s.emu.url, filesUrl())).json(), { files: [] });
    const bytes = Buffer.from([0, 1, 2, 255, 254, 10, 13, 0]);
    const up = await call(s.emu.url, `${filesUrl()}/report.pdf`, { method: 'POST', body: bytes, headers: { 'content-type': 'application/pdf' } });
    assert.equal(up.status, 200);
    assert.equal(up.headers['content-type'], 'application/json');
    assert.deepEqual(up.json(), { success: true, size: 8, filename: 'report.pdf' });

    const list = await call(s.emu.url, filesUrl());
    const files = list.json<{ files: FileEntry[] }>().files;
    assert.equal(files.length, 1);
    assert.deepEqual(Object.keys(files[0]).sort(), ['modified', 'name', 'size'], 'no is_dir on files');
    assert.equal(files[0].name, 'report.pdf');
    assert.equal(files[0].size, 8);
    const st = fs.statSync(path.join(s.dataDir, DESKTOP, 'report.pdf'));
    assert.equal(files[0].modified, st.mtimeMs / 1000, 'modified is the real mtime in float seconds');

    const dl = await call(s.emu.url, `${filesUrl()}/report.pdf`);
    assert.equal(dl.status, 200);
    assert.equal(dl.headers['content-type'], 'application/pdf');
    assert.equal(dl.headers['content-length'], '8');
    assert.deepEqual(dl.body, bytes);

    // Overwrite replaces content and type; no Content-Type means application/octet-stream.
    const up2 = await call(s.emu.url, `${filesUrl()}/report.pdf`, { method: 'POST', body: 'v2' });
    assert.deepEqual(up2.json(), { success: true, size: 2, filename: 'report.pdf' });
    const dl2 = await call(s.emu.url, `${filesUrl()}/report.pdf`);
    assert.equal(dl2.text, 'v2');
    assert.equal(dl2.headers['content-type'], 'application/octet-stream');

    // An empty file is a file.
    assert.deepEqual((await call(s.emu.url, `${filesUrl()}/empty.txt`, { method: 'POST', body: '' })).json(), { success: true, size: 0, filename: 'empty.txt' });
    assert.equal((await call(s.emu.url, `${filesUrl()}/empty.txt`)).body.length, 0);
    // Metadata never shows up in a listing.
    const names = (await call(s.emu.url, filesUrl())).json<{ files: FileEntry[] }>().files.map((f) => f.name);
    assert.deepEqual(names, ['empty.txt', 'report.pdf']);
  } finally {
    await s.cleanup();
  }
});

test('modified has sub-second digits and equals an mtime set with putFile', async () => {
  const s = await start();
  try {
    s.emu.putFile(DESKTOP, 'old.txt', 'x', { mtime: 1779229492.703 });
    const [f] = (await call(s.emu.url, filesUrl())).json<{ files: FileEntry[] }>().files;
    const st = fs.statSync(path.join(s.dataDir, DESKTOP, 'old.txt'));
    assert.equal(f.modified, st.mtimeMs / 1000);
    assert.ok(Math.abs(f.modified - 1779229492.703) < 1e-3);
    assert.notEqual(f.modified, Math.floor(f.modified));
  } finally {
    await s.cleanup();
  }
});

test('unknown desktops, missing files and folders are 404 with an error body', async () => {
  const s = await start();
  try {
    s.emu.putFile(DESKTOP, 'inside.txt', 'x', { path: 'folder' });
    const cases: Array<[string, string]> = [
      ['GET', filesUrl('dsk_nope00000000')],
      ['POST', `${filesUrl('dsk_nope00000000')}/a.txt`],
      ['GET', `${filesUrl('dsk_nope00000000')}/a.txt`],
      ['GET', `${filesUrl()}/missing.txt`],
      ['GET', `${filesUrl()}/folder`],
      ['GET', `${filesUrl()}?path=nope`],
      ['GET', `${filesUrl()}/inside.txt?path=nope`],
      ['GET', '/desktops/%E0%A4%A/files'],
      ['GET', '/nowhere'],
      ['GET', `/desktops/${DESKTOP}/other`],
    ];
    for (const [method, p] of cases) {
      const r = await call(s.emu.url, p, { method, body: method === 'POST' ? 'x' : undefined });
      assert.equal(r.status, 404, `${method} ${p}`);
      assert.equal(typeof r.json<{ error: string }>().error, 'string');
    }
    assert.equal(fs.existsSync(path.join(s.dataDir, 'dsk_nope00000000')), false);
  } finally {
    await s.cleanup();
  }
});

test('unsupported methods are 405 with an Allow header', async () => {
  const s = await start();
  try {
    s.emu.putFile(DESKTOP, 'a.txt', 'keep');
    const cases: Array<[string, string, string]> = [
      ['DELETE', `${filesUrl()}/a.txt`, 'GET, POST'],
      ['PUT', `${filesUrl()}/a.txt`, 'GET, POST'],
      ['PATCH', `${filesUrl()}/a.txt`, 'GET, POST'],
      ['HEAD', `${filesUrl()}/a.txt`, 'GET, POST'],
      ['POST', filesUrl(), 'GET'],
      ['DELETE', filesUrl(), 'GET'],
      ['PUT', '/desktops', 'GET, POST'],
      ['DELETE', '/desktops', 'GET, POST'],
      ['POST', `/desktops/${DESKTOP}`, 'GET, PATCH, DELETE'],
    ];
    for (const [method, p, allow] of cases) {
      const r = await call(s.emu.url, p, { method });
      assert.equal(r.status, 405, `${method} ${p}`);
      assert.equal(r.headers.allow, allow);
    }
    assert.equal(s.emu.readFile(DESKTOP, 'a.txt')?.toString(), 'keep');
  } finally {
    await s.cleanup();
  }
});

test('bad names, including percent-encoded traversal tricks, are 400 and write nothing anywhere', async () => {
  const s = await start();
  try {
    fs.writeFileSync(path.join(s.root, 'victim.txt'), 'original');
    const before = walk(s.root);
    const rawNames = [
      '..', '..%2Fvictim.txt', '..%2fvictim.txt', '%2e%2e', '%2E%2E%2Fvictim.txt', '%2e%2e%2f%2e%2e%2fvictim.txt',
      'a%5cb', '%5c..%5cvictim.txt', '..%5cvictim.txt', 'a%2Fb', '%2F', 'a..b', '.', '%2e',
      'a%00b', 'a%0Ab', 'a%0d', 'tab%09name', 'del%7F', '%E0%A4%A', 'a/b', '../victim.txt', '..%252F',
    ];
    for (const raw of rawNames) {
      for (const method of ['POST', 'GET']) {
        const r = await call(s.emu.url, `${filesUrl()}/${raw}`, { method, body: method === 'POST' ? 'pwned' : undefined });
        // '..%252F' decodes to the literal name '..%2F', which contains '..'.
        assert.equal(r.status, 400, `${method} ${raw}`);
        assert.equal(typeof r.json<{ error: string }>().error, 'string');
      }
    }
    const badPaths = ['..', '../..', '..%2F..', 'a%2F..%2F..', '%2e%2e', 'a%5cb', 'a%00', 'ok/../..'];
    for (const p of badPaths) {
      for (const [method, route] of [['POST', `${filesUrl()}/x.txt`], ['GET', `${filesUrl()}/x.txt`], ['GET', filesUrl()]]) {
        const r = await call(s.emu.url, `${route}?path=${p}`, { method, body: method === 'POST' ? 'pwned' : undefined });
        assert.equal(r.status, 400, `${method} ${route}?path=${p}`);
      }
    }
    assert.equal(fs.readFileSync(path.join(s.root, 'victim.txt'), 'utf8'), 'original');
    assert.deepEqual(walk(s.root), before, 'nothing was written anywhere');
    assert.deepEqual(walk(path.join(s.dataDir, '.nen-emulator', 'tmp')), []);
  } finally {
    await s.cleanup();
  }
});

test('names are exact: case and unicode normalisation forms are different files', async () => {
  const s = await start();
  try {
    const nfc = 'caf\u00e9 \u65e5\u672c.txt';
    const nfd = 'cafe\u0301 \u65e5\u672c.txt';
    const names = [nfc, nfd, 'Report.PDF', 'report.pdf', ' spaced name ', '.env', 'emoji \u{1F600}.md', 'a+b=c&d#e%f?.txt'];
    for (const n of names) {
      const r = await call(s.emu.url, `${filesUrl()}/${encodeURIComponent(n)}`, { method: 'POST', body: `content of ${n}` });
      assert.equal(r.status, 200, n);
      assert.equal(r.json<{ filename: string }>().filename, n);
    }
    const listed = (await call(s.emu.url, filesUrl())).json<{ files: FileEntry[] }>().files.map((f) => f.name);
    assert.deepEqual([...listed].sort(), [...names].sort());
    for (const n of names) {
      const r = await call(s.emu.url, `${filesUrl()}/${encodeURIComponent(n)}`);
      assert.equal(r.text, `content of ${n}`, n);
    }
  } finally {
    await s.cleanup();
  }
});

test('?path= folders: upload creates missing folders, listings mark folders with is_dir and size 0', async () => {
  const s = await start();
  try {
    const up = await call(s.emu.url, `${filesUrl()}/deep.txt?path=${encodeURIComponent('Projects/2026 Q1')}`, { method: 'POST', body: 'deep', headers: { 'content-type': 'text/plain' } });
    assert.deepEqual(up.json(), { success: true, size: 4, filename: 'deep.txt' });
    s.emu.putFile(DESKTOP, 'top.txt', 'top');

    const root = (await call(s.emu.url, filesUrl())).json<{ files: FileEntry[] }>().files;
    assert.deepEqual(root.map((f) => [f.name, f.size, f.is_dir]), [['Projects', 0, true], ['top.txt', 3, undefined]]);
    const lvl1 = (await call(s.emu.url, `${filesUrl()}?path=Projects`)).json<{ files: FileEntry[] }>().files;
    assert.deepEqual(lvl1.map((f) => [f.name, f.is_dir]), [['2026 Q1', true]]);
    const lvl2 = (await call(s.emu.url, `${filesUrl()}?path=Projects%2F2026%20Q1`)).json<{ files: FileEntry[] }>().files;
    assert.deepEqual(lvl2.map((f) => [f.name, f.size, f.is_dir]), [['deep.txt', 4, undefined]]);

    const dl = await call(s.emu.url, `${filesUrl()}/deep.txt?path=Projects/2026%20Q1`);
    assert.equal(dl.text, 'deep');
    assert.equal(dl.headers['content-type'], 'text/plain');
    assert.equal(s.emu.readFile(DESKTOP, 'deep.txt', { path: 'Projects/2026 Q1' })?.toString(), 'deep');
    assert.equal((await call(s.emu.url, `${filesUrl()}/deep.txt`)).status, 404, 'not at the root');
    assert.equal((await call(s.emu.url, `${filesUrl()}?path=top.txt`)).status, 404, 'a file is not a folder');
    assert.equal((await call(s.emu.url, `${filesUrl()}/Projects`, { method: 'POST', body: 'x' })).status, 409, 'a folder is in the way');
    assert.equal((await call(s.emu.url, `${filesUrl()}/x?path=top.txt`, { method: 'POST', body: 'x' })).status, 409, 'a file is in the way');
  } finally {
    await s.cleanup();
  }
});

test('with folders:false the emulator is the flat seed API and answers 400 to ?path=', async () => {
  const s = await start({ folders: false });
  try {
    s.emu.putFile(DESKTOP, 'a.txt', 'a');
    s.emu.putFile(DESKTOP, 'b.txt', 'b', { path: 'hidden' });
    const list = (await call(s.emu.url, filesUrl())).json<{ files: FileEntry[] }>().files;
    assert.deepEqual(list.map((f) => f.name), ['a.txt']);
    for (const [method, p] of [['GET', `${filesUrl()}?path=hidden`], ['GET', `${filesUrl()}/b.txt?path=hidden`], ['POST', `${filesUrl()}/c.txt?path=new`]]) {
      const r = await call(s.emu.url, p, { method, body: method === 'POST' ? 'c' : undefined });
      assert.equal(r.status, 400, `${method} ${p}`);
    }
    assert.equal(fs.existsSync(path.join(s.dataDir, DESKTOP, 'new')), false);
  } finally {
    await s.cleanup();
  }
});

test('a 413 from Content-Length comes before the body is read and stores nothing', async () => {
  const s = await start();
  try {
    s.emu.putFile(DESKTOP, 'big.bin', 'old version');
    const http = await import('node:http');
    const u = new URL(s.emu.url);
    const reply = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request({
        host: u.hostname, port: u.port, method: 'POST', path: `${filesUrl()}/big.bin`, agent: false,
        headers: { authorization: `Bearer ${TEST_KEY}`, 'content-length': String(104_857_601) },
      }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body });
          req.destroy();
        });
      });
      req.on('error', reject);
      // Only a few bytes of the promised 100 MiB + 1 ever go out: the answer must not wait for them.
      req.write('just the start');
    });
    assert.equal(reply.status, 413);
    assert.equal(typeof JSON.parse(reply.body).error, 'string');
    assert.equal(s.emu.readFile(DESKTOP, 'big.bin')?.toString(), 'old version');
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(walk(path.join(s.dataDir, '.nen-emulator', 'tmp')), []);
  } finally {
    await s.cleanup();
  }
});

test('desktop status moves: a new desktop is "starting" for startingMs, then "running"; tests can set any status', async () => {
  const s = await start({ startingMs: 300 });
  try {
    const created = (await call(s.emu.url, '/desktops', { method: 'POST', body: '{}' })).json<{ desktop_id: string; status: string }>();
    assert.equal(created.status, 'starting');
    assert.equal((await call(s.emu.url, `/desktops/${created.desktop_id}`)).json<{ status: string }>().status, 'starting');
    await new Promise((r) => setTimeout(r, 350));
    assert.equal((await call(s.emu.url, `/desktops/${created.desktop_id}`)).json<{ status: string }>().status, 'running');
    s.emu.setDesktopStatus(DESKTOP, 'error');
    const listed = (await call(s.emu.url, '/desktops')).json<{ desktop_id: string; status: string }[]>();
    assert.equal(listed.find((d) => d.desktop_id === DESKTOP)?.status, 'error');
    assert.equal(s.emu.desktop(DESKTOP)?.status, 'error');
    s.emu.setStartingMs(0);
    assert.equal((await call(s.emu.url, '/desktops', { method: 'POST' })).json<{ status: string }>().status, 'running');
  } finally {
    await s.cleanup();
  }
});

test('desktop names (our rule): 1-64 characters once trimmed, no control characters; anything else is a 400 that says why', async () => {
  const s = await start();
  try {
    const rename = (name: unknown) => call(s.emu.url, `/desktops/${DESKTOP}`, { method: 'PATCH', body: JSON.stringify({ name }) });
    const long = await rename('x'.repeat(65));
    assert.equal(long.status, 400);
    assert.deepEqual(long.json(), { error: 'name must be at most 64 characters' });
    assert.equal((await rename('   ')).json<{ error: string }>().error, 'name must not be empty');
    assert.equal((await rename('tab\there')).json<{ error: string }>().error, 'name must not contain control characters');
    const ok = await rename(`  ${'é'.repeat(64)}  `);
    assert.equal(ok.status, 200);
    assert.equal(ok.json<{ name: string }>().name, 'é'.repeat(64), 'stored trimmed');
    const created = await call(s.emu.url, '/desktops', { method: 'POST', body: JSON.stringify({ name: 'x'.repeat(65) }) });
    assert.equal(created.status, 400, 'POST refuses the same names');
  } finally {
    await s.cleanup();
  }
});
