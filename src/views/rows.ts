import * as vscode from 'vscode';
import { displayName } from '../api/display';
import type { Desktop, DriveEntry, NenErrorKind } from '../api/types';
import { containerKey, type ContainerRef } from '../cache/ListingCache';
import { describeError, errorKind } from '../drive/errors';
import { driveUri, entryUri } from '../drive/uri';
import { statusWord } from './a11yLabels';
import { formatAge, formatSize } from './format';
import { compareEntries, sortEntries, type SortOrder } from './sortOrder';
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
    private current: DriveEntry,
    readonly parent: DesktopNode | EntryNode,
    private listedAtMs: number,
  ) {}

  get entry(): DriveEntry {
    return this.current;
  }

  get ageAtMs(): number {
    return this.listedAtMs;
  }

  get uri(): vscode.Uri {
    return (this.cachedUri ??= entryUri(this.desktopId, this.folder, this.current.name));
  }

  /** "100 KB · 2m ago" (folders: the age only), relative to when the listing arrived. */
  get description(): string {
    if (this.cachedDescription === undefined) {
      const age = formatAge(this.current.modified, this.listedAtMs);
      this.cachedDescription = this.kind === 'folder' ? age : `${formatSize(this.current.size)} · ${age}`;
    }
    return this.cachedDescription;
  }

  /** A newer version of the same entry (its size or time changed): the row stays, its text follows. */
  update(entry: DriveEntry, listedAtMs: number): void {
    this.current = entry;
    this.listedAtMs = listedAtMs;
    this.cachedDescription = undefined;
  }

  /**
   * Its age told at `nowMs` instead: true, and the row reads the new text from now on, when that
   * text differs from the one it shows ("just now" became "1m ago"). The entry is the server's
   * still; only the clock moved.
   */
  reage(nowMs: number): boolean {
    const modified = this.current.modified;
    if (formatAge(modified, nowMs) === formatAge(modified, this.listedAtMs)) return false;
    this.listedAtMs = nowMs;
    this.cachedDescription = undefined;
    return true;
  }
}

/**
 * The rows of one listing in the tree's order (folders first, then the tree's order, natural
 * names by default). The sort sees every entry, in slices of the event loop; a row object is
 * made only when a row is first shown (`first`), so a 10,000-file folder showing 500 rows makes
 * 500, not 10,000, on every listing of it.
 */
export class SortedRows {
  private readonly rows: EntryRow[] = [];
  /** Position by name, made on first use. */
  private positions: Map<string, number> | undefined;

  constructor(
    /** The listing's entries, sorted (owned: {@link apply} replaces entries in it). */
    private readonly entries: DriveEntry[],
    private readonly parent: DesktopNode | EntryNode,
    private readonly folder: string | undefined,
    /** When the listing arrived (or its ages were last told again): a row made later tells its age at it. */
    private listedAtMs: number,
    /** Told of every row made. */
    private readonly onRow: (row: EntryNode) => void = () => undefined,
    /** The order `entries` are in. */
    private readonly order: SortOrder = 'name',
  ) {}

  get length(): number {
    return this.entries.length;
  }

  /** The first `count` rows (all of them when fewer), made now where not made before. */
  first(count: number): EntryNode[] {
    const end = Math.min(count, this.entries.length);
    for (let i = this.rows.length; i < end; i++) {
      const entry = this.entries[i];
      const row = new EntryRow(entry.isDir ? 'folder' : 'file', this.parent.desktopId, this.folder, entry, this.parent, this.listedAtMs);
      this.rows.push(row);
      this.onRow(row);
    }
    return this.rows.slice(0, end);
  }

  /** The row of `name`, if made (shown). */
  made(name: string): EntryNode | undefined {
    const i = this.indexOf(name);
    return i >= 0 ? this.rows[i] : undefined;
  }

  /** The position of `name` in the tree's order, or -1 (the index by name is made on first use). */
  indexOf(name: string): number {
    this.positions ??= new Map(this.entries.map((e, i) => [e.name, i]));
    return this.positions.get(name) ?? -1;
  }

  /**
   * The folder's new listing, with the same names as these rows (sizes or times changed), where
   * no row changes place: always in name order; by size or time, when every changed entry still
   * sorts between its neighbours (a log the desktop keeps writing stays first by time; a file
   * that grows past another moves). Every entry that is not the object these rows hold (a
   * listing keeps the objects of unchanged entries) replaces it: rows already made are updated
   * in place and returned (VS Code repaints just those); the rest take the new entries when
   * made. Undefined, and nothing changed, when the names differ, one changed kind, or a row moves.
   */
  apply(listing: readonly DriveEntry[], listedAtMs: number): EntryNode[] | undefined {
    if (listing.length !== this.entries.length) return undefined;
    /** The new entries by position. */
    const changed = new Map<number, DriveEntry>();
    for (const entry of listing) {
      const i = this.indexOf(entry.name);
      if (i < 0) return undefined;
      const held = this.entries[i];
      if (held === entry) continue;
      if (held.isDir !== entry.isDir) return undefined;
      changed.set(i, entry);
    }
    if (this.order !== 'name' && !this.staysInOrder(changed)) return undefined;
    const repainted: EntryNode[] = [];
    this.listedAtMs = listedAtMs;
    for (const [i, entry] of changed) {
      this.entries[i] = entry;
      const row = this.rows[i];
      if (row) {
        row.update(entry, listedAtMs);
        repainted.push(row);
      }
    }
    return repainted;
  }

