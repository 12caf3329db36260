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

/** {@link byName} in slices of the event loop (see slices.ts), for a listing of thousands. */
export async function byNameSliced(entries: readonly DriveEntry[]): Promise<Map<string, DriveEntry>> {
  const map = new Map<string, DriveEntry>();
  await forEachSliced(entries, (e) => map.set(e.name, e));
  return map;
}

export function withEntry(listing: Listing, entry: DriveEntry): Listing {
  const entries = listing.entries.filter((e) => e.name !== entry.name);
  entries.push(entry);
  return { entries, byName: byName(entries), fetchedAt: listing.fetchedAt, seq: listing.seq };
}
