import { createReadStream, promises as fsp } from 'node:fs';
import * as nodePath from 'node:path';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { parseBaseUrl, type ParsedBaseUrl } from './baseUrl';
import { NenApiError, kindForStatus, messageFromBody, scrubSecrets } from './errors';
import { backoffDelay, createAgent, errorCode, isConnectionReset, parseRetryAfter, sendRequest, type Dispatcher, type HttpAgent } from './http';
import { contentTypeFor, normalizeFolderPath, validateFolderPath, validateName } from './names';
import {
  MAX_UPLOAD_BYTES,
  type CallOptions,
  type Desktop,
  type DownloadToFileOptions,
  type DriveClientOptions,
  type DriveEntry,
  type FolderOptions,
  type NenErrorKind,
  type Progress,
  type RequestLogEntry,
  type TransferOptions,
  type UploadOptions,
  type UploadResult,
  type UploadSource,
} from './types';

const DEFAULT_METADATA_TIMEOUT_MS = 30_000;
const DEFAULT_TRANSFER_TIMEOUT_MS = 120_000;
const DEFAULT_MAX_RETRIES = 3;
const DEFAULT_MAX_RETRY_WAIT_MS = 30_000;
const DEFAULT_BASE_RETRY_DELAY_MS = 250;
/** Same-origin redirects followed per attempt. */
const MAX_REDIRECTS = 3;
/** Error bodies are read only this far: the message needs 200 characters. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;
/** JSON answers larger than this are not a file list or a desktop: refuse rather than buffer. */
const MAX_JSON_BODY_BYTES = 32 * 1024 * 1024;
const CHUNK_BYTES = 64 * 1024;
/** A download waiting for the disk holds at most this much before reading from the socket pauses. */
const WRITE_AHEAD_BYTES = 4 * 1024 * 1024;

/** Statuses worth another attempt: the server said "not now", not "no". */
const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);
/**
 * Creating a desktop is not idempotent: after a reset or a gateway error it may have happened,
 * so only the statuses that promise nothing was done are retried.
 */
const CREATE_RETRY_STATUSES: ReadonlySet<number> = new Set([429, 503]);

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

interface RequestBody {
  body: Readable | Buffer;
  length: number;
  contentType: string;
}

interface Exchange<T> {
  method: Method;
  /** Encoded path and query, relative to the base URL's path. */
  path: string;
  transfer: boolean;
  signal?: AbortSignal;
  /** Builds the body afresh for every attempt (a consumed stream cannot be sent twice). */
  makeBody?: (attempt: Attempt) => Promise<RequestBody> | RequestBody;
  /** Retry after a dropped connection (the call is idempotent, or its body is recreated). */
  retryResets: boolean;
  retryStatuses: ReadonlySet<number>;
  /** Overrides the client's `maxRetries` for this call (a background poll retries on its own schedule). */
  maxRetries?: number;
  /**
   * Consumes a 2xx response. Returns the value and whether the body was handed to the caller
   * (then the attempt ends when the caller finishes reading, not here).
   */
  onSuccess: (res: Dispatcher.ResponseData, attempt: Attempt) => Promise<{ value: T; detached?: boolean }>;
}

/** One HTTP attempt: its own abort controller, timer and byte counters. */
class Attempt {
  readonly controller = new AbortController();
  timedOut = false;
  bytesSent = 0;
  bytesReceived = 0;
  hopStart = Date.now();
  method: Method;
  path = '';
  private timer: NodeJS.Timeout | undefined;
  private finished = false;
  private readonly unlink: () => void;

  constructor(
    readonly number: number,
    method: Method,
    readonly timeoutMs: number,
    /** Transfers time out on inactivity; metadata calls on total time. */
    readonly inactivity: boolean,
    parent: AbortSignal,
    private readonly logger: (entry: RequestLogEntry) => void,
  ) {
    this.method = method;
    const onAbort = (): void => this.controller.abort(parent.reason);
    if (parent.aborted) onAbort();
    parent.addEventListener('abort', onAbort, { once: true });
    this.unlink = () => parent.removeEventListener('abort', onAbort);
    this.arm();
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.finished || !(this.timeoutMs > 0)) return;
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort(new Error('timeout'));
    }, this.timeoutMs);
    this.timer.unref?.();
  }

  /** Progress happened: a transfer's inactivity clock starts again. */
  touch(): void {
    if (this.inactivity) this.arm();
  }

  log(status: number | undefined, error?: string): void {
    const entry: RequestLogEntry = {
      method: this.method,
      path: this.path,
      durationMs: Date.now() - this.hopStart,
      attempt: this.number,
    };
    if (status !== undefined) entry.status = status;
    if (this.bytesSent) entry.bytesSent = this.bytesSent;
    if (this.bytesReceived) entry.bytesReceived = this.bytesReceived;
    if (error !== undefined) entry.error = error;
    this.logger(entry);
  }

  get isFinished(): boolean {
    return this.finished;
  }

  finish(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.timer) clearTimeout(this.timer);
    this.unlink();
  }
}

