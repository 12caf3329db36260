import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { SaveConflict } from '../../src/drive/DriveFileSystemProvider';
import { driveUri, parseDriveUri } from '../../src/drive/uri';
import type { LogLine } from '../../src/log/Logger';
import {
  closeAllEditors,
  countDriveRequests,
  driveUriForTest,
  rejects,
  requestsOf,
  setupEmulator,
  waitFor,
  type EmulatorSetup,
} from './helpers';

const enc = (s: string) => new TextEncoder().encode(s);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Longer than the provider's WRITE_RECHECK_MS, so a save checks the server afresh. */
const PAST_RECHECK_MS = 450;

/** The emulator's own listing, straight over HTTP (what the server says, not what the provider cached). */
async function rawEntry(env: EmulatorSetup, name: string, folder?: string): Promise<{ name: string; size: number; modified: number } | undefined> {
  const q = folder ? `?path=${encodeURIComponent(folder)}` : '';
  const res = await fetch(`${env.emu.url}/desktops/${env.desktopId}/files${q}`, { headers: { authorization: `Bearer ${env.emu.apiKey}` } });
  assert.equal(res.status, 200);
  const body = (await res.json()) as { files: { name: string; size: number; modified: number }[] };
  return body.files.find((f) => f.name === name);
}

function codeOf(err: unknown): string | undefined {
  return (err as vscode.FileSystemError).code;
}

async function openEditor(uri: vscode.Uri): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(uri);
  return vscode.window.showTextDocument(doc, { preview: false });
}

async function typeAtStart(editor: vscode.TextEditor, text: string): Promise<void> {
  const ok = await editor.edit((b) => b.insert(new vscode.Position(0, 0), text));
  assert.equal(ok, true, 'the edit applied');
  assert.equal(editor.document.isDirty, true);
}

