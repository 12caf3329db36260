import type * as vscode from 'vscode';
import type { DriveEntry } from '../api/types';

/**
 * The tree's elements. Plain objects with a `kind`, so commands can accept them from a
 * context menu, a multi-selection or a test without importing the provider.
 */
export type DriveNode = DesktopNode | EntryNode | MessageNode;

export interface DesktopNode {
  readonly kind: 'desktop';
  readonly desktopId: string;
  /** `nendrive://<id>/`, the drive's root. */
  readonly uri: vscode.Uri;
  readonly label: string;
  readonly description: string;
  readonly status?: string;
  /** GET /desktops/<id> answered 404: shown as a "not found" row with Remove and Retry. */
  readonly notFound: boolean;
  /** The desktop comes from the `nenDrive.desktops` setting (so Remove applies). */
  readonly configured: boolean;
}

export interface EntryNode {
  readonly kind: 'file' | 'folder';
  readonly desktopId: string;
  /** The parent folder path (`a/b`), undefined at the drive's root. */
  readonly folder: string | undefined;
  readonly entry: DriveEntry;
  /** `nendrive://<id>/<folder>/<name>` */
  readonly uri: vscode.Uri;
  /** "100 KB · 2m ago", its age told when the listing arrived or last told again (see DriveTreeDataProvider.reage). */
  readonly description: string;
  /** When the description's age is told (the screen-reader label tells it at the same time); now when absent. */
  readonly ageAtMs?: number;
  readonly parent: DesktopNode | EntryNode;
}

export interface MessageNode {
  readonly kind: 'message';
  readonly parent?: DesktopNode | EntryNode;
  readonly label: string;
  readonly detail?: string;
  /** What clicking the row does. */
  readonly action?: 'retry' | 'setApiKey' | 'upload' | 'more';
  readonly isError: boolean;
}

/** A drop or upload target: a desktop's root or a folder. */
export type ContainerNode = DesktopNode | (EntryNode & { kind: 'folder' });

export function isDriveNode(value: unknown): value is DriveNode {
  if (!value || typeof value !== 'object') return false;
  const kind = (value as { kind?: unknown }).kind;
  return kind === 'desktop' || kind === 'file' || kind === 'folder' || kind === 'message';
}

/** The desktop or folder a row stands in: a file's or message's container is its parent's. */
export function containerOf(node: DriveNode | undefined): ContainerNode | undefined {
  // A folder the API cannot reach holds nothing we can write to: its parent stands in.
  while (node && !(node.kind === 'desktop' || (node.kind === 'folder' && node.entry.unreachableReason === undefined))) node = node.parent;
  return node as ContainerNode | undefined;
}

/** The folder path a container node stands for (`undefined` = the drive's root). */
export function folderOf(node: DesktopNode | EntryNode): string | undefined {
  if (node.kind === 'desktop') return undefined;
  if (node.kind === 'folder') return node.folder ? `${node.folder}/${node.entry.name}` : node.entry.name;
  return node.folder;
}

/**
 * Something to upload, as the upload command accepts it: a `file:` URI (streamed from disk), a
 * `nendrive:` URI (a copy between drives), or a dropped file that only has bytes (the
 * `DataTransferFile` shape a browser drop delivers: a name and `data()`, maybe a `uri`).
 */
export type UploadItem = vscode.Uri | DroppedFile;

export interface DroppedFile {
  readonly name: string;
  readonly uri?: vscode.Uri;
  data(): Thenable<Uint8Array>;
}

/** The desktop a row belongs to (a root-level message row belongs to none). */
export function desktopIdOf(node: DriveNode): string | undefined {
  return node.kind === 'message' ? node.parent?.desktopId : node.desktopId;
}
