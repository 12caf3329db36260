/**
 * Nen Drive declares `extensionKind: ["workspace"]` (README "Remote windows"): in a remote window it
 * runs in the remote extension host, beside the workspace's files. code-server is such a host
 * (the browser is the UI, the server runs the extensions); these tests check the choice there.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EXTENSION_ID } from '../../src/constants';
import type { DesktopNode } from '../../src/views/nodes';
import { setupEmulator, type EmulatorSetup } from './helpers';

/** An OS file dropped in a desktop VS Code remote window: bytes, and a `file:` uri naming a path on the user's computer. */
class LocalOsFileItem extends vscode.DataTransferItem {
  constructor(
    private readonly fileName: string,
    private readonly localPath: string,
    private readonly bytes: Uint8Array,
  ) {
    super('');
  }
  override asFile(): vscode.DataTransferFile {
    return { name: this.fileName, uri: vscode.Uri.file(this.localPath), data: async () => this.bytes };
  }
}

suite('Remote windows: extensionKind workspace', () => {
  let env: EmulatorSetup | undefined;
  let dir: string | undefined;
  teardown(async () => {
    await env?.dispose();
    env = undefined;
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the extension runs in the remote (workspace) extension host of code-server', () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    assert.deepEqual((ext.packageJSON as { extensionKind?: unknown }).extensionKind, ['workspace']);
    assert.equal(ext.extensionKind, vscode.ExtensionKind.Workspace);
    assert.notEqual(vscode.env.remoteName, undefined, 'code-server should be a remote window');
  });

  test('a dropped OS file whose file: uri names another file on the remote is uploaded from its own bytes', async () => {
    env = await setupEmulator();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nen-remote-drop-'));
    // The same path exists on the remote with other content: reading the uri would upload the wrong file.
    const samePath = path.join(dir, 'report.txt');
    fs.writeFileSync(samePath, 'the remote machine has another report.txt\n');
    const fromUsersComputer = new TextEncoder().encode('the file on the user\'s own computer\n');
    const dt = new vscode.DataTransfer();
    dt.set('text/plain', new LocalOsFileItem('report.txt', samePath, fromUsersComputer));
    const roots = await env.api.views.tree.getChildren();
    const row = roots.find((n): n is DesktopNode => n.kind === 'desktop' && n.desktopId === env!.desktopId);
    assert.ok(row);
    await env.api.views.dragAndDrop.handleDrop(row, dt, new vscode.CancellationTokenSource().token);
    assert.deepEqual(env.emu.readFile(env.desktopId, 'report.txt'), Buffer.from(fromUsersComputer));
  });
});
