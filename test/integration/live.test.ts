import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { SaveConflict } from '../../src/drive/DriveFileSystemProvider';
import type { DesktopNode, DriveNode, EntryNode } from '../../src/views/nodes';
import { revealRow } from '../../src/views/reveal';
import { closeAllEditors, countDriveRequests, rejects, setupEmulator, waitFor, type EmulatorSetup } from './helpers';

/**
 * A live drive: changes made on the server side (the emulator's data folder, as the desktop
 * itself writes, never through the provider) reach VS Code by themselves. The interval is
 * 1 s here (the setting's default is 5 s), so "within the interval + 2 s" is checked quickly.
 */

const INTERVAL_S = 1;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const enc = (s: string) => new TextEncoder().encode(s);

function listingTimes(env: EmulatorSetup, folderQuery = ''): number[] {
  const root = `/desktops/${env.desktopId}/files`;
  return env.emu.requests.filter((r) => r.method === 'GET' && r.path === root && r.url.endsWith(`/files${folderQuery}`)).map((r) => r.at);
}

/** Collects a watcher's events with the time they arrived. */
function recordWatcher(watcher: vscode.FileSystemWatcher) {
  const events: { type: 'create' | 'change' | 'delete'; uri: string; at: number }[] = [];
  const subs = [
    watcher.onDidCreate((u) => events.push({ type: 'create', uri: u.toString(), at: Date.now() })),
    watcher.onDidChange((u) => events.push({ type: 'change', uri: u.toString(), at: Date.now() })),
    watcher.onDidDelete((u) => events.push({ type: 'delete', uri: u.toString(), at: Date.now() })),
  ];
  return {
    events,
    async next(type: 'create' | 'change' | 'delete', uri: vscode.Uri, since: number, timeoutMs: number) {
      const want = uri.toString();
      const found = await waitFor(() => events.find((e) => e.type === type && e.uri === want && e.at >= since), `onDid${type} of ${want}`, timeoutMs);
      return found!;
    },
    dispose() {
      for (const s of subs) s.dispose();
      watcher.dispose();
    },
  };
}

/**
 * Runs `body` with the Desktops view shown and this desktop's row expanded and live (revealed
 * through the product's reveal: VS Code may still be replaying a refresh deferred while the view
 * was hidden), every repaint the tree fires recorded in `fired`; hides the view after.
 */
async function inLiveView(
  env: EmulatorSetup,
  body: (v: { views: NonNullable<EmulatorSetup['api']['views']>; desktop: DesktopNode; fired: (DriveNode | DriveNode[] | undefined)[] }) => Promise<void>,
): Promise<void> {
  const views = env.api.views;
  assert.ok(views);
  const fired: (DriveNode | DriveNode[] | undefined)[] = [];
  const sub = views.tree.onDidChangeTreeData((n) => fired.push(n));
  try {
    await vscode.commands.executeCommand('nenDrive.desktops.focus');
    await waitFor(() => views.view.visible, 'the Nen Drive view to show', 10_000);
    const desktop = (await views.tree.getChildren()).find((n): n is DesktopNode => n.kind === 'desktop' && n.desktopId === env.desktopId);
    assert.ok(desktop, 'the desktop row');
    assert.ok(await revealRow(views.tree, views.view, desktop.uri, { expand: true }), 'the desktop row revealed');
    await waitFor(() => env.services.live.targets.some((t) => t.desktopId === env.desktopId && t.folder === undefined), 'the expanded desktop to be live', 10_000);
    await body({ views, desktop, fired });
  } finally {
    sub.dispose();
    await vscode.commands.executeCommand('workbench.view.explorer');
    await waitFor(() => !views.view.visible, 'the view to hide again', 10_000);
  }
}

