/** The one function that puts a name on screen or in the log: clipped, with hidden characters made visible. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { displayName, quotedName, MAX_DISPLAY_CHARS } from '../../src/api';
import { hostileTally, rawHidden } from './hostileTally';

/** Each hostile name shown: handled when its escapes and clipping are right; kept counts raw hidden characters shown. */
const tally = hostileTally('hostile names put on screen', 'shown escaped and clipped', 'raw control or bidi characters kept');

/** displayName of a hostile name, counted. */
function shown(name: string, max?: number): string {
  tally.tried++;
  const out = displayName(name, max);
  tally.kept += rawHidden(out);
  if (rawHidden(out) === 0 && Array.from(out).length <= (max ?? MAX_DISPLAY_CHARS)) tally.handled++;
  return out;
}

test('ordinary names, unicode and emoji are shown as they are', () => {
  for (const n of ['report.pdf', 'my report #1.pdf', '中文.txt', 'café 😀.md', "it's.txt", 'Notes...v2.txt']) assert.equal(displayName(n), n);
});

test('bidi overrides, isolates and marks are shown as escapes, so a name cannot pose as another', () => {
  assert.equal(shown('rtl\u202Etxt.exe'), 'rtl\\u202Etxt.exe');
  assert.equal(shown('a\u2066b\u2069c\u200Fd\u061Ce\u202Af'), 'a\\u2066b\\u2069c\\u200Fd\\u061Ce\\u202Af');
});

test('control characters, DEL, C1, line separators, BOM and lone surrogates are escaped', () => {
  assert.equal(shown('a\nb\rc\td\u0000e\u007f\u0085f\u2028g\ufeffh'), 'a\\u000Ab\\u000Dc\\u0009d\\u0000e\\u007F\\u0085f\\u2028g\\uFEFFh');
  assert.equal(shown('x\uD800y'), 'x\\uD800y');
  assert.equal(displayName('ok 😀'), 'ok 😀', 'a surrogate pair is one character, not two lone halves');
});

test('long names are clipped to max characters, the last an ellipsis, without splitting a character', () => {
  const long = 'a'.repeat(300);
  assert.equal(shown(long), `${'a'.repeat(MAX_DISPLAY_CHARS - 1)}…`);
  assert.equal(Array.from(displayName('😀'.repeat(200), 10)).length, 10);
  assert.equal(displayName('😀'.repeat(200), 10), `${'😀'.repeat(9)}…`);
  assert.equal(displayName('abc', 3), 'abc');
  assert.equal(displayName('abcd', 3), 'ab…');
  // Escapes count towards the length.
  assert.equal(shown('\u202E'.repeat(50), 20).length, 20);
});

test('a 1 MB hostile name is shown in at most max characters, on one line, quickly', () => {
  const huge = `${'x'.repeat(500_000)}\n\u202E${'y'.repeat(500_000)}`;
  const t0 = performance.now();
  const out = shown(huge);
  assert.ok(performance.now() - t0 < 50);
  assert.ok(out.length <= MAX_DISPLAY_CHARS);
  assert.ok(!/[\n\u202E]/.test(out));
  assert.equal(quotedName('rtl\u202Etxt.exe'), "'rtl\\u202Etxt.exe'");
});

test('a server message echoing a hostile name is clipped and shows the override as an escape', async () => {
  const { messageFromBody } = await import('../../src/api');
  tally.tried++;
  const msg = messageFromBody(JSON.stringify({ error: `no such file: rtl\u202Etxt.exe ${'z'.repeat(10_000)}` }))!;
  tally.kept += rawHidden(msg);
  assert.ok(msg.length <= 200);
  assert.match(msg, /^no such file: rtl\\u202Etxt\.exe z+…$/);
  tally.handled++;
  assert.equal(messageFromBody('line one\nline two'), 'line one line two');
});