/**
 * The Nen API client: files of a desktop's shared drive, and desktops. One keep-alive undici
 * agent per client. Every call takes an `AbortSignal`, is bounded by a timeout, retries what is
 * safe to retry, and fails only with {@link NenApiError}. The API key goes only to the configured
 * origin and never into a message or a log entry.
 */
export class DriveClient {
  private readonly agent: HttpAgent = createAgent();
  private readonly base: ParsedBaseUrl | { error: string };
  private readonly metadataTimeoutMs: number;
  private readonly transferTimeoutMs: number;
  private readonly maxRetries: number;
  private readonly maxRetryWaitMs: number;
  private readonly baseRetryDelayMs: number;
  /** Every key read so far: scrubbed from all text we produce. */
  private readonly secrets = new Set<string>();
  private readonly closing = new AbortController();
  private readonly retryable = new WeakSet<NenApiError>();

  constructor(private readonly opts: DriveClientOptions) {
    this.base = parseBaseUrl(opts.baseUrl);
    this.metadataTimeoutMs = opts.metadataTimeoutMs ?? DEFAULT_METADATA_TIMEOUT_MS;
    this.transferTimeoutMs = opts.transferTimeoutMs ?? DEFAULT_TRANSFER_TIMEOUT_MS;
    this.maxRetries = Math.max(0, opts.maxRetries ?? DEFAULT_MAX_RETRIES);
    this.maxRetryWaitMs = Math.max(0, opts.maxRetryWaitMs ?? DEFAULT_MAX_RETRY_WAIT_MS);
    this.baseRetryDelayMs = Math.max(0, opts.baseRetryDelayMs ?? DEFAULT_BASE_RETRY_DELAY_MS);
  }

  // ---------------------------------------------------------------- files

  /** Lists a drive (or one folder of it with `path`). Entries keep `isDir`. */
  async listFiles(desktopId: string, opts: CallOptions & FolderOptions & { maxRetries?: number } = {}): Promise<DriveEntry[]> {
    const path = `${this.desktopPath(desktopId)}/files${this.folderQuery(opts.path)}`;
    return this.exchange({
      method: 'GET',
      path,
      transfer: false,
      signal: opts.signal,
      retryResets: true,
      retryStatuses: RETRY_STATUSES,
      maxRetries: opts.maxRetries,
      onSuccess: async (res, att) => ({ value: this.parseFileList(await this.readJson(res, att)) }),
    });
  }

  /** The entry named exactly `name`, or undefined. The API has no stat: this lists the parent. */
  async stat(desktopId: string, name: string, opts: CallOptions & FolderOptions = {}): Promise<DriveEntry | undefined> {
    this.checkName(name);
    const entries = await this.listFiles(desktopId, opts);
    return entries.find((e) => e.name === name);
  }

  /**
   * Uploads (and overwrites) `name`. The body streams: a file from disk with its exact
   * Content-Length, a stream from its factory (opened again for each retry). Bodies over
   * 100 MiB are refused before anything is sent.
   */
  async upload(desktopId: string, name: string, source: UploadSource, opts: UploadOptions = {}): Promise<UploadResult> {
    const path = this.filePath(desktopId, name, opts.path);
    const contentType = opts.contentType ?? contentTypeFor(name);
    // eslint-disable-next-line no-control-regex
    if (/[\r\n\u0000]/.test(contentType) || !contentType.trim()) {
      throw this.err('badRequest', 'The Content-Type is not valid.');
    }
    const size = await this.sourceSize(source);
    if (size > MAX_UPLOAD_BYTES) {
      throw this.err(
        'tooLarge',
        `"${name}" is ${formatBytes(size)} (${size.toLocaleString('en-US')} bytes); the Nen drive accepts files up to 100 MiB (${MAX_UPLOAD_BYTES.toLocaleString('en-US')} bytes).`,
      );
    }
    const onProgress = opts.onProgress;
    return this.exchange({
      method: 'POST',
      path,
      transfer: true,
      signal: opts.signal,
      retryResets: true,
      retryStatuses: RETRY_STATUSES,
      makeBody: (att) => {
        att.bytesSent = 0;
        report(onProgress, { done: 0, total: size });
        const chunks = this.sourceChunks(source);
        const counted = (async function* () {
          for await (const chunk of chunks) {
            att.bytesSent += chunk.length;
            att.touch();
            report(onProgress, { done: att.bytesSent, total: size });
            yield chunk;
          }
        })();
        return { body: Readable.from(counted, { objectMode: false }), length: size, contentType };
      },
      onSuccess: async (res, att) => ({ value: this.parseUploadResult(await this.readJson(res, att), name, size) }),
    });
  }

