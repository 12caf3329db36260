import * as vscode from 'vscode';
import { displayName } from '../api/display';
import { SCHEME } from '../constants';
import { parseDriveUri, driveUri } from '../drive/uri';
import type { Services } from '../services';
import type { DriveTreeDataProvider } from '../views/DriveTreeDataProvider';
import { containerOf, desktopIdOf, folderOf, isDriveNode, type DesktopNode, type DriveNode, type UploadItem } from '../views/nodes';
import { formatCount } from '../api/format';

/** A place on a drive: a desktop's root or a folder in it. */
export interface DriveFolderRef {
  desktopId: string;
  folder: string | undefined;
  /** For messages: the desktop's name when known. */
  label: string;
}

/** "Work PC" or "Work PC/reports/2024", for messages. */
export function placeName(target: DriveFolderRef): string {
  return target.folder ? `${target.label}/${target.folder}` : target.label;
}

/** One drive file. */
export interface DriveFileRef {
  desktopId: string;
  folder: string | undefined;
  name: string;
  uri: vscode.Uri;
  /** Known from the tree's listing; else looked up when needed. */
  size?: number;
}

/** The last segment of a URI's path (a file's name); '' for a root. */
export function baseName(uri: vscode.Uri): string {
  const segments = uri.path.split('/').filter(Boolean);
  return segments[segments.length - 1] ?? '';
}

/**
 * "One command, three entry points": VS Code calls a context-menu command with
 * `(clicked, selectedNodes)`; a script calls it with its own arguments. The clicked row joins
 * the selection only when it is part of it (right-clicking outside a selection acts on the row).
 */
export function selectedNodes(first: unknown, second: unknown): DriveNode[] | undefined {
  if (!isDriveNode(first)) return undefined;
  if (Array.isArray(second) && second.length > 0 && second.every(isDriveNode) && second.includes(first)) return second as DriveNode[];
  return [first];
}

export function isNodeArray(value: unknown): value is DriveNode[] {
  return Array.isArray(value) && value.length > 0 && value.every(isDriveNode);
}

/** What a call names: `(row, selection)`, a URI or a list; undefined when it names nothing (the palette). */
export function namedItems(first: unknown, second: unknown): readonly unknown[] | undefined {
  return selectedNodes(first, second) ?? (first instanceof vscode.Uri ? [first] : Array.isArray(first) ? first : undefined);
}

/** A script's upload items: `file:` and `nendrive:` URIs, or dropped files with a name and `data()`. */
export function toUploadItems(value: unknown): UploadItem[] | undefined {
  if (value === undefined || value === null) return undefined;
  const list = Array.isArray(value) ? value : [value];
  return list.filter(
    (v): v is UploadItem =>
      v instanceof vscode.Uri || (!!v && typeof v === 'object' && typeof (v as { name?: unknown }).name === 'string' && typeof (v as { data?: unknown }).data === 'function'),
  );
}

/** A desktop/folder node (a file's or message's parent folder) or a nendrive: URI → a folder ref. */
export function toFolderRef(target: unknown): DriveFolderRef | undefined {
  if (isDriveNode(target)) {
    const node = containerOf(target);
    if (!node) return undefined;
    return { desktopId: node.desktopId, folder: folderOf(node), label: node.kind === 'desktop' ? node.label : node.desktopId };
  }
  if (target instanceof vscode.Uri && target.scheme === SCHEME) {
    const { desktopId, folder, name } = parseDriveUri(target);
    const path = [folder, name].filter((s): s is string => !!s).join('/');
    return { desktopId, folder: path || undefined, label: desktopId };
  }
  if (typeof target === 'string' && target) return { desktopId: target, folder: undefined, label: target };
  return undefined;
}

/** File nodes and nendrive: file URIs → file refs (folders, rows the API cannot reach and other rows are left out). */
export function toFileRefs(items: readonly unknown[]): DriveFileRef[] {
  const refs: DriveFileRef[] = [];
  for (const item of items) {
    if (isDriveNode(item)) {
      if (item.kind === 'file' && item.entry.unreachableReason === undefined) refs.push({ desktopId: item.desktopId, folder: item.folder, name: item.entry.name, uri: item.uri, size: item.entry.size });
    } else if (item instanceof vscode.Uri && item.scheme === SCHEME) {
      const { desktopId, folder, name } = parseDriveUri(item);
      if (name !== undefined) refs.push({ desktopId, folder, name, uri: item });
    }
  }
  return refs;
}

/** The desktop ids named by nodes, URIs or strings. */
export function toDesktopIds(items: readonly unknown[]): string[] {
  const ids: string[] = [];
  for (const item of items) {
    if (isDriveNode(item)) {
      const id = desktopIdOf(item);
      if (id) ids.push(id);
    }
    else if (item instanceof vscode.Uri && item.scheme === SCHEME) ids.push(item.authority);
    else if (typeof item === 'string' && item.trim()) ids.push(item.trim());
  }
  return [...new Set(ids)];
}

/** The folder a call names (see {@link toFolderRef}); from the palette, a picked desktop's root. */
export async function folderOrPick(tree: DriveTreeDataProvider, target: unknown, placeHolder: string): Promise<DriveFolderRef | undefined> {
  const named = toFolderRef(target);
  if (named) return named;
  const desktop = await pickDesktop(tree, placeHolder);
  return desktop && { desktopId: desktop.desktopId, folder: undefined, label: desktop.label };
}

/** Quick pick of the tree's desktops (for the palette entry point). */
export async function pickDesktop(tree: DriveTreeDataProvider, placeHolder: string): Promise<DesktopNode | undefined> {
  const roots = await tree.getChildren();
  const desktops = roots.filter((n): n is DesktopNode => n.kind === 'desktop' && !n.notFound);
  if (desktops.length === 0) {
    void vscode.window.showWarningMessage(vscode.l10n.t({ message: 'Nen Drive has no desktops to use. Add one with "Nen Drive: Add Desktop".', comment: ['"Nen Drive: Add Desktop" is the command as the Command Palette shows it'] }));
    return undefined;
  }
  if (desktops.length === 1) return desktops[0];
  const picked = await vscode.window.showQuickPick(
    desktops.map((d) => ({ label: d.label, description: d.description, desktop: d })),
    { placeHolder, ignoreFocusOut: true },
  );
  return picked?.desktop;
}

/** Quick pick of files at a desktop's root (palette entry point of open/download/copy…). */
export async function pickFiles(services: Services, tree: DriveTreeDataProvider, placeHolder: string, canPickMany: boolean): Promise<DriveFileRef[]> {
  const desktop = await pickDesktop(tree, vscode.l10n.t('Pick a desktop'));
  if (!desktop) return [];
  const entries = await services.fs.list(desktop.desktopId, undefined);
  const items = entries
    .filter((e) => !e.isDir && e.unreachableReason === undefined)
    .map((e) => ({ label: displayName(e.name), description: vscode.l10n.t('{0} bytes', formatCount(e.size)), ref: { desktopId: desktop.desktopId, folder: undefined, name: e.name, uri: driveUri(desktop.desktopId, e.name), size: e.size } }));
  if (items.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('The drive of {0} has no files.', displayName(desktop.label)));
    return [];
  }
  if (canPickMany) {
    const picked = await vscode.window.showQuickPick(items, { placeHolder, canPickMany: true, ignoreFocusOut: true });
    return (picked ?? []).map((p) => p.ref);
  }
  const picked = await vscode.window.showQuickPick(items, { placeHolder, ignoreFocusOut: true });
  return picked ? [picked.ref] : [];
}
