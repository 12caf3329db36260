import type * as vscode from 'vscode';
import type { DriveEntry } from '../api/types';
import { forEachSliced, Slicer } from '../api/slices';
import { compareKeys, naturalKey } from './format';

/** How the tree orders a folder's rows. Folders always come before files. */
export type SortOrder = 'name' | 'size' | 'modified';

export const SORT_ORDERS: readonly SortOrder[] = ['name', 'size', 'modified'];

/** The workspaceState key the order is remembered under (per workspace). */
export const SORT_ORDER_STATE_KEY = 'nenDrive.sortOrder';

export function isSortOrder(value: unknown): value is SortOrder {
  return typeof value === 'string' && (SORT_ORDERS as readonly string[]).includes(value);
}

/** The order remembered for this workspace; name order when none (or something unknown) is stored. */
export function storedSortOrder(state: vscode.Memento): SortOrder {
  const value = state.get<unknown>(SORT_ORDER_STATE_KEY);
  return isSortOrder(value) ? value : 'name';
}

/**
 * Sorts entries for the tree: folders first, then by the order's field — name (natural order),
 * size (largest first; folders, which have no size of their own, by name) or modified (newest
 * first) — with the natural name order breaking ties, so the order is total. Sorts positions
 * (small integers, no objects) against a parallel array of keys, which keeps the garbage of a
 * 10,000-entry sort to the keys themselves.
 */
export async function sortEntries(entries: readonly DriveEntry[], order: SortOrder, slicer = new Slicer()): Promise<DriveEntry[]> {
  const keys: string[] = new Array(entries.length);
  const at: number[] = new Array(entries.length);
  // The keys in slices of the event loop (see slices.ts); the sort itself is one turn.
  await forEachSliced(entries, (entry, i) => {
    keys[i] = naturalKey(entry.name);
    at[i] = i;
  }, slicer);
  const pause = slicer.checkpoint();
  if (pause) await pause;
  at.sort((i, j) => compareEntries(entries[i], entries[j], order, keys[i], keys[j]));
  return at.map((i) => entries[i]);
}

/**
 * The order {@link sortEntries} gives, for two entries: negative when `a` comes first. Their
 * names' {@link naturalKey}s are made on the spot unless given (the sort makes each once).
 */
export function compareEntries(a: DriveEntry, b: DriveEntry, order: SortOrder, keyA?: string, keyB?: string): number {
  if (a.isDir !== b.isDir) return a.isDir ? -1 : 1;
  return compareField(a, b, order) || compareKeys(keyA ?? naturalKey(a.name), keyB ?? naturalKey(b.name));
}

function compareField(a: DriveEntry, b: DriveEntry, order: SortOrder): number {
  if (order === 'size') return a.isDir ? 0 : b.size - a.size;
  if (order === 'modified') return b.modified - a.modified;
  return 0;
}
