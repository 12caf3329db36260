/**
 * Every upload and download of this window, one entry per file: what it is, how far it got,
 * how fast it goes, how it ended, and its own AbortController (so one transfer can be cancelled
 * without its batch). Plain Node, no `vscode`: the status bar, the list and the tests read it.
 */
import { NenApiError } from '../api/errors';

export type Direction = 'upload' | 'download';
export type TransferState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled' | 'skipped';

/** What a transfer moves, known before it starts. */
export interface TransferInfo {
  name: string;
  /** The desktop's id. */
  desktopId: string;
  /** For people: the desktop's name when known, else its id. */
  desktop: string;
  direction: Direction;
  /** Bytes to move; undefined until known (a download by URI learns it from the answer). */
  size?: number;
}

/** Bytes per second over the last few seconds: a stall shows as a falling speed, not as the average since the start. */
const SPEED_WINDOW_MS = 3_000;
/** Progress events arrive per chunk (64 KiB socket reads, up to 1 MiB upload reads); listeners (a status bar, a list) hear at most this often. */
const PROGRESS_EVENT_MS = 200;
/** Finished entries kept for the list once nothing runs (the newest). */
const KEEP_FINISHED = 200;

export class Transfer {
  state: TransferState = 'queued';
  done = 0;
  /** Why it failed, was skipped or cancelled (for people). */
  reason?: string;
  startedAt?: number;
  endedAt?: number;
  readonly controller = new AbortController();
  private samples: { at: number; done: number }[] = [];

  constructor(
    readonly id: number,
    readonly batch: number,
    readonly info: TransferInfo,
  ) {}

  get active(): boolean {
    return this.state === 'queued' || this.state === 'running';
  }

  /** Bytes per second over the last few seconds; 0 when not running. */
  speed(now = Date.now()): number {
    const last = this.samples[this.samples.length - 1];
    // A transfer that has moved no byte for the whole window is not moving, whatever it did before.
    if (this.state !== 'running' || !last || now - last.at >= SPEED_WINDOW_MS) return 0;
    // From the last sample at or before the window's start (or the first one) to now.
    const from = [...this.samples].reverse().find((p) => p.at <= now - SPEED_WINDOW_MS) ?? this.samples[0];
    const span = now - from.at;
    return span > 0 ? ((last.done - from.done) * 1000) / span : 0;
  }

  /** @internal the registry's */
  sample(done: number, now: number): void {
    // A retry of the request starts again from 0: the window restarts with it.
    if (done < this.done) this.samples = [];
    this.done = done;
    // One sample per 100 ms is plenty for a 3 s window (progress comes per chunk).
    const prev = this.samples[this.samples.length - 2];
    if (prev && now - prev.at < 100) this.samples[this.samples.length - 1] = { at: now, done };
    else this.samples.push({ at: now, done });
    while (this.samples.length > 2 && now - this.samples[1].at >= SPEED_WINDOW_MS) this.samples.shift();
  }
}

/** How many transfers run or wait, and how far they are together. */
export interface TransferTotals {
  active: number;
  running: number;
  /** 0-100 over the active transfers' batches; undefined when a size is unknown. */
  percent?: number;
  bytesDone: number;
  bytesTotal?: number;
}

export class TransferRegistry {
  private readonly entries: Transfer[] = [];
  private readonly listeners = new Set<() => void>();
  private nextId = 1;
  private nextBatch = 1;
  private progressTimer: ReturnType<typeof setTimeout> | undefined;
  /** Entries queued or running (kept as a count: a batch of 10,000 files ends 10,000 times). */
  private activeCount = 0;

  /**
   * Registers a batch: one entry per item, queued, each with an AbortController that follows
   * `signal` (the batch's Cancel) and can be aborted alone ({@link cancel}).
   */
  addBatch(infos: readonly TransferInfo[], signal?: AbortSignal): Transfer[] {
    if (this.activeCount === 0) this.dropFinished(0);
    const batch = this.nextBatch++;
    const added = infos.map((info) => new Transfer(this.nextId++, batch, info));
    for (const t of added) {
      if (signal?.aborted) t.controller.abort();
      else signal?.addEventListener('abort', () => t.controller.abort(), { once: true });
    }
    this.entries.push(...added);
    this.activeCount += added.length;
    this.dropFinished(KEEP_FINISHED);
    this.fire();
    return added;
  }

