/**
 * The in-host cells of the fault matrix (docs/reliability.md): each user operation (list in the
 * tree, open, save, the upload command, the download command, a drop on the tree) against each
 * fault the emulator injects. Each cell checks what the user gets (success after a bounded
 * retry, or a message that says why, never the key) and that nothing is lost: a failed save
 * keeps the edits dirty, a failed upload leaves the previous remote version, a failed download
 * leaves the existing local file untouched with no partial file beside it.
 *
 * Test names are stable: docs/reliability.md links to them as `faults.test.ts#<name>`.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Commands, Settings } from '../../src/constants';
import type { LogLine } from '../../src/log/Logger';
import type { DesktopNode, DriveNode, MessageNode } from '../../src/views/nodes';
import type { FaultSpec } from '../../tools/emulator/types';
import { closeAllEditors, setupEmulator, waitFor, type EmulatorSetup } from './helpers';

const TIMEOUT_S = 1;
const MAX_ATTEMPTS = 4; // the client's default: 1 + 3 retries
const ORIGINAL = 'the version on the drive\n';
const NEW = 'a new version from this machine\n';
const LOCAL_OLD = 'the local file the user already had\n';
const EDIT = 'my unsaved edit, ';

/** What one operation gave the user. */
interface Outcome {
  ok: boolean;
  /** The text the user reads: an error row, an error message, a notification or the log's reason. */
  message: string;
  /** The error row's action (list only): what a click on it does. */
  action?: string;
}

/** A notification the extension showed, as the patched `vscode.window.show*Message` saw it. */
interface Shown {
  level: 'error' | 'warning' | 'info';
  message: string;
  /** The string items (buttons); an options object such as `{ modal: true }` is not a button. */
  buttons: string[];
}

interface Cell {
  env: EmulatorSetup;
  name: string;
  local: string;
  lines: LogLine[];
  notes: Shown[];
  /** Set by `save`: the editor, to check it is still dirty with the edit. */
  editor?: vscode.TextEditor;
}

type OpId = 'list' | 'open' | 'save' | 'upload command' | 'download command' | 'drop upload';

/** The operations whose failure the extension reports in a notification (showFailure); the others show it in the tree row, the editor or VS Code's save error. */
const NOTIFYING: readonly OpId[] = ['upload command', 'download command', 'drop upload'];
/** The first words of the notification of each notifying operation, in the extension's own wording. */
const NOTICE_PREFIX: Partial<Record<OpId, (c: Cell) => RegExp>> = {
  'upload command': () => /^Upload to \S+ failed: /,
  'drop upload': () => /^Upload to \S+ failed: /,
  'download command': (c) => new RegExp(`^Downloading '${c.name.replace(/\./g, '\\.')}' failed: `),
};

interface Op {
  id: OpId;
  method: 'GET' | 'POST';
  /** The request the fault hits: the listing, or the file itself. */
  isTarget(c: Cell, url: string): boolean;
  /** Prepares (before the fault is armed) and returns the action. */
  prepare(c: Cell): Promise<() => Promise<Outcome>>;
  verifySuccess(c: Cell): void;
  verifyNothingLost(c: Cell): void;
}

/**
 * What each failing cell told the user, written beside the harness's report (test-results/)
 * so the table in docs/reliability.md can quote real messages.
 */
