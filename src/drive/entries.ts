import * as vscode from 'vscode';
import type { DriveEntry } from '../api/types';
import type { ListingChange, SeenVersion } from '../cache/ListingCache';
import { REMOTE_VERSION_QUERY } from '../constants';
import { entryUri, folderUri, parentUri, type DriveLocation } from './uri';

/** What the file system provider says about entries and changes, as VS Code expects it. */

/** Did the server's entry move since the version an editor holds? */
export function movedSince(expected: SeenVersion, current: DriveEntry): boolean {
  if (expected.unconfirmed) {
    // Our own upload whose server mtime we never saw: only a different size proves a change.
    return current.size !== expected.size;
  }
  return current.size !== expected.size || current.modified !== expected.modified;
}

export function toStat(entry: DriveEntry): vscode.FileStat {
  // `modified` is float seconds; VS Code compares mtime numbers exactly, so no rounding.
  const mtime = entry.modified * 1000;
  return {
    type: entry.isDir ? vscode.FileType.Directory : vscode.FileType.File,
    ctime: mtime,
    mtime,
    size: entry.size,
  };
}

/** The read-only "remote version" of a file (the left side of Compare). */
export function isRemoteVersion(uri: vscode.Uri): boolean {
  return uri.query === REMOTE_VERSION_QUERY;
}

/** The folder path a location stands for when it is listed as a folder. */
export function folderOf(loc: DriveLocation): string | undefined {
  if (loc.name === undefined) return undefined;
  return loc.folder === undefined ? loc.name : `${loc.folder}/${loc.name}`;
}

export function fileKey(loc: DriveLocation): string {
  return `${loc.desktopId}\u0000${loc.folder ?? ''}\u0000${loc.name ?? ''}`;
}

/** A listing's differences as file events; a folder whose entries came or went changes too. */
export function changeEvents(change: ListingChange): vscode.FileChangeEvent[] {
  const { container, created, changed, deleted } = change;
  const at = (name: string) => entryUri(container.desktopId, container.folder, name);
  const events: vscode.FileChangeEvent[] = [
    ...created.map((e) => ({ type: vscode.FileChangeType.Created, uri: at(e.name) })),
    ...changed.map((e) => ({ type: vscode.FileChangeType.Changed, uri: at(e.name) })),
    ...deleted.map((e) => ({ type: vscode.FileChangeType.Deleted, uri: at(e.name) })),
  ];
  if (created.length > 0 || deleted.length > 0) {
    events.push({ type: vscode.FileChangeType.Changed, uri: folderUri(container.desktopId, container.folder) });
  }
  return events;
}

/** The events of one file this window wrote without a known listing of its folder. */
export function fileEvents(uri: vscode.Uri, created: boolean): vscode.FileChangeEvent[] {
  const events: vscode.FileChangeEvent[] = [{ type: created ? vscode.FileChangeType.Created : vscode.FileChangeType.Changed, uri }];
  if (created) events.push({ type: vscode.FileChangeType.Changed, uri: parentUri(uri) });
  return events;
}
