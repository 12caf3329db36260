import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ContainerRef } from '../../src/cache/ListingCache';
import { LivePoller, nextDelayMs, type PollResult } from '../../src/cache/LivePoller';

/** A manual clock: timers fire only when the test advances time. */
function manualClock() {
  let now = 0;
  let id = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => now,
    setTimer: (fn: () => void, ms: number) => {
      timers.set(++id, { at: now + ms, fn });
      return id;
    },
    clearTimer: (h: unknown) => void timers.delete(h as number),
    get pending() {
      return timers.size;
    },
    /** Advances to `to` ms, firing due timers in order and letting their promises settle. */
    async advance(to: number) {
      for (;;) {
        const due = [...timers.entries()].filter(([, t]) => t.at <= to).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
        for (let i = 0; i < 5; i++) await Promise.resolve();
      }
      now = to;
    },
  };
}

const root: ContainerRef = { desktopId: 'dsk_abc123def456' };
const targets = (...refs: ContainerRef[]) => new Map(refs.map((r) => [`${r.desktopId}\u0000${r.folder ?? ''}`, r]));

function setup(answer: (n: number) => PollResult | Error) {
  const clock = manualClock();
  const polls: number[] = [];
  const poller = new LivePoller({
    now: clock.now,
    setTimer: clock.setTimer,
    clearTimer: clock.clearTimer,
    poll: async () => {
      polls.push(clock.now());
      const a = answer(polls.length);
      if (a instanceof Error) throw a;
      return a;
    },
  });
  return { clock, polls, poller };
}

test('an unchanged folder slows down step by step: 5, 10, 20, 30, 30 s', async () => {
  const { clock, polls, poller } = setup(() => ({ changed: false }));
  poller.setInterval(5000);
  poller.setTargets(targets(root));
  await clock.advance(200_000);
  const gaps = polls.slice(0, 6).map((t, i) => t - (i === 0 ? 0 : polls[i - 1]));
  assert.deepEqual(gaps, [5000, 10_000, 20_000, 30_000, 30_000, 30_000]);
});

test('a change brings the folder back to the base interval', async () => {
  const { clock, polls, poller } = setup((n) => ({ changed: n === 4 }));
  poller.setInterval(5000);
  poller.setTargets(targets(root));
  await clock.advance(5000 + 10_000 + 20_000 + 30_000 + 5000);
  assert.deepEqual(polls, [5000, 15_000, 35_000, 65_000, 70_000], 'after the 4th poll saw a change, the 5th comes 5 s later');
});

test('failures back off doubling up to 60 s, Retry-After wins when longer, and a success resets', async () => {
  const err = (retryAfterMs?: number) => Object.assign(new Error('503'), { retryAfterMs });
  const { clock, polls, poller } = setup((n) => (n <= 5 ? err(n === 2 ? 45_000 : undefined) : { changed: false }));
  poller.setInterval(5000);
  poller.setTargets(targets(root));
  await clock.advance(400_000);
  const gaps = polls.slice(0, 7).map((t, i) => t - (i === 0 ? 0 : polls[i - 1]));
  assert.deepEqual(gaps, [5000, 10_000, 45_000, 40_000, 60_000, 60_000, 5000]);
});

test('an unfocused window waits at least 30 s; focus catches up at once', async () => {
  const { clock, polls, poller } = setup(() => ({ changed: false }));
  poller.setInterval(5000);
  poller.setFocused(false);
  poller.setTargets(targets(root));
  await clock.advance(61_000);
  assert.deepEqual(polls, [30_000, 60_000]);
  poller.setFocused(true);
  await clock.advance(66_000);
  assert.deepEqual(polls, [30_000, 60_000, 65_000], 'back to 5 s from the last poll');
});

test('never two polls of one folder at once, and a listing made by someone else counts as a poll', async () => {
  let release!: () => void;
  const clock = manualClock();
  let running = 0;
  let maxRunning = 0;
  const poller = new LivePoller({
    now: clock.now,
    setTimer: clock.setTimer,
    clearTimer: clock.clearTimer,
    poll: async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise<void>((r) => (release = r));
      running--;
      return { changed: false };
    },
  });
  poller.setInterval(1000);
  poller.setTargets(targets(root));
  await clock.advance(10_000);
  assert.equal(clock.pending, 0, 'no timer while a poll runs');
  poller.nudge(`${root.desktopId}\u0000`);
  assert.equal(clock.pending, 0, 'a nudge during a poll does not start another');
  release();
  await Promise.resolve();
  await Promise.resolve();
  assert.equal(maxRunning, 1);

  const { clock: c2, polls, poller: p2 } = setup(() => ({ changed: false }));
  p2.setInterval(5000);
  p2.setTargets(targets(root));
  await c2.advance(4000);
  p2.observe(`${root.desktopId}\u0000`, { ok: true, changed: false }); // the tree listed it at 4 s
  await c2.advance(12_000);
  assert.deepEqual(polls, [], 'the next poll waits a full (slower) step after the outside listing');
  await c2.advance(14_000);
  assert.deepEqual(polls, [14_000]);
});

test('no targets, or interval 0, means no timers and no polls', async () => {
  const { clock, polls, poller } = setup(() => ({ changed: false }));
  poller.setInterval(0);
  poller.setTargets(targets(root));
  await clock.advance(100_000);
  assert.equal(polls.length, 0);
  poller.setInterval(5000);
  await clock.advance(105_000);
  assert.equal(polls.length, 1);
  poller.setTargets(new Map());
  assert.equal(clock.pending, 0, 'an unwatched folder stops at once');
  await clock.advance(500_000);
  assert.equal(polls.length, 1);
});

test('nextDelayMs: idle steps, backoff cap and focus floor', () => {
  assert.equal(nextDelayMs(5000, { unchanged: 0, failures: 0, focused: true }), 5000);
  assert.equal(nextDelayMs(5000, { unchanged: 9, failures: 0, focused: true }), 30_000);
  assert.equal(nextDelayMs(5000, { unchanged: 0, failures: 9, focused: true }), 60_000);
  assert.equal(nextDelayMs(5000, { unchanged: 0, failures: 1, retryAfterMs: 90_000, focused: true }), 90_000);
  assert.equal(nextDelayMs(1000, { unchanged: 0, failures: 0, focused: false }), 30_000);
});
