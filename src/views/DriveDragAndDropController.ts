import * as vscode from 'vscode';
import { Commands, SCHEME, VIEW_ID } from '../constants';
import { parseDriveUri } from '../drive/uri';
import { containerOf, folderOf, isDriveNode, type DriveNode, type EntryNode, type UploadItem } from './nodes';

/** The tree's own mime type: `application/vnd.code.tree.<view id lower-cased>`. */
export const TREE_MIME = `application/vnd.code.tree.${VIEW_ID.toLowerCase()}`;
const URI_LIST = 'text/uri-list';
/** A drop is a person at the keyboard: an existing name asks Overwrite / Keep Both / Skip. */
const DROP_OPTIONS = { conflict: 'ask' } as const;

/**
 * Drops onto a desktop or folder upload; drags out of the tree carry `text/uri-list` with the
 * drive URIs, so dropping a row into the editor area opens it. Every drop goes through the
 * upload command, the same path as Upload… (views never import commands: it is called by id).
 *
 * What arrives (observed in code-server 1.100.3):
 *  - an OS file: one item per file under its own mime type, `asFile()` with `name` and
 *    `data()` and, in the browser, no `uri` (desktop VS Code gives a `uri`: streamed instead);
 *  - an Explorer row or editor tab: `text/uri-list` with `file:` URIs;
 *  - a row of this tree: {@link TREE_MIME} with the dragged nodes (copied to the target drive).
 */
export class DriveDragAndDropController implements vscode.TreeDragAndDropController<DriveNode> {
  readonly dropMimeTypes = ['files', URI_LIST, TREE_MIME];
  readonly dragMimeTypes = [URI_LIST];

  handleDrag(source: readonly DriveNode[], dataTransfer: vscode.DataTransfer): void {
    const files = source.filter((n): n is EntryNode => n.kind === 'file' && n.entry.unreachableReason === undefined);
    if (files.length === 0) return;
    dataTransfer.set(TREE_MIME, new vscode.DataTransferItem(files));
    dataTransfer.set(URI_LIST, new vscode.DataTransferItem(files.map((n) => n.uri.toString()).join('\r\n')));
  }

  async handleDrop(target: DriveNode | undefined, dataTransfer: vscode.DataTransfer, _token?: vscode.CancellationToken): Promise<void> {
    // A drop on a file lands in its folder.
    const container = containerOf(target);
    const items = await dropItems(dataTransfer);
    if (items.length === 0) return;
    if (container) {
      // Dropping a drive file back where it already is would only make "name (1)" copies.
      const here = folderOf(container) ?? '';
      const moved = items.filter((i) => !(i instanceof vscode.Uri && i.scheme === SCHEME && i.authority === container.desktopId && (parseDriveUri(i).folder ?? '') === here));
      if (moved.length === 0) return;
      await vscode.commands.executeCommand(Commands.upload, container, moved, DROP_OPTIONS);
      return;
    }
    // Dropped on empty space: the command asks which desktop.
    await vscode.commands.executeCommand(Commands.upload, undefined, items, DROP_OPTIONS);
  }
}

/** The upload items of a drop, in the order: this tree's rows, dropped files, URI lists. */
export async function dropItems(dataTransfer: vscode.DataTransfer): Promise<UploadItem[]> {
  const own = dataTransfer.get(TREE_MIME)?.value;
  if (Array.isArray(own) && own.length > 0 && own.every(isDriveNode)) {
    return (own as DriveNode[]).filter((n): n is EntryNode => n.kind === 'file' && n.entry.unreachableReason === undefined).map((n) => n.uri);
  }
  const items: UploadItem[] = [];
  const seen = new Set<string>();
  // In a remote window (SSH, WSL, dev container) this extension runs on the remote machine
  // (extensionKind "workspace"), while a file dropped from the OS lives on the user's computer: its
  // `file:` uri would name a path on the remote, possibly another file. Its bytes (`data()`, carried
  // over VS Code's connection) are the only safe source there.
  const remote = vscode.env.remoteName !== undefined;
  dataTransfer.forEach((item) => {
    const file = item.asFile();
    if (!file) return;
    if (file.uri && !(remote && file.uri.scheme === 'file')) {
      if (seen.has(file.uri.toString())) return;
      seen.add(file.uri.toString());
      items.push(file.uri);
    } else {
      items.push({ name: file.name, data: () => file.data() });
    }
  });
  if (items.length > 0) return items;
  const list = dataTransfer.get(URI_LIST);
  if (!list) return [];
  const text = await list.asString();
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#') || seen.has(trimmed)) continue;
    seen.add(trimmed);
    try {
      const uri = vscode.Uri.parse(trimmed, true);
      if (uri.scheme === 'file' || uri.scheme === SCHEME || uri.scheme === 'vscode-remote') items.push(uri);
    } catch {
      // Not a URI (a browser drop of plain text): nothing to upload.
    }
  }
  return items;
}
