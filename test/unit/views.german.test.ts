/**
 * The tree's screen-reader labels, short ages and the transfers' status bar in German, read
 * through the shipped l10n/bundle.l10n.de.json the way the extension configures @vscode/l10n
 * in activate(): a sentence that is glued from English fragments, or a message missing from
 * the bundle, shows here as English.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as l10n from '@vscode/l10n';
import { ageInWords, desktopLabel, fileLabel, folderLabel, messageLabel, statusWord, unreachableLabel } from '../../src/views/a11yLabels';
import { formatAge } from '../../src/views/format';
import { TransferRegistry, type TransferInfo } from '../../src/transfers/TransferRegistry';
import { statusText, transferRows } from '../../src/transfers/transferRows';

l10n.config({ contents: JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'l10n', 'bundle.l10n.de.json'), 'utf8')) });

const NOW = Date.UTC(2026, 0, 10, 12, 0, 0);
const ago = (s: number) => NOW / 1000 - s;

test('German: short ages on the rows and ages read as words', () => {
  assert.equal(formatAge(ago(5), NOW), 'gerade eben');
  assert.equal(formatAge(ago(150), NOW), 'vor 2 Min.');
  assert.equal(formatAge(ago(3 * 3600), NOW), 'vor 3 Std.');
  assert.equal(ageInWords(ago(60), NOW), 'vor 1 Minute geändert');
  assert.equal(ageInWords(ago(3 * 86_400), NOW), 'vor 3 Tagen geändert');
  assert.equal(ageInWords(ago(800 * 86_400), NOW), 'vor 2 Jahren geändert');
  assert.equal(ageInWords(Number.NaN, NOW), 'Änderungszeit unbekannt');
});

test('German: what a screen reader says for each kind of row', () => {
  assert.equal(fileLabel({ name: 'log.txt', size: 1, modified: ago(0), mark: 'new' }, NOW), 'Datei log.txt, 1 B, gerade eben geändert, neu auf dem Laufwerk');
  assert.equal(folderLabel({ name: 'logs', modified: ago(7200), hasNewFiles: true }, NOW), 'Ordner logs, vor 2 Stunden geändert, enthält neue oder geänderte Dateien');
  assert.equal(desktopLabel({ name: 'dsk_gone', desktopId: 'dsk_gone', notFound: true, hasNewFiles: false }), 'Desktop dsk_gone, dsk_gone, nicht gefunden; er wurde möglicherweise gelöscht');
  assert.equal(unreachableLabel('a/b', true, 'x'), 'Ordner a/b, über die Nen-API nicht erreichbar: x');
  assert.equal(messageLabel('Noch keine Dateien', undefined, false), 'Hinweis: Noch keine Dateien');
});

test("German: a desktop's documented statuses are German, an unknown one stays as the server said", () => {
  assert.equal(desktopLabel({ name: 'Build', desktopId: 'dsk_1', status: 'running', notFound: false, hasNewFiles: false }), 'Desktop Build, dsk_1, läuft');
  assert.equal(statusWord('stopped'), 'gestoppt');
  assert.equal(statusWord('hibernating'), 'hibernating');
});

const info = (name: string, size: number | undefined): TransferInfo => ({ direction: 'upload', name, desktop: 'Work PC', desktopId: 'dsk_1', size });

test('German: the transfers status bar and rows', () => {
  const reg = new TransferRegistry();
  const [a, b] = reg.addBatch([info('a.bin', 100), info('b.bin', 300)]);
  reg.started(a, 0);
  reg.progress(a, 100, 500);
  const t = reg.totals();
  const shown = statusText(t, reg.all());
  assert.equal(shown.text, '$(cloud-upload) 2 Übertragungen · 25 %');
  assert.equal(shown.accessible, 'Nen Drive: 2 Übertragungen, 1 laufend, 25 Prozent erledigt. Übertragungen anzeigen.');
  assert.match(shown.tooltip, /^Nen Drive: 1 laufend, 1 wartend · 100 B von 400 B\. Klicken Sie/);
  reg.finished(a, 'failed', 'kaputt');
  const rows = transferRows(reg.all(), 1000);
  assert.deepEqual(rows.map((r) => [r.description, r.detail]), [
    ['Upload · Work PC', '300 B · wartend'],
    ['Upload · Work PC', '100 B von 100 B · fehlgeschlagen: kaputt'],
  ]);
  reg.cancel(b.id);
  reg.dispose();
});
