import * as l10n from '@vscode/l10n';
import type { Readable } from 'node:stream';
import type { Dispatcher } from './http';
import type { RawRequestBody } from './rawGet';
import type { NenResource, Progress, RequestLogEntry } from './types';

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** A request body, built afresh for every attempt. */
export interface RequestBody {
  body: Readable | Buffer;
  length: number;
  contentType: string;
  /** The same bytes for a connection of its own (rawGet), when the source allows it (a file). */
  raw?: RawRequestBody;
}

/** One call of the API as the transport runs it: the request, what to retry, how to read the answer. */
export interface Exchange<T> {
  method: Method;
  /** Encoded path and query, relative to the base URL's path. */
  path: string;
  /** What the path asks for; errors the server answered carry it. */
  resource: NenResource;
  transfer: boolean;
  signal?: AbortSignal;
  /** Builds the body afresh for every attempt (a consumed stream cannot be sent twice). */
  makeBody?: (attempt: Attempt) => Promise<RequestBody> | RequestBody;
  /**
   * A GET whose body goes to a file, or a POST of a file: on a direct route it takes its own
   * connection with reused buffers (rawGet) instead of undici's pool. Worth it only for large bodies.
   */
  rawBody?: boolean;
  /** Retry after a dropped connection (the call is idempotent, or its body is recreated). */
  retryResets: boolean;
  retryStatuses: ReadonlySet<number>;
  /** Overrides the client's `maxRetries` for this call (a background poll retries on its own schedule). */
  maxRetries?: number;
  /**
   * Consumes a 2xx response. Returns the value and whether the body was handed to the caller
   * (then the attempt ends when the caller finishes reading, not here).
   */
  onSuccess: (res: Dispatcher.ResponseData, attempt: Attempt) => Promise<{ value: T; detached?: boolean }>;
}

/** One HTTP attempt: its own abort controller, timer and byte counters. */
export class Attempt {
  readonly controller = new AbortController();
  timedOut = false;
  bytesSent = 0;
  bytesReceived = 0;
  hopStart = Date.now();
  method: Method;
  path = '';
  /** Why the attempt timed out, when a reason more precise than its clock says so. */
  timeoutReason: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly cleanups: (() => void)[] = [];
  private rateTimer: NodeJS.Timeout | undefined;
  private finished = false;
  private readonly unlink: () => void;

  constructor(
    readonly number: number,
    method: Method,
    readonly timeoutMs: number,
    /** Transfers time out on inactivity; metadata calls on total time. */
    readonly inactivity: boolean,
    parent: AbortSignal,
    private readonly logger: (entry: RequestLogEntry) => void,
  ) {
    this.method = method;
    const onAbort = (): void => this.controller.abort(parent.reason);
    if (parent.aborted) onAbort();
    parent.addEventListener('abort', onAbort, { once: true });
    this.unlink = () => parent.removeEventListener('abort', onAbort);
    this.arm();
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.finished || !(this.timeoutMs > 0)) return;
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort(new Error('timeout'));
    }, this.timeoutMs);
    this.timer.unref();
  }

  /** Progress happened: a transfer's inactivity clock starts again. */
  touch(): void {
    if (this.inactivity) this.arm();
  }

  /**
   * A floor under the transfer's rate: when fewer than `minBytesPerSec` × the window arrive in
   * a window, the attempt times out. The inactivity clock cannot catch this: every byte of a
   * trickle re-arms it.
   */
  watchRate(minBytesPerSec: number, windowMs: number): void {
    if (this.finished || !(minBytesPerSec > 0 && windowMs > 0)) return;
    let last = this.bytesReceived;
    this.rateTimer = setInterval(() => {
      const moved = this.bytesReceived - last;
      last = this.bytesReceived;
      if (moved >= (minBytesPerSec * windowMs) / 1000) return;
      const rate = minBytesPerSec % 1024 === 0 ? `${minBytesPerSec / 1024} KiB/s` : `${minBytesPerSec} B/s`;
      this.timeoutReason = l10n.t({ message: 'The transfer moved under {0} ({1} bytes in {2} s).', args: [rate, moved, windowMs / 1000], comment: ['{0} is a rate like 8 KiB/s'] });
      this.timedOut = true;
      this.controller.abort(new Error('timeout'));
    }, windowMs);
    this.rateTimer.unref();
  }

  log(status: number | undefined, error?: string): void {
    const entry: RequestLogEntry = {
      method: this.method,
      path: this.path,
      durationMs: Date.now() - this.hopStart,
      attempt: this.number,
    };
    if (status !== undefined) entry.status = status;
    if (this.bytesSent) entry.bytesSent = this.bytesSent;
    if (this.bytesReceived) entry.bytesReceived = this.bytesReceived;
    if (error !== undefined) entry.error = error;
    this.logger(entry);
  }

  /** Runs `fn` when the attempt ends, however it ends (a request body's source is released then). */
  onFinish(fn: () => void): void {
    if (this.finished) fn();
    else this.cleanups.push(fn);
  }

  get isFinished(): boolean {
    return this.finished;
  }

  finish(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.rateTimer) clearInterval(this.rateTimer);
    this.unlink();
    for (const fn of this.cleanups.splice(0)) {
      try {
        fn();
      } catch {
        // Releasing is best effort; the attempt is over either way.
      }
    }
  }
}

/** Hands progress to the caller's callback, if any. */
export function report(onProgress: ((p: Progress) => void) | undefined, p: Progress): void {
  if (!onProgress) return;
  try {
    onProgress(p);
  } catch {
    // Progress is advisory; a throwing callback must not break the transfer.
  }
}