  /**
   * Whether the `changed` entries (by position) still sort where they stand: each in order with
   * its neighbours (changed or not). The rest of the order is the one before, so that is the
   * whole order.
   */
  private staysInOrder(changed: ReadonlyMap<number, DriveEntry>): boolean {
    const entryAt = (i: number): DriveEntry => changed.get(i) ?? this.entries[i];
    const last = this.entries.length - 1;
    for (const i of changed.keys()) {
      if (i > 0 && compareEntries(entryAt(i - 1), entryAt(i), this.order) > 0) return false;
      if (i < last && compareEntries(entryAt(i), entryAt(i + 1), this.order) > 0) return false;
    }
    return true;
  }

  /** The rows made whose age text changed by `nowMs` (see EntryRow.reage); rows made later tell theirs at it too. */
  reage(nowMs: number): EntryNode[] {
    this.listedAtMs = nowMs;
    return this.rows.filter((row) => row.reage(nowMs));
  }
}

/** Sorts one listing for the tree (in slices of the event loop); rows are made as shown. */
export async function sortedRows(parent: DesktopNode | EntryNode, folder: string | undefined, entries: readonly DriveEntry[], nowMs = Date.now(), order: SortOrder = 'name', onRow?: (row: EntryNode) => void): Promise<SortedRows> {
  return new SortedRows(await sortEntries(entries, order), parent, folder, nowMs, onRow, order);
}

export function desktopNode(d: Desktop, configured: boolean): DesktopNode {
  const id = d.desktop_id;
  return { kind: 'desktop', desktopId: id, uri: driveUri(id), ...desktopFields(d), notFound: false, configured };
}

/** What a desktop row shows of a Desktop: its name (else its id), and "id · status". */
function desktopFields(d: Desktop): { label: string; description: string; status: string | undefined } {
  const id = d.desktop_id;
  const status = typeof d.status === 'string' && d.status ? d.status : undefined;
  return { label: typeof d.name === 'string' && d.name ? displayName(d.name) : id, description: status ? `${id} · ${statusWord(status)}` : id, status };
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
  return { kind: 'desktop', desktopId: id, uri: driveUri(id), label: id, description: vscode.l10n.t({ message: 'not found', comment: ['the description of a desktop row whose desktop the API does not know'] }), notFound: true, configured: true };
}

export function errorRow(err: unknown, parent: DesktopNode | EntryNode | undefined, redact: (text: string) => string): MessageNode {
  if (errorKind(err) === 'unauthorized') {
    return { kind: 'message', parent, label: vscode.l10n.t('Nen rejected the API key'), detail: vscode.l10n.t('click to set a new one'), action: 'setApiKey', isError: true };
  }
  if (errorKind(err) === 'notFound' && parent?.kind === 'desktop') {
    return { kind: 'message', parent, label: vscode.l10n.t('Desktop not found'), detail: vscode.l10n.t('it may have been deleted · click to retry'), action: 'retry', isError: true };
  }
  return { kind: 'message', parent, label: describeError(err, redact), detail: vscode.l10n.t('click to retry'), action: 'retry', isError: true };
}

/** The failure in a word or two, for a desktop row's description ("dsk_1 · timeout"). */
export function shortReason(err: unknown): string {
  const kind = errorKind(err);
  switch (kind) {
    case undefined:
      return vscode.l10n.t({ message: 'error', comment: ['a desktop row: its status could not be read'] });
    case 'unauthorized':
      return vscode.l10n.t({ message: 'unauthorized', comment: ['a desktop row: the API refused the key'] });
    case 'forbidden':
      return vscode.l10n.t({ message: 'forbidden', comment: ['a desktop row: the API refused access'] });
    case 'notFound':
      return vscode.l10n.t({ message: 'notFound', comment: ['a desktop row: the API does not know it'] });
    default:
      return shortOtherReason(kind);
  }
}

function shortOtherReason(kind: Exclude<NenErrorKind, 'unauthorized' | 'forbidden' | 'notFound'>): string {
  switch (kind) {
    case 'badRequest':
      return vscode.l10n.t({ message: 'badRequest', comment: ['a desktop row: the API called the request invalid'] });
    case 'tooLarge':
      return vscode.l10n.t({ message: 'tooLarge', comment: ['a desktop row: too large'] });
    case 'conflict':
      return vscode.l10n.t({ message: 'conflict', comment: ['a desktop row: the API reported a conflict'] });
    case 'rateLimited':
      return vscode.l10n.t({ message: 'rateLimited', comment: ['a desktop row: too many requests'] });
    case 'unavailable':
      return vscode.l10n.t({ message: 'unavailable', comment: ['a desktop row: the API server failed'] });
    case 'network':
      return vscode.l10n.t({ message: 'network', comment: ['a desktop row: a network failure'] });
    case 'timeout':
      return vscode.l10n.t({ message: 'timeout', comment: ['a desktop row: the request timed out'] });
    case 'cancelled':
      return vscode.l10n.t({ message: 'cancelled', comment: ['a desktop row: the request was cancelled'] });
    case 'protocol':
      return vscode.l10n.t({ message: 'protocol', comment: ['a desktop row: the API answered something unexpected'] });
    case 'proxy':
      return vscode.l10n.t({ message: 'proxy', comment: ['a desktop row: the proxy failed'] });
  }
}
