import { displayName } from '../api/display';
import { droppedEntries } from '../api/responses';
import { containerKey, type FetchListing } from '../cache/ListingCache';

/** How many left-out names one log line spells out. */
const MAX_NAMED = 10;

/**
 * Wraps the listing fetch so the entries a listing left out (names no path can address, absurd
 * times) are said once in the log: again only when that folder's set of left-out entries changes,
 * not on every poll. No `vscode` here: the log is anything with `warn`.
 */
export function reportDroppedEntries(fetch: FetchListing, log: { warn(message: string): void }): FetchListing {
  const told = new Map<string, string>();
  return async (desktopId, folder, purpose) => {
    const entries = await fetch(desktopId, folder, purpose);
    const dropped = droppedEntries(entries);
    const key = containerKey(desktopId, folder);
    const signature = dropped.map((d) => `${d.name}\u0000${d.reason}`).join('\u0001');
    if (dropped.length > 0 && told.get(key) !== signature) {
      const named = dropped.slice(0, MAX_NAMED).map((d) => `'${displayName(d.name)}' (${d.reason})`);
      // l10n-ignore: a log line, English for support
      const more = dropped.length > MAX_NAMED ? ` and ${dropped.length - MAX_NAMED} more` : '';
      // l10n-ignore: a log line, English for support
      const where = folder ? `'${displayName(folder)}' on ${desktopId}` : `the drive of ${desktopId}`;
      log.warn(`The listing of ${where} left out ${dropped.length} ${dropped.length === 1 ? 'entry' : 'entries'}: ${named.join(', ')}${more}.`);
    }
    if (dropped.length > 0) told.set(key, signature);
    else told.delete(key);
    return entries;
  };
}
