import * as vscode from 'vscode';
import { displayName } from '../api/display';
import type { Desktop, DriveEntry } from '../api/types';
import { containerKey, type ContainerRef } from '../cache/ListingCache';
import { describeError, errorKind } from '../drive/errors';
import { driveUri, entryUri } from '../drive/uri';
import { formatAge, formatSize } from './format';
import { sortEntries, type SortOrder } from './sortOrder';
import { folderOf, type DesktopNode, type EntryNode, type MessageNode } from './nodes';

/** The tree's nodes, built from what the API answered: desktops, entries and message rows. */

export function keyOfContainer(node: DesktopNode | EntryNode): string {
  return containerKey(node.desktopId, folderOf(node));
}

export function refOf(node: DesktopNode | EntryNode): ContainerRef {
  const folder = folderOf(node);
  return folder === undefined ? { desktopId: node.desktopId } : { desktopId: node.desktopId, folder };
}

/**
 * A file or folder row. Its URI and description are built on first use (by `getTreeItem`, for
 * the rows VS Code renders), so listing 10,000 entries costs a sort and 10,000 small objects.
 */
class EntryRow implements EntryNode {
  private cachedUri: vscode.Uri | undefined;
  private cachedDescription: string | undefined;

  constructor(
    readonly kind: 'file' | 'folder',
    readonly desktopId: string,
    readonly folder: string | undefined,
    readonly entry: DriveEntry,
    readonly parent: DesktopNode | EntryNode,
    private readonly listedAtMs: number,
  ) {}

  get uri(): vscode.Uri {
    return (this.cachedUri ??= entryUri(this.desktopId, this.folder, this.entry.name));
  }

  /** "100 KB · 2m ago" (folders: the age only), relative to when the listing arrived. */
  get description(): string {
    if (this.cachedDescription === undefined) {
      const age = formatAge(this.entry.modified, this.listedAtMs);
      this.cachedDescription = this.kind === 'folder' ? age : `${formatSize(this.entry.size)} · ${age}`;
    }
    return this.cachedDescription;
  }
}

/** Builds the sorted rows of one listing: folders first, then the tree's order (natural names by default). */
export function entryNodes(parent: DesktopNode | EntryNode, folder: string | undefined, entries: readonly DriveEntry[], nowMs = Date.now(), order: SortOrder = 'name'): EntryNode[] {
  const sorted = sortEntries(entries, order);
  const nodes: EntryNode[] = new Array(sorted.length);
  for (let i = 0; i < sorted.length; i++) {
    const entry = sorted[i];
    nodes[i] = new EntryRow(entry.isDir ? 'folder' : 'file', parent.desktopId, folder, entry, parent, nowMs);
  }
  return nodes;
}

export function desktopNode(d: Desktop, configured: boolean): DesktopNode {
  const id = d.desktop_id;
  return { kind: 'desktop', desktopId: id, uri: driveUri(id), ...desktopFields(d), notFound: false, configured };
}

/** What a desktop row shows of a Desktop: its name (else its id), and "id · status". */
function desktopFields(d: Desktop): { label: string; description: string; status: string | undefined } {
  const id = d.desktop_id;
  const status = typeof d.status === 'string' && d.status ? d.status : undefined;
  return { label: typeof d.name === 'string' && d.name ? displayName(d.name) : id, description: status ? `${id} · ${status}` : id, status };
}

/**
 * A fresh answer for a desktop row (a status poll, a rename): the row object is updated in place,
 * so the tree's expansion and its children stay as they are. True when anything shown changed.
 */
export function applyDesktop(node: DesktopNode, d: Desktop): boolean {
  const fields = desktopFields({ ...d, desktop_id: node.desktopId });
  if (fields.label === node.label && fields.description === node.description && fields.status === node.status) return false;
  Object.assign(node as { -readonly [K in keyof DesktopNode]: DesktopNode[K] }, fields);
  return true;
}

/** A desktop row whose status is worth asking again (shown, known, not `running`). */
export function isSettling(node: DesktopNode): boolean {
  return !node.notFound && node.status !== undefined && node.status !== 'running';
}

export function notFoundNode(id: string): DesktopNode {
  return { kind: 'desktop', desktopId: id, uri: driveUri(id), label: id, description: 'not found', notFound: true, configured: true };
}

export function errorRow(err: unknown, parent: DesktopNode | EntryNode | undefined, redact: (text: string) => string): MessageNode {
  if (errorKind(err) === 'unauthorized') {
    return { kind: 'message', parent, label: 'Nen rejected the API key', detail: 'click to set a new one', action: 'setApiKey', isError: true };
  }
  if (errorKind(err) === 'notFound' && parent?.kind === 'desktop') {
    return { kind: 'message', parent, label: 'Desktop not found', detail: 'it may have been deleted · click to retry', action: 'retry', isError: true };
  }
  return { kind: 'message', parent, label: describeError(err, redact), detail: 'click to retry', action: 'retry', isError: true };
}

export function shortReason(err: unknown): string {
  return errorKind(err) ?? 'error';
}