const observed: Record<string, { message: string; notifications: Shown[] }> = {};
function record(op: string, fault: string, message: string, notes: Shown[]): void {
  observed[`${op} · ${fault}`] = { message, notifications: [...notes] };
  const report = process.env.NEN_DRIVE_TEST_REPORT;
  if (report) fs.writeFileSync(path.join(path.dirname(report), 'fault-matrix-messages.json'), JSON.stringify(observed, null, 2));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let counter = 0;

function filesPath(c: Cell): string {
  return `/desktops/${c.env.desktopId}/files`;
}

async function desktopNode(c: Cell): Promise<DesktopNode> {
  const tree = c.env.api.views.tree;
  const roots = await tree.getChildren();
  const node = roots.find((n): n is DesktopNode => n.kind === 'desktop' && n.desktopId === c.env.desktopId);
  assert.ok(node, `the tree shows ${c.env.desktopId}: ${JSON.stringify(roots.map((r) => ('label' in r ? r.label : r.kind)))}`);
  return node;
}

function logReason(c: Cell, pattern: RegExp): string {
  const line = [...c.lines].reverse().find((l) => pattern.test(l.text));
  return line?.text ?? '';
}

/** A dropped OS file as code-server delivers it: a name and bytes, no uri. */
class DroppedFileItem extends vscode.DataTransferItem {
  constructor(private readonly file: vscode.DataTransferFile) {
    super('');
  }
  override asFile(): vscode.DataTransferFile {
    return this.file;
  }
}

const remoteIntact = (c: Cell): void =>
  assert.equal(c.env.emu.readFile(c.env.desktopId, c.name)?.toString(), ORIGINAL, 'the previous remote version is intact');
const remoteIsNew = (c: Cell): void => assert.equal(c.env.emu.readFile(c.env.desktopId, c.name)?.toString(), NEW, 'the new version is stored whole');
/** A read that failed wrote nothing: no upload, no delete, no rename reached the server. */
const noWrites = (c: Cell): void =>
  assert.deepEqual(
    c.env.emu.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.url}`),
    [],
    'a failed read sent no write request',
  );
/** The one note a command that worked showed: "Uploaded 'x' to …", no buttons. */
function successNote(c: Cell, verb: 'Uploaded' | 'Downloaded'): void {
  assert.deepEqual(
    c.notes.map((n) => ({ ...n, message: n.message.startsWith(`${verb} '${c.name}' to `) ? 'ok' : n.message })),
    [{ level: 'info', message: 'ok', buttons: [] }],
    `one "${verb} '${c.name}' to …" note, no buttons`,
  );
}
/** The one notification a failed command showed (its text; the buttons are checked by the test). */
function shownMessage(c: Cell): string {
  assert.equal(c.notes.length, 1, `exactly one notification: ${JSON.stringify(c.notes)}`);
  return c.notes[0].message;
}
const nameIsTarget = (c: Cell, url: string): boolean => url.split('?')[0] === `${filesPath(c)}/${encodeURIComponent(c.name)}`;

const OPS: Op[] = [
  {
    id: 'list',
    method: 'GET',
    isTarget: (c, url) => url.split('?')[0] === filesPath(c),
    async prepare(c) {
      const node = await desktopNode(c);
      c.env.services.fs.invalidateAll();
      return async () => {
        const rows: DriveNode[] = await c.env.api.views.tree.getChildren(node);
        if (rows.some((r) => r.kind === 'file' && r.entry.name === c.name)) return { ok: true, message: '' };
        const err = rows.find((r): r is MessageNode => r.kind === 'message' && r.isError);
        assert.ok(err, `neither the files nor an error row: ${JSON.stringify(rows.map((r) => r.kind))}`);
        assert.equal(rows.length, 1, 'one error row, not a half-empty list');
        return { ok: false, message: `${err.label} · ${err.detail ?? ''}`, action: err.action };
      };
    },
    verifySuccess: () => undefined,
    verifyNothingLost: (c) => {
      remoteIntact(c);
      noWrites(c);
    },
  },
  {
    id: 'open',
    method: 'GET',
    isTarget: nameIsTarget,
    async prepare(c) {
      return async () => {
        try {
          const doc = await vscode.workspace.openTextDocument(c.env.uri(c.name));
          assert.equal(doc.getText(), ORIGINAL, 'the editor shows the whole file');
          return { ok: true, message: '' };
        } catch (e) {
          const code = (e as vscode.FileSystemError).code;
          return { ok: false, message: `${(e as Error).message}${code ? ` [${code}]` : ''}` };
        }
      };
    },
    verifySuccess: () => undefined,
    verifyNothingLost: (c) => {
      const uri = c.env.uri(c.name).toString();
      const partial = vscode.workspace.textDocuments.filter((d) => d.uri.toString() === uri).map((d) => d.getText());
      assert.deepEqual(partial, [], 'no document was opened with partial (or any) content');
      assert.ok(!vscode.window.visibleTextEditors.some((e) => e.document.uri.toString() === uri), 'no editor shows the file');
      remoteIntact(c);
      noWrites(c);
    },
  },
  {
    id: 'save',
    method: 'POST',
    isTarget: nameIsTarget,
    async prepare(c) {
      const doc = await vscode.workspace.openTextDocument(c.env.uri(c.name));
      const editor = await vscode.window.showTextDocument(doc, { preview: false });
      assert.ok(await editor.edit((b) => b.insert(new vscode.Position(0, 0), EDIT)));
      c.editor = editor;
      return async () => {
        const saved = await editor.document.save();
        return { ok: saved, message: saved ? '' : logReason(c, /writeFile .* failed/) };
      };
    },
    verifySuccess: (c) => {
      assert.equal(c.editor!.document.isDirty, false);
      assert.equal(c.env.emu.readFile(c.env.desktopId, c.name)?.toString(), EDIT + ORIGINAL);
    },
    verifyNothingLost: (c) => {
      assert.equal(c.editor!.document.isDirty, true, 'the edits stay dirty');
      assert.equal(c.editor!.document.getText(), EDIT + ORIGINAL, 'the edits are all there');
      remoteIntact(c);
    },
  },
  {
    id: 'upload command',
    method: 'POST',
    isTarget: nameIsTarget,
    async prepare(c) {
      const file = path.join(c.local, c.name);
      fs.writeFileSync(file, NEW);
      return async () => {
        const report = (await vscode.commands.executeCommand(Commands.upload, c.env.desktopId, [vscode.Uri.file(file)], { conflict: 'overwrite' })) as {
          uploaded: unknown[];
          failed: { reason: string }[];
        };
        if (report.uploaded.length === 1) return { ok: true, message: '' };
        assert.equal(report.failed.length, 1, 'the report names the failed file');
        return { ok: false, message: shownMessage(c) };
      };
    },
    verifySuccess: (c) => {
      remoteIsNew(c);
      successNote(c, 'Uploaded');
    },
    verifyNothingLost: remoteIntact,
  },
  {
    id: 'download command',
    method: 'GET',
    isTarget: nameIsTarget,
    async prepare(c) {
      const target = path.join(c.local, c.name);
      fs.writeFileSync(target, LOCAL_OLD);
      return async () => {
        const report = (await vscode.commands.executeCommand(Commands.download, [c.env.uri(c.name)], vscode.Uri.file(target), { overwrite: true })) as {
          downloaded: unknown[];
          failed: { reason: string }[];
        };
        if (report.downloaded.length === 1) return { ok: true, message: '' };
        assert.equal(report.failed.length, 1, 'the report names the failed file');
        return { ok: false, message: shownMessage(c) };
      };
    },
    verifySuccess: (c) => {
      assert.equal(fs.readFileSync(path.join(c.local, c.name), 'utf8'), ORIGINAL, 'the local file is the whole remote file');
      assert.deepEqual(fs.readdirSync(c.local), [c.name], 'no temporary file left');
      successNote(c, 'Downloaded');
    },
    verifyNothingLost: (c) => {
      assert.equal(fs.readFileSync(path.join(c.local, c.name), 'utf8'), LOCAL_OLD, 'the existing local file is untouched');
      assert.deepEqual(fs.readdirSync(c.local), [c.name], 'no partial or temporary file beside it');
      remoteIntact(c);
      noWrites(c);
    },
  },
  {
    id: 'drop upload',
    method: 'POST',
    isTarget: nameIsTarget,
    async prepare(c) {
      const node = await desktopNode(c);
      const dt = new vscode.DataTransfer();
      dt.set('text/plain', new DroppedFileItem({ name: c.name, uri: undefined, data: async () => new TextEncoder().encode(NEW) }));
      return async () => {
        await c.env.api.views.dragAndDrop.handleDrop(node, dt, new vscode.CancellationTokenSource().token);
        if (c.env.emu.readFile(c.env.desktopId, c.name)?.toString() === NEW) return { ok: true, message: '' };
        assert.ok(logReason(c, /Uploading .* failed/), 'the failure is in the log');
        return { ok: false, message: shownMessage(c) };
      };
    },
    verifySuccess: (c) => {
      remoteIsNew(c);
      successNote(c, 'Uploaded');
    },
    verifyNothingLost: remoteIntact,
  },
];

interface FaultCase {
  id: string;
  fault: FaultSpec;
  times: number;
  /** undefined: the operation succeeds after a bounded retry. */
  expect?: RegExp;
  /** A sharper expectation for some operations (their own wording for this fault). */
  expectFor?: Partial<Record<OpId, RegExp>>;
  /** The buttons of the failure notification (showFailure in src/commands/messages.ts). */
  buttons?: string[];
  attempts: number;
  /** Operations this cell does not apply to, with the reason (stated in the table). */
  notFor?: OpId[];
}

const RETRY = ['Retry', 'Open Log'];
const SET_KEY = ['Set API Key', 'Open Log'];
const LOG_ONLY = ['Open Log'];

const FAULTS: FaultCase[] = [
  { id: '500', fault: { type: 'status', status: 500, body: '{"error":"disk on fire"}' }, times: 100, expect: /unavailable \(500\).*disk on fire/, buttons: RETRY, attempts: 1 },
  { id: '503 with Retry-After', fault: { type: 'status', status: 503, retryAfter: 1 }, times: 1, attempts: 2 },
  { id: '429 with Retry-After', fault: { type: 'status', status: 429, retryAfter: 1 }, times: 1, attempts: 2 },
  // The server's body says nothing about keys: the words must be the extension's own.
  { id: '401', fault: { type: 'status', status: 401, body: '{"error":"zzz"}' }, times: 100, expect: /Nen rejected the API key/, buttons: SET_KEY, attempts: 1 },
  { id: '403', fault: { type: 'status', status: 403, body: '{"error":"desktop belongs to another workspace"}' }, times: 100, expect: /not allowed.*403.*another workspace/, buttons: LOG_ONLY, attempts: 1 },
  {
    id: '404',
    // A body without "not found": the message must come from the extension, not echo the server.
    fault: { type: 'status', status: 404, body: '{"error":"zzz"}' },
    times: 100,
    expect: /Not found on the Nen drive \(404\)/,
    expectFor: { list: /^Desktop not found · it may have been deleted/ },
    buttons: LOG_ONLY,
    attempts: 1,
  },
  { id: '413', fault: { type: 'status', status: 413, body: '{"error":"file too large"}' }, times: 100, expect: /Too large.*100 MiB/, buttons: LOG_ONLY, attempts: 1 },
  { id: 'reset mid-body', fault: { type: 'reset', afterBytes: 8 }, times: 100, expect: /Cannot reach the Nen API/, buttons: RETRY, attempts: MAX_ATTEMPTS },
  { id: 'hang', fault: { type: 'hang' }, times: 100, expect: /did not answer in time/, buttons: RETRY, attempts: 1 },
  {
    id: '200 with malformed JSON',
    fault: { type: 'body', body: '{"files": [ {"name": "a' },
    times: 100,
    expect: /unexpected answer.*not valid JSON/,
    buttons: LOG_ONLY,
    attempts: 1,
    notFor: ['open', 'download command'],
  },
  {
    id: '200 without files',
    fault: { type: 'body', body: '{"items":[]}' },
    times: 100,
    expect: /unexpected answer.*"files"/,
    buttons: LOG_ONLY,
    attempts: 1,
    notFor: ['open', 'download command', 'save', 'upload command', 'drop upload'],
  },
];

suite('Fault matrix: what the user gets', () => {
  let env: EmulatorSetup;
  let cell: Cell;
  let logSub: vscode.Disposable;
  const restore: Array<() => void> = [];

  suiteSetup(async () => {
    env = await setupEmulator();
    const config = vscode.workspace.getConfiguration(Settings.section);
    await config.update(Settings.metadataTimeoutSeconds, TIMEOUT_S, vscode.ConfigurationTarget.Global);
    await config.update(Settings.transferTimeoutSeconds, TIMEOUT_S, vscode.ConfigurationTarget.Global);
    // A drop onto an existing name would ask Overwrite / Keep Both / Skip in a modal dialog.
    await config.update(Settings.confirmOverwrite, false, vscode.ConfigurationTarget.Global);
    await waitFor(() => env.services.clients.settings.transferTimeoutMs === TIMEOUT_S * 1000, 'the short timeouts to apply');
    // Record the notifications the commands show, text and buttons (the extension and this
    // suite share one API object). A patch that does not take fails the suite: without it
    // every notification check below would be blind.
    const levels = { showErrorMessage: 'error', showWarningMessage: 'warning', showInformationMessage: 'info' } as const;
    for (const fn of Object.keys(levels) as (keyof typeof levels)[]) {
      const original = vscode.window[fn];
      const patched = ((message: string, ...rest: unknown[]) => {
        const buttons = rest.filter((r): r is string => typeof r === 'string');
        cell?.notes.push({ level: levels[fn], message, buttons });
        // Never leave a notification waiting for a click: resolve as "dismissed".
        return Promise.resolve(undefined);
      }) as typeof original;
      (vscode.window as { [k: string]: unknown })[fn] = patched;
      restore.push(() => ((vscode.window as { [k: string]: unknown })[fn] = original));
      assert.equal(vscode.window[fn], patched, `vscode.window.${fn} could not be patched: the notification checks would be blind`);
    }
  });

  suiteTeardown(async () => {
    for (const r of restore) r();
    const config = vscode.workspace.getConfiguration(Settings.section);
    await config.update(Settings.metadataTimeoutSeconds, undefined, vscode.ConfigurationTarget.Global);
    await config.update(Settings.transferTimeoutSeconds, undefined, vscode.ConfigurationTarget.Global);
    await config.update(Settings.confirmOverwrite, undefined, vscode.ConfigurationTarget.Global);
    await env.dispose();
  });

  setup(() => {
    env.emu.reset();
    env.services.fs.invalidateAll();
    const name = `cell-${++counter}.txt`;
    env.emu.putFile(env.desktopId, name, ORIGINAL, { mtime: 1_700_000_000 + counter });
    const lines: LogLine[] = [];
    logSub = env.services.log.onDidLog((l) => lines.push(l));
    cell = { env, name, local: fs.mkdtempSync(path.join(os.tmpdir(), 'nen-faults-it-')), lines, notes: [] };
  });

  teardown(async () => {
    logSub.dispose();
    await closeAllEditors();
    fs.rmSync(cell.local, { recursive: true, force: true });
  });

  for (const op of OPS) {
    for (const f of FAULTS) {
      if (f.notFor?.includes(op.id)) continue;
      const title = f.expect
        ? `${op.id} · ${f.id}: ${f.attempts > 1 ? `${f.attempts} attempts, then ` : ''}a clear message, nothing lost`
        : `${op.id} · ${f.id}: waits, retries once, succeeds`;
      test(title, async () => {
        const action = await op.prepare(cell);
        env.emu.clearRequests();
        env.emu.injectFault(f.fault, { method: op.method, path: op.id === 'list' ? new RegExp(`^${filesPath(cell)}/?$`) : `/${cell.name}` }, f.times);
        const t0 = Date.now();
        const outcome = await action();
        const took = Date.now() - t0;
        const hits = env.emu.requests.filter((r) => r.method === op.method && op.isTarget(cell, r.url)).length;
        const key = env.emu.apiKey;
        assert.ok(!outcome.message.includes(key) && !cell.notes.some((n) => n.message.includes(key)) && !cell.lines.some((l) => l.text.includes(key)), 'the key appears nowhere');
        if (!f.expect) {
          assert.equal(outcome.ok, true, `succeeds after the retry (message: ${outcome.message})`);
          assert.equal(hits, f.attempts, 'one retry');
          assert.ok(took >= 950, `waited for Retry-After (${took} ms)`);
          op.verifySuccess(cell);
          return;
        }
        assert.equal(outcome.ok, false, 'the operation reports failure');
        assert.match(outcome.message, f.expectFor?.[op.id] ?? f.expect, `the message says why`);
        if (NOTIFYING.includes(op.id)) {
          // shownMessage (in the action) checked there is exactly one.
          assert.equal(cell.notes[0].level, 'error', 'an error notification');
          assert.match(cell.notes[0].message, NOTICE_PREFIX[op.id]!(cell), 'the notification names the operation');
          assert.deepEqual(cell.notes[0].buttons, f.buttons, 'the notification offers the action that helps');
        } else {
          assert.deepEqual(cell.notes, [], 'no notification on top of the row, the editor error or VS Code\'s save error');
        }
        if (op.id === 'list') assert.equal(outcome.action, f.id === '401' ? 'setApiKey' : 'retry', 'a click on the error row does what helps');
        assert.equal(hits, f.attempts, `requests to the failing endpoint (${env.emu.requests.map((r) => `${r.method} ${r.url} ${r.status}`).join(', ')})`);
        if (f.id === 'hang') assert.ok(took < TIMEOUT_S * 1000 + 4000, `gave up after the configured timeout (${took} ms)`);
        op.verifyNothingLost(cell);
        // A failure leaves nothing behind on the server either (no partial upload in flight).
        const tmp = path.join(env.emu.dataDir, '.nen-emulator', 'tmp');
        if (f.id !== 'hang') assert.deepEqual(fs.existsSync(tmp) ? fs.readdirSync(tmp) : [], [], 'no partial upload on the server');
        record(op.id, f.id, outcome.message, cell.notes);
      });
    }
  }

  test('save · a 503 storm: bounded retries, then the edits are still dirty and Retry works', async () => {
    const action = await OPS.find((o) => o.id === 'save')!.prepare(cell);
    env.emu.injectFault({ type: 'status', status: 503, retryAfter: 0 }, { method: 'POST', path: `/${cell.name}` }, 100);
    const outcome = await action();
    assert.equal(outcome.ok, false);
    assert.match(outcome.message, /unavailable \(503\)/);
    assert.equal(env.emu.requests.filter((r) => r.method === 'POST').length, MAX_ATTEMPTS);
    OPS.find((o) => o.id === 'save')!.verifyNothingLost(cell);
    env.emu.reset();
    await sleep(10);
    assert.equal(await cell.editor!.document.save(), true, 'saving again once the server recovers works');
    assert.equal(env.emu.readFile(env.desktopId, cell.name)?.toString(), EDIT + ORIGINAL);
  });
});
