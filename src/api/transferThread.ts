import * as l10n from '@vscode/l10n';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { NenApiError } from './errors';
import { longPath } from './localName';
import type { DownloadToFileOptions, DriveClientOptions, NenErrorKind, NenResource, Progress, RequestLogEntry, TransferOptions, UploadOptions, UploadResult } from './types';

/**
 * Large transfers on a thread of their own. A 100 MiB download is a few thousand socket reads,
 * file writes and their callbacks; on the extension host's thread they share the event loop
 * with every extension and the workbench's requests. A worker thread runs its own client (its
 * own event loop and connections) for them; this side only forwards the call, the progress (at
 * most every {@link PROGRESS_EVERY_MS}), the cancel, the key and the request log, and remakes the
 * outcome: the same `NenApiError` kinds, messages and fields as the client on this thread.
 *
 * The worker starts with the first large transfer (about 110 ms before its first byte) and ends
 * after `idleMs` without one: while it runs, the process holds about 30 MiB more (measured in
 * plain Node; V8's young-generation limit made no difference), and about 8 MiB of it stays with
 * the allocator after it ended, the same after eight starts and ends. A worker that cannot start
 * (its script missing, a platform without worker threads) hands its transfers back to run on
 * this thread, so the transfer still happens.
 */
export interface OffThreadOptions {
  /** The worker's script: `dist/transferWorker.js` beside the bundle, `out/src/api/transferWorker.js` under tsc. */
  script: string;
  /** The strings the worker's messages are translated with (`vscode.l10n.bundle`). */
  l10nBundle?: l10n.l10nJsonFormat;
  /** An idle worker ends after this long. Default 60 000 ms. */
  idleMs?: number;
  /** Told when the worker starts, ends, cannot start or is lost (for the log; English, never a key). */
  onLog?: (message: string) => void;
}

/**
 * The worker's script beside this code: `dist/transferWorker.js` in the bundle (where this
 * module is part of `dist/extension.js`), `out/src/api/transferWorker.js` under tsc.
 */
export const TRANSFER_WORKER_SCRIPT = join(__dirname, 'transferWorker.js');

/** What a worker's client is built from: the client's options without its callbacks. */
export type ThreadClientOptions = Omit<DriveClientOptions, 'getApiKey' | 'onRequest' | 'offThread'>;

export interface WorkerInit {
  client: ThreadClientOptions;
  l10nBundle?: l10n.l10nJsonFormat;
}

type Plain<T> = Omit<T, 'signal' | 'onProgress' | 'onTempFile' | 'beforePlace'>;
export type ThreadJob =
  /** `gated`: the caller gave `beforePlace`; the worker asks this thread (`place?`) before the rename. */
  | { op: 'download'; desktopId: string; name: string; targetPath: string; opts: Plain<DownloadToFileOptions> & { gated?: boolean } }
  | { op: 'upload'; desktopId: string; name: string; path: string; opts: Plain<UploadOptions> };
type Outcome<J extends ThreadJob> = J extends { op: 'download' } ? { size: number } : UploadResult;

export interface SentError {
  kind?: NenErrorKind;
  message: string;
  status?: number;
  retryAfterMs?: number;
  code?: string;
  resource?: NenResource;
}

export type ToWorker =
  | { t: 'run'; id: number; job: ThreadJob }
  | { t: 'abort'; id: number }
  | { t: 'key'; n: number; key: string | undefined }
  /** The answer of the caller's `beforePlace`: without `error`, the file may take its name. */
  | { t: 'place'; id: number; error?: SentError };
export type FromWorker =
  | { t: 'ready' }
  | { t: 'progress'; id: number; done: number; total?: number }
  | { t: 'temp'; id: number; path: string }
  | { t: 'request'; entry: RequestLogEntry }
  | { t: 'key?'; n: number }
  | { t: 'place?'; id: number }
  | { t: 'done'; id: number; value: unknown }
  | { t: 'fail'; id: number; error: SentError };

