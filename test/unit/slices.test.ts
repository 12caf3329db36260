/**
 * Big listings are worked through in slices of the event loop (src/api/slices.ts): the parse,
 * the index and the tree's sort give the loop back between slices, and give the same answer as
 * in one go. Slicers with a 0 ms budget make the yields certain on any machine; how long the
 * real slices hold the host's loop is measured by the bench (`--only inhost`, the Refresh row).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NenApiError, type NenErrorKind } from '../../src/api';
import type { ErrorExtra } from '../../src/api/errors';
import { parseFileList } from '../../src/api/responses';
import { forEachSliced, Slicer } from '../../src/api/slices';
import { sortEntries } from '../../src/views/sortOrder';

const fail = (kind: NenErrorKind, message: string, extra?: ErrorExtra) => new NenApiError(kind, message, extra);

/** Counts the event loop's turns (setImmediate callbacks) until stopped. */
function turns(): { count: () => number; stop: () => void } {
  let n = 0;
  let timer: NodeJS.Immediate | undefined;
  const tick = () => {
    n++;
    timer = setImmediate(tick);
  };
  timer = setImmediate(tick);
  return { count: () => n, stop: () => clearImmediate(timer) };
}

test('a loop whose slice is used up gives the event loop back, and still visits every item in order', async () => {
  const loop = turns();
  const seen: number[] = [];
  const slicer = new Slicer(0);
  await forEachSliced(Array.from({ length: 1000 }, (_, i) => i), (x, i) => seen.push(x * 10 + (i === x ? 0 : 1)), slicer);
  loop.stop();
  assert.deepEqual(seen, Array.from({ length: 1000 }, (_, i) => i * 10));
  assert.equal(slicer.yields, 3, 'one look at the clock every 256 steps, each one over a 0 ms budget');
  assert.ok(loop.count() >= 3, `the loop turned ${loop.count()} times meanwhile`);
});

test('a job inside its budget never yields: no turn of the loop, no cost', async () => {
  const loop = turns();
  const slicer = new Slicer(60_000);
  let sum = 0;
  await forEachSliced(Array.from({ length: 5000 }, (_, i) => i), (x) => (sum += x), slicer);
  loop.stop();
  assert.equal(sum, (4999 * 5000) / 2);
  assert.equal(slicer.yields, 0);
  assert.equal(loop.count(), 0, 'the job finished before the loop turned');
});

test('a listing of 3,000 entries is parsed in slices, with the same entries, marks and dropped ones as one go', async () => {
  const files = Array.from({ length: 3000 }, (_, i) => ({ name: i % 1000 === 7 ? `bad\\${i}` : `file ${i}.txt`, size: i, modified: 1_779_229_492 + i }));
  files.push({ name: 'a/b', size: 1, modified: 1 });
  const whole = await parseFileList({ files: structuredClone(files) }, fail, new Slicer(60_000));
  const loop = turns();
  const slicer = new Slicer(0);
  const sliced = await parseFileList({ files: structuredClone(files) }, fail, slicer);
  loop.stop();
  assert.ok(slicer.yields >= 11, `${slicer.yields} yields`);
  assert.ok(loop.count() >= 11);
  assert.deepEqual(sliced, whole);
  assert.equal(sliced.length, 3000);
  assert.equal(sliced.filter((e) => e.unreachableReason).length, 3);
});

test("the tree's sort of 3,000 names runs its keys in slices and orders exactly as in one go", async () => {
  const entries = Array.from({ length: 3000 }, (_, i) => ({ name: `report ${(i * 7919) % 3000}.pdf`, size: i % 13, modified: i % 17, isDir: i % 500 === 0 }));
  for (const order of ['name', 'size', 'modified'] as const) {
    const whole = await sortEntries(entries, order, new Slicer(60_000));
    const slicer = new Slicer(0);
    const sliced = await sortEntries(entries, order, slicer);
    assert.ok(slicer.yields >= 11, `${order}: ${slicer.yields} yields`);
    assert.deepEqual(sliced.map((e) => e.name), whole.map((e) => e.name), order);
  }
  const names = (await sortEntries(entries, 'name')).map((e) => e.name);
  assert.deepEqual(names.slice(0, 6), ['report 0.pdf', 'report 500.pdf', 'report 1000.pdf', 'report 1500.pdf', 'report 2000.pdf', 'report 2500.pdf'], 'folders first, natural order');
  assert.equal(names[6], 'report 1.pdf');
});
