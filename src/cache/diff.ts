import type { DriveEntry } from '../api/types';

/** What differs between two listings of one folder, by name, size, modified time and kind. */
export interface EntryDiff {
  created: DriveEntry[];
  changed: DriveEntry[];
  deleted: DriveEntry[];
}

/**
 * Diffs a new listing against the previous one. Linear in the two sizes (one map lookup per
 * entry), so a 10,000-file folder costs a few milliseconds. An entry that turned from a file
 * into a folder (or back) counts as deleted and created, since it is a different thing.
 */
export function diffListings(previous: ReadonlyMap<string, DriveEntry>, entries: readonly DriveEntry[], current: ReadonlyMap<string, DriveEntry>): EntryDiff {
  const created: DriveEntry[] = [];
  const changed: DriveEntry[] = [];
  const deleted: DriveEntry[] = [];
  for (const entry of entries) {
    const before = previous.get(entry.name);
    if (!before) created.push(entry);
    else if (before.isDir !== entry.isDir) {
      deleted.push(before);
      created.push(entry);
    } else if (!entry.isDir && (before.size !== entry.size || before.modified !== entry.modified)) changed.push(entry);
  }
  for (const [name, before] of previous) {
    if (!current.has(name)) deleted.push(before);
  }
  return { created, changed, deleted };
}

export function isEmptyDiff(diff: EntryDiff): boolean {
  return diff.created.length === 0 && diff.changed.length === 0 && diff.deleted.length === 0;
}
