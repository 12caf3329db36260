import * as assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { VIEW_ID } from '../../src/constants';
import type { ViewsApi } from '../../src/views';
import type { DesktopNode, DriveNode, EntryNode } from '../../src/views/nodes';
import { randomDesktopId, requestsOf, setupEmulator, type EmulatorSetup } from './helpers';

const TREE_MIME = `application/vnd.code.tree.${VIEW_ID.toLowerCase()}`;
const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** What a browser drop of an OS file delivers: a name and bytes, no uri. */
class BrowserFileItem extends vscode.DataTransferItem {
  constructor(
    private readonly fileName: string,
    private readonly bytes: Uint8Array,
  ) {
    super('');
  }
  override asFile(): vscode.DataTransferFile {
    return { name: this.fileName, uri: undefined, data: async () => this.bytes };
  }
}

function viewsOf(env: EmulatorSetup): ViewsApi {
  return env.api.views;
}

async function desktopRow(env: EmulatorSetup, id: string): Promise<DesktopNode> {
  const roots = await viewsOf(env).tree.getChildren();
  const row = roots.find((n): n is DesktopNode => n.kind === 'desktop' && n.desktopId === id);
  assert.ok(row, `no row for ${id}`);
  return row;
}

const token = new vscode.CancellationTokenSource().token;

suite('Drag and drop', () => {
  let env: EmulatorSetup | undefined;
  let local: string | undefined;
  teardown(async () => {
    await env?.dispose();
    env = undefined;
    if (local) fs.rmSync(local, { recursive: true, force: true });
    local = undefined;
  });

  test('a drive file dropped on another desktop is copied byte for byte', async () => {
    const [a, b] = [randomDesktopId(), randomDesktopId()];
    env = await setupEmulator({ desktops: [a, b] });
    const data = randomBytes(300 * 1024);
    env.emu.putFile(a, 'photo.png', data);
    const { tree, dragAndDrop } = viewsOf(env);
    const files = (await tree.getChildren(await desktopRow(env, a))) as EntryNode[];
    const dragged = new vscode.DataTransfer();
    await dragAndDrop.handleDrag(files, dragged);
    assert.equal(await dragged.get('text/uri-list')?.asString(), env.uri('photo.png').toString(), 'dragging carries the drive URI (the editor opens it)');

    await dragAndDrop.handleDrop(await desktopRow(env, b), dragged);
    assert.equal(sha256(env.emu.readFile(b, 'photo.png')!), sha256(data));
    assert.equal(sha256(env.emu.readFile(a, 'photo.png')!), sha256(data), 'the source stays');
    const post = requestsOf(env.emu, 'POST', `/desktops/${b}/files/photo.png`)[0];
    assert.equal(post.headers['content-type'], 'image/png');
  });

  test('dropping a drive file where it already is does nothing', async () => {
    env = await setupEmulator();
    env.emu.putFile(env.desktopId, 'same.txt', 'same');
    const { tree, dragAndDrop } = viewsOf(env);
    const desktop = await desktopRow(env, env.desktopId);
    const files = (await tree.getChildren(desktop)) as EntryNode[];
    const dt = new vscode.DataTransfer();
    dt.set(TREE_MIME, new vscode.DataTransferItem(files));
    env.emu.clearRequests();
    await dragAndDrop.handleDrop(files[0] as DriveNode, dt);
    assert.equal(requestsOf(env.emu, 'POST').length, 0);
  });

  test('an OS file dropped in the browser (bytes only, no uri) is uploaded', async () => {
    env = await setupEmulator();
    const bytes = new TextEncoder().encode('dropped from the desktop\n');
    const dt = new vscode.DataTransfer();
    dt.set('text/plain', new BrowserFileItem('dropped.txt', bytes));
    await viewsOf(env).dragAndDrop.handleDrop(await desktopRow(env, env.desktopId), dt, token);
    assert.deepEqual(env.emu.readFile(env.desktopId, 'dropped.txt'), Buffer.from(bytes));
  });

  test('an Explorer file (text/uri-list with a file: URI) dropped on a folder is uploaded there', async () => {
    env = await setupEmulator();
    env.emu.putFile(env.desktopId, 'keep.txt', 'x', { path: 'inbox' });
    local = fs.mkdtempSync(path.join(os.tmpdir(), 'nen-drive-dnd-'));
    const file = path.join(local, 'from explorer.md');
    const data = randomBytes(70_000);
    fs.writeFileSync(file, data);
    const { tree, dragAndDrop } = viewsOf(env);
    const folder = ((await tree.getChildren(await desktopRow(env, env.desktopId))) as EntryNode[]).find((n) => n.kind === 'folder');
    assert.ok(folder);
    const dt = new vscode.DataTransfer();
    dt.set('text/uri-list', new vscode.DataTransferItem(vscode.Uri.file(file).toString()));
    await dragAndDrop.handleDrop(folder, dt, token);
    assert.equal(sha256(env.emu.readFile(env.desktopId, 'from explorer.md', { path: 'inbox' })!), sha256(data));
  });
});
