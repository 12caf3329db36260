/** What stands where a secret was: the same in client errors, request logs, messages and the log channel. */
export const REDACTED = '***';

/** Shorter "secrets" would blank out ordinary words; a real key is far longer. */
const MIN_SECRET_CHARS = 4;
const BEARER = /Bearer\s+[^\s"',;]+/gi;
const KEY_SHAPE = /sk_nen_[A-Za-z0-9_\-.]*/g;
const KEY_PREFIX = 'sk_nen_';
/** A key's remainder this long is no ordinary word: a server that echoes it without the prefix still leaks the key. */
const MIN_REMAINDER_CHARS = 12;

/**
 * THE one redaction: replaces each known secret (and a Nen key's part after `sk_nen_`), anything shaped like a Nen key (`sk_nen_…`)
 * and the credential of any `Bearer …` with {@link REDACTED}. Applied to every message the client
 * produces (including text echoed by a server or taken from an underlying error), to every
 * request log entry, to what the commands and the provider show, and to every log line.
 */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) {
    if (s && s.length >= MIN_SECRET_CHARS) out = out.split(s).join(REDACTED);
    const rest = s?.startsWith(KEY_PREFIX) ? s.slice(KEY_PREFIX.length) : '';
    if (rest.length >= MIN_REMAINDER_CHARS) out = out.split(rest).join(REDACTED);
  }
  // l10n-ignore: the Authorization scheme name, not prose
  return out.replace(BEARER, `Bearer ${REDACTED}`).replace(KEY_SHAPE, REDACTED);
}
