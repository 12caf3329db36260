/**
 * What the status bar and the transfers list say about the registry, as plain text (no
 * `vscode`; words through @vscode/l10n): the vscode layer only puts it on screen, the unit tests read it directly.
 */
import * as l10n from '@vscode/l10n';
import { displayName } from '../api/display';
import { formatSize } from '../api/format';
import type { Transfer, TransferTotals } from './TransferRegistry';

export interface TransferRow {
  id: number;
  /** `$(arrow-up) report.pdf` */
  label: string;
  /** `upload · Work PC` */
  description: string;
  /** `1.5 MB of 4 MB · 800 KB/s · running`, `failed: <reason>` */
  detail: string;
  /** Shows the Cancel button. */
  cancellable: boolean;
}

const STATE_ORDER = { running: 0, queued: 1, failed: 2, cancelled: 3, skipped: 4, done: 5 } as const;

/** "1.5 MB of 4 MB" */
function doneOf(done: number, total: number): string {
  return l10n.t({ message: '{0} of {1}', args: [formatSize(done), formatSize(total)], comment: ['bytes transferred so far of the total, like "1.5 MB of 4 MB"'] });
}

function bytes(t: Transfer): string {
  if (t.state === 'done') return formatSize(t.info.size ?? t.done);
  if (t.state === 'queued') return t.info.size === undefined ? l10n.t('size unknown') : formatSize(t.info.size);
  return t.info.size === undefined ? formatSize(t.done) : doneOf(t.done, t.info.size);
}

function status(t: Transfer, now: number): string {
  const reason = (): string => t.reason ?? l10n.t('unknown reason');
  switch (t.state) {
    case 'running':
      return l10n.t({ message: '{0}/s · running', args: [formatSize(t.speed(now))], comment: ['a running transfer: {0} its speed, like "800 KB"'] });
    case 'failed':
      return l10n.t({ message: 'failed: {0}', args: [reason()], comment: ['a transfer that failed, {0} why'] });
    case 'skipped':
      return l10n.t({ message: 'skipped: {0}', args: [reason()], comment: ['a transfer that was skipped, {0} why'] });
    case 'queued':
      return l10n.t({ message: 'queued', comment: ['the state of a transfer waiting its turn'] });
    case 'done':
      return l10n.t({ message: 'done', comment: ['the state of a finished transfer'] });
    case 'cancelled':
      return l10n.t({ message: 'cancelled', comment: ['the state of a cancelled transfer'] });
  }
}

/** "upload · Work PC" */
function directionOn(t: Transfer, desktop: string): string {
  return t.info.direction === 'upload'
    ? l10n.t({ message: 'upload · {0}', args: [desktop], comment: ['a transfer row: an upload to the desktop {0}'] })
    : l10n.t({ message: 'download · {0}', args: [desktop], comment: ['a transfer row: a download from the desktop {0}'] });
}

/**
 * One row per transfer: running first, then queued, failed, cancelled, skipped, done; newest
 * first within each. `desktopName` gives a desktop's name where the transfer knew only its id.
 */
export function transferRows(transfers: readonly Transfer[], now = Date.now(), desktopName: (id: string) => string | undefined = () => undefined): TransferRow[] {
  const ordered = [...transfers].sort((a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state] || b.id - a.id);
  return ordered.map((t) => ({
    id: t.id,
    label: `$(${t.info.direction === 'upload' ? 'arrow-up' : 'arrow-down'}) ${displayName(t.info.name)}`,
    description: directionOn(t, displayName(t.info.desktop === t.info.desktopId ? (desktopName(t.info.desktopId) ?? t.info.desktop) : t.info.desktop)),
    detail: `${bytes(t)} · ${status(t, now)}`,
    cancellable: t.active,
  }));
}

/** The status bar item while transfers run: `$(cloud-upload) 3 transfers · 42%`, its tooltip and what a screen reader says. */
export function statusText(totals: TransferTotals, transfers: readonly Transfer[]): { text: string; tooltip: string; accessible: string } {
  const active = transfers.filter((t) => t.active);
  const directions = new Set(active.map((t) => t.info.direction));
  const icon = directions.size > 1 ? '$(arrow-swap)' : directions.has('download') ? '$(cloud-download)' : '$(cloud-upload)';
  const n = totals.active;
  const count = n === 1 ? l10n.t('1 transfer') : l10n.t('{0} transfers', n);
  const shown = totals.percent === undefined ? count : n === 1 ? l10n.t('1 transfer · {0}%', totals.percent) : l10n.t('{0} transfers · {1}%', n, totals.percent);
  const queued = totals.active - totals.running;
  const amount = totals.bytesTotal === undefined ? formatSize(totals.bytesDone) : doneOf(totals.bytesDone, totals.bytesTotal);
  return {
    text: `${icon} ${shown}`,
    tooltip: queued
      ? l10n.t('Nen Drive: {0} running, {1} queued · {2}. Click to see each transfer and cancel it.', totals.running, queued, amount)
      : l10n.t('Nen Drive: {0} running · {1}. Click to see each transfer and cancel it.', totals.running, amount),
    accessible:
      totals.percent === undefined
        ? l10n.t('Nen Drive: {0}, {1} running. Show transfers.', count, totals.running)
        : l10n.t('Nen Drive: {0}, {1} running, {2} percent done. Show transfers.', count, totals.running, totals.percent),
  };
}
