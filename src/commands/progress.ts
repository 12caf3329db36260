import * as vscode from 'vscode';
import { runPool } from '../api/pool';
import { formatSize } from '../views/format';

/** Aggregates byte progress of concurrent transfers into one notification. */
class TransferProgress {
  private readonly done = new Map<number, number>();
  private doneTotal = 0;
  private reportedPercent = 0;
  private lastReport = 0;
  private finished = 0;

  constructor(
    private readonly progress: vscode.Progress<{ message?: string; increment?: number }>,
    private readonly totalBytes: number,
    private readonly files: number,
  ) {
    this.report(true);
  }

  /** Bytes `done` so far of transfer `index` (restarts from 0 on a retry are handled). */
  update(index: number, done: number): void {
    const before = this.done.get(index) ?? 0;
    this.done.set(index, done);
    this.doneTotal += done - before;
    this.report(false);
  }

  fileDone(): void {
    this.finished++;
    this.report(true);
  }

  private report(force: boolean): void {
    const now = Date.now();
    // A notification redraw per chunk would cost more than the transfer: at most 10 a second.
    if (!force && now - this.lastReport < 100) return;
    this.lastReport = now;
    const percent = this.totalBytes > 0 ? Math.min(100, (this.doneTotal / this.totalBytes) * 100) : 0;
    const increment = Math.max(0, percent - this.reportedPercent);
    this.reportedPercent += increment;
    const files = this.files > 1 ? ` · ${this.finished}/${this.files} files` : '';
    this.progress.report({ message: `${formatSize(this.doneTotal)} of ${formatSize(this.totalBytes)}${files}`, increment });
  }
}

/**
 * Runs `work` under a cancellable progress notification. Cancel (or the caller's own token, for
 * scripts and tests) aborts the AbortSignal handed to the client, which aborts the request.
 */
async function withTransferProgress<T>(
  title: string,
  token: vscode.CancellationToken | undefined,
  work: (signal: AbortSignal, progress: vscode.Progress<{ message?: string; increment?: number }>) => Promise<T>,
): Promise<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, uiToken) => {
    const controller = new AbortController();
    const abort = (): void => controller.abort();
    const subs = [uiToken.onCancellationRequested(abort)];
    if (token) subs.push(token.onCancellationRequested(abort));
    if (uiToken.isCancellationRequested || token?.isCancellationRequested) abort();
    try {
      return await work(controller.signal, progress);
    } finally {
      for (const s of subs) s.dispose();
    }
  });
}

/**
 * The preparation of a transfer (walking a folder, listing the drive's folders) under a
 * cancellable notification, so a large tree on a slow server shows what it is doing and can be
 * stopped before anything is sent. Cancel (or `token`) aborts `signal`.
 */
export function preparing<T>(title: string, token: vscode.CancellationToken | undefined, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  return withTransferProgress(title, token, (signal) => work(signal));
}

/**
 * The one way uploads and downloads run: `each` over `items`, `concurrency` at a time, under one
 * cancellable notification whose meter adds up the bytes `each` reports. Every item settles;
 * `cancelled` says whether the batch was cancelled.
 */
export async function transferAll<T, R>(
  title: string,
  token: vscode.CancellationToken | undefined,
  items: readonly T[],
  totalBytes: number,
  concurrency: number,
  each: (item: T, signal: AbortSignal, onBytes: (done: number) => void) => Promise<R>,
): Promise<{ settled: PromiseSettledResult<R>[]; cancelled: boolean }> {
  return withTransferProgress(title, token, async (signal, progress) => {
    const meter = new TransferProgress(progress, totalBytes, items.length);
    const settled = await runPool(
      items,
      concurrency,
      async (item, index) => {
        const result = await each(item, signal, (done) => meter.update(index, done));
        meter.fileDone();
        return result;
      },
      signal,
    );
    return { settled, cancelled: signal.aborted };
  });
}
