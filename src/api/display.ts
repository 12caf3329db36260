/**
 * THE way a name (or any text a server or a user chose) reaches the screen or the log: clipped,
 * with every character that could garble a line or disguise the text made visible.
 */

/** Names longer than this (after escaping) are cut, with an ellipsis. */
export const MAX_DISPLAY_CHARS = 120;

/**
 * Characters that cannot be shown as themselves: C0 and C1 controls and DEL (they break lines
 * and terminals), bidi marks, embeddings, overrides and isolates (U+202E turns `rtl‮txt.exe`
 * into `rtlexe.txt`), line and paragraph separators, the byte order mark and lone surrogates.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]|\p{Cs}/gu;

/**
 * `name` as it may be shown: each unsafe character as a `\u202E`-style escape, and at most `max`
 * characters (code points), the last of them `…` when cut. A 1 MB name costs only its first
 * few hundred characters.
 */
export function displayName(name: string, max = MAX_DISPLAY_CHARS): string {
  const limit = Math.max(2, Math.floor(max));
  // Escaping at most multiplies the length by 6, so more than 2·limit code units is never needed.
  const head = name.length > limit * 2 ? name.slice(0, limit * 2) : name;
  const shown = Array.from(head.replace(UNSAFE, escapeChar));
  if (shown.length <= limit && head.length === name.length) return shown.join('');
  return `${shown.slice(0, limit - 1).join('')}…`;
}

/** `'name'` for messages: displayName in single quotes. */
export function quotedName(name: string, max = MAX_DISPLAY_CHARS): string {
  return `'${displayName(name, max)}'`;
}

function escapeChar(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}