  /** Downloads a whole file into memory. */
  async download(desktopId: string, name: string, opts: TransferOptions & FolderOptions = {}): Promise<Uint8Array> {
    return this.getFile(desktopId, name, opts, async (res, att) => {
      const chunks: Buffer[] = [];
      for await (const chunk of this.receive(res, att, opts.onProgress)) chunks.push(chunk);
      const all = Buffer.concat(chunks);
      return { value: new Uint8Array(all.buffer, all.byteOffset, all.byteLength) };
    });
  }

  /**
   * Starts a download and hands over the body as a stream. Errors while reading it (reset,
   * timeout, cancel) are `NenApiError`s emitted by the stream; a download that already started
   * cannot be retried, so use `download`/`downloadToFile` for that.
   */
  async downloadStream(
    desktopId: string,
    name: string,
    opts: TransferOptions & FolderOptions = {},
  ): Promise<{ body: Readable; size?: number; contentType?: string }> {
    return this.getFile(desktopId, name, opts, async (res, att) => {
      const size = contentLength(res.headers);
      const contentType = headerString(res.headers['content-type']);
      const relay = this.handOver(res, att, opts.signal, opts.onProgress);
      const body = Readable.from(relay, { objectMode: false });
      // A reader that destroys the stream before reading never starts the relay: release here.
      body.once('close', () => {
        if (att.isFinished) return;
        res.body.on('error', () => undefined);
        res.body.destroy();
        att.log(res.statusCode, 'closed by the reader before the end');
        att.finish();
      });
      const value: { body: Readable; size?: number; contentType?: string } = { body };
      if (size !== undefined) value.size = size;
      if (contentType !== undefined) value.contentType = contentType;
      return { value, detached: true };
    });
  }

  /**
   * Downloads into `targetPath` through a temporary file beside it (`.<name>.nendrive-<rand>.part`),
   * synced and renamed only once the whole body arrived. A failure or cancel deletes the temporary
   * file and never touches an existing target. An existing target is refused (`conflict`) unless
   * `overwrite`, both before the request and at the final rename.
   */
  async downloadToFile(desktopId: string, name: string, targetPath: string, opts: DownloadToFileOptions = {}): Promise<{ size: number }> {
    const path = this.filePath(desktopId, name, opts.path);
    const target = nodePath.resolve(targetPath);
    const dir = nodePath.dirname(target);
    const overwrite = opts.overwrite === true;
    try {
      const st = await fsp.stat(dir);
      if (!st.isDirectory()) throw this.err('notFound', `"${dir}" is not a folder.`);
    } catch (e) {
      throw e instanceof NenApiError ? e : this.localError(e, `The folder "${dir}" cannot be used`);
    }
    if (!overwrite && (await exists(target))) {
      throw this.err('conflict', `"${target}" already exists.`);
    }
    const temp = nodePath.join(dir, `.${nodePath.basename(target).slice(0, 200)}.nendrive-${randomBytes(6).toString('hex')}.part`);
    try {
      const size = await this.exchange({
        method: 'GET',
        path,
        transfer: true,
        signal: opts.signal,
        retryResets: true,
        retryStatuses: RETRY_STATUSES,
        onSuccess: async (res, att) => {
          let handle: fsp.FileHandle;
          try {
            handle = await fsp.open(temp, 'w');
          } catch (e) {
            throw this.localError(e, `Cannot write "${temp}"`);
          }
          try {
            const written = await writeOverlapped(handle, this.receive(res, att, opts.onProgress));
            await handle.sync();
            return { value: written };
          } finally {
            await handle.close().catch(() => undefined);
          }
        },
      });
      this.throwIfCancelled(opts.signal);
      await this.placeFile(temp, target, overwrite);
      return { size };
    } finally {
      await fsp.unlink(temp).catch(() => undefined);
    }
  }

  // ------------------------------------------------------------- desktops