/** Progress crosses the threads at most this often (and once more at the end): the bar moves as smoothly, the host thread wakes far less. */
export const PROGRESS_EVERY_MS = 40;
const DEFAULT_IDLE_MS = 60_000;

export function sendError(e: unknown): SentError {
  if (e instanceof NenApiError) return { kind: e.kind, message: e.message, status: e.status, retryAfterMs: e.retryAfterMs, code: e.code, resource: e.resource };
  return { message: e instanceof Error ? e.message : String(e) };
}

export function remakeError(s: SentError): Error {
  return s.kind ? new NenApiError(s.kind, s.message, s) : new Error(s.message);
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  onProgress?: (p: Progress) => void;
  /** Runs the transfer on this thread instead, when the worker never started. */
  here: () => Promise<unknown>;
  /** A download's temporary file, once the worker chose it: removed here if the worker is lost. */
  temp?: string;
  onTempFile?: (path: string) => void;
  beforePlace?: () => Promise<void>;
  detach: () => void;
}

const reasonOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export class TransferThread {
  private worker: Worker | undefined;
  private ready = false;
  /** The worker could not start: every transfer runs on this thread from now on. */
  private broken = false;
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  private idle: NodeJS.Timeout | undefined;

  constructor(
    private readonly opts: OffThreadOptions,
    private readonly client: ThreadClientOptions,
    private readonly hooks: Pick<DriveClientOptions, 'getApiKey' | 'onRequest'>,
  ) {}

  /** Whether a worker is running now (for tests). */
  get running(): boolean {
    return this.worker !== undefined;
  }

  /** Runs `job` on the worker; `here` runs it on this thread if the worker cannot start. */
  run<J extends ThreadJob>(job: J, call: TransferOptions & Pick<DownloadToFileOptions, 'onTempFile' | 'beforePlace'>, here: () => Promise<Outcome<J>>): Promise<Outcome<J>> {
    const worker = this.broken ? undefined : this.start();
    if (!worker) return here();
    clearTimeout(this.idle);
    const id = ++this.nextId;
    return new Promise<Outcome<J>>((resolve, reject) => {
      const signal = call.signal;
      const onAbort = (): void => worker.postMessage({ t: 'abort', id } satisfies ToWorker);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        resolve: resolve as (v: unknown) => void,
        reject,
        onProgress: call.onProgress,
        onTempFile: call.onTempFile,
        beforePlace: call.beforePlace,
        here,
        detach: () => signal?.removeEventListener('abort', onAbort),
      });
      worker.ref();
      worker.postMessage({ t: 'run', id, job } satisfies ToWorker);
      if (signal?.aborted) onAbort();
    });
  }

  /** Cancels what runs on the worker (each fails as `cancelled`, its temporary file removed) and ends it. */
  async close(): Promise<void> {
    clearTimeout(this.idle);
    const worker = this.worker;
    if (!worker) return;
    const left = [...this.pending.entries()].map(([id, p]) => {
      worker.postMessage({ t: 'abort', id } satisfies ToWorker);
      return new Promise<void>((r) => {
        const [res, rej] = [p.resolve, p.reject];
        p.resolve = (v) => (res(v), r());
        p.reject = (e) => (rej(e), r());
      });
    });
    await Promise.race([Promise.all(left), new Promise((r) => setTimeout(r, 5000).unref())]);
    this.worker = undefined;
    await worker.terminate();
    // A transfer that did not answer its cancel within 5 s ended with the thread.
    for (const p of this.pending.values()) {
      p.detach();
      p.reject(new NenApiError('cancelled', l10n.t('The client was closed.')));
    }
    this.pending.clear();
  }

  private readonly log = {
    info: (message: string): void => {
      try {
        this.opts.onLog?.(message);
      } catch {
        // a log that fails changes nothing for the transfers
      }
    },
  };

  private start(): Worker | undefined {
    if (this.worker) return this.worker;
    let worker: Worker;
    try {
      worker = new Worker(this.opts.script, { workerData: { client: this.client, l10nBundle: this.opts.l10nBundle } satisfies WorkerInit });
    } catch (err) {
      this.broken = true;
      this.log.info(`The transfer thread could not start (${reasonOf(err)}); large transfers run on this thread.`);
      return undefined;
    }
    this.worker = worker;
    this.ready = false;
    worker.unref();
    worker.on('message', (m: FromWorker) => this.onMessage(worker, m));
    worker.on('error', (err) => this.lost(worker, err));
    worker.on('exit', (code) => this.lost(worker, new Error(l10n.t({ message: 'exit code {0}', args: [code], comment: ['how a thread ended; {0} is a number'] }))));
    return worker;
  }

  private onMessage(worker: Worker, m: FromWorker): void {
    switch (m.t) {
      case 'ready':
        this.ready = true;
        this.log.info(`The transfer thread started (thread ${worker.threadId}).`);
        return;
      case 'progress':
        this.pending.get(m.id)?.onProgress?.({ done: m.done, total: m.total });
        return;
      case 'temp': {
        const p = this.pending.get(m.id);
        if (!p) return;
        p.temp = m.path;
        p.onTempFile?.(m.path);
        return;
      }
      case 'request':
        this.hooks.onRequest?.(m.entry);
        return;
      case 'key?':
        void Promise.resolve()
          .then(() => this.hooks.getApiKey())
          .catch(() => undefined)
          .then((key) => worker.postMessage({ t: 'key', n: m.n, key } satisfies ToWorker));
        return;
      case 'place?': {
        // The worker waits with the whole body in its temporary file; a transfer gone meanwhile was aborted there.
        const ask = this.pending.get(m.id)?.beforePlace;
        void Promise.resolve()
          .then(() => ask?.())
          .then(
            () => worker.postMessage({ t: 'place', id: m.id } satisfies ToWorker),
            (err: unknown) => worker.postMessage({ t: 'place', id: m.id, error: sendError(err) } satisfies ToWorker),
          );
        return;
      }
      case 'done':
      case 'fail': {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        p.detach();
        if (m.t === 'done') p.resolve(m.value);
        else p.reject(remakeError(m.error));
        if (this.pending.size === 0) this.rest(worker);
        return;
      }
    }
  }

  /** No transfer left: the worker no longer keeps the process alive, and ends after `idleMs`. */
  private rest(worker: Worker): void {
    worker.unref();
    clearTimeout(this.idle);
    this.idle = setTimeout(() => {
      if (this.worker !== worker || this.pending.size > 0) return;
      this.worker = undefined;
      this.log.info(`The transfer thread ended after ${(this.opts.idleMs ?? DEFAULT_IDLE_MS) / 1000} s without a transfer.`);
      void worker.terminate();
    }, this.opts.idleMs ?? DEFAULT_IDLE_MS);
    this.idle.unref();
  }

  /**
   * The worker ended or failed. Before it was ready nothing had started: its transfers run here
   * (and every later one). After, a transfer it was running is lost with it and fails.
   */
  private lost(worker: Worker, err: unknown): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    const wasReady = this.ready;
    if (!wasReady) this.broken = true;
    this.log.info(
      wasReady
        ? `The transfer thread stopped (${reasonOf(err)}) with ${this.pending.size} transfer(s) running; they fail, the next one starts a new thread.`
        : `The transfer thread could not start (${reasonOf(err)}); large transfers run on this thread.`,
    );
    const left = [...this.pending.values()];
    this.pending.clear();
    for (const p of left) {
      p.detach();
      if (!wasReady) {
        p.here().then(p.resolve, p.reject);
        continue;
      }
      const failure = new NenApiError(
        'unavailable',
        l10n.t({ message: 'The transfer thread stopped ({0}); the transfer did not finish. Try again.', args: [reasonOf(err)], comment: ['{0} is a technical reason, e.g. "exit code 1"'] }),
      );
      // The thread cannot remove a download's temporary file any more: this side does.
      const removed = p.temp ? fsp.unlink(longPath(p.temp)).catch(() => undefined) : Promise.resolve();
      void removed.then(() => p.reject(failure));
    }
  }
}
