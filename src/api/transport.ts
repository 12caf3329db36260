import { Readable } from 'node:stream';
import * as l10n from '@vscode/l10n';
import { Attempt, type Exchange, type Method, type RequestBody } from './attempt';
import { parseBaseUrl, type ParsedBaseUrl } from './baseUrl';
import { NenApiError, connectionLostMessage, kindForStatus, statusMessage, unreachableMessage, type MakeError } from './errors';
import { CONNECT_TIMEOUT_MS, apiSecureContext, backoffDelay, createAgent, errorCode, isConnectionReset, parseRetryAfter, sendRequest, type Dispatcher, type HttpAgent } from './http';
import { proxyFailure, routeOrError, type Route } from './proxy';
import { rawGet } from './rawGet';
import { redact } from './redact';
import { headerString, readText } from './responses';
import type { DriveClientOptions, RequestLogEntry } from './types';

const DEFAULT_METADATA_TIMEOUT_MS = 30_000;
const DEFAULT_TRANSFER_TIMEOUT_MS = 120_000;
const DEFAULT_MIN_TRANSFER_RATE = 1024;
const DEFAULT_RATE_WINDOW_MS = 60_000;
const DEFAULT_MAX_RETRIES = 3;
const DEFAULT_MAX_RETRY_WAIT_MS = 30_000;
const DEFAULT_BASE_RETRY_DELAY_MS = 250;
/** Same-origin redirects followed per attempt. */
const MAX_REDIRECTS = 3;
/** Error bodies are read only this far: the message needs 200 characters. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

/** Statuses worth another attempt: the server said "not now", not "no". */
export const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);
/**
 * Creating a desktop is not idempotent: after a reset or a gateway error it may have happened,
 * so only the statuses that promise nothing was done are retried.
 */
export const CREATE_RETRY_STATUSES: ReadonlySet<number> = new Set([429, 503]);

/** Where one hop of an attempt goes (a redirect changes it). */
interface Hop {
  method: Method;
  path: string;
}

/**
 * The HTTP side of the client: one keep-alive agent, the API key on every request (only to the
 * configured origin), timeouts, retries with backoff or Retry-After, same-origin redirects, and
 * every failure classified into one {@link NenApiError} whose text never holds a key.
 */
export class Transport {
  private readonly agent: HttpAgent;
  private readonly base: ParsedBaseUrl | { error: string };
  /** Direct or through a proxy (see routeFor), or why the network settings are unusable. */
  readonly route: Route | { error: string };
  private readonly metadataTimeoutMs: number;
  private readonly transferTimeoutMs: number;
  private readonly maxRetries: number;
  /** The floor under a download's rate (see Attempt.watchRate). */
  readonly rate: { minBytesPerSec: number; windowMs: number };
  private readonly maxRetryWaitMs: number;
  private readonly baseRetryDelayMs: number;
  /** Every key read so far: scrubbed from all text we produce. */
  private readonly secrets = new Set<string>();
  private readonly closing = new AbortController();
  private readonly retryable = new WeakSet<NenApiError>();

  constructor(private readonly opts: DriveClientOptions) {
    this.base = parseBaseUrl(opts.baseUrl);
    this.route = 'error' in this.base ? { proxyStrictSSL: true } : routeOrError(this.base.origin, opts.network);
    this.agent = createAgent('error' in this.route ? undefined : this.route);
    this.metadataTimeoutMs = opts.metadataTimeoutMs ?? DEFAULT_METADATA_TIMEOUT_MS;
    this.transferTimeoutMs = opts.transferTimeoutMs ?? DEFAULT_TRANSFER_TIMEOUT_MS;
    this.maxRetries = Math.max(0, opts.maxRetries ?? DEFAULT_MAX_RETRIES);
    this.rate = { minBytesPerSec: opts.minTransferRate ?? DEFAULT_MIN_TRANSFER_RATE, windowMs: opts.rateWindowMs ?? DEFAULT_RATE_WINDOW_MS };
    this.maxRetryWaitMs = Math.max(0, opts.maxRetryWaitMs ?? DEFAULT_MAX_RETRY_WAIT_MS);
    this.baseRetryDelayMs = Math.max(0, opts.baseRetryDelayMs ?? DEFAULT_BASE_RETRY_DELAY_MS);
  }

