/**
 * Byte counts for people, in the CLI's unit system (`nen desktop files list`): binary steps
 * labelled KB, MB, GB. One home for the client's messages, the tree and the commands.
 * Pure functions, no `vscode`.
 */

import * as l10n from '@vscode/l10n';

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];

/** 102400 → "100 KB", 1536 → "1.5 KB", 0 → "0 B". Binary steps, like the CLI. */
export function formatSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '?';
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  // One decimal below 10 ("1.5 MB"), none above ("100 KB"); a trailing ".0" reads as noise.
  const text = value < 10 ? value.toFixed(1).replace(/\.0$/, '') : String(Math.round(value));
  return `${text} ${UNITS[unit]}`;
}

/** Exact bytes with thousands separators: "102,400 bytes". */
export function formatBytesExact(bytes: number): string {
  return bytes === 1 ? l10n.t('1 byte') : l10n.t('{0} bytes', bytes.toLocaleString('en-US'));
}
