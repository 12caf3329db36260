/** untransformed(): the English the pseudo-locale checks find in a UI text (test/e2e/untransformed.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { englishLeft, untransformed } from '../e2e/untransformed';

// As scripts/l10n.mjs writes them (vscode-l10n-dev generate-pseudo).
const UPLOADED = 'ŬŬƥŀǿǿȧȧḓḗḗḓ';
const SET_KEY = 'Şḗḗŧ ȦȦƤĪ Ķḗḗẏ…';

test('pseudo text with nothing else in it has no English', () => {
  assert.deepEqual(untransformed(SET_KEY), []);
  assert.deepEqual(untransformed(`${UPLOADED} 'ƞǿǿŧḗḗş' ŧǿǿ ȧȧ ḓḗḗşķŧǿǿƥ.`), []);
});

test('a deliberately English string is reported whole', () => {
  assert.deepEqual(untransformed('Set API Key…'), ['Set API Key']);
  assert.deepEqual(untransformed("Nen Drive needs your Nen API key to show the drives of your cloud desktops."), ['Nen Drive needs your Nen API key to show the drives of your cloud desktops']);
});

test('English glued to pseudo text is reported piece by piece, as it reads', () => {
  assert.deepEqual(untransformed(`${UPLOADED} notes.txt to the drive of Build Box.`, ['notes.txt']), ['notes.txt to the drive of Build Box']);
  assert.deepEqual(untransformed(`${SET_KEY}\nClear API Key`), ['Clear API Key']);
});

test('the data the check put on screen is not English: names, ids, numbers, URLs', () => {
  const data = ['notes.txt', 'dsk_e2e0sample01', 'release box', 'Nen Drive', 'curl'];
  assert.deepEqual(untransformed(`${UPLOADED} 'notes.txt' ŧǿǿ release box (dsk_e2e0sample01): 12.5 ĶĪƁ`, data), []);
  assert.deepEqual(untransformed(`Nen Drive: ${SET_KEY}`, data), []);
  assert.deepEqual(untransformed(`ƈǿǿƥīḗḗḓ ȧȧ curl ƈǿǿḿḿȧȧƞḓ http://127.0.0.1:41234/desktops/dsk_e2e0sample01/files/notes.txt`, data), []);
});

test('a name shown with no-break spaces (markdown tooltips) is still the name', () => {
  assert.deepEqual(untransformed('Meeting\u00a0notes 2026-05-12.md\nŞīẑḗḗ: 338 ƀẏŧḗḗş', ['Meeting notes 2026-05-12.md']), []);
});

test('keybinding labels, environment variable names and setting ids are not English', () => {
  assert.deepEqual(untransformed(`Ɠǿǿ ŧǿǿ Ƒīŀḗḗ… (Ctrl+Alt+D)`), []);
  assert.deepEqual(untransformed(`ȧȧƞḓ Shift+Alt+C, F2`), []);
  assert.deepEqual(untransformed(`ḗḗẋƥǿǿřŧ NEN_API_KEY ǿǿř HTTPS_PROXY; nenDrive.apiUrl, http.proxy`), []);
});

test('data does not hide the English around it, and a data word inside English is still shown', () => {
  assert.deepEqual(untransformed('Deleted desktop release box; its drive was wiped.', ['release box']), ['Deleted desktop release box; its drive was wiped']);
  // A data token only masks itself: "box" of "boxes" is not data.
  assert.deepEqual(untransformed('ƀǿǿẋ boxes', ['box']), ['boxes']);
});

test('short ASCII runs (two letters or fewer) and untouched symbols pass', () => {
  assert.deepEqual(untransformed('12 KB · 2m · ✓ ĶĪƁ'), []);
  assert.deepEqual(untransformed('ok'), []);
  assert.deepEqual(untransformed('Skip'), ['Skip']);
});

test('englishLeft lists every piece with where it was and the whole text', () => {
  const lines = englishLeft(
    [
      { where: 'welcome', text: `${SET_KEY} Open Log` },
      { where: 'tree row "notes.txt" tooltip', text: 'notes.txt' },
      { where: 'modal button', text: 'Keep Both' },
    ],
    ['notes.txt'],
  );
  assert.deepEqual(lines, [`welcome: "Open Log" in "${SET_KEY} Open Log"`, 'modal button: "Keep Both"']);
});

test('acronyms and format names (HTTP, JSON, PDF) are data; a capitalised English word is not', () => {
  assert.deepEqual(untransformed('Ŧẏƥḗḗ: JSON ƒīŀḗḗ (HTTP 403)'), []);
  assert.deepEqual(untransformed('Ŧẏƥḗḗ: JSON file'), ['JSON file']);
  assert.deepEqual(untransformed('Ŧẏƥḗḗ: Json'), ['Json']);
});