  async listDesktops(opts: CallOptions = {}): Promise<Desktop[]> {
    return this.exchange({
      method: 'GET',
      path: '/desktops',
      transfer: false,
      signal: opts.signal,
      retryResets: true,
      retryStatuses: RETRY_STATUSES,
      onSuccess: async (res, att) => {
        const json = await this.readJson(res, att);
        if (!Array.isArray(json)) throw this.err('protocol', 'The desktop list is not a JSON array.', { status: res.statusCode });
        return { value: json.map((d) => this.parseDesktop(d, res.statusCode)) };
      },
    });
  }

  async getDesktop(id: string, opts: CallOptions = {}): Promise<Desktop> {
    return this.desktopCall('GET', this.desktopPath(id), undefined, opts.signal, RETRY_STATUSES, true);
  }

  async createDesktop(body: { desktop_type?: string } = {}, opts: CallOptions = {}): Promise<Desktop> {
    const payload: Record<string, string> = {};
    if (body.desktop_type !== undefined) payload.desktop_type = body.desktop_type;
    return this.desktopCall('POST', '/desktops', payload, opts.signal, CREATE_RETRY_STATUSES, false);
  }

  async renameDesktop(id: string, name: string, opts: CallOptions = {}): Promise<Desktop> {
    if (typeof name !== 'string' || !name.trim()) throw this.err('badRequest', 'A desktop name cannot be empty.');
    return this.desktopCall('PATCH', this.desktopPath(id), { name }, opts.signal, RETRY_STATUSES, true);
  }

  /** Deletes a desktop (and wipes its drive). */
  async deleteDesktop(id: string, opts: CallOptions = {}): Promise<{ desktop_id: string; status: string }> {
    const path = this.desktopPath(id);
    return this.exchange({
      method: 'DELETE',
      path,
      transfer: false,
      signal: opts.signal,
      retryResets: true,
      retryStatuses: RETRY_STATUSES,
      onSuccess: async (res, att) => {
        const text = await this.readText(res, att, MAX_JSON_BODY_BYTES);
        if (!text.trim()) return { value: { desktop_id: id, status: 'deleted' } };
        const json = this.parseJson(text, res.statusCode);
        if (!isObject(json)) throw this.err('protocol', 'The delete answer is not a JSON object.', { status: res.statusCode });
        const desktopId = json.desktop_id ?? id;
        const status = json.status ?? 'deleted';
        if (typeof desktopId !== 'string' || typeof status !== 'string') {
          throw this.err('protocol', 'The delete answer has fields of the wrong type.', { status: res.statusCode });
        }
        return { value: { desktop_id: desktopId, status } };
      },
    });
  }

  /** Aborts calls in flight (they fail as `cancelled`) and closes the connections. */
  async close(): Promise<void> {
    if (this.closing.signal.aborted) return;
    this.closing.abort(new Error('closed'));
    await this.agent.destroy().catch(() => undefined);
  }

  // -------------------------------------------------------------- internals

  private desktopCall(
    method: Method,
    path: string,
    payload: Record<string, string> | undefined,
    signal: AbortSignal | undefined,
    retryStatuses: ReadonlySet<number>,
    retryResets: boolean,
  ): Promise<Desktop> {
    const data = payload ? Buffer.from(JSON.stringify(payload)) : undefined;
    return this.exchange({
      method,
      path,
      transfer: false,
      signal,
      retryResets,
      retryStatuses,
      makeBody: data ? () => ({ body: data, length: data.length, contentType: 'application/json' }) : undefined,
      onSuccess: async (res, att) => ({ value: this.parseDesktop(await this.readJson(res, att), res.statusCode) }),
    });
  }

