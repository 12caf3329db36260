/**
 * Key safety, end to end in a real extension host: after a run full of failures and retries
 * the key is nowhere a person or another server could see it (log channel, its file on disk,
 * settings, extension state, messages, notifications, requests to any other origin); plain
 * http to a non-loopback host is refused before a byte goes out; a redirect to another origin
 * does not carry the key; and the key is read from SecretStorage on use, so changing it there
 * applies at once without a reload.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Commands, EXTENSION_ID, SECRET_KEY_NAME, Settings } from '../../src/constants';
import type { LogLine } from '../../src/log/Logger';
import type { DesktopNode, DriveNode, MessageNode } from '../../src/views/nodes';
import type { RecordedRequest } from '../../tools/emulator/types';
import { closeAllEditors, heard, probe, rejects, resolveToLoopback, setupEmulator, startRecorder, waitFor, type EmulatorSetup, type Recorder } from './helpers';

const enc = (s: string) => new TextEncoder().encode(s);
const rand = () => Math.random().toString(36).slice(2);

function walkFiles(dir: string, out: string[] = []): string[] {
  if (!fs.existsSync(dir)) return out;
  for (const d of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) walkFiles(p, out);
    else if (d.isFile()) out.push(p);
  }
  return out;
}

/** Files under `dir` whose bytes contain `needle` (as UTF-8 or UTF-16LE, the way SQLite may store it). */
function filesContaining(dir: string, needle: string): string[] {
  const forms = [Buffer.from(needle, 'utf8'), Buffer.from(needle, 'utf16le')];
  return walkFiles(dir).filter((f) => {
    try {
      if (fs.statSync(f).size > 64 * 1024 * 1024) return false;
      const bytes = fs.readFileSync(f);
      return forms.some((form) => bytes.includes(form));
    } catch {
      return false;
    }
  });
}

async function desktopNode(env: EmulatorSetup): Promise<DesktopNode> {
  const roots = await env.api.views.tree.getChildren();
  const node = roots.find((n): n is DesktopNode => n.kind === 'desktop' && n.desktopId === env.desktopId);
  assert.ok(node, 'the desktop is in the tree');
  return node;
}

class DroppedFileItem extends vscode.DataTransferItem {
  constructor(private readonly file: vscode.DataTransferFile) {
    super('');
  }
  override asFile(): vscode.DataTransferFile {
    return this.file;
  }
}