  /** Builds an error whose message has every known key and bearer token scrubbed out. */
  readonly err: MakeError = (kind, message, extra = {}) => new NenApiError(kind, redact(message, [...this.secrets]), extra);

  /** Runs an exchange with retries: backoff with jitter, or Retry-After, within the budget. */
  async exchange<T>(spec: Exchange<T>): Promise<T> {
    if ('error' in this.base) throw this.err('badRequest', this.base.error);
    if ('error' in this.route) throw this.err('proxy', this.route.error);
    let waited = 0;
    for (let attempt = 1; ; attempt++) {
      this.throwIfCancelled(spec.signal);
      try {
        return await this.attemptOnce(spec, attempt, this.base);
      } catch (e) {
        const err = e instanceof NenApiError ? e : this.classify(e, undefined, spec.signal, false);
        if (!this.retryable.has(err) || attempt > (spec.maxRetries ?? this.maxRetries) || this.isCancelled(spec.signal)) throw err;
        const delay = err.retryAfterMs ?? backoffDelay(attempt, this.baseRetryDelayMs);
        if (waited + delay > this.maxRetryWaitMs) throw err;
        await this.sleep(delay, spec.signal);
        waited += delay;
      }
    }
  }

  /** Marks an error as worth another attempt (a download that ended early). */
  markRetryable(err: NenApiError): NenApiError {
    this.retryable.add(err);
    return err;
  }

  /** Maps anything thrown during an attempt to a NenApiError (cancel and timeout win). */
  classify(e: unknown, att: Attempt | undefined, signal: AbortSignal | undefined, retryResets: boolean): NenApiError {
    if (this.isCancelled(signal)) {
      return this.closing.signal.aborted && !signal?.aborted ? this.err('cancelled', l10n.t('The client was closed.')) : this.err('cancelled', l10n.t('Cancelled.'));
    }
    if (att?.timedOut) {
      if (att.timeoutReason) return this.err('timeout', att.timeoutReason);
      const secs = Math.round(att.timeoutMs / 100) / 10;
      return this.err('timeout', att.inactivity ? l10n.t('The transfer made no progress for {0} s.', secs) : l10n.t('The server did not answer within {0} s.', secs));
    }
    if (e instanceof NenApiError) return e;
    const code = errorCode(e);
    const text = e instanceof Error ? e.message : String(e);
    const host = 'error' in this.base ? undefined : new URL(this.base.origin).host;
    const refusal = 'error' in this.route || !host ? undefined : proxyFailure(e, this.route, host);
    if (refusal) return this.err('proxy', refusal, code ? { code } : {});
    if (code === 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH') {
      return this.err('badRequest', l10n.t('The upload source changed size while it was being sent.'), { code });
    }
    if (isConnectionReset(e) || code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH') {
      const err = this.err('network', connectionLostMessage(host, text || code || ''), code ? { code } : {});
      if (retryResets) this.retryable.add(err);
      return err;
    }
    return this.err('network', unreachableMessage(host, text, code), code ? { code } : {});
  }

  throwIfCancelled(signal: AbortSignal | undefined): void {
    if (this.closing.signal.aborted) throw this.err('cancelled', l10n.t('The client was closed.'));
    if (signal?.aborted) throw this.err('cancelled', l10n.t('Cancelled.'));
  }

  /** Aborts calls in flight (they fail as `cancelled`) and closes the connections. */
  async close(): Promise<void> {
    if (this.closing.signal.aborted) return;
    this.closing.abort(new Error('closed'));
    await this.agent.destroy().catch(() => undefined);
  }