suite('nendrive: file system provider', () => {
  let env: EmulatorSetup;
  let lines: LogLine[];
  let logSub: vscode.Disposable;

  setup(async () => {
    env = await setupEmulator();
    lines = [];
    logSub = env.services.log.onDidLog((l) => lines.push(l));
  });

  teardown(async () => {
    logSub.dispose();
    await closeAllEditors();
    await env.dispose();
  });

  test('readDirectory lists files and folders with their types', async () => {
    env.emu.putFile(env.desktopId, 'a.txt', 'a');
    env.emu.putFile(env.desktopId, 'b.bin', new Uint8Array([0, 1, 2]));
    env.emu.putFile(env.desktopId, 'c.txt', 'nested', { path: 'sub' });
    const root = new Map(await vscode.workspace.fs.readDirectory(env.uri()));
    assert.equal(root.get('a.txt'), vscode.FileType.File);
    assert.equal(root.get('b.bin'), vscode.FileType.File);
    assert.equal(root.get('sub'), vscode.FileType.Directory);
    assert.deepEqual(await vscode.workspace.fs.readDirectory(env.uri('sub')), [['c.txt', vscode.FileType.File]]);
    assert.equal((await vscode.workspace.fs.stat(env.uri())).type, vscode.FileType.Directory, 'the drive root stats as a directory');
    assert.equal((await vscode.workspace.fs.stat(env.uri('sub'))).type, vscode.FileType.Directory);
  });

  test('readFile returns the exact bytes, binary and nested', async () => {
    const every = new Uint8Array(256).map((_, i) => i);
    const big = new Uint8Array(randomBytes(3 * 1024 * 1024 + 7));
    env.emu.putFile(env.desktopId, 'every-byte.bin', every);
    env.emu.putFile(env.desktopId, 'big.bin', big);
    env.emu.putFile(env.desktopId, 'deep.bin', every, { path: 'sub' });
    assert.deepEqual(await vscode.workspace.fs.readFile(env.uri('every-byte.bin')), every);
    const got = await vscode.workspace.fs.readFile(env.uri('big.bin'));
    assert.equal(got.byteLength, big.byteLength);
    assert.ok(Buffer.from(got).equals(Buffer.from(big)), 'the 3 MiB file is byte-identical');
    assert.deepEqual(await vscode.workspace.fs.readFile(env.uri('sub', 'deep.bin')), every);
  });

  test('writeFile stores the exact bytes with the Content-Type of the extension', async () => {
    const pdf = new Uint8Array(randomBytes(70_000));
    // Folders exist only once a server made them (the API has no mkdir): write into an existing one.
    env.emu.putFile(env.desktopId, 'keep.txt', '', { path: 'sub' });
    await vscode.workspace.fs.writeFile(env.uri('report.pdf'), pdf);
    await vscode.workspace.fs.writeFile(env.uri('data.json'), enc('{"a":1}'));
    await vscode.workspace.fs.writeFile(env.uri('in folder.txt'), enc('x'));
    await vscode.workspace.fs.writeFile(env.uri('sub', 'deep.txt'), enc('deep'));
    assert.ok(env.emu.readFile(env.desktopId, 'report.pdf')?.equals(Buffer.from(pdf)));
    assert.equal(env.emu.readFile(env.desktopId, 'data.json')?.toString(), '{"a":1}');
    assert.equal(env.emu.readFile(env.desktopId, 'in folder.txt')?.toString(), 'x');
    assert.equal(env.emu.readFile(env.desktopId, 'deep.txt', { path: 'sub' })?.toString(), 'deep');
    const types = Object.fromEntries(requestsOf(env.emu, 'POST').map((r) => [r.path.split('/').pop(), r.headers['content-type']]));
    assert.equal(types['report.pdf'], 'application/pdf');
    assert.equal(types['data.json'], 'application/json');
    assert.match(String(types['in folder.txt']), /^text\/plain/);
    // Written files are readable back through the provider without a stale listing.
    assert.equal((await vscode.workspace.fs.stat(env.uri('report.pdf'))).size, pdf.byteLength);
  });

  test('writeFile honours create and overwrite', async () => {
    env.emu.putFile(env.desktopId, 'exists.txt', 'old');
    const fsp = env.services.fs;
    const e1 = await rejects(fsp.writeFile(env.uri('exists.txt'), enc('new'), { create: true, overwrite: false }));
    assert.equal(codeOf(e1), 'FileExists');
    const e2 = await rejects(fsp.writeFile(env.uri('absent.txt'), enc('new'), { create: false, overwrite: true }));
    assert.equal(codeOf(e2), 'FileNotFound');
    assert.equal(env.emu.readFile(env.desktopId, 'exists.txt')?.toString(), 'old');
    assert.equal(env.emu.readFile(env.desktopId, 'absent.txt'), undefined);
    assert.equal(requestsOf(env.emu, 'POST').length, 0, 'nothing was uploaded');
  });

  test("stat reports the server's exact mtime (ms, fraction kept) and size", async () => {
    env.emu.putFile(env.desktopId, 'timed.txt', 'twelve bytes', { mtime: 1779229492.703 });
    const server = await rawEntry(env, 'timed.txt');
    assert.ok(server);
    env.services.fs.invalidate(env.desktopId);
    const stat = await vscode.workspace.fs.stat(env.uri('timed.txt'));
    assert.equal(stat.type, vscode.FileType.File);
    assert.equal(stat.size, 12);
    assert.equal(stat.mtime, server.modified * 1000);
    assert.notEqual(stat.mtime % 1000, 0, 'the sub-second part is kept');
  });

  test('stat of a missing name throws FileNotFound without a warning, and probes of absent folders cost one root listing', async () => {
    env.emu.putFile(env.desktopId, 'present.txt', 'x');
    const err = await rejects(vscode.workspace.fs.stat(env.uri('missing.txt')));
    assert.equal(codeOf(err), 'FileNotFound');
    await vscode.workspace.fs.stat(env.uri()); // warm
    env.emu.clearRequests();
    const probe = await rejects(vscode.workspace.fs.stat(env.uri('.vscode', 'settings.json')));
    assert.equal(codeOf(probe), 'FileNotFound');
    // "Not found" is the server's word: the root is listed once afresh, and never ?path=.vscode.
    assert.deepEqual(env.emu.requests.map((r) => r.url), [`/desktops/${env.desktopId}/files`], 'one fresh root listing, no ?path=.vscode listing for a folder the root does not have');
    assert.deepEqual(lines.filter((l) => l.level === 'warn' || l.level === 'error'), []);
  });

  test('delete, rename and createDirectory fail saying the Nen API does not offer them', async () => {
    env.emu.putFile(env.desktopId, 'keep.txt', 'x');
    const del = await rejects(vscode.workspace.fs.delete(env.uri('keep.txt')));
    assert.match(del.message, /Nen API does not support deleting/);
    const ren = await rejects(vscode.workspace.fs.rename(env.uri('keep.txt'), env.uri('other.txt')));
    assert.match(ren.message, /Nen API does not support renaming/);
    const mk = await rejects(vscode.workspace.fs.createDirectory(env.uri('newdir')));
    assert.match(mk.message, /Nen API does not support creating folders/);
    assert.equal(env.emu.readFile(env.desktopId, 'keep.txt')?.toString(), 'x');
  });

  test('a write over 100 MiB is refused, naming the size, before any upload request', async () => {
    const tooBig = new Uint8Array(104_857_601);
    const err = await rejects(vscode.workspace.fs.writeFile(env.uri('huge.bin'), tooBig));
    assert.match(err.message, /huge\.bin/);
    assert.match(err.message, /104,857,601 bytes/);
    assert.match(err.message, /100 MiB/);
    assert.equal(requestsOf(env.emu, 'POST').length, 0, 'the emulator received no upload');
  });

  test('bad names are refused with a reason before any request', async () => {
    for (const name of ['a..b.txt', 'back\\slash.txt', 'ctl\u0001.txt', 'x'.repeat(256)]) {
      const err = await rejects(env.services.fs.writeFile(driveUriForTest(env.desktopId, name), enc('x'), { create: true, overwrite: true }), name);
      assert.match(err.message, /cannot/i, `a reason for ${JSON.stringify(name.slice(0, 20))}`);
    }
    assert.equal(env.emu.requests.length, 0, 'no request at all');
  });

  test('a failed save keeps the editor dirty and the remote intact; after the fault clears, saving succeeds', async () => {
    env.emu.putFile(env.desktopId, 'notes.txt', 'hello\n');
    const editor = await openEditor(env.uri('notes.txt'));
    await typeAtStart(editor, 'edited ');
    env.emu.injectFault({ type: 'status', status: 500, body: '{"error":"disk on fire"}' }, { method: 'POST' }, 50);
    assert.equal(await editor.document.save(), false, 'save reports failure');
    assert.equal(editor.document.isDirty, true);
    assert.equal(editor.document.getText(), 'edited hello\n');
    assert.equal(env.emu.readFile(env.desktopId, 'notes.txt')?.toString(), 'hello\n');
    assert.ok(requestsOf(env.emu, 'POST').length >= 1, 'the upload was attempted');

    env.emu.reset();
    assert.equal(await editor.document.save(), true);
    assert.equal(editor.document.isDirty, false);
    assert.equal(env.emu.readFile(env.desktopId, 'notes.txt')?.toString(), 'edited hello\n');
  });

  test('a 401 surfaces as NoPermissions with a message that says what to do, and never the key', async () => {
    env.emu.putFile(env.desktopId, 'a.txt', 'x');
    const wrong = 'sk_nen_wrong_' + Math.random().toString(36).slice(2);
    await env.services.keys.set(wrong);
    const err = await rejects(vscode.workspace.fs.stat(env.uri('a.txt')));
    assert.equal(codeOf(err), 'NoPermissions');
    assert.match(err.message, /rejected the API key/);
    assert.match(err.message, /Set API Key/);
    assert.ok(!err.message.includes(wrong));
    const read = await rejects(vscode.workspace.fs.readFile(env.uri('a.txt')));
    assert.equal(codeOf(read), 'NoPermissions');
  });

  test('an unknown desktop is a clear FileNotFound naming it', async () => {
    const uri = vscode.Uri.parse('nendrive://dsk_doesnotexist9/');
    const err = await rejects(vscode.workspace.fs.stat(uri));
    assert.equal(codeOf(err), 'FileNotFound');
    assert.match(err.message, /dsk_doesnotexist9/);
    assert.match(err.message, /not found/i);
    const dir = await rejects(vscode.workspace.fs.readDirectory(uri));
    assert.match(dir.message, /dsk_doesnotexist9/);
  });

  test('opening a file from a warm listing costs at most one listing and one download', async () => {
    env.emu.putFile(env.desktopId, 'open-me.md', '# title\n');
    await env.services.fs.list(env.desktopId, undefined, { fresh: true });
    env.emu.clearRequests();
    const editor = await openEditor(env.uri('open-me.md'));
    assert.equal(editor.document.getText(), '# title\n');
    await sleep(300);
    const c = countDriveRequests(env.emu, env.desktopId);
    assert.equal(c.downloads, 1, `downloads: ${JSON.stringify(env.emu.requests.map((r) => `${r.method} ${r.url}`))}`);
    assert.ok(c.listings <= 1, `listings: ${c.listings}`);
    assert.equal(env.emu.requests.length, c.downloads + c.listings, 'no other request');
  });

  test('saving costs one upload and at most one listing', async () => {
    env.emu.putFile(env.desktopId, 'save-me.txt', 'v1\n');
    const editor = await openEditor(env.uri('save-me.txt'));
    await typeAtStart(editor, 'more ');
    await sleep(PAST_RECHECK_MS);
    env.emu.clearRequests();
    assert.equal(await editor.document.save(), true);
    await sleep(500); // VS Code reacts to the change event; that must not cost requests either
    const c = countDriveRequests(env.emu, env.desktopId);
    assert.equal(c.uploads, 1);
    assert.ok(c.listings <= 1, `listings: ${c.listings}`);
    assert.equal(c.downloads, 0);
    assert.equal(env.emu.readFile(env.desktopId, 'save-me.txt')?.toString(), 'more v1\n');
    // And a second save right after works (our own upload is not mistaken for a remote change).
    await typeAtStart(editor, 'again ');
    await sleep(PAST_RECHECK_MS);
    assert.equal(await editor.document.save(), true);
    assert.equal(env.emu.readFile(env.desktopId, 'save-me.txt')?.toString(), 'again more v1\n');
  });

  for (const variant of [
    { title: 'same size', remote: 'BBBB\n' },
    { title: 'different size', remote: 'a much longer remote version\n' },
  ]) {
    test(`a save after a remote change (${variant.title}) is refused, keeps the edits and the remote; Overwrite then wins`, async () => {
      env.emu.putFile(env.desktopId, 'shared.txt', 'AAAA\n', { mtime: 1_700_000_000.25 });
      const conflicts: SaveConflict[] = [];
      const sub = env.services.fs.onDidConflict((c) => conflicts.push(c));
      try {
        const editor = await openEditor(env.uri('shared.txt'));
        // Another machine uploads a new version.
        env.emu.putFile(env.desktopId, 'shared.txt', variant.remote, { mtime: 1_700_000_100.5 });
        await typeAtStart(editor, 'mine ');
        await sleep(PAST_RECHECK_MS);

        assert.equal(await editor.document.save(), false, 'the save is refused');
        assert.equal(editor.document.isDirty, true);
        assert.equal(editor.document.getText(), 'mine AAAA\n');
        assert.equal(env.emu.readFile(env.desktopId, 'shared.txt')?.toString(), variant.remote, 'the remote version is intact');
        assert.equal(requestsOf(env.emu, 'POST').length, 0, 'nothing was uploaded');
        if (variant.title === 'same size') {
          // VS Code's own mtime/size check cannot see a same-size change: ours must have fired.
          assert.equal(conflicts.length, 1);
          assert.equal(conflicts[0].actual.size, 5);
        }

        // The remote version is readable for Compare without changing what the editor is based on.
        const remote = await vscode.workspace.fs.readFile(env.services.fs.remoteVersionUri(env.uri('shared.txt')));
        assert.equal(Buffer.from(remote).toString(), variant.remote);

        env.services.fs.allowOverwriteOnce(env.uri('shared.txt'));
        assert.equal(await editor.document.save(), true, 'Overwrite saves');
        assert.equal(editor.document.isDirty, false);
        assert.equal(env.emu.readFile(env.desktopId, 'shared.txt')?.toString(), 'mine AAAA\n');
      } finally {
        sub.dispose();
      }
    });
  }

  test('a conflict is detected when the listing had expired (VS Code and the provider agree)', async () => {
    env.emu.putFile(env.desktopId, 'slow.txt', 'one\n', { mtime: 1_700_000_000.5 });
    const editor = await openEditor(env.uri('slow.txt'));
    env.emu.putFile(env.desktopId, 'slow.txt', 'two\n', { mtime: 1_700_000_200.5 });
    await typeAtStart(editor, 'x');
    env.services.fs.invalidate(env.desktopId); // as if the listing's TTL had passed
    assert.equal(await editor.document.save(), false);
    assert.equal(editor.document.isDirty, true);
    assert.equal(env.emu.readFile(env.desktopId, 'slow.txt')?.toString(), 'two\n');
    env.services.fs.allowOverwriteOnce(env.uri('slow.txt'));
    assert.equal(await editor.document.save(), true);
    assert.equal(env.emu.readFile(env.desktopId, 'slow.txt')?.toString(), 'xone\n');
  });

  test('own writes fire change events and update the listing', async () => {
    const events: vscode.FileChangeEvent[] = [];
    const sub = env.services.fs.onDidChangeFile((e) => events.push(...e));
    try {
      await vscode.workspace.fs.writeFile(env.uri('fresh.txt'), enc('1'));
      await waitFor(() => events.some((e) => e.uri.path === '/fresh.txt' && e.type === vscode.FileChangeType.Created), 'a Created event');
      const names = (await env.services.fs.list(env.desktopId)).map((e) => e.name);
      assert.ok(names.includes('fresh.txt'));
    } finally {
      sub.dispose();
    }
  });

  test('concurrent stats of one folder share a single listing request', async () => {
    for (let i = 0; i < 10; i++) env.emu.putFile(env.desktopId, `f${i}.txt`, String(i));
    env.emu.clearRequests();
    const stats = await Promise.all(Array.from({ length: 10 }, (_, i) => vscode.workspace.fs.stat(env.uri(`f${i}.txt`))));
    assert.deepEqual(stats.map((st) => st.size), Array(10).fill(1));
    assert.equal(countDriveRequests(env.emu, env.desktopId).listings, 1);
    await env.services.fs.list(env.desktopId, undefined, { fresh: true });
    assert.equal(countDriveRequests(env.emu, env.desktopId).listings, 2, 'fresh: true bypasses the cache');
  });

  test('odd but valid names (unicode NFC/NFD, emoji, %, #, ?, +, spaces) round-trip exactly', async () => {
    const names = ['résumé ü.txt', 'e\u0301-nfd.txt', '100% #1 ?.txt', 'a+b=c&d.txt', '📄 notes.md', "it's (1).txt"];
    for (const name of names) {
      const uri = driveUri(env.desktopId, name);
      assert.deepEqual(parseDriveUri(vscode.Uri.parse(uri.toString())), { desktopId: env.desktopId, name }, `URI round trip of ${name}`);
      await vscode.workspace.fs.writeFile(uri, enc(name));
      assert.equal(env.emu.readFile(env.desktopId, name)?.toString(), name, `stored under its exact name: ${name}`);
      assert.equal(Buffer.from(await vscode.workspace.fs.readFile(uri)).toString(), name);
    }
    const listed = (await vscode.workspace.fs.readDirectory(env.uri())).map(([n]) => n).sort();
    assert.deepEqual(listed, [...names].sort());
    assert.deepEqual(parseDriveUri(driveUri(env.desktopId, 'sub', 'x y.txt')), { desktopId: env.desktopId, folder: 'sub', name: 'x y.txt' });
    assert.deepEqual(parseDriveUri(driveUri(env.desktopId)), { desktopId: env.desktopId });
  });
});