suite('Key safety', () => {
  // Not shaped like sk_nen_…: only a code path that never handles the key as text keeps it out.
  const KEY = `nen-keysafety-A-${rand()}${rand()}`;
  let env: EmulatorSetup;
  let lines: LogLine[];
  let notes: string[];
  let logSub: vscode.Disposable;
  const restore: Array<() => void> = [];

  suiteSetup(async () => {
    for (const fn of ['showErrorMessage', 'showWarningMessage', 'showInformationMessage'] as const) {
      const original = vscode.window[fn];
      try {
        (vscode.window as { [k: string]: unknown })[fn] = ((message: string) => {
          notes?.push(message);
          return Promise.resolve(undefined);
        }) as typeof original;
        restore.push(() => ((vscode.window as { [k: string]: unknown })[fn] = original));
      } catch {
        // A frozen API object: messages are still checked through reports, errors and the log.
      }
    }
  });

  suiteTeardown(() => {
    for (const r of restore) r();
  });

  setup(async () => {
    env = await setupEmulator({ apiKey: KEY });
    lines = [];
    notes = [];
    logSub = env.services.log.onDidLog((l) => lines.push(l));
    const config = vscode.workspace.getConfiguration(Settings.section);
    await config.update(Settings.metadataTimeoutSeconds, 1, vscode.ConfigurationTarget.Global);
    await config.update(Settings.transferTimeoutSeconds, 1, vscode.ConfigurationTarget.Global);
    await config.update(Settings.confirmOverwrite, false, vscode.ConfigurationTarget.Global);
    await waitFor(() => env.services.clients.settings.metadataTimeoutMs === 1000, 'short timeouts');
  });

  teardown(async () => {
    logSub.dispose();
    await closeAllEditors();
    const config = vscode.workspace.getConfiguration(Settings.section);
    for (const s of [Settings.metadataTimeoutSeconds, Settings.transferTimeoutSeconds, Settings.confirmOverwrite]) {
      await config.update(s, undefined, vscode.ConfigurationTarget.Global);
    }
    await env.dispose();
  });

  test('after a run with failures and retries the key is in no log, setting, state, message or foreign request', async () => {
    const { emu, desktopId, services } = env;
    const messages: string[] = [];
    const local = fs.mkdtempSync(path.join(os.tmpdir(), 'nen-keysafety-'));
    // reset() clears the request log too: keep every request for the final check.
    const received: RecordedRequest[] = [];
    const clearFaults = (): void => {
      received.push(...emu.requests);
      emu.reset();
    };
    // Where a foreign request would go: another origin (its own port, and a non-loopback name
    // for it), redirected to below. It must hear nothing.
    const foreign: Recorder = await startRecorder();
    const foreignHost = 'nen-drive-foreign.example';
    const undo = resolveToLoopback(foreignHost);
    try {
      assert.equal(await probe(`http://${foreignHost}:${foreign.port}/probe`), 200, 'the foreign recorder is reachable under its name');
      foreign.hits.length = 0;
      emu.putFile(desktopId, 'notes.txt', 'hello\n');
      // Successes: list in the tree, open, save.
      const node = await desktopNode(env);
      services.fs.invalidateAll();
      assert.ok((await env.api.views.tree.getChildren(node)).some((n) => n.kind === 'file'));
      const doc = await vscode.workspace.openTextDocument(env.uri('notes.txt'));
      const editor = await vscode.window.showTextDocument(doc, { preview: false });
      await editor.edit((b) => b.insert(new vscode.Position(0, 0), 'x'));
      // A save that is retried (503 + Retry-After), then one that fails with the server echoing the key.
      emu.injectFault({ type: 'status', status: 503, retryAfter: 0 }, { method: 'POST' }, 1);
      assert.equal(await doc.save(), true);
      await editor.edit((b) => b.insert(new vscode.Position(0, 0), 'y'));
      emu.injectFault({ type: 'status', status: 500, body: JSON.stringify({ error: `key ${KEY} is bad; Authorization: Bearer ${KEY}` }) }, { method: 'POST' }, 10);
      assert.equal(await doc.save(), false);
      clearFaults();
      // Failing fs calls: 401 with the key echoed, 403, a reset, a hang.
      emu.injectFault({ type: 'status', status: 401, body: JSON.stringify({ message: `unknown key ${KEY}` }) }, { method: 'GET' }, 1);
      services.fs.invalidateAll();
      messages.push((await rejects(vscode.workspace.fs.readFile(env.uri('notes.txt')))).message);
      emu.injectFault({ type: 'status', status: 403, body: `<html>denied for Bearer ${KEY}</html>` }, { method: 'GET' }, 1);
      services.fs.invalidateAll();
      messages.push((await rejects(vscode.workspace.fs.stat(env.uri('notes.txt')))).message);
      emu.injectFault({ type: 'reset', afterBytes: 4 }, { method: 'GET' }, 100);
      services.fs.invalidateAll();
      messages.push((await rejects(vscode.workspace.fs.stat(env.uri('notes.txt')))).message);
      clearFaults();
      emu.injectFault({ type: 'hang' }, { method: 'GET', path: '/notes.txt' }, 1);
      messages.push((await rejects(vscode.workspace.fs.readFile(env.uri('notes.txt')))).message);
      clearFaults();
      // The tree, the commands and a drop, each failing with the key echoed back.
      emu.injectFault({ type: 'status', status: 502, body: JSON.stringify({ detail: `upstream saw ${KEY}` }) }, { method: 'GET' }, 10);
      services.fs.invalidateAll();
      const rows: DriveNode[] = await env.api.views.tree.getChildren(node);
      messages.push(...rows.filter((r): r is MessageNode => r.kind === 'message').map((r) => `${r.label} ${r.detail ?? ''}`));
      clearFaults();
      const file = path.join(local, 'up.txt');
      fs.writeFileSync(file, 'upload me');
      emu.injectFault({ type: 'status', status: 413, body: JSON.stringify({ error: `too big for ${KEY}` }) }, { method: 'POST' }, 10);
      const up = (await vscode.commands.executeCommand(Commands.upload, desktopId, [vscode.Uri.file(file)], { conflict: 'overwrite' })) as { failed: { reason: string }[] };
      messages.push(...up.failed.map((f) => f.reason));
      clearFaults();
      emu.injectFault({ type: 'status', status: 429, retryAfter: 0, body: `slow down ${KEY}` }, { method: 'GET', path: '/notes.txt' }, 100);
      const down = (await vscode.commands.executeCommand(Commands.download, [env.uri('notes.txt')], vscode.Uri.file(path.join(local, 'down.txt')))) as { failed: { reason: string }[] };
      messages.push(...down.failed.map((f) => f.reason));
      clearFaults();
      emu.injectFault({ type: 'status', status: 500, body: `{"error":"${KEY}"}` }, { method: 'POST' }, 10);
      const dt = new vscode.DataTransfer();
      dt.set('text/plain', new DroppedFileItem({ name: 'dropped.txt', uri: undefined, data: async () => enc('dropped') }));
      await env.api.views.dragAndDrop.handleDrop(node, dt, new vscode.CancellationTokenSource().token);
      clearFaults();
      // Redirects to the other origin: a listing (by port), and a save (by name, with 307 that keeps the body).
      const files = `/desktops/${desktopId}/files`;
      emu.injectFault({ type: 'redirect', status: 302, location: `${foreign.url}${files}` }, { method: 'GET', path: new RegExp(`^${files}$`) }, 10);
      services.fs.invalidateAll();
      const failedWith = (e: unknown): string => (e as Error).message;
      messages.push(await Promise.resolve(vscode.workspace.fs.readDirectory(env.uri())).then(() => 'the redirect was followed', failedWith));
      emu.injectFault({ type: 'redirect', status: 307, location: `http://${foreignHost}:${foreign.port}${files}/w.txt` }, { method: 'POST' }, 10);
      messages.push(await Promise.resolve(vscode.workspace.fs.writeFile(env.uri('w.txt'), enc('w'))).then(() => 'the redirect was followed', failedWith));
      clearFaults();
      // What the other origin saw: nothing at all (so certainly not the key).
      assert.deepEqual(foreign.hits.map(heard), [], 'a foreign origin was contacted');
      // A careless log call with the key is redacted too.
      const marker = `keysafety-marker-${rand()}`;
      services.log.info(`${marker} a careless caller logs ${KEY}`);

      // 1. Messages the user saw: errors, tree rows, reports, notifications.
      // 4 fs errors, the tree's error row, the upload's and the download's reasons, 2 refused redirects.
      assert.equal(messages.length, 9, `every failure produced a message: ${JSON.stringify(messages)}`);
      for (const m of messages.slice(-2)) assert.match(m, /another origin/, 'the redirect was refused as such');
      assert.ok(notes.length >= 3, `the commands and the drop showed notifications: ${JSON.stringify(notes)}`);
      for (const m of [...messages, ...notes]) assert.ok(!m.includes(KEY), `a message leaks the key: ${m}`);
      // 2. The log channel: every line, and the channel's file on disk.
      assert.ok(lines.some((l) => / 50[02] /.test(l.text) || /· 50[02]/.test(l.text)), 'failed requests were logged');
      assert.ok(lines.some((l) => /attempt 2/.test(l.text)), 'retries were logged');
      for (const l of lines) assert.ok(!l.text.includes(KEY), `a log line leaks the key: ${l.text}`);
      const logDir = services.context.logUri.fsPath;
      const channelFile: string = await waitFor(
        () => walkFiles(logDir).find((f) => fs.readFileSync(f, 'utf8').includes(marker)),
        'the log channel to reach its file on disk',
        15_000,
      ) as string;
      assert.ok(!fs.readFileSync(channelFile, 'utf8').includes(KEY), `${channelFile} holds the key`);
      // Every log of this window (VS Code's own included) under the logs folder of the session.
      const sessionLogs = path.resolve(logDir, '..', '..');
      assert.deepEqual(filesContaining(sessionLogs, KEY), [], 'no log file of the session holds the key');
      // 3. Settings: every nenDrive.* value at every scope, and the settings files.
      const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
      const props = Object.keys((ext.packageJSON as { contributes?: { configuration?: { properties?: object } } }).contributes?.configuration?.properties ?? {});
      assert.ok(props.length > 0, 'the manifest declares settings');
      const config = vscode.workspace.getConfiguration();
      for (const p of props) assert.ok(!JSON.stringify(config.inspect(p) ?? {}).includes(KEY), `setting ${p} holds the key`);
      assert.ok(!JSON.stringify(vscode.workspace.getConfiguration(Settings.section)).includes(KEY));
      // 4. Extension state, and everything the server side of VS Code keeps on disk for this
      //    profile (settings.json, state databases, storage folders, logs). SecretStorage lives
      //    in the browser profile under code-server, so the key has no business here at all.
      for (const memento of [services.context.globalState, services.context.workspaceState]) {
        for (const k of memento.keys()) {
          assert.ok(!k.includes(KEY) && !JSON.stringify(memento.get(k) ?? null).includes(KEY), `state ${k} holds the key`);
        }
      }
      const userData = path.resolve(services.context.globalStorageUri.fsPath, '..', '..', '..');
      assert.ok(fs.existsSync(path.join(userData, 'User')), `user data folder found at ${userData}`);
      assert.deepEqual(filesContaining(userData, KEY), [], 'no file of the profile on disk holds the key');
      // 5. What the server saw: the key only ever in the Authorization header of the configured origin.
      const origin = new URL(emu.url).host;
      received.push(...emu.requests);
      for (const r of received) {
        assert.equal(r.headers.host, origin, 'every request went to the configured origin');
        assert.ok(!r.url.includes(KEY), `the key is in a URL: ${r.url}`);
        for (const [h, v] of Object.entries(r.headers)) {
          if (h !== 'authorization') assert.ok(!String(v).includes(KEY), `the key is in header ${h}`);
        }
      }
      assert.ok(received.length > 15, `the run made real requests (${received.length})`);
      assert.ok(received.some((r) => r.headers.authorization === `Bearer ${KEY}`), 'the key went where it belongs');
      // 6. The other origin, again after everything: still nothing.
      assert.deepEqual(foreign.hits.map(heard), [], 'a foreign origin was contacted');
    } finally {
      undo();
      await foreign.close();
      fs.rmSync(local, { recursive: true, force: true });
    }
  });

  test('an http: URL to a non-loopback host is refused before any request, on every operation', async () => {
    // A real server behind a non-loopback name (resolved to 127.0.0.1 in this process, so it
    // works on a machine without a LAN address): a request that went out would land there.
    const rec = await startRecorder();
    const host = 'nen-drive-keysafety.example';
    const undo = resolveToLoopback(host);
    const local = fs.mkdtempSync(path.join(os.tmpdir(), 'nen-keysafety-http-'));
    try {
      const url = `http://${host}:${rec.port}`;
      assert.equal(await probe(`${url}/probe`), 200, 'the recorder is reachable under the name');
      rec.hits.length = 0;
      await vscode.workspace.getConfiguration(Settings.section).update(Settings.apiUrl, url, vscode.ConfigurationTarget.Global);
      await waitFor(() => env.services.clients.baseUrl === url, 'the http URL to apply');
      env.services.fs.invalidateAll();
      const errors: string[] = [];
      errors.push((await rejects(vscode.workspace.fs.stat(env.uri('a.txt')))).message);
      errors.push((await rejects(vscode.workspace.fs.writeFile(env.uri('b.txt'), enc('x')))).message);
      // The tree: a root row, or the desktop's drive as an error row.
      const roots: DriveNode[] = await env.api.views.tree.getChildren();
      const rows = [...roots];
      for (const r of roots) if (r.kind === 'desktop') rows.push(...(await env.api.views.tree.getChildren(r)));
      errors.push(...rows.filter((r): r is MessageNode => r.kind === 'message' && r.isError).map((r) => r.label));
      fs.writeFileSync(path.join(local, 'c.txt'), 'c');
      const up = (await vscode.commands.executeCommand(Commands.upload, env.desktopId, [vscode.Uri.file(path.join(local, 'c.txt'))], { conflict: 'overwrite' })) as
        | { failed: { reason: string }[] }
        | undefined;
      const down = (await vscode.commands.executeCommand(Commands.download, [env.uri('a.txt')], vscode.Uri.file(path.join(local, 'a.txt')))) as
        | { failed: { reason: string }[] }
        | undefined;
      errors.push(...(up?.failed ?? []).map((f) => f.reason), ...(down?.failed ?? []).map((f) => f.reason));
      // Commands that fail before their report show the reason in a notification.
      if (!up?.failed.length || !down?.failed.length) errors.push(...notes.filter((n) => /https/.test(n)));
      assert.ok(errors.length >= 5, `every operation failed with a reason: ${JSON.stringify(errors)}`);
      for (const e of errors) {
        assert.match(e, /https/, `the reason names https: ${e}`);
        assert.ok(!e.includes(KEY));
      }
      assert.deepEqual(rec.hits.map(heard), [], 'the plain-http host got requests');
      assert.ok(!fs.existsSync(path.join(local, 'a.txt')), 'no download file');
    } finally {
      undo();
      await rec.close();
      fs.rmSync(local, { recursive: true, force: true });
    }
  });

  test('a redirect to another origin is not followed and does not carry the key', async () => {
    const { emu, desktopId, services } = env;
    const other = await startRecorder();
    // The same recorder under a non-loopback name too (resolved to 127.0.0.1 in this process).
    const host = 'nen-drive-redirect.example';
    const undo = resolveToLoopback(host);
    const local = fs.mkdtempSync(path.join(os.tmpdir(), 'nen-keysafety-redirect-'));
    try {
      assert.equal(await probe(`http://${host}:${other.port}/probe`), 200, 'the recorder is reachable under the name');
      other.hits.length = 0;
      emu.putFile(desktopId, 'r.txt', 'remote');
      const files = `/desktops/${desktopId}/files`;
      // Another port, another host name for that port, and the very same server under another
      // host name: all other origins.
      const elsewhere = [`${other.url}${files}`, `http://${host}:${other.port}${files}`, `http://localhost:${emu.port}${files}`];
      for (const target of elsewhere) {
        emu.injectFault({ type: 'redirect', status: 302, location: target }, { method: 'GET', path: new RegExp(`^${files}$`) }, 1);
        services.fs.invalidateAll();
        const listErr = await rejects(vscode.workspace.fs.readDirectory(env.uri()));
        assert.match(listErr.message, /another origin|redirect/i, listErr.message);
        emu.injectFault({ type: 'redirect', status: 302, location: `${target}/r.txt` }, { method: 'GET', path: '/r.txt' }, 1);
        const report = (await vscode.commands.executeCommand(Commands.download, [env.uri('r.txt')], vscode.Uri.file(path.join(local, 'r.txt')))) as { failed: { reason: string }[] };
        assert.equal(report.failed.length, 1, 'the download fails rather than follow');
        assert.ok(!fs.existsSync(path.join(local, 'r.txt')));
        emu.injectFault({ type: 'redirect', status: 307, location: `${target}/w.txt` }, { method: 'POST' }, 1);
        const saveErr = await rejects(vscode.workspace.fs.writeFile(env.uri('w.txt'), enc('w')));
        assert.match(saveErr.message, /another origin|redirect/i, saveErr.message);
        for (const m of [listErr.message, saveErr.message, ...report.failed.map((f) => f.reason)]) assert.ok(!m.includes(KEY));
      }
      for (const h of other.hits) assert.equal(h.headers.authorization, undefined, 'the other server got the key');
      assert.deepEqual(other.hits.map(heard), [], 'the other origin was not contacted at all');
      const viaLocalhost = emu.requests.filter((r) => String(r.headers.host).startsWith('localhost'));
      assert.deepEqual(viaLocalhost.map((r) => r.headers.authorization), [], 'nothing reached the emulator under the other host name');
    } finally {
      undo();
      await other.close();
      fs.rmSync(local, { recursive: true, force: true });
    }
  });

  test('the key is read from SecretStorage on use: a new key there applies live, no reload', async () => {
    const { emu, desktopId, services } = env;
    const secrets = services.context.secrets;
    const B = `nen-keysafety-B-${rand()}`;
    emu.putFile(desktopId, 'live.txt', 'live');
    const list = () => services.fs.list(desktopId, undefined, { fresh: true });
    // Key A (stored by setup) works.
    assert.ok((await list()).some((e) => e.name === 'live.txt'));
    assert.equal(emu.requests.at(-1)?.headers.authorization, `Bearer ${KEY}`);
    // Another window (or the user in Settings Sync) stores key B straight into SecretStorage.
    let changed = 0;
    const sub = services.keys.onDidChange(() => changed++);
    try {
      await secrets.store(SECRET_KEY_NAME, B);
      await waitFor(() => changed > 0, 'the SecretStorage change to reach the extension');
      const err = await rejects(list());
      assert.equal((err as { kind?: string }).kind, 'unauthorized');
      assert.equal(emu.requests.at(-1)?.headers.authorization, `Bearer ${B}`, 'the next request used key B');
      assert.equal(emu.requests.at(-1)?.status, 401);
      // The tree says so, with Set API Key.
      const roots = await env.api.views.tree.getChildren();
      const row = roots.find((r): r is MessageNode => r.kind === 'message' && r.isError);
      assert.ok(row && /rejected the API key/.test(row.label) && row.action === 'setApiKey', JSON.stringify(roots));
      // And back to A, again without a reload.
      changed = 0;
      await secrets.store(SECRET_KEY_NAME, KEY);
      await waitFor(() => changed > 0, 'the second change');
      assert.ok((await list()).some((e) => e.name === 'live.txt'));
      assert.equal(emu.requests.at(-1)?.headers.authorization, `Bearer ${KEY}`);
      // Removing it: no request goes out without a key. The runners clear NEN_API_KEY for the
      // extension host; were it set, the key would fall back to it and this would prove nothing.
      assert.equal(process.env.NEN_API_KEY, undefined, 'NEN_API_KEY is set for this extension host: the in-host runners must clear it');
      changed = 0;
      const before = emu.requests.length;
      await secrets.delete(SECRET_KEY_NAME);
      await waitFor(() => changed > 0, 'the deletion');
      const none = await rejects(list());
      assert.equal((none as { kind?: string }).kind, 'unauthorized');
      assert.equal(emu.requests.length, before, 'no request without a key');
      // B, tried once, is redacted from everything logged since.
      for (const l of lines) assert.ok(!l.text.includes(B) && !l.text.includes(KEY), l.text);
    } finally {
      sub.dispose();
    }
  });
});