  private async attemptOnce<T>(spec: Exchange<T>, attemptNo: number, base: ParsedBaseUrl): Promise<T> {
    const key = await this.readKey();
    const signal = spec.signal ? AbortSignal.any([spec.signal, this.closing.signal]) : this.closing.signal;
    const timeoutMs = spec.transfer ? this.transferTimeoutMs : this.metadataTimeoutMs;
    const att = new Attempt(attemptNo, spec.method, timeoutMs, spec.transfer, signal, (entry) => this.emitLog(entry));
    let hop: Hop = { method: spec.method, path: base.basePath + spec.path };
    let finishedHere = true;
    try {
      for (let redirects = 0; ; redirects++) {
        const res = await this.send(spec, att, key, base.origin, hop);
        const status = res.statusCode;
        if (status >= 300 && status < 400) {
          hop = this.redirect(res, att, base.origin, hop, redirects);
          continue;
        }
        if (status < 200 || status >= 300) throw await this.statusError(spec, res, att);
        let outcome: { value: T; detached?: boolean };
        try {
          outcome = await spec.onSuccess(res, att);
        } catch (e) {
          res.body.on('error', () => undefined);
          res.body.destroy();
          const err = this.classify(e, att, spec.signal, spec.retryResets);
          att.log(status, err.message);
          throw err;
        }
        if (outcome.detached) finishedHere = false;
        else att.log(status);
        return outcome.value;
      }
    } finally {
      if (finishedHere) att.finish();
    }
  }

  /** Sends one hop of an attempt; a request that gets no response is classified and logged here. */
  private async send<T>(spec: Exchange<T>, att: Attempt, key: string, origin: string, hop: Hop): Promise<Dispatcher.ResponseData> {
    att.method = hop.method;
    att.path = hop.path;
    att.hopStart = Date.now();
    att.bytesSent = 0;
    att.bytesReceived = 0;
    const body = spec.makeBody && hop.method !== 'GET' ? await spec.makeBody(att) : undefined;
    const headers: Record<string, string> = {
      authorization: `Bearer ${key}`, // l10n-ignore: an HTTP header
      'user-agent': 'nen-drive',
      accept: spec.transfer && hop.method === 'GET' ? '*/*' : 'application/json',
    };
    if (body) {
      headers['content-type'] = body.contentType;
      headers['content-length'] = String(body.length);
    }
    try {
      const res = this.takesRawPath(spec, hop, body) ? await this.sendRaw(att, origin, hop, headers, body) : await sendRequest(this.agent, {
        origin,
        path: hop.path,
        method: hop.method,
        headers,
        body: body?.body,
        signal: att.controller.signal,
        // Our own timers govern; undici's would cut a configured longer timeout short.
        headersTimeout: 0,
        bodyTimeout: 0,
      });
      att.touch();
      return res;
    } catch (e) {
      if (body && body.body instanceof Readable) body.body.destroy();
      const err = this.classify(e, att, spec.signal, spec.retryResets);
      att.log(undefined, err.message);
      throw err;
    }
  }

  /** A large download to a file on a direct route (no proxy): its own connection, see rawGet. */
  private takesRawPath<T>(spec: Exchange<T>, hop: Hop, body: RequestBody | undefined): boolean {
    const fits = hop.method === 'GET' ? !body : hop.method === 'POST' && !!body?.raw;
    return !!spec.rawBody && fits && !('error' in this.route) && !this.route.proxy;
  }

  private async sendRaw(att: Attempt, origin: string, hop: Hop, headers: Record<string, string>, body: RequestBody | undefined): Promise<Dispatcher.ResponseData> {
    const route = this.route as Route;
    const secureContext = apiSecureContext(route);
    // The stream twin of a raw body is never read: let it go.
    if (body && body.body instanceof Readable) body.body.destroy();
    const res = await rawGet({
      origin,
      path: hop.path,
      headers,
      signal: att.controller.signal,
      connectTimeoutMs: CONNECT_TIMEOUT_MS,
      ...(secureContext ? { secureContext } : {}),
      ...(body?.raw ? { method: 'POST' as const, body: body.raw } : {}),
    });
    // The fields the transport and its readers use: status, headers and a Readable body.
    return res as unknown as Dispatcher.ResponseData;
  }

