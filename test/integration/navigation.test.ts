import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Commands, EXTENSION_ID } from '../../src/constants';
import type { DriveFileItem } from '../../src/commands/drivePicker';
import type { DesktopNode, DriveNode, EntryNode, MessageNode } from '../../src/views/nodes';
import { revealRow } from '../../src/views/reveal';
import { closeAllEditors, countDriveRequests, randomDesktopId, setupEmulator, waitFor, type EmulatorSetup } from './helpers';

const nowSeconds = (): number => Date.now() / 1000;

async function desktopRows(env: EmulatorSetup): Promise<Map<string, DesktopNode>> {
  const roots = await env.api.views.tree.getChildren();
  return new Map(roots.filter((n): n is DesktopNode => n.kind === 'desktop').map((d) => [d.desktopId, d]));
}

/** Runs Go to File; resolves with the quick pick once shown, and the command's own promise. */
async function openGoToFile(): Promise<{ picker: vscode.QuickPick<DriveFileItem>; result: Thenable<unknown> }> {
  let picker: vscode.QuickPick<DriveFileItem> | undefined;
  const result = vscode.commands.executeCommand(Commands.goToFile, { onShow: (qp: vscode.QuickPick<DriveFileItem>) => (picker = qp) });
  await waitFor(() => picker, 'the Go to File quick pick to show');
  return { picker: picker!, result };
}

/** "label | description | detail" of every item, sorted: what the pick shows, line by line. */
function lines(picker: vscode.QuickPick<DriveFileItem>): string[] {
  return picker.items.map((i) => `${i.label} | ${i.description} | ${i.detail}`).sort();
}

