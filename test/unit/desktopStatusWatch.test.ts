import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { DesktopStatusWatch, STATUS_WATCH_LIMIT_MS, type StatusAnswer } from '../../src/views/DesktopStatusWatch';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A watch over fake desktops whose statuses the test sets; `now` is the test's to move. */
function fixture() {
  const statuses = new Map<string, string | 'gone' | 'fail'>();
  const asked: string[] = [];
  const heard: { id: string; status: string }[] = [];
  let now = 1_000_000;
  const watch = new DesktopStatusWatch(
    async (id) => {
      asked.push(id);
      const s = statuses.get(id);
      if (s === 'fail') throw new Error('503');
      return s === 'gone' || s === undefined ? 'gone' : { desktop_id: id, status: s };
    },
    (id, answer: StatusAnswer) => heard.push({ id, status: answer === 'gone' ? 'gone' : String(answer.status) }),
    () => now,
  );
  return { statuses, asked, heard, watch, advance: (ms: number) => (now += ms) };
}

test('status watch: asks only about the desktops it is given, every interval, and stops when given none or interval 0', async () => {
  const f = fixture();
  f.statuses.set('dsk_a', 'starting').set('dsk_b', 'running');
  try {
    f.watch.set(['dsk_a'], 20);
    await sleep(110);
    assert.ok(f.asked.length >= 3, `asked ${f.asked.length} times`);
    assert.ok(f.asked.every((id) => id === 'dsk_a'));
    assert.ok(f.heard.every((h) => h.status === 'starting'));
    f.watch.set([], 20);
    await sleep(30);
    const after = f.asked.length;
    await sleep(80);
    assert.equal(f.asked.length, after, 'nothing watched, nothing asked');
    f.watch.set(['dsk_a'], 0);
    await sleep(60);
    assert.equal(f.asked.length, after, 'interval 0 is off');
  } finally {
    f.watch.dispose();
  }
});

test('status watch: bounded to STATUS_WATCH_LIMIT_MS per desktop; restart() gives it its time again; a failed check is skipped', async () => {
  const f = fixture();
  f.statuses.set('dsk_a', 'fail');
  try {
    f.watch.set(['dsk_a'], 15);
    await sleep(60);
    assert.ok(f.asked.length >= 2, 'a failing check is asked again next round');
    assert.equal(f.heard.length, 0, 'and reports nothing');
    f.advance(STATUS_WATCH_LIMIT_MS);
    await sleep(40);
    const asked = f.asked.length;
    await sleep(60);
    assert.equal(f.asked.length, asked, 'past its limit the desktop is not asked about');
    assert.deepEqual(f.watch.active, []);
    f.statuses.set('dsk_a', 'error');
    f.watch.restart();
    f.watch.set(['dsk_a'], 15);
    await sleep(60);
    assert.ok(f.heard.some((h) => h.status === 'error'), 'asked again after restart');
    f.watch.dispose();
    const final = f.asked.length;
    await sleep(50);
    assert.equal(f.asked.length, final, 'disposed: silent');
  } finally {
    f.watch.dispose();
  }
});
