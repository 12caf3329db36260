/**
 * The counts a hostile-server test file prints when it ends, so the unit log shows how many
 * hostile inputs were tried, how many were handled as they must be, and what was kept of them:
 *
 *   hostile: 10 hostile downloads tried, 10 refused cleanly, 0 bytes kept
 *
 * A case counts as tried before it runs and as handled only after its assertions passed, so a
 * failing case shows as a gap between the two numbers as well as a failed test.
 */
import { after } from 'node:test';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface HostileTally {
  tried: number;
  handled: number;
  kept: number;
}

/** Prints `hostile: <tried> <what> tried, <handled> <outcome>, <kept> <keptWhat>` after the file's tests. */
export function hostileTally(what: string, outcome = 'refused cleanly', keptWhat = 'bytes kept'): HostileTally {
  const tally: HostileTally = { tried: 0, handled: 0, kept: 0 };
  after(() => console.log(`hostile: ${tally.tried} ${what} tried, ${tally.handled} ${outcome}, ${tally.kept} ${keptWhat}`));
  return tally;
}

/** Bytes in the files of `dir` (what a refused download left on disk). */
export async function bytesIn(dir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(dir)) total += (await stat(join(dir, name))).size;
  return total;
}

// eslint-disable-next-line no-control-regex
const HIDDEN = /[\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\u2028\u2029\uFEFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Raw control, bidi-override and separator characters (and lone surrogates) left in `text`. */
export function rawHidden(text: string): number {
  return text.match(HIDDEN)?.length ?? 0;
}
