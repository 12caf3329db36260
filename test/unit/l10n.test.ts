/**
 * Every user-visible string of src/ goes through l10n (the scanner, test/unit/l10nScan.ts, finds
 * none left), the scanner tells prose from ids and knows its exemptions, and the shipped German
 * translation covers every message of the bundle and of package.nls.json (scripts/l10n.mjs --check).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { readsAsProse, scanSource, scanTree } from './l10nScan';

// Compiled to out/test/unit/: the repository root is three levels up.
const ROOT = path.resolve(__dirname, '../../..');

test('src/ has no user-visible string outside l10n (each one listed with its file and line)', () => {
  const found = scanTree(path.join(ROOT, 'src'));
  const lines = found.map((u) => `${path.relative(ROOT, u.file)}:${u.line}  ${JSON.stringify(u.text)}`);
  assert.equal(found.length, 0, `${found.length} strings not through vscode.l10n.t / l10n.t (wrap them, or mark "// l10n-ignore: <why>"):\n${lines.join('\n')}`);
});

test('the German translation is complete: every key of the bundle and of package.nls.json, with the same placeholders', () => {
  const res = spawnSync(process.execPath, ['scripts/l10n.mjs', '--check'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  assert.equal(res.status, 0, `node scripts/l10n.mjs --check failed (exit ${res.status}):\n${res.stdout}${res.stderr}`);
  assert.match(res.stdout, /German translation complete/);
});

test('readsAsProse: sentences, capitalised words and templates with words are prose', () => {
  for (const text of ['Upload failed', 'Skip', 'Nen rejected the API key.', 'Uploaded ${name} to ${where}.', 'Keep Both', '${n} files skipped']) {
    assert.equal(readsAsProse(text), true, text);
  }
});

test('readsAsProse: ids, paths, URLs, MIME types, codicons, keys and numbers are not', () => {
  for (const text of ['nenDrive.apiUrl', 'application/json', '$(key)', '$(circle-slash)', 'GET', 'utf8', 'x-api-key', 'dsk_abc123def456', 'https://desktop.api.getnen.ai', 'Ctrl+Alt+D', '${a}/${b}', '123', '', ' · ']) {
    assert.equal(readsAsProse(text), false, text);
  }
});

test('scanSource flags an English message and exempts l10n calls, log lines, ids, comparisons and l10n-ignore lines', () => {
  const source = [
    "import * as vscode from 'vscode';",
    'export function f(name: string, log: { info(s: string): void }, kind: string): void {',
    "  void vscode.window.showInformationMessage(`Uploaded ${name} to the drive.`);",
    "  void vscode.window.showInformationMessage(vscode.l10n.t('Uploaded {0} to the drive.', name));",
    "  log.info('Upload started for the drive');",
    "  if (kind === 'Not Found') return;",
    "  const header = 'Retry After'; // l10n-ignore: an HTTP header name",
    "  throw new Error('The drive is full');",
    '}',
  ].join('\n');
  const found = scanSource('sample.ts', source).map((u) => [u.line, u.text]);
  assert.deepEqual(found, [
    [3, 'Uploaded ${name} to the drive.'],
    [8, 'The drive is full'],
  ]);
});
