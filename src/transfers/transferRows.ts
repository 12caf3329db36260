/**
 * What the status bar and the transfers list say about the registry, as plain text (no
 * `vscode`): the vscode layer only puts it on screen, the unit tests read it directly.
 */
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

function bytes(t: Transfer): string {
  if (t.state === 'done') return formatSize(t.info.size ?? t.done);
  if (t.state === 'queued') return t.info.size === undefined ? 'size unknown' : formatSize(t.info.size);
  return t.info.size === undefined ? formatSize(t.done) : `${formatSize(t.done)} of ${formatSize(t.info.size)}`;
}

function status(t: Transfer, now: number): string {
  switch (t.state) {
    case 'running':
      return `${formatSize(t.speed(now))}/s · running`;
    case 'failed':
    case 'skipped':
      return `${t.state}: ${t.reason ?? 'unknown reason'}`;
    default:
      return t.state;
  }
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
    description: `${t.info.direction} · ${displayName(t.info.desktop === t.info.desktopId ? (desktopName(t.info.desktopId) ?? t.info.desktop) : t.info.desktop)}`,
    detail: `${bytes(t)} · ${status(t, now)}`,
    cancellable: t.active,
  }));
}

/** The status bar item while transfers run: `$(cloud-upload) 3 transfers · 42%`, its tooltip and what a screen reader says. */
export function statusText(totals: TransferTotals, transfers: readonly Transfer[]): { text: string; tooltip: string; accessible: string } {
  const active = transfers.filter((t) => t.active);
  const directions = new Set(active.map((t) => t.info.direction));
  const icon = directions.size > 1 ? '$(arrow-swap)' : directions.has('download') ? '$(cloud-download)' : '$(cloud-upload)';
  const count = `${totals.active} ${totals.active === 1 ? 'transfer' : 'transfers'}`;
  const percent = totals.percent === undefined ? '' : ` · ${totals.percent}%`;
  const queued = totals.active - totals.running;
  const amount = totals.bytesTotal === undefined ? formatSize(totals.bytesDone) : `${formatSize(totals.bytesDone)} of ${formatSize(totals.bytesTotal)}`;
  return {
    text: `${icon} ${count}${percent}`,
    tooltip: `Nen Drive: ${totals.running} running${queued ? `, ${queued} queued` : ''} · ${amount}. Click to see each transfer and cancel it.`,
    accessible: `Nen Drive: ${count}, ${totals.running} running${totals.percent === undefined ? '' : `, ${totals.percent} percent done`}. Show transfers.`,
  };
}
