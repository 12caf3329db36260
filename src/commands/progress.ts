import * as vscode from 'vscode';
import { NenApiError } from '../api/errors';
import { runPool } from '../api/pool';
import { Throttle } from '../api/throttle';
import { describeError, errorKind } from '../drive/errors';
import type { Direction, Transfer, TransferInfo, TransferRegistry } from '../transfers/TransferRegistry';
import { formatSize } from '../views/format';
import { SHOW_PROGRESS_AFTER_MS } from '../constants';

type ProgressStep = { message?: string; increment?: number };

/** Aggregates byte progress of concurrent transfers into one notification. */
class TransferProgress {
  private readonly done = new Map<number, number>();
  private doneTotal = 0;
  private reportedPercent = 0;
  private finished = 0;
  /**
   * A notification redraw per chunk would cost more than the transfer: at most 10 a second, the
   * last bytes of a burst sent once the 100 ms are up (so a stall shows them).
   */
  private readonly reports = new Throttle(100, () => this.send());

  constructor(
    private readonly progress: vscode.Progress<ProgressStep>,
    private readonly totalBytes: number,
    private readonly files: number,
  ) {
    this.reports.request(true);
  }

  /** Bytes `done` so far of transfer `index` (restarts from 0 on a retry are handled). */
  update(index: number, done: number): void {
    const before = this.done.get(index) ?? 0;
    this.done.set(index, done);
    this.doneTotal += done - before;
    this.reports.request();
  }

  fileDone(): void {
    this.finished++;
    this.reports.request(true);
  }

  private send(): void {
    const percent = this.totalBytes > 0 ? Math.min(100, (this.doneTotal / this.totalBytes) * 100) : 0;
    const increment = Math.max(0, percent - this.reportedPercent);
    this.reportedPercent += increment;
    const [done, total] = [formatSize(this.doneTotal), formatSize(this.totalBytes)];
    const message =
      this.files > 1
        ? vscode.l10n.t({ message: '{0} of {1} · {2}/{3} files', args: [done, total, this.finished, this.files], comment: ['bytes {0} of {1} sent, {2} of {3} files finished'] })
        : vscode.l10n.t({ message: '{0} of {1}', args: [done, total], comment: ['bytes: {0} of {1} sent, e.g. "1.5 MB of 4 MB"'] });
    this.progress.report({ message, increment });
  }
}

/** A `Progress` that keeps what is reported until the notification exists, then hands it on. */
class LateProgress implements vscode.Progress<ProgressStep> {
  private target: vscode.Progress<ProgressStep> | undefined;
  private pending: ProgressStep = {};

  report(step: ProgressStep): void {
    if (this.target) return this.target.report(step);
    if (step.message !== undefined) this.pending.message = step.message;
    if (step.increment) this.pending.increment = (this.pending.increment ?? 0) + step.increment;
  }

  attach(target: vscode.Progress<ProgressStep>): void {
    this.target = target;
    if (this.pending.message !== undefined || this.pending.increment) target.report(this.pending);
  }
}

/**
 * Runs `work` at once, and under a cancellable progress notification once it has run
 * {@link SHOW_PROGRESS_AFTER_MS}; the notification closes when the work ends. Its Cancel (or the
 * caller's own token, for scripts and tests) aborts the AbortSignal handed to the client, which
 * aborts the request.
 */
async function withTransferProgress<T>(title: string, token: vscode.CancellationToken | undefined, work: (signal: AbortSignal, progress: vscode.Progress<ProgressStep>) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const abort = (): void => controller.abort();
  const subs: vscode.Disposable[] = [];
  if (token) subs.push(token.onCancellationRequested(abort));
  if (token?.isCancellationRequested) abort();
  const progress = new LateProgress();
  const task = work(controller.signal, progress);
  let ended = false;
  const timer = setTimeout(() => {
    if (ended) return;
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (shown, uiToken) => {
      // The work may have ended while the notification opened: its subscriptions are gone then.
      if (ended) return;
      subs.push(uiToken.onCancellationRequested(abort));
      progress.attach(shown);
      await task.catch(() => undefined);
    });
  }, SHOW_PROGRESS_AFTER_MS);
  try {
    return await task;
  } finally {
    ended = true;
    clearTimeout(timer);
    for (const s of subs) s.dispose();
  }
}

/** What a batch is, for the notification and the transfers list. */
export interface TransferBatch<T> {
  title: string;
  direction: Direction;
  /** Where each transfer is listed (the window's one registry). */
  registry: TransferRegistry;
  /** Each item's name, desktop and size, as the transfers list shows them. */
  describe: (item: T) => Omit<TransferInfo, 'direction'>;
  /** Failure reasons shown in the list go through the log's redaction. */
  redact: (text: string) => string;
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
 * cancellable notification whose meter adds up the bytes `each` reports, and listed one by one
 * in the transfers registry (the status bar and Show Transfers). Every item settles: one that
 * fails does not stop the others, and one cancelled from the list settles as `cancelled`
 * without cancelling the batch. `cancelled` says whether the whole batch was cancelled.
 */
export async function transferAll<T, R>(
  batch: TransferBatch<T>,
  token: vscode.CancellationToken | undefined,
  items: readonly T[],
  concurrency: number,
  each: (item: T, signal: AbortSignal, onBytes: (done: number, total?: number) => void) => Promise<R>,
): Promise<{ settled: PromiseSettledResult<R>[]; cancelled: boolean }> {
  const infos = items.map((item) => ({ ...batch.describe(item), direction: batch.direction }));
  const totalBytes = infos.every((i) => i.size !== undefined) ? infos.reduce((s, i) => s + (i.size ?? 0), 0) : 0;
  return withTransferProgress(batch.title, token, async (signal, progress) => {
    const meter = new TransferProgress(progress, totalBytes, items.length);
    const transfers = batch.registry.addBatch(infos, signal);
    const settled = await runPool(
      items,
      concurrency,
      (item, index) =>
        runOne(batch, transfers[index], () =>
          each(item, transfers[index].controller.signal, (done, total) => {
            meter.update(index, done);
            batch.registry.progress(transfers[index], done, undefined, total);
          }),
        ).finally(() => meter.fileDone()),
      signal,
    );
    // Items the batch's Cancel reached before they started never ran: the list says so.
    settled.forEach((r, i) => {
      if (transfers[i].active) batch.registry.finished(transfers[i], r.status === 'fulfilled' ? 'done' : 'cancelled', r.status === 'fulfilled' ? undefined : 'cancelled');
    });
    // Cancel All in the list cancels each transfer: for the caller that is the batch cancelled.
    return { settled, cancelled: signal.aborted || transfers.every((t) => t.state === 'cancelled') };
  });
}

/** One transfer, its state in the registry following what happened to it. */
async function runOne<T, R>(batch: TransferBatch<T>, t: Transfer, work: () => Promise<R>): Promise<R> {
  const registry = batch.registry;
  if (t.controller.signal.aborted) {
    if (t.active) registry.finished(t, 'cancelled', 'cancelled');
    throw new NenApiError('cancelled', 'Cancelled.');
  }
  registry.started(t);
  try {
    const result = await work();
    registry.finished(t, 'done');
    return result;
  } catch (err) {
    const kind = errorKind(err);
    if (kind === 'cancelled' || t.controller.signal.aborted) registry.finished(t, 'cancelled', 'cancelled');
    // A local file that appeared while downloading is left alone: skipped, not failed.
    else if (kind === 'conflict' && t.info.direction === 'download') registry.finished(t, 'skipped', describeError(err, batch.redact));
    else registry.finished(t, 'failed', describeError(err, batch.redact));
    throw err;
  }
}