  /** Runs an exchange with retries: backoff with jitter, or Retry-After, within the budget. */
  private async exchange<T>(spec: Exchange<T>): Promise<T> {
    if ('error' in this.base) throw this.err('badRequest', this.base.error);
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

  private async attemptOnce<T>(spec: Exchange<T>, attemptNo: number, base: ParsedBaseUrl): Promise<T> {
    const key = await this.readKey();
    const signal = spec.signal ? AbortSignal.any([spec.signal, this.closing.signal]) : this.closing.signal;
    const att = new Attempt(
      attemptNo,
      spec.method,
      spec.transfer ? this.transferTimeoutMs : this.metadataTimeoutMs,
      spec.transfer,
      signal,
      (entry) => this.emitLog(entry),
    );
    let method = spec.method;
    let path = base.basePath + spec.path;
    let finishedHere = true;
    try {
      for (let hop = 0; ; hop++) {
        att.method = method;
        att.path = path;
        att.hopStart = Date.now();
        att.bytesSent = 0;
        att.bytesReceived = 0;
        const body = spec.makeBody && method !== 'GET' ? await spec.makeBody(att) : undefined;
        const headers: Record<string, string> = {
          authorization: `Bearer ${key}`,
          'user-agent': 'nen-drive',
          accept: spec.transfer && method === 'GET' ? '*/*' : 'application/json',
        };
        if (body) {
          headers['content-type'] = body.contentType;
          headers['content-length'] = String(body.length);
        }
        let res: Dispatcher.ResponseData;
        try {
          res = await sendRequest(this.agent, {
            origin: base.origin,
            path,
            method,
            headers,
            body: body?.body,
            signal: att.controller.signal,
            // Our own timers govern; undici's would cut a configured longer timeout short.
            headersTimeout: 0,
            bodyTimeout: 0,
          });
        } catch (e) {
          if (body && body.body instanceof Readable) body.body.destroy();
          const err = this.classify(e, att, spec.signal, spec.retryResets);
          att.log(undefined, err.message);
          throw err;
        }
        att.touch();
        const status = res.statusCode;

        if (status >= 300 && status < 400) {
          res.body.resume();
          res.body.on('error', () => undefined);
          const location = headerString(res.headers.location);
          att.log(status);
          if (!location) throw this.err('protocol', `The server answered ${status} without a Location.`, { status });
          let next: URL;
          try {
            next = new URL(location, base.origin + path);
          } catch {
            throw this.err('protocol', `The server redirected to an invalid location.`, { status });
          }
          if (next.origin !== base.origin) {
            throw this.err('protocol', `The server redirected to another origin (${next.origin}); not followed, so the API key is not sent there.`, { status });
          }
          if (hop >= MAX_REDIRECTS) throw this.err('protocol', 'The server redirected too many times.', { status });
          if (status === 303) method = 'GET';
          else if (method !== 'GET' && status !== 307 && status !== 308) {
            throw this.err('protocol', `The server redirected a ${method} with ${status}; not followed.`, { status });
          }
          path = next.pathname + next.search;
          continue;
        }

        if (status < 200 || status >= 300) {
          const text = await this.readText(res, att, MAX_ERROR_BODY_BYTES, true).catch(() => '');
          const err = this.httpError(status, text, res.headers);
          if (spec.retryStatuses.has(status)) this.retryable.add(err);
          att.log(status, err.message);
          throw err;
        }

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

  /** Maps anything thrown during an attempt to a NenApiError (cancel and timeout win). */
  private classify(e: unknown, att: Attempt | undefined, signal: AbortSignal | undefined, retryResets: boolean): NenApiError {
    if (this.isCancelled(signal)) {
      return this.closing.signal.aborted && !signal?.aborted ? this.err('cancelled', 'The client was closed.') : this.err('cancelled', 'Cancelled.');
    }
    if (att?.timedOut) {
      const secs = Math.round(att.timeoutMs / 100) / 10;
      return this.err('timeout', att.inactivity ? `The transfer made no progress for ${secs} s.` : `The server did not answer within ${secs} s.`);
    }
    if (e instanceof NenApiError) return e;
    const code = errorCode(e);
    const text = e instanceof Error ? e.message : String(e);
    const host = 'error' in this.base ? 'the Nen API' : new URL(this.base.origin).host;
    if (code === 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH') {
      return this.err('badRequest', 'The upload source changed size while it was being sent.', { code });
    }
    if (isConnectionReset(e) || code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH') {
      const err = this.err('network', `The connection to ${host} was lost (${text || code}).`, code ? { code } : {});
      if (retryResets) this.retryable.add(err);
      return err;
    }
    return this.err('network', `Could not reach ${host}: ${text || 'unknown error'}${code && !text.includes(code) ? ` (${code})` : ''}.`, code ? { code } : {});
  }

  private httpError(status: number, text: string, headers: Dispatcher.ResponseData['headers']): NenApiError {
    const kind = kindForStatus(status);
    const detail = messageFromBody(text) ?? DEFAULT_STATUS_TEXT[status] ?? 'request failed';
    const retryAfterMs = parseRetryAfter(headers['retry-after']);
    return this.err(kind, `${detail} (HTTP ${status})`, retryAfterMs !== undefined ? { status, retryAfterMs } : { status });
  }

  /** Builds an error whose message has every known key and bearer token scrubbed out. */
  private err(kind: NenErrorKind, message: string, extra: { status?: number; retryAfterMs?: number; code?: string } = {}): NenApiError {
    return new NenApiError(kind, scrubSecrets(message, [...this.secrets]), extra);
  }

  private localError(e: unknown, what: string): NenApiError {
    const code = errorCode(e);
    const kind: NenErrorKind = code === 'ENOENT' ? 'notFound' : code === 'EACCES' || code === 'EPERM' ? 'forbidden' : code === 'EEXIST' ? 'conflict' : 'badRequest';
    return this.err(kind, `${what}: ${code ?? (e instanceof Error ? e.message : String(e))}.`, code ? { code } : {});
  }

  private emitLog(entry: RequestLogEntry): void {
    if (!this.opts.onRequest) return;
    if (entry.error !== undefined) entry.error = scrubSecrets(entry.error, [...this.secrets]);
    entry.path = scrubSecrets(entry.path, [...this.secrets]);
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
      throw this.err('unauthorized', 'The Nen API key could not be read.');
    }
    if (typeof key !== 'string' || !key.trim()) throw this.err('unauthorized', 'No Nen API key is set.');
    key = key.trim();
    this.secrets.add(key);
    if (!/^[\x21-\x7e]+$/.test(key)) throw this.err('unauthorized', 'The Nen API key contains characters that cannot be sent.');
    return key;
  }

  private isCancelled(signal: AbortSignal | undefined): boolean {
    return !!signal?.aborted || this.closing.signal.aborted;
  }

  private throwIfCancelled(signal: AbortSignal | undefined): void {
    if (this.closing.signal.aborted) throw this.err('cancelled', 'The client was closed.');
    if (signal?.aborted) throw this.err('cancelled', 'Cancelled.');
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

  /** GET one drive file (idempotent: retried after resets and 429/502/503/504); `onSuccess` consumes the body. */
  private getFile<T>(desktopId: string, name: string, opts: CallOptions & FolderOptions, onSuccess: Exchange<T>['onSuccess']): Promise<T> {
    return this.exchange({
      method: 'GET',
      path: this.filePath(desktopId, name, opts.path),
      transfer: true,
      signal: opts.signal,
      retryResets: true,
      retryStatuses: RETRY_STATUSES,
      onSuccess,
    });
  }

  /** `/desktops/<id>/files/<name>[?path=<folder>]`, each part checked and encoded as one segment. */
  private filePath(desktopId: string, name: string, folder: string | undefined): string {
    return `${this.desktopPath(desktopId)}/files/${this.nameSegment(name)}${this.folderQuery(folder)}`;
  }

  private desktopPath(id: string): string {
    const reason = validateName(id);
    if (reason) throw this.err('badRequest', `Invalid desktop id: ${reason.replace(/^A name/, 'it')}`);
    return `/desktops/${encodeURIComponent(id)}`;
  }

  private checkName(name: string): void {
    const reason = validateName(name);
    if (reason) throw this.err('badRequest', reason);
  }

  private nameSegment(name: string): string {
    this.checkName(name);
    return encodeURIComponent(name);
  }

  private folderQuery(path: string | undefined): string {
    if (path === undefined) return '';
    const reason = validateFolderPath(path);
    if (reason) throw this.err('badRequest', reason);
    const normal = normalizeFolderPath(path);
    return normal ? `?path=${encodeURIComponent(normal)}` : '';
  }

  private async sourceSize(source: UploadSource): Promise<number> {
    switch (source?.kind) {
      case 'bytes':
        if (!(source.data instanceof Uint8Array)) throw this.err('badRequest', 'The upload data must be bytes.');
        return source.data.byteLength;
      case 'file': {
        let st;
        try {
          st = await fsp.stat(source.path);
        } catch (e) {
          throw this.localError(e, `Cannot read "${source.path}"`);
        }
        if (!st.isFile()) throw this.err('badRequest', `"${source.path}" is not a file.`);
        return st.size;
      }
      case 'stream':
        if (!Number.isSafeInteger(source.size) || source.size < 0) throw this.err('badRequest', 'A stream upload needs its size in bytes.');
        if (typeof source.open !== 'function') throw this.err('badRequest', 'A stream upload needs an open() factory.');
        return source.size;
      default:
        throw this.err('badRequest', 'Unknown upload source.');
    }
  }

  /** The source's bytes, opened afresh (a retry calls this again). Read errors become NenApiErrors. */
  private async *sourceChunks(source: UploadSource): AsyncGenerator<Buffer> {
    if (source.kind === 'bytes') {
      const data = source.data;
      for (let i = 0; i < data.byteLength; i += CHUNK_BYTES) {
        yield Buffer.from(data.buffer, data.byteOffset + i, Math.min(CHUNK_BYTES, data.byteLength - i));
      }
      return;
    }
    let stream: AsyncIterable<unknown>;
    try {
      stream = source.kind === 'file' ? createReadStream(source.path, { highWaterMark: CHUNK_BYTES }) : (source.open() as AsyncIterable<unknown>);
    } catch (e) {
      throw this.localError(e, 'Cannot open the upload source');
    }
    try {
      for await (const chunk of stream) {
        yield typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      }
    } catch (e) {
      if (e instanceof NenApiError) throw e;
      throw this.localError(e, source.kind === 'file' ? `Cannot read "${source.path}"` : 'Cannot read the upload source');
    }
  }

  /** The body of a download handed to the caller: errors mapped, logged once it ends. */
  private async *handOver(
    res: Dispatcher.ResponseData,
    att: Attempt,
    signal: AbortSignal | undefined,
    onProgress: ((p: Progress) => void) | undefined,
  ): AsyncGenerator<Buffer> {
    let error: string | undefined;
    let complete = false;
    try {
      yield* this.receive(res, att, onProgress);
      complete = true;
    } catch (e) {
      const mapped = this.classify(e, att, signal, false);
      error = mapped.message;
      throw mapped;
    } finally {
      // A reader that stops early also lands here; the body is then destroyed with the socket.
      if (!complete && error === undefined) {
        error = 'closed by the reader before the end';
        res.body.on('error', () => undefined);
        res.body.destroy();
      }
      att.log(res.statusCode, error);
      att.finish();
    }
  }

  /** The response body with progress, inactivity touches and a length check. */
  private async *receive(res: Dispatcher.ResponseData, att: Attempt, onProgress?: (p: Progress) => void): AsyncGenerator<Buffer> {
    const total = contentLength(res.headers);
    att.bytesReceived = 0;
    report(onProgress, total === undefined ? { done: 0 } : { done: 0, total });
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      att.bytesReceived += chunk.length;
      att.touch();
      report(onProgress, total === undefined ? { done: att.bytesReceived } : { done: att.bytesReceived, total });
      yield chunk;
    }
    if (total !== undefined && att.bytesReceived !== total) {
      const err = this.err('network', `The download ended early (${att.bytesReceived} of ${total} bytes).`);
      this.retryable.add(err);
      throw err;
    }
  }

  private async readText(res: Dispatcher.ResponseData, att: Attempt, limit: number, truncate = false): Promise<string> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      att.bytesReceived += chunk.length;
      att.touch();
      if (size + chunk.length > limit) {
        if (truncate) {
          chunks.push(chunk.subarray(0, limit - size));
          res.body.destroy();
          break;
        }
        throw this.err('protocol', 'The server answer is far larger than expected.', { status: res.statusCode });
      }
      size += chunk.length;
      chunks.push(chunk);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  private async readJson(res: Dispatcher.ResponseData, att: Attempt): Promise<unknown> {
    return this.parseJson(await this.readText(res, att, MAX_JSON_BODY_BYTES), res.statusCode);
  }

  private parseJson(text: string, status: number): unknown {
    try {
      return JSON.parse(text);
    } catch {
      throw this.err('protocol', 'The server answer is not valid JSON.', { status });
    }
  }

  private parseFileList(json: unknown): DriveEntry[] {
    if (!isObject(json) || !Array.isArray(json.files)) throw this.err('protocol', 'The file list has no "files" array.', { status: 200 });
    const entries: DriveEntry[] = [];
    for (const raw of json.files) {
      if (!isObject(raw)) throw this.err('protocol', 'A file list entry is not an object.', { status: 200 });
      const { name, size, modified, is_dir: isDir } = raw;
      if (typeof name !== 'string') throw this.err('protocol', 'A file list entry has no name.', { status: 200 });
      if (isDir !== undefined && isDir !== null && typeof isDir !== 'boolean') throw this.err('protocol', `"${name}" has a non-boolean is_dir.`, { status: 200 });
      const dir = isDir === true;
      if (!(typeof size === 'number' && Number.isFinite(size) && size >= 0) && !(dir && size === undefined)) {
        throw this.err('protocol', `"${name}" has no valid size.`, { status: 200 });
      }
      if (modified !== undefined && modified !== null && !(typeof modified === 'number' && Number.isFinite(modified))) {
        throw this.err('protocol', `"${name}" has a non-numeric modified time.`, { status: 200 });
      }
      // A name no path could address (or one that escapes a folder) is skipped, not trusted.
      if (!name || name === '.' || name === '..' || name.includes('/') || name.includes('\u0000')) continue;
      entries.push({ name, size: typeof size === 'number' ? size : 0, modified: typeof modified === 'number' ? modified : 0, isDir: dir });
    }
    return entries;
  }

  private parseUploadResult(json: unknown, name: string, size: number): UploadResult {
    if (!isObject(json)) throw this.err('protocol', 'The upload answer is not a JSON object.', { status: 200 });
    const { success, size: sz, filename } = json;
    if ((success !== undefined && typeof success !== 'boolean') || (sz !== undefined && typeof sz !== 'number') || (filename !== undefined && typeof filename !== 'string')) {
      throw this.err('protocol', 'The upload answer has fields of the wrong type.', { status: 200 });
    }
    if (success === false) {
      throw this.err('unavailable', `${messageFromBody(JSON.stringify(json)) ?? 'The server reported the upload as failed'}`, { status: 200 });
    }
    return { success: true, size: sz ?? size, filename: filename ?? name };
  }

  private parseDesktop(json: unknown, status: number): Desktop {
    if (!isObject(json) || typeof json.desktop_id !== 'string') {
      throw this.err('protocol', 'The server answer is not a desktop (no desktop_id).', { status });
    }
    return json as Desktop;
  }

  /** Moves the finished temporary file into place without clobbering unless allowed. */
  private async placeFile(temp: string, target: string, overwrite: boolean): Promise<void> {
    if (overwrite) {
      try {
        await fsp.rename(temp, target);
      } catch (e) {
        throw this.localError(e, `Cannot write "${target}"`);
      }
      return;
    }
    try {
      // link() fails with EEXIST instead of replacing: an atomic "create if absent".
      await fsp.link(temp, target);
      return;
    } catch (e) {
      const code = errorCode(e);
      if (code === 'EEXIST') throw this.err('conflict', `"${target}" already exists.`, { code });
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV' && code !== 'ENOSYS' && code !== 'EOPNOTSUPP' && code !== 'EMLINK') {
        throw this.localError(e, `Cannot write "${target}"`);
      }
    }
    // File systems without hard links: check, then rename (a small window, the best available).
    if (await exists(target)) throw this.err('conflict', `"${target}" already exists.`);
    try {
      await fsp.rename(temp, target);
    } catch (e) {
      throw this.localError(e, `Cannot write "${target}"`);
    }
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

/**
 * Writes the chunks to `handle` in order while the next ones are still arriving: the chunks
 * that come in during a write go out together in one writev, instead of every 64 KiB chunk
 * waiting for its own write to come back from the thread pool before the next is read.
 * At most WRITE_AHEAD_BYTES wait in memory; beyond that reading waits for the disk.
 * Returns the number of bytes written. A failed read waits for the write in flight first.
 */
async function writeOverlapped(handle: fsp.FileHandle, chunks: AsyncIterable<Buffer>): Promise<number> {
  let queue: Buffer[] = [];
  let queued = 0;
  let written = 0;
  let failure: { error: unknown } | undefined;
  let inFlight: Promise<void> | undefined;
  const drain = async (): Promise<void> => {
    while (queue.length > 0) {
      const batch = queue;
      const bytes = queued;
      queue = [];
      queued = 0;
      let done = (await handle.writev(batch)).bytesWritten;
      // libuv completes short writes itself; this only guards against a platform that does not.
      while (done < bytes) done += (await handle.write(Buffer.concat(batch).subarray(done))).bytesWritten;
      written += bytes;
    }
  };
  const start = (): void => {
    inFlight = drain().then(
      () => {
        inFlight = undefined;
      },
      (error: unknown) => {
        inFlight = undefined;
        failure = { error };
      },
    );
  };
  try {
    for await (const chunk of chunks) {
      if (failure) throw failure.error;
      queue.push(chunk);
      queued += chunk.length;
      if (!inFlight) start();
      else if (queued >= WRITE_AHEAD_BYTES) await inFlight;
    }
    while (inFlight) await inFlight;
    if (failure) throw failure.error;
    return written;
  } finally {
    while (inFlight) await inFlight;
  }
}

function report(onProgress: ((p: Progress) => void) | undefined, p: Progress): void {
  if (!onProgress) return;
  try {
    onProgress(p);
  } catch {
    // Progress is advisory; a throwing callback must not break the transfer.
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function headerString(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function contentLength(headers: Dispatcher.ResponseData['headers']): number | undefined {
  const v = headerString(headers['content-length']);
  if (v === undefined || !/^\d+$/.test(v.trim())) return undefined;
  return Number(v);
}

async function exists(p: string): Promise<boolean> {
  try {
    await fsp.lstat(p);
    return true;
  } catch {
    return false;
  }
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = -1;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}
