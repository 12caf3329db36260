import * as vscode from 'vscode';
import { parseDriveUri } from '../drive/uri';
import type { DriveTreeDataProvider } from './DriveTreeDataProvider';
import type { DesktopNode, DriveNode, EntryNode } from './nodes';

/**
 * The tree's own row for a `nendrive:` file or folder, found by walking from the desktop row
 * down through each folder's children (the objects VS Code was, or will be, given), so
 * `TreeView.reveal` can resolve it. Undefined when the desktop is not shown or a step is missing.
 */
export async function findRow(tree: DriveTreeDataProvider, uri: vscode.Uri): Promise<DesktopNode | EntryNode | undefined> {
  const { desktopId, folder, name } = parseDriveUri(uri);
  const roots = await tree.getChildren();
  const desktop = roots.find((n): n is DesktopNode => n.kind === 'desktop' && n.desktopId === desktopId && !n.notFound);
  if (!desktop || name === undefined) return desktop;
  let row: DesktopNode | EntryNode = desktop;
  for (const segment of [...(folder ? folder.split('/') : []), name]) {
    const children: DriveNode[] = await tree.getChildren(row);
    const next = children.find((c): c is EntryNode => (c.kind === 'file' || c.kind === 'folder') && c.entry.name === segment);
    if (!next) return undefined;
    row = next;
  }
  return row;
}

/**
 * Selects and focuses the row of `uri` in the Desktops view, expanding its folders. A listing
 * that changed between the walk and the reveal makes new row objects VS Code cannot resolve:
 * the walk runs once more then.
 */
export async function revealRow(tree: DriveTreeDataProvider, view: vscode.TreeView<DriveNode>, uri: vscode.Uri): Promise<DesktopNode | EntryNode | undefined> {
  for (let attempt = 0; ; attempt++) {
    const row = await findRow(tree, uri);
    if (!row) return undefined;
    try {
      await view.reveal(row, { select: true, focus: true, expand: false });
      return row;
    } catch (err) {
      if (attempt > 0) throw err;
    }
  }
}
