/**
 * Byte counts for people, in the CLI's unit system (`nen desktop files list`): binary steps
 * labelled KB, MB, GB. One home for the client's messages, the tree and the commands.
 * Pure functions, no `vscode`.
 */

import * as l10n from '@vscode/l10n';

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];

/** The display language numbers are written in, as VS Code gives it: set at activation. */
let numberLanguage = 'en-US';
/**
 * The formatters for {@link numberLanguage}, made on first use: `toLocaleString` with a locale
 * makes a new `Intl.NumberFormat` at every call, 15-30 µs each, which made 10,000 Go to File
 * items take 150-300 ms to build and a tree repaint of 500 rows 10 ms more.
 */
let formatters: { count: Intl.NumberFormat; size: Intl.NumberFormat } | undefined;

function numberFormats(): { count: Intl.NumberFormat; size: Intl.NumberFormat } {
  // Intl takes the first of the two it has, so a tag it does not know ("qps-ploc") gives
  // English, whatever the process's own locale; a malformed one throws, and gives English too.
  // Not `supportedLocalesOf`: it lists every locale ICU has, which took 7-12 ms of activate()
  // in the extension host (12-29 ms in plain Node).
  const make = (locales: string[]) => ({ count: new Intl.NumberFormat(locales), size: new Intl.NumberFormat(locales, { maximumFractionDigits: 1, useGrouping: false }) });
  if (!formatters) {
    try {
      formatters = make([numberLanguage, 'en-US']);
    } catch {
      formatters = make(['en-US']);
    }
  }
  return formatters;
}

/**
 * Numbers follow the display language from now on ("102,400" in English, "102.400" in German);
 * a tag Intl does not know keeps English. Called once by activate() with `vscode.env.language`;
 * no Intl work until a number is written.
 */
export function setNumberLocale(language: string): void {
  numberLanguage = language;
  formatters = undefined;
}

/** A count with the display language's grouping: 102400 → "102,400" (English), "102.400" (German). */
export function formatCount(n: number): string {
  return numberFormats().count.format(n);
}

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
  const text = value < 10 ? numberFormats().size.format(value) : String(Math.round(value));
  return `${text} ${UNITS[unit]}`;
}

/** Exact bytes with thousands separators: "102,400 bytes". */
export function formatBytesExact(bytes: number): string {
  return bytes === 1 ? l10n.t('1 byte') : l10n.t('{0} bytes', formatCount(bytes));
}
