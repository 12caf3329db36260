import type { ContainerRef } from './ListingCache';

/**
 * The schedule of live refresh: one loop per watched folder, never two requests of one folder
 * at once. The API has no change feed, so a folder that something shows or watches is listed
 * again every `intervalMs`; a folder that stays unchanged is listed less and less often
 * (×1, ×2, ×4, ×6 the interval: 5, 10, 20, 30 s by default), a failing one backs off
 * (doubling up to 60 s, or the server's Retry-After when longer), and an unfocused window
 * waits at least 30 s between listings. Any change or user action brings a folder back to the
 * base interval. Plain TypeScript, no `vscode`, with injectable timers for tests.
 */

/** Multipliers of the base interval after 0, 1, 2, 3+ unchanged listings in a row. */
export const IDLE_STEPS = [1, 2, 4, 6] as const;
export const MAX_BACKOFF_MS = 60_000;
export const UNFOCUSED_MIN_MS = 30_000;

export interface PollResult {
  /** The listing differed from the previous one (someone changed the folder). */
  changed: boolean;
}

export interface PollerOptions {
  /** Lists one folder (through the listing cache). Rejects on failure, with `retryAfterMs` when the server said so. */
  poll(container: ContainerRef): Promise<PollResult>;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

interface Loop {
  key: string;
  container: ContainerRef;
  timer?: unknown;
  /** When the pending timer fires (ms). */
  dueAt?: number;
  running: boolean;
  unchanged: number;
  failures: number;
  retryAfterMs?: number;
  lastStartedAt?: number;
}

/** How long to wait before the next listing of a folder, from its recent history. */
export function nextDelayMs(baseMs: number, state: { unchanged: number; failures: number; retryAfterMs?: number; focused: boolean }): number {
  let delay: number;
  if (state.failures > 0) {
    delay = Math.min(MAX_BACKOFF_MS, Math.max(baseMs, baseMs * 2 ** state.failures));
    if (state.retryAfterMs !== undefined) delay = Math.max(delay, state.retryAfterMs);
  } else {
    delay = baseMs * IDLE_STEPS[Math.min(state.unchanged, IDLE_STEPS.length - 1)];
  }
  return state.focused ? delay : Math.max(delay, UNFOCUSED_MIN_MS);
}

export class LivePoller {
  private readonly loops = new Map<string, Loop>();
  private baseMs = 0;
  private focused = true;
  private disposed = false;
  private readonly now: () => number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;

  constructor(private readonly opts: PollerOptions) {
    this.now = opts.now ?? Date.now;
    this.setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = opts.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  }

  /** The base interval in ms; 0 stops every loop. */
  setInterval(ms: number): void {
    if (ms === this.baseMs) return;
    this.baseMs = ms;
    for (const loop of this.loops.values()) this.reschedule(loop, true);
  }

  /** Window focus: unfocused windows list at most every 30 s; regaining focus catches up at once. */
  setFocused(focused: boolean): void {
    if (focused === this.focused) return;
    this.focused = focused;
    for (const loop of this.loops.values()) {
      if (focused) loop.unchanged = 0;
      this.reschedule(loop, true);
    }
  }

  /**
   * The folders to keep live, by key. New ones are first listed after one interval (whoever
   * shows them has just listed them), or at once when in `unlisted` (nothing to diff against
   * yet: the first listing is the baseline). Folders no longer wanted stop at once.
   */
  setTargets(targets: ReadonlyMap<string, ContainerRef>, unlisted: ReadonlySet<string> = new Set()): void {
    for (const [key, loop] of this.loops) {
      if (targets.has(key)) continue;
      if (loop.timer !== undefined) this.clearTimer(loop.timer);
      this.loops.delete(key);
    }
    for (const [key, container] of targets) {
      if (this.loops.has(key)) continue;
      const loop: Loop = { key, container, running: false, unchanged: 0, failures: 0 };
      this.loops.set(key, loop);
      if (unlisted.has(key) && this.baseMs > 0) {
        loop.timer = this.setTimer(() => void this.run(loop), 0);
        loop.dueAt = this.now();
      } else this.reschedule(loop, false);
    }
  }

  /** Keys currently polled (for tests and the log). */
  get targets(): string[] {
    return [...this.loops.keys()];
  }

  /**
   * Someone listed the folder (or the user acted on it): a change resets the idle slow-down; a
   * success clears the backoff; a failure counts. Listings made by others count as polls, so a
   * folder is never listed twice in one interval.
   */
  observe(key: string, outcome: { ok: true; changed: boolean } | { ok: false; retryAfterMs?: number }): void {
    const loop = this.loops.get(key);
    if (!loop || loop.running) return;
    this.record(loop, outcome);
    loop.lastStartedAt = this.now();
    this.reschedule(loop, true);
  }

  /** A user action on a folder (expand, refresh, open): back to the base interval. */
  nudge(key: string): void {
    const loop = this.loops.get(key);
    if (!loop) return;
    loop.unchanged = 0;
    this.reschedule(loop, true);
  }

  dispose(): void {
    this.disposed = true;
    for (const loop of this.loops.values()) if (loop.timer !== undefined) this.clearTimer(loop.timer);
    this.loops.clear();
  }

  private record(loop: Loop, outcome: { ok: true; changed: boolean } | { ok: false; retryAfterMs?: number }): void {
    if (outcome.ok) {
      // The first success after failures starts the idle slow-down over.
      loop.unchanged = outcome.changed || loop.failures > 0 ? 0 : loop.unchanged + 1;
      loop.failures = 0;
      loop.retryAfterMs = undefined;
    } else {
      loop.failures++;
      loop.retryAfterMs = outcome.retryAfterMs;
    }
  }

  /** (Re)arms the loop's timer; `keepPace` measures from the last listing instead of from now. */
  private reschedule(loop: Loop, keepPace: boolean): void {
    if (loop.running || this.disposed) return;
    if (loop.timer !== undefined) this.clearTimer(loop.timer);
    loop.timer = undefined;
    loop.dueAt = undefined;
    if (this.baseMs <= 0) return;
    const delay = nextDelayMs(this.baseMs, { unchanged: loop.unchanged, failures: loop.failures, retryAfterMs: loop.retryAfterMs, focused: this.focused });
    const from = keepPace && loop.lastStartedAt !== undefined ? loop.lastStartedAt : this.now();
    const wait = Math.max(0, from + delay - this.now());
    loop.dueAt = this.now() + wait;
    loop.timer = this.setTimer(() => void this.run(loop), wait);
  }

  private async run(loop: Loop): Promise<void> {
    loop.timer = undefined;
    if (this.disposed || this.loops.get(loop.key) !== loop) return;
    loop.running = true;
    loop.lastStartedAt = this.now();
    try {
      const result = await this.opts.poll(loop.container);
      this.record(loop, { ok: true, changed: result.changed });
    } catch (err) {
      const retryAfterMs = (err as { retryAfterMs?: unknown })?.retryAfterMs;
      this.record(loop, { ok: false, retryAfterMs: typeof retryAfterMs === 'number' ? retryAfterMs : undefined });
    } finally {
      loop.running = false;
    }
    if (this.loops.get(loop.key) === loop) this.reschedule(loop, true);
  }
}
