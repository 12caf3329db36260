/**
 * What a screen reader hears for the tree's real rows (TreeItem.accessibilityInformation), and
 * that the keyboard shortcuts of the Desktops view do not take a key VS Code already uses.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { Commands, EXTENSION_ID } from '../../src/constants';
import type { DesktopNode, DriveNode, EntryNode, MessageNode } from '../../src/views/nodes';
import { closeAllEditors, randomDesktopId, setupEmulator, waitFor, type EmulatorSetup } from './helpers';

const nowSeconds = (): number => Date.now() / 1000;

suite('Accessibility', () => {
  let env: EmulatorSetup | undefined;
  teardown(async () => {
    await env?.dispose();
    env = undefined;
  });

  const labelOf = (node: DriveNode): string | undefined => env!.api.views.tree.getTreeItem(node).accessibilityInformation?.label;

  test('rows read their name, size, age in words, state and the "new" mark', async () => {
    env = await setupEmulator();
    const { tree, decorations } = env.api.views;
    env.emu.putFile(env.desktopId, 'report.pdf', new Uint8Array(102_400), { mtime: nowSeconds() - 3 * 3600 - 60 });
    env.emu.putFile(env.desktopId, 'inner.txt', 'x', { path: 'photos', mtime: nowSeconds() - 2 * 86_400 });
    const desktop = (await tree.getChildren()).find((n): n is DesktopNode => n.kind === 'desktop' && n.desktopId === env!.desktopId)!;
    const item = tree.getTreeItem(desktop);
    assert.equal(item.accessibilityInformation?.role, 'treeitem');
    assert.equal(labelOf(desktop), `Desktop ${desktop.label}, ${env.desktopId}, running`);

    const rows = (await tree.getChildren(desktop)) as EntryNode[];
    const byName = new Map(rows.map((r) => [r.entry.name, r]));
    assert.equal(labelOf(byName.get('report.pdf')!), 'File report.pdf, 100 KB, modified 3 hours ago');
    assert.match(labelOf(byName.get('photos')!)!, /^Folder photos, modified /);

    // Someone else writes a file: once the drive is listed again the row is "new", its desktop holds new files.
    env.emu.putFile(env.desktopId, 'screenshot-1.png', new Uint8Array(4));
    await vscode.commands.executeCommand(Commands.refresh);
    await waitFor(async () => ((await tree.getChildren(desktop)) as EntryNode[]).some((r) => r.entry.name === 'screenshot-1.png') || undefined, 'the new file listed');
    await waitFor(() => decorations.kindOf(env!.uri('screenshot-1.png')), 'the new file marked');
    const fresh = ((await tree.getChildren(desktop)) as EntryNode[]).find((r) => r.entry.name === 'screenshot-1.png')!;
    assert.equal(labelOf(fresh), 'File screenshot-1.png, 4 B, modified just now, new on the drive');
    const desktopAgain = (await tree.getChildren()).find((n): n is DesktopNode => n.kind === 'desktop' && n.desktopId === env!.desktopId)!;
    assert.equal(labelOf(desktopAgain), `Desktop ${desktop.label}, ${env.desktopId}, running, has new or changed files`);
  });

  test('a desktop not found, an unreachable name and an error row say what is wrong', async () => {
    const missing = randomDesktopId();
    const real = randomDesktopId();
    env = await setupEmulator({ desktops: [real], configuredDesktops: [real, missing] });
    const { tree } = env.api.views;
    const roots = await tree.getChildren();
    const gone = roots.find((n): n is DesktopNode => n.kind === 'desktop' && n.desktopId === missing)!;
    assert.equal(labelOf(gone), `Desktop ${gone.label}, ${missing}, not found; it may have been deleted`);

    const files = [{ name: 'Notes...v2.txt', size: 3, modified: nowSeconds() }];
    env.emu.injectFault({ type: 'body', body: JSON.stringify({ files }) }, { method: 'GET', path: new RegExp(`^/desktops/${real}/files/?$`) }, 1);
    const desktop = roots.find((n): n is DesktopNode => n.kind === 'desktop' && n.desktopId === real)!;
    const [bad] = (await tree.getChildren(desktop)) as EntryNode[];
    assert.match(labelOf(bad)!, /^File Notes\.\.\.v2\.txt, not reachable through the Nen API: A name cannot contain "\.\."/);

    env.emu.injectFault({ type: 'status', status: 403, body: '{"error":"forbidden for this key"}' }, { method: 'GET', path: `/desktops/${real}/files` });
    await vscode.commands.executeCommand(Commands.refresh);
    const rows = await waitFor(async () => {
      const r = (await tree.getChildren(desktop)) as DriveNode[];
      return r.length === 1 && r[0].kind === 'message' ? (r as MessageNode[]) : undefined;
    }, 'the error row');
    assert.match(labelOf(rows![0])!, /^Error: .*403/);
  });

  test('a view key runs its row command on the selected row (Copy Name)', async () => {
    env = await setupEmulator();
    env.emu.putFile(env.desktopId, 'pick-me.txt', 'x');
    const { tree, view } = env.api.views;
    const desktop = (await tree.getChildren()).find((n): n is DesktopNode => n.kind === 'desktop' && n.desktopId === env!.desktopId)!;
    const row = ((await tree.getChildren(desktop)) as EntryNode[]).find((r) => r.entry.name === 'pick-me.txt')!;
    await view.reveal(row, { select: true, focus: true });
    await waitFor(() => view.selection[0] === row || undefined, 'the row selected');
    await vscode.env.clipboard.writeText('');
    await vscode.commands.executeCommand(Commands.onSelectedRows, { command: Commands.copyName });
    assert.equal(await vscode.env.clipboard.readText(), 'pick-me.txt');
  });

  test('the Desktops view\'s keys reach the context-menu actions and none is a VS Code default', async () => {
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON as { contributes: { keybindings: { command: string; args?: { command: string }; key: string; when?: string }[] } };
    const bound = new Map(manifest.contributes.keybindings.map((k) => [k.args?.command ?? k.command, k]));
    for (const command of [Commands.download, Commands.upload, Commands.copyName, Commands.refresh, Commands.renameDesktop]) {
      assert.match(bound.get(command)?.when ?? '', /focusedView == nenDrive\.desktops/, `${command} has a key in the view`);
    }
    await vscode.commands.executeCommand('workbench.action.openDefaultKeybindingsFile');
    const doc = await waitFor(() => vscode.window.activeTextEditor?.document, 'the default keybindings');
    await closeAllEditors();
    const defaults = [...doc!.getText().matchAll(/"key":\s*"([^"]+)",\s*"command":\s*"([^"]+)"/g)].filter((m) => !m[2].startsWith('nenDrive.')).map((m) => m[1]);
    assert.ok(defaults.includes('ctrl+p'), 'the check can see a default binding');
    // F2 and F5 are the usual rename and refresh keys; inside the view they mean exactly that.
    const clashes = manifest.contributes.keybindings.filter((b) => b.key !== 'f2' && b.key !== 'f5' && defaults.includes(b.key));
    assert.deepEqual(clashes.map((b) => `${b.key} (${b.command})`), [], 'keys VS Code already uses');
  });
});
