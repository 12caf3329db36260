import { normalizeFolderPath } from '../api/names';
import { forEachSliced } from '../api/slices';
import type { DriveEntry } from '../api/types';
import type { ContainerRef, Listing } from './ListingCache';

/** Small pure helpers of the listing cache: keys, listings by name, own-upload matching. */

/** An upload this window made, until a listing confirms it. */
export interface OwnWrite {
  size: number;
  before?: number;
}

/** The one key of a folder of a drive (`folder` already normalised). */
export function containerKey(desktopId: string, folder: string | undefined): string {
  return `${desktopId}\u0000${folder ?? ''}`;
}

export function parseKey(key: string): ContainerRef {
  const i = key.indexOf('\u0000');
  const folder = key.slice(i + 1);
  return folder ? { desktopId: key.slice(0, i), folder } : { desktopId: key.slice(0, i) };
}

export function fileKey(ref: ContainerRef, name: string): string {
  return `${containerKey(ref.desktopId, ref.folder)}\u0000${name}`;
}

/** The listing shows the version this window uploaded (same size, not the version it replaced). */
export function isOwnVersion(own: OwnWrite, entry: DriveEntry): boolean {
  return !entry.isDir && entry.size === own.size && (own.before === undefined || entry.modified !== own.before);
}

/** The listing still shows the version this window's upload replaced. */
export function isReplacedVersion(own: OwnWrite, entry: DriveEntry): boolean {
  return own.before !== undefined && entry.modified === own.before;
}

export function normalize(ref: ContainerRef): ContainerRef {
  const folder = normalizeFolderPath(ref.folder);
  return folder === undefined ? { desktopId: ref.desktopId } : { desktopId: ref.desktopId, folder };
}

export function byName(entries: readonly DriveEntry[]): Map<string, DriveEntry> {
  const map = new Map<string, DriveEntry>();
  for (const e of entries) map.set(e.name, e);
  return map;
}

/**
 * {@link byName} in slices of the event loop (see slices.ts), for a listing of thousands. An
 * entry the `previous` listing of the folder has with the same fields replaces the new one in
 * `entries`: a poll that finds little changed then keeps the objects the host already holds (long
 * promoted) and the new ones die young, which keeps the garbage collector's pauses short.
 * `unchanged`: every entry is one of `previous`, and no other.
 */
export async function indexListing(entries: DriveEntry[], previous?: ReadonlyMap<string, DriveEntry>): Promise<{ byName: Map<string, DriveEntry>; unchanged: boolean }> {
  const map = new Map<string, DriveEntry>();
  let reused = 0;
  await forEachSliced(entries, (e, i) => {
    const before = previous?.get(e.name);
    if (before && sameEntry(before, e)) {
      entries[i] = e = before;
      reused++;
    }
    map.set(e.name, e);
  });
  // Every entry the previous listing's, and as many: the same entries (order aside).
  const unchanged = previous !== undefined && reused === entries.length && map.size === entries.length && previous.size === entries.length;
  return { byName: map, unchanged };
}

function sameEntry(a: DriveEntry, b: DriveEntry): boolean {
  return a.size === b.size && a.modified === b.modified && a.isDir === b.isDir && a.unreachableReason === b.unreachableReason;
}

export function withEntry(listing: Listing, entry: DriveEntry): Listing {
  const entries = listing.entries.filter((e) => e.name !== entry.name);
  entries.push(entry);
  return { entries, byName: byName(entries), fetchedAt: listing.fetchedAt, seq: listing.seq };
}
