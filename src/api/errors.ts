import { displayName } from './display';
import { errorCode } from './http';
import type { NenErrorKind, NenResource } from './types';

/** What an error carries besides its kind and message. */
export interface ErrorExtra {
  status?: number;
  retryAfterMs?: number;
  code?: string;
  resource?: NenResource;
}

/** Makes the client's errors; the client's own factory scrubs every key it has read out of the message. */
export type MakeError = (kind: NenErrorKind, message: string, extra?: ErrorExtra) => NenApiError;

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
  /** What the request the server answered asked for (set on every error with a `status`): a 404 means this is missing. */
  readonly resource?: NenResource;

  constructor(kind: NenErrorKind, message: string, extra: ErrorExtra = {}) {
    super(message);
    this.kind = kind;
    if (extra.status !== undefined) this.status = extra.status;
    if (extra.retryAfterMs !== undefined) this.retryAfterMs = extra.retryAfterMs;
    if (extra.code !== undefined) this.code = extra.code;
    if (extra.resource !== undefined) this.resource = extra.resource;
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

const DEFAULT_STATUS_TEXT: Record<number, string> = {
  400: 'bad request',
  401: 'the API key was refused',
  403: 'access denied',
  404: 'not found',
  405: 'method not allowed',
  409: 'conflict',
  413: 'the file is too large',
  422: 'bad request',
  429: 'too many requests',
  500: 'server error',
  502: 'bad gateway',
  503: 'service unavailable',
  504: 'gateway timeout',
};

/** The message for a non-2xx answer: the server's own words (or the status's), then the status. */
export function statusMessage(status: number, body: string): string {
  const detail = messageFromBody(body) ?? DEFAULT_STATUS_TEXT[status] ?? 'request failed';
  return `${detail} (HTTP ${status})`;
}

/** What a local file system error code means, for people. */
const LOCAL_REASONS: Record<string, string> = {
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'not permitted',
  EEXIST: 'it already exists',
  EISDIR: 'it is a folder',
  ENOTDIR: 'a part of the path is not a folder',
  ENOSPC: 'the disk is full',
  EROFS: 'the disk is read-only',
};

/**
 * A local file system failure (ENOENT, EACCES, …) as the matching kind, made by `fail`, with no
 * HTTP status (that is how {@link isLocalFailure} tells it from the server's 404 or 403):
 * `Cannot read "/tmp/a.txt": no such file or folder (ENOENT).`
 */
export function localError(e: unknown, what: string, fail: MakeError): NenApiError {
  const code = errorCode(e);
  const kind: NenErrorKind = code === 'ENOENT' ? 'notFound' : code === 'EACCES' || code === 'EPERM' ? 'forbidden' : code === 'EEXIST' ? 'conflict' : 'badRequest';
  const reason = code ? (LOCAL_REASONS[code] ? `${LOCAL_REASONS[code]} (${code})` : code) : e instanceof Error ? e.message : String(e);
  return fail(kind, `${what}: ${reason}.`, code ? { code } : {});
}

/** Whether an error is about a local file (made by {@link localError}), not an answer of the Nen API. */
export function isLocalFailure(err: { status?: number; code?: string }): boolean {
  return err.status === undefined && typeof err.code === 'string' && /^E[A-Z]+$/.test(err.code);
}

/** The longest server text we put into a message. */
const MAX_MESSAGE_CHARS = 200;

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
  // Control characters (including newlines) would garble a one-line notification or log entry;
  // what else could disguise the text (bidi overrides, C1 controls) displayName makes visible.
  // eslint-disable-next-line no-control-regex
  const flat = s.slice(0, MAX_MESSAGE_CHARS * 2).replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return displayName(s.length > MAX_MESSAGE_CHARS * 2 ? `${flat}…` : flat, MAX_MESSAGE_CHARS);
}
