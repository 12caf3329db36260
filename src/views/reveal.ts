import * as vscode from 'vscode';
import { VIEW_ID } from '../constants';
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
    const named = (children: DriveNode[]) => children.find((c): c is EntryNode => (c.kind === 'file' || c.kind === 'folder') && c.entry.name === segment);
    let next = named(await tree.getChildren(row));
    // Past the folder's "Show more" row: shown now, so VS Code is given it.
    if (!next && (await tree.showRowNamed(row, segment))) next = named(await tree.getChildren(row));
    if (!next) return undefined;
    row = next;
  }
  return row;
}

/** Reveal attempts before giving up: the first may meet a refresh VS Code queued while the view was hidden. */
const REVEAL_ATTEMPTS = 3;
/** How long to wait for a hidden view to show before revealing anyway (a bound, not a delay). */
const SHOW_VIEW_MS = 5000;

/**
 * Selects and focuses the row of `uri` in the Desktops view, expanding its folders (and the row
 * itself with `expand`).
 *
 * VS Code defers a refresh fired while the view is hidden and replays it when the view shows;
 * a `TreeView.reveal` that itself shows the view is looked up in the workbench's stale rows and
 * quietly selects nothing (or fails with "node not found" while the replay runs). So the view is
 * shown first, and a reveal counts only once the row is really selected; otherwise the walk runs
 * again (also covering a listing that changed between the walk and the reveal).
 */
export async function revealRow(
  tree: DriveTreeDataProvider,
  view: vscode.TreeView<DriveNode>,
  uri: vscode.Uri,
  { expand = false }: { expand?: boolean } = {},
): Promise<DesktopNode | EntryNode | undefined> {
  await showView(view);
  for (let attempt = 1; ; attempt++) {
    const row = await findRow(tree, uri);
    if (!row) return undefined;
    try {
      await view.reveal(row, { select: true, focus: true, expand });
    } catch (err) {
      if (attempt >= REVEAL_ATTEMPTS) throw err;
      continue;
    }
    // VS Code reports the new selection before the reveal settles.
    if (isSelected(view, row)) return row;
    if (attempt >= REVEAL_ATTEMPTS) throw new Error(vscode.l10n.t('VS Code did not select the row (the view was changing); try again.'));
  }
}

function isSelected(view: vscode.TreeView<DriveNode>, row: DesktopNode | EntryNode): boolean {
  const uri = row.uri.toString();
  return view.selection.some((n) => n.kind !== 'message' && n.uri.toString() === uri);
}

/** Shows the Desktops view and waits until VS Code says it is visible (so a deferred refresh has started). */
async function showView(view: vscode.TreeView<DriveNode>): Promise<void> {
  if (view.visible) return;
  let sub: vscode.Disposable | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const shown = new Promise<void>((resolve) => {
    sub = view.onDidChangeVisibility((e) => e.visible && resolve());
    timer = setTimeout(resolve, SHOW_VIEW_MS);
  });
  try {
    await vscode.commands.executeCommand(`${VIEW_ID}.focus`);
    if (!view.visible) await shown;
  } finally {
    sub?.dispose();
    clearTimeout(timer);
  }
}
