/**
 * What a screen reader says for each kind of tree row (TreeItem.accessibilityInformation).
 * Plain data in, one sentence out: no `vscode`, so the wording is unit-tested on its own.
 * A row's label says what the eye gets from the icon, the description and the N/M badge.
 */
import { displayName } from '../api/display';
import { formatSize } from '../api/format';
import { formatAge } from './format';

export type MarkKind = 'new' | 'changed';

/** "2m ago" → "2 minutes ago": the tree's short age read as words. */
export function ageInWords(modifiedSeconds: number, nowMs: number = Date.now()): string {
  const short = formatAge(modifiedSeconds, nowMs);
  const m = /^(\d+)(mo|m|h|d|y) ago$/.exec(short);
  if (!m) return short ? `modified ${short}` : 'modification time unknown';
  const n = Number(m[1]);
  const unit = { m: 'minute', h: 'hour', d: 'day', mo: 'month', y: 'year' }[m[2] as 'm' | 'h' | 'd' | 'mo' | 'y'];
  return `modified ${n} ${unit}${n === 1 ? '' : 's'} ago`;
}

export interface DesktopRow {
  name: string;
  desktopId: string;
  status?: string;
  notFound: boolean;
  /** Files under it are marked new or changed (the propagated badge). */
  hasNewFiles: boolean;
}

export function desktopLabel(d: DesktopRow): string {
  if (d.notFound) return `Desktop ${displayName(d.name)}, ${d.desktopId}, not found; it may have been deleted`;
  const parts = [`Desktop ${displayName(d.name)}`, d.desktopId];
  if (d.status) parts.push(d.status);
  if (d.hasNewFiles) parts.push('has new or changed files');
  return parts.join(', ');
}

export interface EntryRow {
  name: string;
  size: number;
  /** API `modified`, seconds. */
  modified: number;
  mark?: MarkKind;
}

export function fileLabel(f: EntryRow, nowMs: number = Date.now()): string {
  const parts = [`File ${displayName(f.name)}`, formatSize(f.size), ageInWords(f.modified, nowMs)];
  if (f.mark === 'new') parts.push('new on the drive');
  if (f.mark === 'changed') parts.push('changed by someone else');
  return parts.join(', ');
}

export function folderLabel(f: Omit<EntryRow, 'size'> & { hasNewFiles?: boolean }, nowMs: number = Date.now()): string {
  const parts = [`Folder ${displayName(f.name)}`, ageInWords(f.modified, nowMs)];
  if (f.hasNewFiles) parts.push('has new or changed files');
  return parts.join(', ');
}

export function unreachableLabel(name: string, isDir: boolean, reason: string): string {
  return `${isDir ? 'Folder' : 'File'} ${displayName(name)}, not reachable through the Nen API: ${reason}`;
}

export function messageLabel(label: string, detail: string | undefined, isError: boolean): string {
  return [`${isError ? 'Error' : 'Note'}: ${label}`, detail].filter(Boolean).join(', ');
}
