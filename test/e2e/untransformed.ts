/**
 * What the pseudo-locale checks look for: English left in a text the workbench shows. The
 * pseudo-locale (`qps-ploc`, written by scripts/l10n.mjs) replaces every letter of a translated
 * string with an accented one ("Uploaded" → "ŬŬƥŀǿǿȧȧḓḗḗḓ"), so once the data the check itself put
 * on screen is taken out (file names, desktop ids and names, numbers, URLs, the product name, key
 * names), any run of three or more plain ASCII letters is a string that did not go through l10n.
 * vscode-free, so it is unit-tested (test/unit/untransformed.test.ts).
 */

/** Masked by every call: what is never translated whatever the text around it. */
const ALWAYS: RegExp[] = [
  // URLs, e.g. the emulator's http://127.0.0.1:41234/desktops/….
  /\b(?:https?|vscode|command|nendrive):\/?\/?[^\s'"`)<>]+/g,
  // Keybinding labels VS Code renders next to a command: Ctrl+Alt+D, Shift+Alt+C.
  /\b(?:(?:Ctrl|Control|Shift|Alt|Option|Cmd|Command|Meta|Super|Win)\+)+(?:F\d{1,2}|[A-Za-z0-9]+|\S)/g,
  // Environment variable names: NEN_API_KEY, HTTPS_PROXY.
  /\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b/g,
  // Setting and command ids: nenDrive.apiUrl, http.proxy.
  /\b[a-z][A-Za-z0-9]*(?:\.[A-Za-z][A-Za-z0-9]*)+\b/g,
  // Acronyms and format names, the same in every language: HTTP, JSON, PDF, PNG.
  /\b[A-Z]{2,5}\b/g,
  // Numbers, with their decimal or thousands separators.
  /\d+(?:[.,]\d+)*/g,
];

/** A letter that is not plain ASCII: where pseudo (or any translated) text is. */
const TRANSFORMED_LETTER = /[^\P{L}A-Za-z]/u;
const MASK = '\u0000';
const WORD = /[A-Za-z0-9]/;

function mask(text: string, from: number, length: number): string {
  return text.slice(0, from) + MASK.repeat(length) + text.slice(from + length);
}

/**
 * The pieces of `text` left in English: each stretch between transformed letters (and line
 * breaks) that still holds a run of 3+ ASCII letters once the `data` strings (exact, case
 * sensitive, whole words) and the ALWAYS patterns are masked. Returned as they read on screen, data included,
 * trimmed of spaces and punctuation at their ends; empty when everything was transformed.
 */
export function untransformed(shown: string, data: readonly string[] = []): string[] {
  // A markdown tooltip keeps a name's spaces as no-break spaces: one length, so indices still match.
  const text = shown.replace(/[\u00a0\u2000-\u200a\u202f]/g, ' ');
  let masked = text;
  // Longest first, so "notes.txt.bak" goes before "notes.txt" can split it.
  for (const token of [...new Set(data)].filter((d) => d.length > 0).sort((a, b) => b.length - a.length)) {
    for (let at = masked.indexOf(token); at >= 0; at = masked.indexOf(token, at + 1)) {
      // Whole words only: the "box" of "boxes" is not data.
      if (WORD.test(masked[at - 1] ?? '') || WORD.test(masked[at + token.length] ?? '')) continue;
      masked = mask(masked, at, token.length);
    }
  }
  for (const pattern of ALWAYS) masked = masked.replace(pattern, (m) => MASK.repeat(m.length));

  const found: string[] = [];
  let start = 0;
  const flush = (end: number): void => {
    if (/[A-Za-z]{3,}/.test(masked.slice(start, end))) {
      const piece = text
        .slice(start, end)
        .replace(/^[\s\p{P}\p{S}]+/u, '')
        .replace(/[\s\p{P}\p{S}]+$/u, '');
      found.push(piece.replace(/\s+/g, ' '));
    }
  };
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\n' || TRANSFORMED_LETTER.test(masked[i])) {
      flush(i);
      start = i + 1;
    }
  }
  flush(text.length);
  return found;
}

/** One text the workbench showed, and where (for the report). */
export interface Seen {
  where: string;
  text: string;
}

/**
 * Every English piece of `seen`, one line each: `where: "the piece"  in "the whole text"`. Empty
 * when all of it was transformed.
 */
export function englishLeft(seen: readonly Seen[], data: readonly string[]): string[] {
  const lines: string[] = [];
  for (const { where, text } of seen) {
    for (const piece of untransformed(text, data)) {
      const whole = text.replace(/\s+/g, ' ').trim();
      lines.push(whole === piece ? `${where}: ${JSON.stringify(piece)}` : `${where}: ${JSON.stringify(piece)} in ${JSON.stringify(whole.length > 160 ? `${whole.slice(0, 157)}...` : whole)}`);
    }
  }
  return lines;
}
