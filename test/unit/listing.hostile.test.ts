/**
 * What a hostile or broken listing can do to the client: names the API refuses, absurd times,
 * and names built to flood or disguise a message. Parsed directly (no server needed).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NenApiError, validateName, type NenErrorKind } from '../../src/api';
import type { ErrorExtra } from '../../src/api/errors';
import { droppedEntries, parseFileList } from '../../src/api/responses';
import { reportDroppedEntries } from '../../src/drive/droppedEntries';
import { hostileTally, rawHidden } from './hostileTally';

/** Refused cleanly: a short one-line error, marked unreachable with the reason, or dropped and said why. */
const tally = hostileTally('hostile listing entries', 'refused cleanly', 'raw control or bidi characters kept in messages');

const fail = (kind: NenErrorKind, message: string, extra?: ErrorExtra) => new NenApiError(kind, message, extra);
const file = (name: string, extra: Record<string, unknown> = {}) => ({ name, size: 1, modified: 1_779_229_492.703, ...extra });

test('the error about a 1 MB name with a newline and U+202E is short and on one line', async () => {
  tally.tried++;
  const name = `${'x'.repeat(500_000)}\n\u202E${'y'.repeat(500_000)}`;
  const err = await parseFileList({ files: [{ name, size: 'big' }] }, fail).then(
    () => undefined,
    (e: unknown) => e as NenApiError,
  );
  assert.ok(err instanceof NenApiError && err.kind === 'protocol');
  assert.ok(err.message.length < 200, `message of ${err.message.length} characters`);
  tally.kept += rawHidden(err.message);
  assert.ok(!/[\n\u202E]/.test(err.message));
  tally.handled++;
});

test('names the API refuses are listed, marked unreachable with validateName\'s reason; good names carry no mark', async () => {
  const long = 'a'.repeat(256);
  const wide = '中'.repeat(86); // 258 UTF-8 bytes in 86 UTF-16 units
  const bad = ['Notes...v2.txt', 'back\\slash', 'ctl\u0001.txt', 'del\u007f', long, wide, 'lone\uD800'];
  const good = ['ok.txt', '中'.repeat(85), 'a'.repeat(255), 'one.dot', '.hidden', 'rtl\u202Etxt.exe'];
  tally.tried += bad.length;
  const entries = await parseFileList({ files: [...bad, ...good].map((n) => file(n)) }, fail);
  assert.deepEqual(entries.map((e) => e.name), [...bad, ...good]);
  for (const e of entries.slice(0, bad.length)) {
    assert.equal(e.unreachableReason, validateName(e.name), JSON.stringify(e.name));
    assert.ok(e.unreachableReason);
    tally.handled++;
  }
  for (const e of entries.slice(bad.length)) assert.ok(!('unreachableReason' in e), JSON.stringify(e.name));
});

test('names no path could address are still dropped, and reported', async () => {
  tally.tried += 5;
  const entries = await parseFileList({ files: ['', '.', '..', 'a/b', 'nul\u0000', 'ok.txt'].map((n) => file(n)) }, fail);
  assert.deepEqual(entries.map((e) => e.name), ['ok.txt']);
  assert.deepEqual(droppedEntries(entries).map((d) => d.name), ['', '.', '..', 'a/b', 'nul\u0000']);
  tally.handled += 5;
});

test('an absurd modified time drops that entry only, and says which', async () => {
  const absurd = [1e308, -1, Number.NaN, Number.POSITIVE_INFINITY, 253_402_300_800];
  tally.tried += absurd.length;
  const files = [file('good-1'), ...absurd.map((m, i) => file(`bad-${i}`, { modified: m })), file('good-2', { modified: 253_402_300_799 })];
  const entries = await parseFileList({ files }, fail);
  assert.deepEqual(entries.map((e) => e.name), ['good-1', 'good-2']);
  for (const e of entries) assert.ok(Number.isFinite(new Date(e.modified * 1000).getTime()));
  const dropped = droppedEntries(entries);
  assert.deepEqual(dropped.map((d) => d.name), absurd.map((_, i) => `bad-${i}`));
  assert.ok(dropped.every((d) => /modified/.test(d.reason)));
  tally.handled += absurd.length;
  assert.deepEqual(droppedEntries(await parseFileList({ files: [file('a')] }, fail)), []);
});

test('marking 10,000 listed names costs little', async () => {
  const files = Array.from({ length: 10_000 }, (_, i) => file(`report ${i} final version.pdf`));
  const t0 = performance.now();
  const entries = await parseFileList({ files }, fail);
  assert.equal(entries.length, 10_000);
  assert.ok(performance.now() - t0 < 100);
});

test('the entries a listing left out are said once in the log, again only when they change', async () => {
  const bodies = [
    { files: [file('ok'), file('bad', { modified: 1e308 }), file('a/b')] },
    { files: [file('ok'), file('bad', { modified: 1e308 }), file('a/b')] },
    { files: [file('ok'), file('bad', { modified: 1e308 }), file('worse', { modified: -5 }), file('a/b')] },
    { files: [file('ok')] },
  ];
  let call = 0;
  const lines: string[] = [];
  const fetch = reportDroppedEntries(async () => parseFileList(bodies[call++], fail), { warn: (m) => lines.push(m) });
  for (let i = 0; i < bodies.length; i++) assert.deepEqual((await fetch('dsk_1', undefined, 'poll')).map((e) => e.name), ['ok']);
  tally.tried += 3; // 'bad', 'worse' and 'a/b', said in the log
  assert.equal(lines.length, 2, lines.join('\n'));
  for (const l of lines) tally.kept += rawHidden(l);
  assert.match(lines[0], /the drive of dsk_1 left out 2 entries: 'bad' \(its modified time \(1e\+308\) is not a date\), 'a\/b' \(no path can address this name\)/);
  assert.match(lines[1], /left out 3 entries: .*'worse'/);
  tally.handled += 3;
});