  started(t: Transfer, now = Date.now()): void {
    t.state = 'running';
    t.startedAt = now;
    t.sample(0, now);
    // A batch of 10,000 small files starts and ends 20,000 times: listeners hear at most every 200 ms.
    this.fireSoon();
  }

  /** Bytes done so far; `total` when the transfer learns its size (a download's Content-Length). */
  progress(t: Transfer, done: number, now = Date.now(), total?: number): void {
    if (t.info.size === undefined && total !== undefined) t.info.size = total;
    t.sample(done, now);
    this.fireSoon();
  }

  /** Ends a transfer: done, failed (with the reason), cancelled or skipped. */
  finished(t: Transfer, state: Exclude<TransferState, 'queued' | 'running'>, reason?: string, now = Date.now()): void {
    if (t.active) this.activeCount--;
    t.state = state;
    t.reason = reason;
    t.endedAt = now;
    // The last one to end is heard at once (the status bar goes away); others with the progress.
    if (this.activeCount === 0) this.fire();
    else this.fireSoon();
  }

  /** Cancels one transfer (queued: it never starts; running: its request is aborted). */
  cancel(id: number): boolean {
    const t = this.entries.find((e) => e.id === id);
    if (!t || !t.active) return false;
    t.controller.abort(new NenApiError('cancelled', 'Cancelled.'));
    if (t.state === 'queued') this.finished(t, 'cancelled', 'cancelled');
    return true;
  }

  cancelAll(): number {
    const active = this.entries.filter((t) => t.active);
    for (const t of active) this.cancel(t.id);
    return active.length;
  }

  /** Every entry, oldest first (finished ones of earlier batches are dropped when a new batch starts and nothing runs). */
  all(): readonly Transfer[] {
    return this.entries;
  }

  totals(): TransferTotals {
    const active = this.entries.filter((t) => t.active);
    // The meter covers whole batches that still run: a finished file keeps counting, so the percent never goes back.
    const batches = new Set(active.map((t) => t.batch));
    const counted = this.entries.filter((t) => batches.has(t.batch) && t.state !== 'cancelled' && t.state !== 'skipped');
    const bytesDone = counted.reduce((s, t) => s + (t.state === 'done' ? (t.info.size ?? t.done) : t.done), 0);
    const known = counted.every((t) => t.info.size !== undefined);
    const bytesTotal = known ? counted.reduce((s, t) => s + (t.info.size ?? 0), 0) : undefined;
    const percent = bytesTotal === undefined ? undefined : bytesTotal === 0 ? 0 : Math.min(100, Math.floor((bytesDone / bytesTotal) * 100));
    return { active: active.length, running: active.filter((t) => t.state === 'running').length, percent, bytesDone, bytesTotal };
  }

  /** Called after any change (progress at most every 200 ms). Returns the unsubscribe. */
  onDidChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  dispose(): void {
    this.cancelAll();
    if (this.progressTimer) clearTimeout(this.progressTimer);
    this.listeners.clear();
  }

  private dropFinished(keep: number): void {
    const finished = this.entries.filter((t) => !t.active);
    const drop = new Set(finished.slice(0, Math.max(0, finished.length - keep)));
    if (drop.size === 0) return;
    const kept = this.entries.filter((t) => !drop.has(t));
    this.entries.splice(0, this.entries.length, ...kept);
  }

  private fireSoon(): void {
    this.progressTimer ??= setTimeout(() => this.fire(), PROGRESS_EVENT_MS);
  }

  private fire(): void {
    if (this.progressTimer) clearTimeout(this.progressTimer);
    this.progressTimer = undefined;
    for (const l of [...this.listeners]) l();
  }
}
