/** The transfers registry (what the status bar and Show Transfers read) and the text they show. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TransferRegistry, type TransferInfo } from '../../src/transfers/TransferRegistry';
import { statusText, transferRows } from '../../src/transfers/transferRows';

const KiB = 1024;
const info = (name: string, size?: number, direction: TransferInfo['direction'] = 'upload'): TransferInfo => ({ name, desktopId: 'dsk_a00000000001', desktop: 'Work PC', direction, size });

test('totals: how many are active and the percent of their batches, a finished file still counting', () => {
  const reg = new TransferRegistry();
  const [a, b, c] = reg.addBatch([info('a.bin', 100 * KiB), info('b.bin', 100 * KiB), info('c.bin', 200 * KiB)]);
  assert.deepEqual(reg.totals(), { active: 3, running: 0, percent: 0, bytesDone: 0, bytesTotal: 400 * KiB });
  reg.started(a, 0);
  reg.started(b, 0);
  reg.progress(a, 100 * KiB, 500);
  reg.finished(a, 'done');
  reg.progress(b, 50 * KiB, 500);
  const t = reg.totals();
  assert.equal(t.active, 2, 'a is done; b runs, c waits');
  assert.equal(t.running, 1);
  assert.equal(t.percent, 37, '150 KiB of 400 KiB');
  assert.equal(statusText(t, reg.all()).text, '$(cloud-upload) 2 transfers · 37%');
  assert.match(statusText(t, reg.all()).accessible, /2 transfers, 1 running, 37 percent done/);
  reg.finished(b, 'failed', 'boom');
  reg.cancel(c.id);
  assert.equal(reg.totals().active, 0);
  reg.dispose();
});

test('an unknown size gives no percent, never a wrong one', () => {
  const reg = new TransferRegistry();
  const [a] = reg.addBatch([info('a.bin', undefined, 'download'), info('b.bin', 10, 'download')]);
  reg.started(a, 0);
  reg.progress(a, 5000, 100);
  const t = reg.totals();
  assert.equal(t.percent, undefined);
  assert.equal(statusText(t, reg.all()).text, '$(cloud-download) 2 transfers');
  reg.dispose();
});

test('cancel aborts one transfer alone; the batch signal aborts them all', () => {
  const reg = new TransferRegistry();
  const batch = new AbortController();
  const [a, b, c] = reg.addBatch([info('a'), info('b'), info('c')], batch.signal);
  reg.started(a, 0);
  assert.equal(reg.cancel(b.id), true);
  assert.equal(b.controller.signal.aborted, true);
  assert.equal(b.state, 'cancelled', 'a queued transfer is cancelled at once');
  assert.equal(a.controller.signal.aborted, false, 'the others go on');
  assert.equal(a.state, 'running', 'a running transfer stays running until its request ends');
  assert.equal(reg.cancel(b.id), false, 'cancelling twice does nothing');
  batch.abort();
  assert.equal(a.controller.signal.aborted && c.controller.signal.aborted, true);
  reg.dispose();
});

test('speed is over the last seconds: a stalled transfer slows to 0', () => {
  const reg = new TransferRegistry();
  const [a] = reg.addBatch([info('a', 10_000 * KiB)]);
  reg.started(a, 0);
  for (let s = 1; s <= 4; s++) reg.progress(a, s * 1000 * KiB, s * 1000);
  assert.equal(Math.round(a.speed(4000) / KiB), 1000, '1000 KiB/s');
  assert.equal(Math.round(a.speed(5000) / KiB), 667, 'a second without a byte: 2000 KiB over the last 3 s');
  assert.equal(a.speed(7000), 0, 'three seconds without a byte: stalled');
  reg.progress(a, 0, 61_000);
  assert.equal(a.done, 0, 'a retry starts from 0');
  reg.dispose();
});

test('rows: running first with bytes and speed, then queued, failed with the reason, done; Cancel only on active ones', () => {
  const reg = new TransferRegistry();
  const [a, b, c, d] = reg.addBatch([info('done.txt', 2 * KiB), info('fails.txt', 10), info('runs.bin', 4096 * KiB), info('waits.bin', 1)]);
  reg.started(a, 0);
  reg.finished(a, 'done');
  reg.started(b, 0);
  reg.finished(b, 'failed', "Cannot read '/tmp/fails.txt': it no longer exists.");
  reg.started(c, 0);
  reg.progress(c, 1024 * KiB, 1000);
  reg.progress(c, 1536 * KiB, 2000);
  const rows = transferRows(reg.all(), 2000);
  assert.deepEqual(
    rows.map((r) => [r.label, r.description, r.detail, r.cancellable]),
    [
      ['$(arrow-up) runs.bin', 'upload · Work PC', '1.5 MB of 4 MB · 768 KB/s · running', true],
      ['$(arrow-up) waits.bin', 'upload · Work PC', '1 B · queued', true],
      ['$(arrow-up) fails.txt', 'upload · Work PC', "0 B of 10 B · failed: Cannot read '/tmp/fails.txt': it no longer exists.", false],
      ['$(arrow-up) done.txt', 'upload · Work PC', '2 KB · done', false],
    ],
  );
  assert.equal(d.state, 'queued');
  reg.dispose();
});

test('a new batch after everything finished starts a fresh list; while one runs, finished ones stay', () => {
  const reg = new TransferRegistry();
  const [a] = reg.addBatch([info('old.txt', 1)]);
  reg.finished(a, 'done');
  const [b] = reg.addBatch([info('new.txt', 1)]);
  assert.deepEqual(reg.all().map((t) => t.info.name), ['new.txt']);
  reg.started(b, 0);
  reg.addBatch([info('more.txt', 1)]);
  assert.deepEqual(reg.all().map((t) => t.info.name), ['new.txt', 'more.txt']);
  reg.dispose();
});

test('listeners hear a new batch and the last end at once; starts, other ends and progress at most every 200 ms', async () => {
  const reg = new TransferRegistry();
  let heard = 0;
  reg.onDidChange(() => heard++);
  const [a, b] = reg.addBatch([info('a', 100), info('b', 100)]);
  assert.equal(heard, 1, 'a new batch at once');
  reg.started(a);
  reg.started(b);
  for (let i = 1; i <= 50; i++) reg.progress(a, i);
  reg.finished(a, 'done');
  assert.equal(heard, 1, 'no event per start, chunk or end while others run');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(heard, 2, 'one event for all of them');
  reg.finished(b, 'done');
  assert.equal(heard, 3, 'the last end at once');
  assert.equal(reg.totals().active, 0);
  reg.dispose();
});

test('a batch of 10,000 transfers runs through the registry in linear time (events are throttled, no scan per change)', () => {
  const reg = new TransferRegistry();
  let heard = 0;
  reg.onDidChange(() => {
    heard++;
    reg.totals();
  });
  const many = reg.addBatch(Array.from({ length: 10_000 }, (_, i) => info(`f${i}`, 10)));
  for (const t of many) {
    reg.started(t);
    reg.progress(t, 10);
    reg.finished(t, 'done');
  }
  // Without throttling every start and end would call the listener (and its O(n) totals): 20,000 times.
  assert.ok(heard <= 3, `listener calls: ${heard}`);
  assert.equal(reg.totals().active, 0);
  reg.dispose();
});

test('a row for a transfer that knew only the desktop id shows the desktop name when it is known', () => {
  const reg = new TransferRegistry();
  reg.addBatch([{ name: 'a.csv', desktopId: 'dsk_b00000000002', desktop: 'dsk_b00000000002', direction: 'download' }, { name: 'b.csv', desktopId: 'dsk_c00000000003', desktop: 'dsk_c00000000003', direction: 'download' }]);
  const names = new Map([['dsk_b00000000002', 'Build box']]);
  const rows = transferRows(reg.all(), 0, (id) => names.get(id));
  assert.deepEqual(rows.map((r) => r.description).sort(), ['download · Build box', 'download · dsk_c00000000003']);
  reg.dispose();
});
