import type { NenErrorKind } from './types';

/**
 * The one error the client throws. Everything that goes wrong (HTTP status, network, timeout,
 * cancel, a malformed body, a refused name) arrives as a `NenApiError` with a `kind`.
 * Its message is safe to show and to log: it never contains the API key.
 */
export class NenApiError extends Error {
  override readonly name = 'NenApiError';
  readonly kind: NenErrorKind;
  /** The HTTP status when there was a response. */
  readonly status?: number;
  /** How long the server asked us to wait (Retry-After), when it did. */
  readonly retryAfterMs?: number;
  /** The underlying error code (e.g. ECONNRESET, UND_ERR_SOCKET, ENOENT), when there was one. */
  readonly code?: string;

  constructor(kind: NenErrorKind, message: string, extra: { status?: number; retryAfterMs?: number; code?: string } = {}) {
    super(message);
    this.kind = kind;
    if (extra.status !== undefined) this.status = extra.status;
    if (extra.retryAfterMs !== undefined) this.retryAfterMs = extra.retryAfterMs;
    if (extra.code !== undefined) this.code = extra.code;
  }
}

export function isNenApiError(e: unknown): e is NenApiError {
  return e instanceof NenApiError;
}

/** Status → kind, as the contract documents it. Anything unexpected is `unavailable`. */
export function kindForStatus(status: number): NenErrorKind {
  switch (status) {
    case 400:
    case 422:
      return 'badRequest';
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'notFound';
    case 409:
      return 'conflict';
    case 413:
      return 'tooLarge';
    case 429:
      return 'rateLimited';
    default:
      return 'unavailable';
  }
}

/** The longest server text we put into a message. */
export const MAX_MESSAGE_CHARS = 200;

/**
 * Turns an error body into a short message: the JSON `error` field, else `message`, else
 * `detail`, else the raw text cut to {@link MAX_MESSAGE_CHARS}. The body is never trusted to be
 * JSON, nor the fields to be strings. Returns undefined for an empty body.
 */
export function messageFromBody(text: string): string | undefined {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    parsed = undefined;
  }
  if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
    const obj = parsed as Record<string, unknown>;
    for (const field of ['error', 'message', 'detail']) {
      const v = obj[field];
      if (typeof v === 'string' && v.trim()) return clip(v);
      // FastAPI-style `detail: [{ msg }]` and `error: { message }` shapes.
      if (Array.isArray(v) && v.length > 0) {
        const msgs = v.map((d) => (d && typeof d === 'object' && typeof (d as { msg?: unknown }).msg === 'string' ? (d as { msg: string }).msg : undefined)).filter((m): m is string => !!m);
        if (msgs.length) return clip(msgs.join('; '));
      }
      if (v && typeof v === 'object' && typeof (v as { message?: unknown }).message === 'string') {
        return clip((v as { message: string }).message);
      }
    }
  }
  return clip(trimmed);
}

function clip(s: string): string {
  // Control characters (including newlines) would garble a one-line notification or log entry.
  // eslint-disable-next-line no-control-regex
  const flat = s.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return flat.length > MAX_MESSAGE_CHARS ? `${flat.slice(0, MAX_MESSAGE_CHARS - 1)}…` : flat;
}

/**
 * Removes a secret and anything that looks like a bearer credential from a text. Applied to
 * every message the client produces, including text taken from underlying errors and server
 * bodies, so the key cannot leak through an echo.
 */
export function scrubSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) {
    if (s && s.length >= 4) out = out.split(s).join('***');
  }
  return out.replace(/(Bearer\s+)[^\s"',;]+/gi, '$1***').replace(/sk_nen_[A-Za-z0-9_\-.]+/g, 'sk_nen_***');
}
