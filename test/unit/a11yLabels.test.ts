/** What a screen reader says for each kind of tree row: name, size, age in words, state, "new". */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ageInWords, desktopLabel, fileLabel, folderLabel, messageLabel, unreachableLabel } from '../../src/views/a11yLabels';

const NOW = Date.UTC(2026, 0, 10, 12, 0, 0);
const ago = (s: number) => NOW / 1000 - s;

test('ages are read as words, singular and plural', () => {
  assert.equal(ageInWords(ago(5), NOW), 'modified just now');
  assert.equal(ageInWords(ago(60), NOW), 'modified 1 minute ago');
  assert.equal(ageInWords(ago(3 * 3600), NOW), 'modified 3 hours ago');
  assert.equal(ageInWords(ago(86_400), NOW), 'modified 1 day ago');
  assert.equal(ageInWords(ago(65 * 86_400), NOW), 'modified 2 months ago');
  assert.equal(ageInWords(ago(800 * 86_400), NOW), 'modified 2 years ago');
  assert.equal(ageInWords(Number.NaN, NOW), 'modification time unknown');
});

test('a file row says name, size, age and its N/M mark', () => {
  assert.equal(fileLabel({ name: 'report.pdf', size: 102_400, modified: ago(120) }, NOW), 'File report.pdf, 100 KB, modified 2 minutes ago');
  assert.equal(fileLabel({ name: 'log.txt', size: 1, modified: ago(0), mark: 'new' }, NOW), 'File log.txt, 1 B, modified just now, new on the drive');
  assert.equal(fileLabel({ name: 'a.md', size: 1536, modified: ago(7200), mark: 'changed' }, NOW), 'File a.md, 1.5 KB, modified 2 hours ago, changed by someone else');
  // A name that could disguise itself is read as escaped, like the row shows it.
  assert.equal(fileLabel({ name: 'rtl\u202etxt.exe', size: 0, modified: ago(0) }, NOW), 'File rtl\\u202Etxt.exe, 0 B, modified just now');
});

test('folder, desktop, unreachable and message rows', () => {
  assert.equal(folderLabel({ name: 'photos', modified: ago(3 * 86_400) }, NOW), 'Folder photos, modified 3 days ago');
  assert.equal(folderLabel({ name: 'logs', modified: ago(0), hasNewFiles: true }, NOW), 'Folder logs, modified just now, has new or changed files');
  assert.equal(desktopLabel({ name: 'Build box', desktopId: 'dsk_1', status: 'running', notFound: false, hasNewFiles: false }), 'Desktop Build box, dsk_1, running');
  assert.equal(desktopLabel({ name: 'Build box', desktopId: 'dsk_1', status: 'stopped', notFound: false, hasNewFiles: true }), 'Desktop Build box, dsk_1, stopped, has new or changed files');
  assert.equal(desktopLabel({ name: 'dsk_gone', desktopId: 'dsk_gone', notFound: true, hasNewFiles: false }), 'Desktop dsk_gone, dsk_gone, not found; it may have been deleted');
  assert.equal(unreachableLabel('a/b', false, 'Its name contains a slash.'), 'File a/b, not reachable through the Nen API: Its name contains a slash.');
  assert.equal(messageLabel('Could not list files', 'HTTP 500', true), 'Error: Could not list files, HTTP 500');
  assert.equal(messageLabel('No files yet', undefined, false), 'Note: No files yet');
});