suite('Live drive', () => {
  let env: EmulatorSetup;

  setup(async () => {
    env = await setupEmulator({ liveRefreshSeconds: INTERVAL_S });
    await closeAllEditors();
  });

  teardown(async () => {
    await closeAllEditors();
    await env.dispose();
  });

  test('a file written on the server 0 ms after a listing is found by stat, readFile and openTextDocument (one listing each)', async () => {
    env.emu.putFile(env.desktopId, 'first.txt', 'x');
    for (const [name, open] of [
      ['via-stat.txt', async (u: vscode.Uri) => (await vscode.workspace.fs.stat(u)).size],
      ['via-read.txt', async (u: vscode.Uri) => (await vscode.workspace.fs.readFile(u)).byteLength],
      ['via-open.txt', async (u: vscode.Uri) => (await vscode.workspace.openTextDocument(u)).getText().length],
    ] as const) {
      await vscode.workspace.fs.readDirectory(env.uri()); // a fresh listing, now cached
      env.emu.putFile(env.desktopId, name, 'hello'); // written right after it
      env.emu.clearRequests();
      assert.equal(await open(env.uri(name)), 5, `${name} is found with its 5 bytes`);
      assert.equal(countDriveRequests(env.emu, env.desktopId).listings, 1, `${name}: one fresh listing before answering`);
    }
    // A name that really is missing costs one listing, then FileNotFound.
    await vscode.workspace.fs.readDirectory(env.uri());
    env.emu.clearRequests();
    const err = await rejects(vscode.workspace.fs.stat(env.uri('never.txt')));
    assert.equal((err as vscode.FileSystemError).code, 'FileNotFound');
    assert.equal(countDriveRequests(env.emu, env.desktopId).listings, 1);
  });

  test('a watcher on the drive gets onDidCreate, onDidChange (size, then modified time only) and onDidDelete within the interval + 2 s', async () => {
    const w = recordWatcher(vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(env.uri(), '*')));
    try {
      await waitFor(() => env.services.fs.cache.peek({ desktopId: env.desktopId }), 'the baseline listing of the watched drive', 5000);
      const budget = (2 * INTERVAL_S + 2) * 1000; // worst case: one unchanged step (×2) has begun
      let t = Date.now();
      env.emu.putFile(env.desktopId, 'agent.log', 'line 1\n');
      const created = await w.next('create', env.uri('agent.log'), t, budget + 1000);
      assert.ok(created.at - t <= budget, `created after ${created.at - t} ms`);

      t = Date.now();
      env.emu.putFile(env.desktopId, 'agent.log', 'line 1\nline 2\n');
      const grown = await w.next('change', env.uri('agent.log'), t, budget + 1000);
      assert.ok(grown.at - t <= budget, `size change after ${grown.at - t} ms`);

      t = Date.now();
      env.emu.putFile(env.desktopId, 'agent.log', 'line 1\nline 2\n', { mtime: Date.now() / 1000 + 5.25 });
      const touched = await w.next('change', env.uri('agent.log'), t, budget + 1000);
      assert.ok(touched.at - t <= budget, `mtime-only change after ${touched.at - t} ms`);

      t = Date.now();
      assert.ok(env.emu.removeFile(env.desktopId, 'agent.log'));
      const deleted = await w.next('delete', env.uri('agent.log'), t, budget + 1000);
      assert.ok(deleted.at - t <= budget, `deleted after ${deleted.at - t} ms`);
      assert.equal(w.events.filter((e) => e.type === 'create').length, 1, 'no duplicate create events');
    } finally {
      w.dispose();
    }
  });

  test('an open, clean editor shows what the desktop writes, with no click', async () => {
    env.emu.putFile(env.desktopId, 'progress.log', 'step 1\n');
    const doc = await vscode.workspace.openTextDocument(env.uri('progress.log'));
    await vscode.window.showTextDocument(doc, { preview: false });
    env.emu.putFile(env.desktopId, 'progress.log', 'step 1\nstep 2\n');
    await waitFor(() => doc.getText() === 'step 1\nstep 2\n', 'the editor to show the new line', (6 * INTERVAL_S + 3) * 1000);
    assert.equal(doc.isDirty, false);
    env.emu.putFile(env.desktopId, 'progress.log', 'step 1\nstep 2\nstep 3\n');
    await waitFor(() => doc.getText().endsWith('step 3\n'), 'the editor to show the third line', (6 * INTERVAL_S + 3) * 1000);
  });

  test('a dirty editor keeps its text when the file changes on the drive, and its save is refused with Compare / Overwrite', async () => {
    env.emu.putFile(env.desktopId, 'notes.txt', 'AAAA\n', { mtime: 1_700_000_000.25 });
    const doc = await vscode.workspace.openTextDocument(env.uri('notes.txt'));
    const editor = await vscode.window.showTextDocument(doc, { preview: false });
    assert.ok(await editor.edit((b) => b.insert(new vscode.Position(0, 0), 'mine ')));
    const conflicts: SaveConflict[] = [];
    const sub = env.services.fs.onDidConflict((c) => conflicts.push(c));
    // What the user is shown: record the warnings (and their buttons) instead of showing them.
    // Like a real toast, each stays open (unanswered) until the test ends.
    const shown: { message: string; buttons: string[] }[] = [];
    let dismiss!: () => void;
    const dismissed = new Promise<undefined>((r) => (dismiss = () => r(undefined)));
    const original = vscode.window.showWarningMessage;
    (vscode.window as { showWarningMessage: unknown }).showWarningMessage = (message: string, ...buttons: unknown[]) => {
      shown.push({ message, buttons: buttons.filter((b): b is string => typeof b === 'string') });
      return dismissed;
    };
    try {
      env.emu.putFile(env.desktopId, 'notes.txt', 'BBBB\n', { mtime: 1_700_000_100.5 }); // same size: only our check can see it
      await waitFor(() => env.services.fs.cache.peek({ desktopId: env.desktopId })?.byName.get('notes.txt')?.modified === 1_700_000_100.5, 'the poll to see the change', (6 * INTERVAL_S + 3) * 1000);
      await sleep(500); // give VS Code time to (wrongly) reload, if it were going to
      assert.equal(doc.getText(), 'mine AAAA\n', 'the edits are untouched');
      assert.equal(doc.isDirty, true);
      assert.equal(await doc.save(), false, 'the save is refused');
      assert.ok(conflicts.length >= 1, 'the provider refused the write as a conflict');
      await waitFor(() => shown.length > 0, 'the conflict notification');
      await sleep(300);
      assert.equal(shown.length, 1, `one notification: ${JSON.stringify(shown)}`);
      assert.match(shown[0].message, /'notes\.txt' changed on the Nen drive since you opened it\. Your edits are kept unsaved\./);
      assert.deepEqual(shown[0].buttons, ['Compare', 'Overwrite']);
      assert.equal(env.emu.readFile(env.desktopId, 'notes.txt')?.toString(), 'BBBB\n', 'the drive keeps the desktop’s version');
      assert.equal(doc.getText(), 'mine AAAA\n');
    } finally {
      sub.dispose();
      dismiss();
      (vscode.window as { showWarningMessage: unknown }).showWarningMessage = original;
    }
  });

  test('a file deleted on the drive under an open editor: the editor keeps its text', async () => {
    env.emu.putFile(env.desktopId, 'temp.txt', 'keep me\n');
    const doc = await vscode.workspace.openTextDocument(env.uri('temp.txt'));
    await vscode.window.showTextDocument(doc, { preview: false });
    env.emu.removeFile(env.desktopId, 'temp.txt');
    await waitFor(() => env.services.fs.cache.peek({ desktopId: env.desktopId }) && !env.services.fs.cache.peek({ desktopId: env.desktopId })?.byName.has('temp.txt'), 'the poll to see the deletion', (6 * INTERVAL_S + 3) * 1000);
    await sleep(500);
    assert.equal(doc.isClosed, false);
    assert.equal(doc.getText(), 'keep me\n');
  });

  test('nothing shown, watched or open: 0 requests', async () => {
    // An earlier suite (Accessibility, Tree) may have left the view shown: the Explorer takes the side bar.
    if (env.api.views.view.visible) await vscode.commands.executeCommand('workbench.view.explorer');
    await waitFor(() => !env.api.views.view.visible || undefined, 'the Nen Drive view to be hidden', 5000);
    env.emu.putFile(env.desktopId, 'idle.txt', 'x');
    await vscode.workspace.fs.readDirectory(env.uri()); // known, but nothing watches it
    env.emu.clearRequests();
    await sleep(4 * INTERVAL_S * 1000);
    assert.equal(env.emu.requests.length, 0, `requests: ${env.emu.requests.map((r) => r.url).join(', ')}`);
    assert.deepEqual(env.services.live.targets, []);
  });

  test('an idle watched drive is listed once per interval, slowing 1, 2, 4, 6 s, never two at once', async () => {
    const w = recordWatcher(vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(env.uri(), '*')));
    try {
      await waitFor(() => env.services.fs.cache.peek({ desktopId: env.desktopId }), 'the baseline listing', 5000);
      env.emu.clearRequests();
      const start = Date.now();
      await sleep(14_000);
      const times = listingTimes(env);
      const gaps = times.map((t, i) => t - (i === 0 ? start : times[i - 1]));
      // Expected polls ≈ +1, +2, +4, +6 s: 4 listings in 14 s (3 to 5 with timer slack).
      assert.ok(times.length >= 3 && times.length <= 5, `listings in 14 s: ${times.length} (gaps ${gaps.join(', ')})`);
      for (let i = 1; i < gaps.length; i++) assert.ok(gaps[i] >= gaps[i - 1] - 300, `the pace only slows: ${gaps.join(', ')}`);
      assert.ok(gaps.slice(1).every((g) => g >= 900), `never two listings within one interval: ${gaps.join(', ')}`);
      const perMinute = (times.length / 14) * 60;
      console.log(`    idle watched drive: ${times.length} listings in 14 s (gaps ${gaps.join(', ')} ms; ≈ ${perMinute.toFixed(0)}/min while slowing down)`);
    } finally {
      w.dispose();
    }
  });

  test('a failing listing backs off (Retry-After honoured, no client retries), then recovers and reports the change', async () => {
    const w = recordWatcher(vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(env.uri(), '*')));
    try {
      await waitFor(() => env.services.fs.cache.peek({ desktopId: env.desktopId }), 'the baseline listing', 5000);
      env.emu.injectFault({ type: 'status', status: 503, body: '{"error":"busy"}', retryAfter: 3 }, { method: 'GET', path: /\/files$/ }, 1000);
      env.emu.clearRequests();
      const start = Date.now();
      await sleep(11_000);
      const times = listingTimes(env);
      const gaps = times.slice(1).map((t, i) => t - times[i]);
      assert.ok(times.length >= 2, `the poll kept trying: ${times.length}`);
      assert.ok(times.length <= 4, `backed off: ${times.length} listings in 11 s (gaps ${gaps.join(', ')})`);
      assert.ok(gaps.every((g) => g >= 2900), `each retry waited at least Retry-After (3 s): ${gaps.join(', ')}`);
      assert.ok(env.emu.requests.every((r) => r.status === 503), 'only listings, all refused');

      env.emu.reset();
      const t = Date.now();
      env.emu.putFile(env.desktopId, 'after-outage.txt', 'ok');
      await w.next('create', env.uri('after-outage.txt'), t, 20_000);
      assert.ok(Date.now() - start < 35_000);
    } finally {
      w.dispose();
    }
  });

  test('a save by this window is not reported back as someone else’s change', async () => {
    env.emu.putFile(env.desktopId, 'mine.txt', 'v1');
    const w = recordWatcher(vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(env.uri(), '*')));
    try {
      await waitFor(() => env.services.fs.cache.peek({ desktopId: env.desktopId }), 'the baseline listing', 5000);
      await vscode.workspace.fs.readFile(env.uri('mine.txt'));
      await vscode.workspace.fs.writeFile(env.uri('mine.txt'), enc('version two'));
      const decorations = env.api.views.decorations;
      await sleep(3500); // polls confirm the upload (the server's mtime differs from ours)
      assert.equal(decorations?.marked.get(env.uri('mine.txt').toString()), undefined, 'no "changed by someone else" mark');
      // One change event: our own write. The confirming listing adds none.
      const changes = w.events.filter((e) => e.uri === env.uri('mine.txt').toString() && e.type === 'change');
      assert.equal(changes.length, 1, `change events: ${changes.length}`);
    } finally {
      w.dispose();
    }
  });

  test('files new or changed by someone else are marked (N / M, propagated); opening clears the mark', async () => {
    env.emu.putFile(env.desktopId, 'old.txt', 'old');
    const w = recordWatcher(vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(env.uri(), '*')));
    try {
      await waitFor(() => env.services.fs.cache.peek({ desktopId: env.desktopId }), 'the baseline listing', 5000);
      const decorations = env.api.views.decorations;
      assert.ok(decorations, 'the decoration provider is registered');
      const ours = () => [...decorations.marked.keys()].filter((k) => k.startsWith(env.uri().toString()));
      assert.deepEqual(ours(), [], 'the first listing marks nothing');
      const t = Date.now();
      env.emu.putFile(env.desktopId, 'screenshot-1.png', new Uint8Array([137, 80, 78, 71]));
      env.emu.putFile(env.desktopId, 'old.txt', 'old but longer');
      await w.next('create', env.uri('screenshot-1.png'), t, 8000);
      await w.next('change', env.uri('old.txt'), t, 8000);
      const png = decorations.provideFileDecoration(env.uri('screenshot-1.png'));
      const old = decorations.provideFileDecoration(env.uri('old.txt'));
      assert.equal(png?.badge, 'N');
      assert.equal(old?.badge, 'M');
      assert.equal(png?.propagate, true, 'the desktop and folders show they hold marked files');
      assert.match(String(png?.tooltip), /New on the drive/);
      assert.match(String(old?.tooltip), /Changed on the drive/);
      // The tree's rows carry their own tooltip, which replaces the decoration's: it says it too.
      const rows = await env.api.views.tree.getChildren((await env.api.views.tree.getChildren()).find((n) => n.kind === 'desktop' && n.desktopId === env.desktopId));
      const pngRow = rows.find((n) => n.kind === 'file' && n.entry.name === 'screenshot-1.png');
      assert.ok(pngRow, 'the new file has a row');
      const tip = env.api.views.tree.resolveTreeItem(new vscode.TreeItem('x'), pngRow).tooltip;
      const tipText = (tip instanceof vscode.MarkdownString ? tip.value : String(tip)).replace(/&nbsp;/g, ' ');
      assert.match(tipText, /New on the drive since you last looked/);
      await vscode.workspace.openTextDocument(env.uri('old.txt'));
      assert.equal(decorations.provideFileDecoration(env.uri('old.txt')), undefined, 'opening clears the mark');
      assert.equal(decorations.provideFileDecoration(env.uri('screenshot-1.png'))?.badge, 'N');
    } finally {
      w.dispose();
    }
  });

  test('the visible tree follows the drive by itself, repainting only the container that changed', async () => {
    env.emu.putFile(env.desktopId, 'before.txt', 'x');
    await inLiveView(env, async ({ views, desktop, fired }) => {
      fired.length = 0;

      env.emu.putFile(env.desktopId, 'appeared.txt', 'hello'); // the desktop writes, nobody clicks
      await waitFor(async () => (await views.tree.getChildren(desktop)).some((n) => n.kind === 'file' && n.entry.name === 'appeared.txt'), 'the new row', (2 * INTERVAL_S + 3) * 1000);
      await waitFor(() => fired.length > 0, 'a repaint');
      assert.ok(fired.every((n) => !Array.isArray(n) && n?.kind === 'desktop' && n.desktopId === env.desktopId), `only the desktop container repainted, never the whole tree: ${JSON.stringify(fired.map((n) => (Array.isArray(n) ? 'rows' : (n?.kind ?? 'ALL'))))}`);

      env.emu.removeFile(env.desktopId, 'before.txt');
      await waitFor(async () => !(await views.tree.getChildren(desktop)).some((n) => n.kind === 'file' && n.entry.name === 'before.txt'), 'the vanished row to go', (4 * INTERVAL_S + 3) * 1000);

      // Our own save repaints the container too, not the whole tree.
      fired.length = 0;
      await vscode.workspace.fs.writeFile(env.uri('own.txt'), enc('mine'));
      await waitFor(() => fired.length > 0, 'a repaint after our save');
      assert.ok(fired.every((n) => n !== undefined), 'a save never repaints the whole tree');

      // Collapsed: no longer live.
      await vscode.commands.executeCommand('workbench.actions.treeView.nenDrive.desktops.collapseAll');
      await waitFor(() => !env.services.live.targets.some((t) => t.desktopId === env.desktopId), 'the collapsed desktop to stop being polled', 5000);
    });
  });

  test('a file that only grows repaints its own row, in place: the folder is not built again', async () => {
    for (let i = 0; i < 600; i++) env.emu.putFile(env.desktopId, `item ${i}.txt`, 'x');
    env.emu.putFile(env.desktopId, 'agent.log', 'line 1\n');
    await inLiveView(env, async ({ views, desktop, fired }) => {
      const rows = (await views.tree.getChildren(desktop)) as EntryNode[];
      const log = rows.find((r) => r.entry?.name === 'agent.log');
      assert.ok(log, 'the log row is among the 500 shown');
      assert.equal(views.tree.getTreeItem(log).description?.toString().split(' · ')[0], '7 B');

      // The first change by someone else repaints the folder once: its row now reads "has new or changed files".
      fired.length = 0;
      env.emu.putFile(env.desktopId, 'agent.log', 'line 1\nline 2\n');
      await waitFor(() => fired.length > 0, 'a repaint', (2 * INTERVAL_S + 3) * 1000);
      assert.deepEqual(fired.map((n) => (Array.isArray(n) ? 'rows' : n?.kind)), ['desktop'], 'the first change repaints the folder, whose label changes');
      const again = (await views.tree.getChildren(desktop)) as EntryNode[];
      const log2 = again.find((r) => r.entry?.name === 'agent.log')!;
      assert.equal(log2.entry.size, 14);
      assert.match(views.tree.getTreeItem(desktop).accessibilityInformation?.label ?? '', /has new or changed files/);
      await sleep(500); // the mark's repaint, 100 ms after the change

      // Every later growth: that row alone, the same object, with its new size.
      for (const [text, size] of [['line 1\nline 2\nline 3\n', '21 B'], ['line 1\nline 2\nline 3\nline 4\n', '28 B']] as const) {
        fired.length = 0;
        env.emu.clearRequests();
        env.emu.putFile(env.desktopId, 'agent.log', text);
        await waitFor(() => fired.length > 0, 'a repaint', (2 * INTERVAL_S + 3) * 1000);
        await sleep(500); // the row's new size, then its new mark (100 ms later)
        const shown = fired.map((n) => (Array.isArray(n) ? n.map((r) => (r.kind === 'file' ? `${r.entry.name} ${r === log2}` : r.kind)).join() : (n?.kind ?? 'ALL')));
        assert.ok(fired.length <= 2 && fired.every((n) => Array.isArray(n) && n.length === 1 && n[0] === log2), `the log row alone, the object VS Code has: ${JSON.stringify(shown)}`);
        assert.equal(views.tree.getTreeItem(log2).description?.toString().split(' · ')[0], size, 'the row shows the new size');
        assert.match(views.tree.getTreeItem(log2).accessibilityInformation?.label ?? '', /changed by someone else/);
        const listed = countDriveRequests(env.emu, env.desktopId).listings;
        const now = (await views.tree.getChildren(desktop)) as EntryNode[];
        assert.equal(now.length, 501);
        const differs = now.slice(0, 500).findIndex((r, i) => r !== again[i]);
        assert.equal(differs, -1, `VS Code asking again gets the same 500 rows (and a "Show more" row), the log row updated: ${differs >= 0 ? `${now[differs].kind} ${now[differs].entry?.name}` : ''}`);
        assert.equal(countDriveRequests(env.emu, env.desktopId).listings, listed, 'from the listing the poll brought');
      }

      // A file that comes still repaints the folder (rows move).
      fired.length = 0;
      env.emu.putFile(env.desktopId, 'item 0a.txt', 'new');
      await waitFor(() => fired.length > 0, 'a repaint', (2 * INTERVAL_S + 3) * 1000);
      assert.ok(fired.every((n) => !Array.isArray(n) && n?.kind === 'desktop'), 'a new file repaints the folder');
      const withNew = (await views.tree.getChildren(desktop)) as EntryNode[];
      assert.ok(withNew.some((r) => r.entry.name === 'item 0a.txt'), 'the new file is shown');
    });
  });

  test('sorted by time, the log the desktop keeps writing repaints its own row; an older file written now moves up, and the folder is built again', async () => {
    const now = Math.floor(Date.now() / 1000);
    env.emu.putFile(env.desktopId, 'old.txt', 'x', { mtime: now - 3600 });
    env.emu.putFile(env.desktopId, 'agent.log', 'line 1\n', { mtime: now - 60 });
    await inLiveView(env, async ({ views, desktop, fired }) => {
      await views.tree.setSortOrder('modified');
      try {
        const order = async (): Promise<string[]> => ((await views.tree.getChildren(desktop)) as EntryNode[]).map((r) => r.entry.name);
        await waitFor(async () => (await order()).join() === 'agent.log,old.txt' || undefined, 'the newest first');
        // The first change by someone else repaints the folder once (its row starts saying so).
        fired.length = 0;
        env.emu.putFile(env.desktopId, 'agent.log', 'line 1\nline 2\n');
        await waitFor(() => fired.length > 0, 'a repaint', (2 * INTERVAL_S + 3) * 1000);
        await sleep(500);
        const log = ((await views.tree.getChildren(desktop)) as EntryNode[])[0];
        assert.equal(log.entry.name, 'agent.log');

        fired.length = 0;
        env.emu.putFile(env.desktopId, 'agent.log', 'line 1\nline 2\nline 3\n');
        await waitFor(() => fired.length > 0, 'a repaint', (2 * INTERVAL_S + 3) * 1000);
        await sleep(500);
        assert.ok(fired.every((n) => Array.isArray(n) && n.length === 1 && n[0] === log), `the log row alone: ${JSON.stringify(fired.map((n) => (Array.isArray(n) ? n.map((r) => r.kind) : (n?.kind ?? 'ALL'))))}`);
        assert.equal(views.tree.getTreeItem(log).description?.toString().split(' · ')[0], '21 B');

        // old.txt written now is the newest: it moves to the top, which takes the folder.
        fired.length = 0;
        env.emu.putFile(env.desktopId, 'old.txt', 'written again');
        await waitFor(() => fired.length > 0, 'a repaint', (2 * INTERVAL_S + 3) * 1000);
        assert.ok(fired.some((n) => !Array.isArray(n) && n?.kind === 'desktop'), 'the folder is built again');
        assert.deepEqual(await order(), ['old.txt', 'agent.log']);
      } finally {
        await views.tree.setSortOrder('name');
      }
    });
  });

  test('a mark that comes or goes repaints the marked row, and the desktop row only when its "has new or changed files" changes', async () => {
    env.emu.putFile(env.desktopId, 'old.txt', 'old');
    await inLiveView(env, async ({ views, desktop, fired }) => {
      const label = (n: DriveNode): string => views.tree.getTreeItem(n).accessibilityInformation?.label ?? '';
      env.emu.putFile(env.desktopId, 'fresh.txt', 'new');
      const row = (await waitFor(async () => ((await views.tree.getChildren(desktop)) as EntryNode[]).find((r) => r.entry?.name === 'fresh.txt'), 'the new row', (2 * INTERVAL_S + 3) * 1000))!;
      await waitFor(() => views.decorations.kindOf(row.uri) === 'new' || undefined, 'the new file marked');
      await sleep(500); // the folder's repaint for the new file, and the mark's 100 ms after
      assert.ok(!fired.includes(undefined), 'a new mark never repaints the whole tree');
      assert.match(label(desktop), /has new or changed files/);
      assert.match(label(row), /new on the drive/);

      // Opening the file clears its mark: its row, and the desktop row whose label changes.
      fired.length = 0;
      await vscode.workspace.openTextDocument(row.uri);
      await waitFor(() => fired.length > 0 || undefined, 'a repaint for the cleared mark', 5000);
      await sleep(300);
      assert.equal(fired.length, 1, `one repaint: ${JSON.stringify(fired.map((n) => (Array.isArray(n) ? n.map((r) => r.kind) : (n?.kind ?? 'ALL'))))}`);
      const repainted = fired[0];
      assert.ok(Array.isArray(repainted), 'rows, not the whole tree');
      assert.deepEqual(new Set(repainted), new Set<DriveNode>([row, desktop]), 'the file row VS Code holds, and the desktop row');
      assert.doesNotMatch(label(desktop), /has new or changed files/);
      assert.doesNotMatch(label(row), /new on the drive/);
    });
  });

  test('the ages on shown rows are told again as time passes: the rows whose text changed repaint, alone', async () => {
    const now = Math.floor(Date.now() / 1000);
    env.emu.putFile(env.desktopId, 'fresh.txt', 'x', { mtime: now - 20 });
    env.emu.putFile(env.desktopId, 'minutes.txt', 'x', { mtime: now - 125 });
    env.emu.putFile(env.desktopId, 'old.txt', 'x', { mtime: now - 3 * 86400 });
    const names = ['fresh.txt', 'minutes.txt', 'old.txt'];
    await inLiveView(env, async ({ views, desktop, fired }) => {
      const rows = (await views.tree.getChildren(desktop)) as EntryNode[];
      const byName = new Map(rows.map((r) => [r.entry.name, r]));
      const ages = (): string[] => names.map((n) => views.tree.getTreeItem(byName.get(n)!).description?.toString().split(' · ')[1] ?? '');
      assert.deepEqual(ages(), ['just now', '2m ago', '3d ago']);
      await sleep(300);
      fired.length = 0;
      const t = Date.now();
      // 45 s on, the fresh file is a minute old (65 s and the setup's); the others read as they did.
      assert.deepEqual(views.tree.reage(t + 45_000).map((r) => r.entry.name), ['fresh.txt']);
      assert.equal(fired.length, 1);
      assert.ok(Array.isArray(fired[0]) && fired[0].length === 1 && fired[0][0] === byName.get('fresh.txt'), 'that row alone, the object VS Code holds');
      assert.deepEqual(ages(), ['1m ago', '2m ago', '3d ago']);
      assert.match(views.tree.getTreeItem(byName.get('fresh.txt')!).accessibilityInformation?.label ?? '', /modified 1 minute ago/, 'the screen-reader label too');
      assert.deepEqual(views.tree.reage(t + 46_000).map((r) => r.entry.name), [], 'nothing changed since: nothing repaints');
      assert.equal(fired.length, 1);
      // An hour on: both recent files read "1h ago"; the three-day-old one is left alone.
      assert.deepEqual(views.tree.reage(t + 3_600_000).map((r) => r.entry.name).sort(), ['fresh.txt', 'minutes.txt']);
      assert.deepEqual(ages(), ['1h ago', '1h ago', '3d ago']);
      const again = (await views.tree.getChildren(desktop)) as EntryNode[];
      assert.ok(again.every((r) => byName.get(r.entry.name) === r), 'VS Code asking again gets the same rows');
      assert.ok(!fired.includes(undefined) && fired.every((n) => Array.isArray(n)), 'never the folder, never the whole tree');
    });
    assert.deepEqual(env.api.views!.tree.reage(Date.now() + 7_200_000), [], 'a hidden view repaints nothing');
  });

  test('liveRefreshSeconds 0 turns polling off', async () => {
    await vscode.workspace.getConfiguration('nenDrive').update('liveRefreshSeconds', 0, vscode.ConfigurationTarget.Global);
    await waitFor(() => env.services.clients.settings.liveRefreshSeconds === 0, 'the setting to apply');
    const w = recordWatcher(vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(env.uri(), '*')));
    try {
      await vscode.workspace.fs.readDirectory(env.uri());
      env.emu.clearRequests();
      env.emu.putFile(env.desktopId, 'unseen.txt', 'x');
      await sleep(3000);
      assert.equal(env.emu.requests.length, 0);
      assert.equal(w.events.length, 0);
    } finally {
      w.dispose();
    }
  });
});