  /**
   * The next hop of a 3xx. Only same-origin redirects are followed (the key must not go
   * elsewhere), at most MAX_REDIRECTS, and a non-GET only where HTTP keeps the method (307/308)
   * or turns it into a GET (303).
   */
  private redirect(res: Dispatcher.ResponseData, att: Attempt, origin: string, hop: Hop, redirects: number): Hop {
    res.body.resume();
    res.body.on('error', () => undefined);
    const status = res.statusCode;
    const location = headerString(res.headers.location);
    att.log(status);
    if (!location) throw this.err('protocol', l10n.t({ message: 'The server answered {0} without a Location.', args: [status], comment: ['{0} is an HTTP status; Location is an HTTP header'] }), { status });
    let next: URL;
    try {
      next = new URL(location, origin + hop.path);
    } catch {
      throw this.err('protocol', l10n.t('The server redirected to an invalid location.'), { status });
    }
    if (next.origin !== origin) {
      throw this.err('protocol', l10n.t('The server redirected to another origin ({0}); not followed, so the API key is not sent there.', next.origin), { status });
    }
    if (redirects >= MAX_REDIRECTS) throw this.err('protocol', l10n.t('The server redirected too many times.'), { status });
    let method = hop.method;
    if (status === 303) method = 'GET';
    else if (method !== 'GET' && status !== 307 && status !== 308) {
      throw this.err('protocol', l10n.t({ message: 'The server redirected a {0} with {1}; not followed.', args: [method, status], comment: ['{0} is an HTTP method like PUT, {1} an HTTP status'] }), { status });
    }
    return { method, path: next.pathname + next.search };
  }

  /** A non-2xx, non-3xx answer as an error about what was asked for (retryable when the call retries its status), logged. */
  private async statusError<T>(spec: Exchange<T>, res: Dispatcher.ResponseData, att: Attempt): Promise<NenApiError> {
    const status = res.statusCode;
    const text = await readText(res, att, MAX_ERROR_BODY_BYTES, this.err, true).catch(() => '');
    const retryAfterMs = parseRetryAfter(res.headers['retry-after']);
    const err = this.err(kindForStatus(status), statusMessage(status, text), { status, retryAfterMs, resource: spec.resource });
    if (spec.retryStatuses.has(status)) this.retryable.add(err);
    att.log(status, err.message);
    return err;
  }

  private emitLog(entry: RequestLogEntry): void {
    if (!this.opts.onRequest) return;
    if (entry.error !== undefined) entry.error = redact(entry.error, [...this.secrets]);
    entry.path = redact(entry.path, [...this.secrets]);
    try {
      this.opts.onRequest(entry);
    } catch {
      // A faulty logger must not break a transfer.
    }
  }

  private async readKey(): Promise<string> {
    let key: string | undefined;
    try {
      key = await this.opts.getApiKey();
    } catch {
      throw this.err('unauthorized', l10n.t('The Nen API key could not be read.'));
    }
    if (typeof key !== 'string' || !key.trim()) throw this.err('unauthorized', l10n.t('No Nen API key is set.'));
    key = key.trim();
    this.secrets.add(key);
    if (!/^[\x21-\x7e]+$/.test(key)) throw this.err('unauthorized', l10n.t('The Nen API key contains characters that cannot be sent.'));
    return key;
  }

  private isCancelled(signal: AbortSignal | undefined): boolean {
    return !!signal?.aborted || this.closing.signal.aborted;
  }

  private sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      const signals = [this.closing.signal, ...(signal ? [signal] : [])];
      const onAbort = (): void => {
        clearTimeout(timer);
        signals.forEach((s) => s.removeEventListener('abort', onAbort));
        try {
          this.throwIfCancelled(signal);
        } catch (e) {
          reject(e);
        }
      };
      const timer = setTimeout(() => {
        signals.forEach((s) => s.removeEventListener('abort', onAbort));
        resolve();
      }, ms);
      signals.forEach((s) => s.addEventListener('abort', onAbort, { once: true }));
    });
  }
}

