import * as l10n from '@vscode/l10n';
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

/** What a status means when the server gave no words of its own; translated when asked, never at import. */
function defaultStatusText(status: number): string | undefined {
  switch (status) {
    case 400:
    case 422:
      return l10n.t({ message: 'bad request', comment: ['an HTTP status in words, shown as "bad request (HTTP 400)"'] });
    case 401:
      return l10n.t('the API key was refused');
    case 403:
      return l10n.t({ message: 'access denied', comment: ['HTTP 403 in words'] });
    case 404:
      return l10n.t({ message: 'not found', comment: ['HTTP 404 in words'] });
    case 405:
      return l10n.t({ message: 'method not allowed', comment: ['HTTP 405 in words'] });
    case 409:
      return l10n.t({ message: 'conflict', comment: ['HTTP 409 in words'] });
    case 413:
      return l10n.t('the file is too large');
    case 429:
      return l10n.t({ message: 'too many requests', comment: ['HTTP 429 in words'] });
    case 500:
      return l10n.t({ message: 'server error', comment: ['HTTP 500 in words'] });
    case 502:
      return l10n.t({ message: 'bad gateway', comment: ['HTTP 502 in words'] });
    case 503:
      return l10n.t({ message: 'service unavailable', comment: ['HTTP 503 in words'] });
    case 504:
      return l10n.t({ message: 'gateway timeout', comment: ['HTTP 504 in words'] });
    default:
      return undefined;
  }
}

/** The message for a non-2xx answer: the server's own words (or the status's), then the status. */
export function statusMessage(status: number, body: string): string {
  const detail = messageFromBody(body) ?? defaultStatusText(status) ?? l10n.t({ message: 'request failed', comment: ['an HTTP status without a known meaning'] });
  return `${detail} (HTTP ${status})`;
}

/** What a local file system error code means, for people; translated when asked. */
function localReason(code: string): string | undefined {
  switch (code) {
    case 'ENOENT':
      return l10n.t('no such file or folder');
    case 'EACCES':
      return l10n.t('permission denied');
    case 'EPERM':
      return l10n.t('not permitted');
    case 'EEXIST':
      return l10n.t('it already exists');
    case 'EISDIR':
      return l10n.t('it is a folder');
    case 'ENOTDIR':
      return l10n.t('a part of the path is not a folder');
    case 'ENOSPC':
      return l10n.t('the disk is full');
    case 'EROFS':
      return l10n.t('the disk is read-only');
    case 'EFBIG':
      return l10n.t('the file is too large for this disk');
    case 'EDQUOT':
      return l10n.t('the disk quota is used up');
    case 'EIO':
      return l10n.t('the disk reported an error');
    default:
      return undefined;
  }
}

/**
 * A local file system failure (ENOENT, EACCES, …) as the matching kind, made by `fail`, with no
 * HTTP status (that is how {@link isLocalFailure} tells it from the server's 404 or 403):
 * `Cannot read "/tmp/a.txt": no such file or folder (ENOENT).`
 */
export function localError(e: unknown, what: string, fail: MakeError): NenApiError {
  const code = errorCode(e);
  const kind: NenErrorKind = code === 'ENOENT' ? 'notFound' : code === 'EACCES' || code === 'EPERM' ? 'forbidden' : code === 'EEXIST' ? 'conflict' : 'badRequest';
  const known = code ? localReason(code) : undefined;
  const reason = code ? (known ? `${known} (${code})` : code) : e instanceof Error ? e.message : String(e);
  return fail(kind, l10n.t({ message: '{0}: {1}.', args: [what, reason], comment: ['{0} is what failed, e.g. Cannot read "a.txt"; {1} the reason, e.g. no such file or folder (ENOENT)'] }), code ? { code } : {});
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

/** "The connection to host was lost (reason)."; the host is unknown when the API URL is unusable. */
export function connectionLostMessage(host: string | undefined, why: string): string {
  return host
    ? l10n.t({ message: 'The connection to {0} was lost ({1}).', args: [host, why], comment: ['{0} is a host name, {1} the error'] })
    : l10n.t({ message: 'The connection to the Nen API was lost ({0}).', args: [why], comment: ['{0} is the error'] });
}

/** "Could not reach host: reason (CODE)." as one sentence per case; the host is unknown when the API URL is unusable. */
export function unreachableMessage(host: string | undefined, text: string, code: string | undefined): string {
  const reason = text || l10n.t('unknown error');
  const withCode = code && !text.includes(code) ? code : undefined;
  if (host) {
    return withCode
      ? l10n.t({ message: 'Could not reach {0}: {1} ({2}).', args: [host, reason, withCode], comment: ['{0} is a host name, {1} the error, {2} its code'] })
      : l10n.t({ message: 'Could not reach {0}: {1}.', args: [host, reason], comment: ['{0} is a host name, {1} the error'] });
  }
  return withCode
    ? l10n.t({ message: 'Could not reach the Nen API: {0} ({1}).', args: [reason, withCode], comment: ['{0} is the error, {1} its code'] })
    : l10n.t({ message: 'Could not reach the Nen API: {0}.', args: [reason], comment: ['{0} is the error'] });
}