suite('Go to File', () => {
  let env: EmulatorSetup | undefined;
  teardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    await closeAllEditors();
    await env?.dispose();
    env = undefined;
  });

  test('lists every file of every shown desktop, nested folders included, with folder, desktop, size and age; accepting one opens it', async () => {
    const [a, b] = [randomDesktopId(), randomDesktopId()];
    env = await setupEmulator({ desktops: [a, b] });
    // A listing cached a moment ago, before the desktops wrote their files: the pick must not answer from it.
    await env.services.fs.list(a);
    const now = nowSeconds();
    env.emu.putFile(a, 'readme.md', 'hello', { mtime: now - 150 });
    env.emu.putFile(a, 'guide.md', new Uint8Array(2048), { path: 'docs', mtime: now - 3 * 3600 - 5 });
    env.emu.putFile(a, 'notes.txt', 'deep notes\n', { path: 'docs/deep', mtime: now - 5 * 86400 - 5 });
    env.emu.putFile(b, 'readme.md', 'other', { mtime: now - 10 });
    env.emu.putFile(b, 'big.bin', new Uint8Array(102_400), { path: 'data', mtime: now - 150 });
    const rows = await desktopRows(env);
    const [la, lb] = [rows.get(a)!.label, rows.get(b)!.label];
    env.emu.clearRequests();

    const { picker, result } = await openGoToFile();
    await waitFor(() => !picker.busy, 'the listing to finish');
    assert.deepEqual(lines(picker), [
      `big.bin | ${lb} › data | 100 KB · 2m ago`,
      `guide.md | ${la} › docs | 2 KB · 3h ago`,
      `notes.txt | ${la} › docs/deep | 11 B · 5d ago`,
      `readme.md | ${la} | 5 B · 2m ago`,
      `readme.md | ${lb} | 5 B · just now`,
    ].sort());
    assert.equal(picker.placeholder, 'Type to filter 5 files on 2 desktops');
    // Each folder listed once: A's root, docs, docs/deep; B's root, data.
    assert.equal(countDriveRequests(env.emu, a).listings + countDriveRequests(env.emu, b).listings, 5);

    // Typed text filters in the workbench (on names and on "desktop › folder"): "deep" leaves notes.txt first.
    let active: readonly DriveFileItem[] = [];
    const sub = picker.onDidChangeActive((items) => (active = items));
    picker.value = 'deep';
    await waitFor(() => active[0]?.label === 'notes.txt', 'the workbench to make notes.txt the active item');
    sub.dispose();
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    const opened = (await result) as vscode.Uri;
    assert.equal(opened.toString(), env.uri('docs', 'deep', 'notes.txt').toString());
    const doc = await waitFor(() => (vscode.window.activeTextEditor?.document.uri.toString() === opened.toString() ? vscode.window.activeTextEditor.document : undefined), 'the picked file to open');
    assert.equal(doc!.getText(), 'deep notes\n');
  });

  test('files show while the drives are still being listed, and closing the pick stops the listing', async () => {
    env = await setupEmulator();
    let folder = '';
    for (let i = 1; i <= 6; i++) {
      folder = folder ? `${folder}/level${i}` : `level${i}`;
      env.emu.putFile(env.desktopId, `file${i}.txt`, 'x', { path: folder });
    }
    env.emu.putFile(env.desktopId, 'top.txt', 'x');
    env.emu.setLatency(400);
    env.emu.clearRequests();
    const { picker, result } = await openGoToFile();
    assert.equal(picker.busy, true, 'busy while listing');
    await waitFor(() => picker.items.some((i) => i.label === 'top.txt'), 'the root files to show', 10_000);
    assert.equal(picker.busy, true, 'the root files show before the nested folders are listed');
    picker.hide();
    assert.equal(await result, undefined, 'closing the pick opens nothing');
    const listedAtClose = countDriveRequests(env.emu, env.desktopId).listings;
    await new Promise((r) => setTimeout(r, 1500));
    assert.ok(countDriveRequests(env.emu, env.desktopId).listings <= listedAtClose + 1, 'at most the listing in flight finishes; no new folder is listed');
    assert.ok(listedAtClose < 7, `only part of the 7 folders was listed (${listedAtClose})`);
  });

  test('folders deeper than 8 levels are not listed, and the pick says so', async () => {
    env = await setupEmulator();
    let folder = '';
    for (let i = 1; i <= 10; i++) {
      folder = folder ? `${folder}/d${i}` : `d${i}`;
      env.emu.putFile(env.desktopId, `at${i}.txt`, 'x', { path: folder });
    }
    const { picker } = await openGoToFile();
    await waitFor(() => !picker.busy, 'the listing to finish');
    assert.deepEqual(picker.items.map((i) => i.label).sort(), ['at1.txt', 'at2.txt', 'at3.txt', 'at4.txt', 'at5.txt', 'at6.txt', 'at7.txt', 'at8.txt']);
    assert.equal(picker.placeholder, 'Type to filter 8 files on 1 desktop (folders deeper than 8 levels not listed)');
    assert.equal(countDriveRequests(env.emu, env.desktopId).listings, 9, 'the root and 8 levels, not the 9th and 10th');
  });

  test('Reveal in Nen Drive selects the active editor\'s row, its folders expanded', async () => {
    env = await setupEmulator();
    env.emu.putFile(env.desktopId, 'notes.txt', 'deep notes\n', { path: 'docs/deep' });
    env.emu.putFile(env.desktopId, 'other.txt', 'x');
    await vscode.window.showTextDocument(env.uri('docs', 'deep', 'notes.txt'));
    assert.equal(await vscode.commands.executeCommand(Commands.revealInTree), true);
    const view = env.api.views.view;
    const selected = await waitFor(() => view.selection[0], 'a selected row');
    assert.equal(selected.kind, 'file');
    assert.equal((selected as EntryNode).uri.toString(), env.uri('docs', 'deep', 'notes.txt').toString());
    assert.equal(view.visible, true, 'the view is shown');
  });

  test('Reveal in Nen Drive selects the row when the tree changed while the view was hidden', async () => {
    // The view shows one drive's rows, is hidden, then the tree changes (another drive):
    // VS Code defers that refresh and replays it as the reveal shows the view again.
    const first = await setupEmulator();
    const view = first.api.views.view;
    try {
      first.emu.putFile(first.desktopId, 'a.txt', 'a');
      await vscode.commands.executeCommand('nenDrive.desktops.focus');
      await waitFor(() => view.visible, 'the view to show', 10_000);
      const [desktop] = await first.api.views.tree.getChildren();
      assert.ok(await revealRow(first.api.views.tree, view, first.uri(), { expand: true }), 'the first drive revealed');
      await waitFor(async () => (await first.api.views.tree.getChildren(desktop)).some((n) => n.kind === 'file'), 'the first drive\'s rows');
      await vscode.commands.executeCommand('workbench.view.explorer');
      await waitFor(() => !view.visible, 'the view to hide', 10_000);
    } finally {
      await first.dispose();
    }
    env = await setupEmulator();
    env.emu.putFile(env.desktopId, 'notes.txt', 'deep notes\n', { path: 'docs/deep' });
    await vscode.commands.executeCommand(Commands.refresh);
    await vscode.window.showTextDocument(env.uri('docs', 'deep', 'notes.txt'));
    assert.equal(await vscode.commands.executeCommand(Commands.revealInTree), true);
    const selected = await waitFor(() => view.selection[0], 'a selected row');
    assert.equal((selected as EntryNode).uri.toString(), env.uri('docs', 'deep', 'notes.txt').toString());
    assert.equal(view.visible, true, 'the view is shown');
  });

  test('the Go to File keybinding is not one of VS Code\'s own', async () => {
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON as { contributes: { keybindings: { command: string; key: string; mac: string }[] } };
    const binding = manifest.contributes.keybindings.find((k) => k.command === Commands.goToFile);
    assert.ok(binding, 'Go to File has a keybinding');
    await vscode.commands.executeCommand('workbench.action.openDefaultKeybindingsFile');
    const doc = await waitFor(() => vscode.window.activeTextEditor?.document, 'the default keybindings');
    await closeAllEditors();
    // The file lists extensions' bindings too: VS Code's own are the others.
    const keys = [...doc!.getText().matchAll(/"key":\s*"([^"]+)",\s*"command":\s*"([^"]+)"/g)].filter((m) => !m[2].startsWith('nenDrive.')).map((m) => m[1]);
    assert.ok(keys.length > 500, `the default keybindings were read (${keys.length})`);
    assert.ok(keys.includes('ctrl+p'), 'the check can see a default binding');
    assert.ok(!keys.includes(binding.key), `${binding.key} is a VS Code default`);
  });
});

