/**
 * What a screen reader says for each kind of tree row (TreeItem.accessibilityInformation).
 * Plain data in, one sentence out: no `vscode` (words through @vscode/l10n), so the wording is unit-tested on its own.
 * A row's label says what the eye gets from the icon, the description and the N/M badge.
 */
import * as l10n from '@vscode/l10n';
import { displayName } from '../api/display';
import { formatSize } from '../api/format';
import { ageOf, type AgeUnit } from './format';

export type MarkKind = 'new' | 'changed';

/** "2m ago" → "modified 2 minutes ago": the tree's short age read as words. */
export function ageInWords(modifiedSeconds: number, nowMs: number = Date.now()): string {
  const age = ageOf(modifiedSeconds, nowMs);
  if (age === undefined) return l10n.t('modification time unknown');
  if (age === 'now') return l10n.t('modified just now');
  return agoInWords(age.n, age.unit);
}

function agoInWords(n: number, unit: AgeUnit): string {
  switch (unit) {
    case 'minute':
      return n === 1 ? l10n.t('modified 1 minute ago') : l10n.t('modified {0} minutes ago', n);
    case 'hour':
      return n === 1 ? l10n.t('modified 1 hour ago') : l10n.t('modified {0} hours ago', n);
    case 'day':
      return n === 1 ? l10n.t('modified 1 day ago') : l10n.t('modified {0} days ago', n);
    case 'month':
      return n === 1 ? l10n.t('modified 1 month ago') : l10n.t('modified {0} months ago', n);
    case 'year':
      return n === 1 ? l10n.t('modified 1 year ago') : l10n.t('modified {0} years ago', n);
  }
}

/**
 * A desktop's status as the user reads it: the states the API documents (and the ones the
 * emulator and the CLI show) in the display language; anything else as the server said it.
 */
export function statusWord(status: string): string {
  switch (status) {
    case 'running':
      return l10n.t({ message: 'running', comment: ['a desktop status'] });
    case 'starting':
      return l10n.t({ message: 'starting', comment: ['a desktop status'] });
    case 'stopping':
      return l10n.t({ message: 'stopping', comment: ['a desktop status'] });
    case 'stopped':
      return l10n.t({ message: 'stopped', comment: ['a desktop status'] });
    case 'error':
      return l10n.t({ message: 'error', comment: ['a desktop status'] });
    case 'deleted':
      return l10n.t({ message: 'deleted', comment: ['a desktop status'] });
    default:
      return status;
  }
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
  if (d.notFound) return l10n.t('Desktop {0}, {1}, not found; it may have been deleted', displayName(d.name), d.desktopId);
  const parts = [l10n.t({ message: 'Desktop {0}', args: [displayName(d.name)], comment: ['screen reader: a desktop row, {0} its name'] }), d.desktopId];
  if (d.status) parts.push(statusWord(d.status));
  if (d.hasNewFiles) parts.push(l10n.t('has new or changed files'));
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
  const parts = [l10n.t({ message: 'File {0}', args: [displayName(f.name)], comment: ['screen reader: a file row, {0} its name'] }), formatSize(f.size), ageInWords(f.modified, nowMs)];
  if (f.mark === 'new') parts.push(l10n.t('new on the drive'));
  if (f.mark === 'changed') parts.push(l10n.t('changed by someone else'));
  return parts.join(', ');
}

export function folderLabel(f: Omit<EntryRow, 'size'> & { hasNewFiles?: boolean }, nowMs: number = Date.now()): string {
  const parts = [l10n.t({ message: 'Folder {0}', args: [displayName(f.name)], comment: ['screen reader: a folder row, {0} its name'] }), ageInWords(f.modified, nowMs)];
  if (f.hasNewFiles) parts.push(l10n.t('has new or changed files'));
  return parts.join(', ');
}

export function unreachableLabel(name: string, isDir: boolean, reason: string): string {
  return isDir
    ? l10n.t('Folder {0}, not reachable through the Nen API: {1}', displayName(name), reason)
    : l10n.t('File {0}, not reachable through the Nen API: {1}', displayName(name), reason);
}

export function messageLabel(label: string, detail: string | undefined, isError: boolean): string {
  const said = isError
    ? l10n.t({ message: 'Error: {0}', args: [label], comment: ['screen reader: an error row of the tree, {0} what went wrong'] })
    : l10n.t({ message: 'Note: {0}', args: [label], comment: ['screen reader: an informational row of the tree, {0} the note'] });
  return [said, detail].filter(Boolean).join(', ');
}