suite('Sort By', () => {
  let env: EmulatorSetup | undefined;
  teardown(async () => {
    await vscode.commands.executeCommand(Commands.sortByName);
    await env?.dispose();
    env = undefined;
  });

  test('name, size or modified, folders first always, remembered for the workspace, without a new listing', async () => {
    env = await setupEmulator();
    const now = nowSeconds();
    env.emu.putFile(env.desktopId, 'file10.txt', new Uint8Array(30_000), { mtime: now - 300 });
    env.emu.putFile(env.desktopId, 'file2.txt', new Uint8Array(5000), { mtime: now - 100 });
    env.emu.putFile(env.desktopId, 'big.bin', new Uint8Array(10), { mtime: now - 900 });
    env.emu.putFile(env.desktopId, 'inner.txt', 'x', { path: 'zeta' });
    env.emu.putFile(env.desktopId, 'inner.txt', 'x', { path: 'alpha' });
    const { tree } = env.api.views;
    const order = async (): Promise<string[]> => {
      const desktop = (await desktopRows(env!)).get(env!.desktopId)!;
      return ((await tree.getChildren(desktop)) as EntryNode[]).map((n) => `${n.kind}:${n.entry.name}`);
    };
    assert.deepEqual(await order(), ['folder:alpha', 'folder:zeta', 'file:big.bin', 'file:file2.txt', 'file:file10.txt']);
    const listings = countDriveRequests(env.emu, env.desktopId).listings;

    assert.equal(await vscode.commands.executeCommand(Commands.sortBySize), 'size');
    assert.deepEqual(await order(), ['folder:alpha', 'folder:zeta', 'file:file10.txt', 'file:file2.txt', 'file:big.bin'], 'largest first');
    assert.equal(env.services.context.workspaceState.get('nenDrive.sortOrder'), 'size');

    assert.equal(await vscode.commands.executeCommand(Commands.sortByModified), 'modified');
    const modified = await order();
    assert.deepEqual(modified.slice(2), ['file:file2.txt', 'file:file10.txt', 'file:big.bin'], 'newest first');
    assert.deepEqual(modified.slice(0, 2).sort(), ['folder:alpha', 'folder:zeta'], 'folders first');
    assert.equal(env.services.context.workspaceState.get('nenDrive.sortOrder'), 'modified');
    assert.equal(countDriveRequests(env.emu, env.desktopId).listings, listings, 'a new order re-sorts the listing it has');

    assert.equal(await vscode.commands.executeCommand(Commands.sortByName), 'name');
    assert.deepEqual(await order(), ['folder:alpha', 'folder:zeta', 'file:big.bin', 'file:file2.txt', 'file:file10.txt']);
    assert.equal(env.services.context.workspaceState.get('nenDrive.sortOrder'), 'name');
  });
});

suite('Long folders', () => {
  let env: EmulatorSetup | undefined;
  teardown(async () => {
    await env?.dispose();
    env = undefined;
  });

  /** A desktop of 1,200 files ("item 1.txt" … "item 1200.txt") and its row. */
  async function longDrive(): Promise<{ tree: EmulatorSetup['api']['views']['tree']; desktop: DesktopNode }> {
    env = await setupEmulator();
    for (let i = 1; i <= 1200; i++) env.emu.putFile(env.desktopId, `item ${i}.txt`, 'x');
    const desktop = (await desktopRows(env)).get(env.desktopId)!;
    return { tree: env.api.views.tree, desktop };
  }

  const names = (rows: DriveNode[]): string[] => rows.map((n) => (n.kind === 'file' ? n.entry.name : `${n.kind}:${n.kind === 'message' ? n.label : ''}`));

  test('a folder of 1,200 files shows its first 500 rows and a "Show more" row; each click doubles them, without a new listing', async () => {
    const { tree, desktop } = await longDrive();
    let rows = await tree.getChildren(desktop);
    assert.equal(rows.length, 501);
    assert.deepEqual(names(rows).slice(0, 3), ['item 1.txt', 'item 2.txt', 'item 3.txt'], 'natural order, as always');
    assert.equal(names(rows)[499], 'item 500.txt');
    const more = rows[500] as MessageNode;
    assert.equal(more.kind, 'message');
    const item = tree.getTreeItem(more);
    assert.equal(item.label, 'Show 500 more');
    assert.equal(item.description, '500 of 1,200 shown · Go to File… finds any');
    assert.equal((item.iconPath as vscode.ThemeIcon).id, 'ellipsis');
    assert.equal(item.command?.command, Commands.showMoreRows, 'a click shows more');
    const listings = countDriveRequests(env!.emu, env!.desktopId).listings;

    const changed: unknown[] = [];
    const sub = tree.onDidChangeTreeData((n) => changed.push(n));
    try {
      await vscode.commands.executeCommand(item.command!.command, ...(item.command!.arguments ?? []));
      assert.deepEqual(changed, [desktop], 'VS Code is told to ask for that folder again');
      rows = await tree.getChildren(desktop);
      assert.equal(rows.length, 1001);
      assert.equal(names(rows)[999], 'item 1000.txt');
      const second = tree.getTreeItem(rows[1000]);
      assert.equal(second.label, 'Show 200 more');
      assert.equal(second.description, '1,000 of 1,200 shown · Go to File… finds any');
      await vscode.commands.executeCommand(second.command!.command, ...(second.command!.arguments ?? []));
      rows = await tree.getChildren(desktop);
      assert.equal(rows.length, 1200, 'all of them, no "Show more" row');
      assert.ok(rows.every((n) => n.kind === 'file'));
    } finally {
      sub.dispose();
    }
    assert.equal(countDriveRequests(env!.emu, env!.desktopId).listings, listings, 'the rows come from the listing the tree has');
  });

  test('Reveal in Nen Drive reaches a file past the "Show more" row, and selects it', async () => {
    const { tree, desktop } = await longDrive();
    assert.equal((await tree.getChildren(desktop)).length, 501);
    const uri = env!.uri('item 1100.txt');
    await vscode.window.showTextDocument(uri);
    assert.equal(await vscode.commands.executeCommand(Commands.revealInTree), true);
    const view = env!.api.views.view;
    const selected = await waitFor(() => view.selection[0], 'a selected row');
    assert.equal((selected as EntryNode).uri.toString(), uri.toString());
    const rows = await tree.getChildren(desktop);
    assert.ok(rows.length >= 1100, `${rows.length} rows shown`);
    assert.ok(rows.some((n) => n === selected), 'the selected row is one VS Code was given');
  });
});

/** The active diff's two sides and the text each shows. */
async function activeDiff(): Promise<{ left: vscode.Uri; right: vscode.Uri; leftText: string; rightText: string; title: string }> {
  const tab = await waitFor(() => {
    const t = vscode.window.tabGroups.activeTabGroup.activeTab;
    return t?.input instanceof vscode.TabInputTextDiff ? t : undefined;
  }, 'a diff editor to open');
  const input = tab!.input as vscode.TabInputTextDiff;
  const textOf = async (uri: vscode.Uri): Promise<string> => {
    const doc = await waitFor(() => vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString()), `the text of ${uri.toString(true)}`);
    return doc!.getText();
  };
  return { left: input.original, right: input.modified, leftText: await textOf(input.original), rightText: await textOf(input.modified), title: tab!.label };
}

suite('Compare', () => {
  let env: EmulatorSetup | undefined;
  let scratch: string | undefined;
  teardown(async () => {
    await closeAllEditors();
    await env?.dispose();
    env = undefined;
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
    scratch = undefined;
  });

  function localFile(name: string, text: string): vscode.Uri {
    scratch ??= fs.mkdtempSync(path.join(os.tmpdir(), 'nen-compare-'));
    const file = path.join(scratch, name);
    fs.writeFileSync(file, text);
    return vscode.Uri.file(file);
  }

  const DRIVE_TEXT = 'line one\r\nzweite Zeile: größer\r\nthird ✓\r\n';
  const LOCAL_TEXT = 'line one\nsecond line, local\nthird ✓\n';

  test('Compare with Local File: the local file on the left, the editable drive file on the right, each with its exact text', async () => {
    env = await setupEmulator();
    env.emu.putFile(env.desktopId, 'report.txt', DRIVE_TEXT, { path: 'docs' });
    const local = localFile('report.txt', LOCAL_TEXT);
    const desktop = (await desktopRows(env)).get(env.desktopId)!;
    const docs = ((await env.api.views.tree.getChildren(desktop)) as EntryNode[]).find((n) => n.entry.name === 'docs')!;
    const row = ((await env.api.views.tree.getChildren(docs)) as EntryNode[]).find((n) => n.entry.name === 'report.txt')!;
    await vscode.commands.executeCommand(Commands.compareWithLocal, row, [row], local);
    const diff = await activeDiff();
    assert.equal(diff.left.toString(), local.toString());
    assert.equal(diff.right.toString(), env.uri('docs', 'report.txt').toString(), 'the drive side is the nendrive: file itself');
    assert.equal(diff.leftText, LOCAL_TEXT);
    assert.equal(diff.rightText, DRIVE_TEXT);
    assert.equal((await vscode.workspace.fs.stat(diff.right)).permissions, undefined, 'the drive file stays editable');
    assert.equal(diff.title, `report.txt (local) ↔ report.txt (${env.desktopId})`);
  });

  test('Compare with Nen Drive File: the drive file read-only on the left (as the server has it now), the local file on the right', async () => {
    env = await setupEmulator();
    env.emu.putFile(env.desktopId, 'report.txt', 'old text');
    const local = localFile('mine.txt', LOCAL_TEXT);
    // Listed (and so cached) before the desktop rewrites it: the compare must show the new bytes.
    await env.services.fs.list(env.desktopId);
    env.emu.putFile(env.desktopId, 'report.txt', DRIVE_TEXT);
    await vscode.commands.executeCommand(Commands.compareWithDriveFile, local, [local], env.uri('report.txt'));
    const diff = await activeDiff();
    assert.equal(diff.left.path, env.uri('report.txt').path);
    assert.equal(diff.leftText, DRIVE_TEXT);
    assert.equal(diff.rightText, LOCAL_TEXT);
    assert.equal(diff.right.toString(), local.toString());
    assert.equal((await vscode.workspace.fs.stat(diff.left)).permissions, vscode.FilePermission.Readonly, 'the drive side is read-only');
    await assert.rejects(Promise.resolve(vscode.workspace.fs.writeFile(diff.left, new TextEncoder().encode('x'))), 'a write to the drive side is refused');
    assert.equal(env.emu.readFile(env.desktopId, 'report.txt')?.toString(), DRIVE_TEXT);
  });

  test('Compare with Another Desktop: the same path on the other desktop that has it (read-only, left) against this file (right)', async () => {
    const [a, b, c] = [randomDesktopId(), randomDesktopId(), randomDesktopId()];
    env = await setupEmulator({ desktops: [a, b, c] });
    env.emu.putFile(a, 'app.conf', 'port = 80\n', { path: 'etc' });
    env.emu.putFile(b, 'app.conf', 'port = 8080\n', { path: 'etc' });
    env.emu.putFile(c, 'other.conf', 'x', { path: 'etc' });
    const result = (await vscode.commands.executeCommand(Commands.compareAcrossDesktops, env.uri('etc', 'app.conf'))) as { left: vscode.Uri; right: vscode.Uri };
    assert.equal(result.left.authority, b, 'the one other desktop that has etc/app.conf');
    const diff = await activeDiff();
    assert.equal(diff.left.authority, b);
    assert.equal(diff.left.path, '/etc/app.conf');
    assert.equal(diff.right.toString(), env.uri('etc', 'app.conf').toString());
    assert.equal(diff.leftText, 'port = 8080\n');
    assert.equal(diff.rightText, 'port = 80\n');
    assert.equal((await vscode.workspace.fs.stat(diff.left)).permissions, vscode.FilePermission.Readonly);
    assert.equal(diff.title, `app.conf (${b}) ↔ app.conf (${a})`);

    await closeAllEditors();
    assert.equal(await vscode.commands.executeCommand(Commands.compareAcrossDesktops, vscode.Uri.from({ scheme: 'nendrive', authority: c, path: '/etc/other.conf' })), undefined, 'no other desktop has it: nothing opens');
    assert.equal(vscode.window.tabGroups.activeTabGroup.activeTab, undefined);
  });
});
