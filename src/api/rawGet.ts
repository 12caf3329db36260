/**
 * A GET (or a raw POST) on its own connection with the HTTP/1.1 response framing (status,
 * headers, Content-Length, chunked, or to the close) parsed here. A large download to a file
 * takes this path on a direct route: the socket (Node's `onread`) reads its Content-Length body
 * straight into the memory of the body's reader (see {@link RawTarget}: the download's slabs),
 * up to 1 MiB at a time, with no allocation and no copy per read, so 100 MiB leave no 100 MiB of
 * garbage behind (undici and `node:http` both allocate a fresh 64 KiB buffer per socket read,
 * which V8 collects only after some 64 MiB of them). Whatever else arrives goes through one small
 * reused read buffer of the socket's own.
 *
 * The body is also a plain `Readable` (copies of the bytes), which is how redirects and error
 * answers are read. Everything else (keep-alive, proxies, uploads, listings) stays with undici.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import { Readable } from 'node:stream';

/**
 * The socket's own read buffer, for what does not go straight to a sink: the head, a chunked
 * body, a body read as a stream, reads while the sink has no room free. Not from the transfer
 * pool: a download to a file hardly uses it.
 */
const OWN_READ_BYTES = 64 * 1024;
/** The status line and headers together may not exceed this. */
const MAX_HEAD_BYTES = 64 * 1024;
/** A chunk-size line or a trailer line may not exceed this. */
const MAX_LINE_BYTES = 4096;

/**
 * A request body sent by its own writer, which may reuse its buffers once each write's callback
 * came back (the socket has let go of the bytes by then).
 */
export interface RawRequestBody {
  /**
   * Writes the whole body to `socket`, each piece only after the previous one's callback.
   * `answered()` turns true once the server answered: stop writing then.
   */
  send(socket: net.Socket, answered: () => boolean): Promise<void>;
}

export interface RawGetOptions {
  /** GET by default; POST with a `body`. */
  method?: 'GET' | 'POST';
  body?: RawRequestBody;
  /** `http://host[:port]` or `https://host[:port]`. */
  origin: string;
  /** Encoded path and query. */
  path: string;
  headers: Record<string, string>;
  signal: AbortSignal;
  /** The TLS context with the extra CAs, when there are any. */
  secureContext?: tls.SecureContext;
  connectTimeoutMs: number;
}

export interface RawResponse {
  statusCode: number;
  headers: Record<string, string | string[]>;
  body: RawBody;
}

/** Receives the body's bytes as views valid only during the call; returns false to pause reading. */
export type RawSink = (view: Buffer) => boolean;

/**
 * Where the socket's next read may land: a free region of the sink's own memory, so that the
 * bytes arrive where the sink keeps them and need no copy (the view the sink then gets starts
 * at that region); undefined for the socket's own read buffer. Asked after every read.
 */
export type RawTarget = () => Buffer | undefined;

/** An error with a code, the way Node's own socket errors look (the transport classifies by code). */
function codedError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

type Framing = { kind: 'length'; left: number } | { kind: 'chunked' } | { kind: 'close' } | { kind: 'none' };

/**
 * The response body. Read it as a stream (`data`, async iteration: each chunk a copy) or hand it
 * a sink with {@link RawBody.sinkTo} before reading: then the bytes go to the sink as views and
 * the stream only ends (or fails).
 */
export class RawBody extends Readable {
  private sink: RawSink | undefined;
  private target: RawTarget | undefined;
  /** Body bytes that arrived with the headers, before a reader chose how to read. */
  private early: Buffer | undefined;
  private started = false;
  private socketPaused = false;
  /** The body ended on the wire; pushed once the early bytes went out. */
  private ended = false;
  private heldError: Error | undefined;

  constructor(private readonly socket: net.Socket) {
    super();
  }

  /**
   * Hands every byte to `sink` from now on; call before reading, and resume with {@link resumeSink}
   * after a pause. With `target`, reads of a body with a Content-Length land in the sink's memory.
   */
  sinkTo(sink: RawSink, target?: RawTarget): void {
    if (this.started) throw new Error('the body is already being read'); // l10n-ignore: a programming error
    this.sink = sink;
    this.target = target;
    this.start();
    // Flowing with nothing pushed: the stream only carries the end (or the error).
    this.resume();
  }

  /** From the socket: the sink's region for the next read, if it offers one. */
  readTarget(): Buffer | undefined {
    return this.target && !this.destroyed ? this.target() : undefined;
  }

  /** Reads on after the sink returned false. */
  resumeSink(): void {
    if (this.socketPaused && !this.destroyed) {
      this.socketPaused = false;
      this.socket.resume();
    }
  }

  override _read(): void {
    if (!this.started) this.start();
    else if (!this.sink) this.resumeSink();
  }

  override _destroy(err: Error | null, cb: (error?: Error | null) => void): void {
    this.socket.destroy();
    cb(err);
  }

  /** From the parser: body bytes (a view of the read buffer). Returns false to pause the socket. */
  deliver(view: Buffer): boolean {
    if (this.destroyed) return false;
    if (!this.started) {
      this.early = this.early ? Buffer.concat([this.early, view]) : Buffer.from(view);
      this.socketPaused = true;
      return false;
    }
    if (this.sink) {
      if (this.sink(view)) return true;
      this.socketPaused = true;
      return false;
    }
    if (this.push(Buffer.from(view))) return true;
    this.socketPaused = true;
    return false;
  }

  /**
   * From the parser: the body failed. Before a reader started it is held (nobody would hear an
   * 'error' yet, and an unheard one would crash the host) and raised once reading starts.
   */
  fail(err: Error): void {
    if (this.started) this.destroy(err);
    else {
      this.heldError = err;
      this.socket.destroy();
    }
  }

  /** From the parser: the body is complete. */
  finish(): void {
    this.ended = true;
    if (this.started) this.push(null);
  }

  private start(): void {
    this.started = true;
    if (this.heldError) return void this.destroy(this.heldError);
    const early = this.early;
    this.early = undefined;
    if (early) {
      if (this.sink) {
        if (!this.sink(early)) return void (this.socketPaused = true);
      } else if (!this.push(early)) {
        return void (this.socketPaused = true);
      }
    }
    if (this.ended) this.push(null);
    else this.resumeSink();
  }
}

/**
 * Sends the GET and resolves once the status line and headers arrived (1xx answers skipped).
 * Fails with the socket's own error (codes like ECONNREFUSED, ECONNRESET), `UND_ERR_CONNECT_TIMEOUT`
 * or `HPE_INVALID` codes for answers that are not HTTP/1.1. The body fails with `UND_ERR_SOCKET`
 * when the connection closes inside a chunked body; a Content-Length body cut short just ends
 * (the caller compares the count).
 */
export function rawGet(opts: RawGetOptions): Promise<RawResponse> {
  const url = new URL(opts.origin);
  const secure = url.protocol === 'https:';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port) || (secure ? 443 : 80);
  // The socket reads into it (when not into a sink's region) until the connection closes; every
  // reader copies what it keeps.
  const readBuffer = Buffer.allocUnsafe(OWN_READ_BYTES);

  return new Promise<RawResponse>((resolve, reject) => {
    let response: RawResponse | undefined;
    let settled = false;
    let head: Buffer[] = [];
    let headBytes = 0;
    let framing: Framing = { kind: 'none' };
    let done = false;
    // Chunked state: a size line, data, the CRLF after data, or trailer lines.
    let chunkState: 'size' | 'data' | 'dataEnd' | 'trailer' = 'size';
    let chunkLeft = 0;
    let line = '';

    const fail = (err: Error): void => {
      if (done) return;
      done = true;
      opts.signal.removeEventListener('abort', onAbort);
      if (!settled) {
        settled = true;
        socket.destroy();
        reject(err);
      } else if (response) {
        response.body.fail(err);
      }
    };
    const complete = (): void => {
      if (done) return;
      done = true;
      opts.signal.removeEventListener('abort', onAbort);
      response?.body.finish();
      // Connection: close was asked; nothing more is wanted from this socket.
      socket.destroy();
    };
    const onAbort = (): void => fail(codedError('The request was aborted', 'ABORT_ERR')); // l10n-ignore: classified by the transport, never shown

    /**
     * Parses one answer's head at the start of `all`: undefined while it is incomplete, else the
     * offset of the byte after it and whether it was the final answer (not a 1xx).
     */
    const parseHead = (all: Buffer): { next: number; final: boolean } | undefined => {
      const end = all.indexOf('\r\n\r\n');
      if ((end < 0 ? all.length : end) > MAX_HEAD_BYTES) throw codedError('The response headers are too large', 'UND_ERR_HEADERS_OVERFLOW'); // l10n-ignore: classified
      if (end < 0) return undefined;
      const lines = all.subarray(0, end).toString('latin1').split('\r\n');
      const status = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(lines[0]);
      if (!status) throw codedError('The response is not HTTP/1.1', 'HPE_INVALID_CONSTANT'); // l10n-ignore: classified
      const statusCode = Number(status[1]);
      if (statusCode < 200) return { next: end + 4, final: false };
      const headers: Record<string, string | string[]> = {};
      for (const l of lines.slice(1)) {
        const colon = l.indexOf(':');
        if (colon <= 0) throw codedError('The response has an invalid header line', 'HPE_INVALID_HEADER_TOKEN'); // l10n-ignore: classified
        const name = l.slice(0, colon).trim().toLowerCase();
        const value = l.slice(colon + 1).trim();
        const had = headers[name];
        headers[name] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [had, value];
      }
      framing = framingOf(statusCode, headers);
      response = { statusCode, headers, body: new RawBody(socket) };
      settled = true;
      resolve(response);
      return { next: end + 4, final: true };
    };

    /** Body bytes through the framing; returns false to pause the socket. */
    const body = (view: Buffer): boolean => {
      const b = response!.body;
      if (framing.kind === 'close') return view.length === 0 || b.deliver(view);
      if (framing.kind === 'length') {
        const take = Math.min(view.length, framing.left);
        framing.left -= take;
        const go = take === 0 || b.deliver(view.subarray(0, take));
        if (framing.left === 0) complete();
        return go;
      }
      if (framing.kind === 'chunked') return chunked(view);
      return false;
    };

    const chunked = (view: Buffer): boolean => {
      const b = response!.body;
      let go = true;
      let i = 0;
      while (i < view.length && !done) {
        if (chunkState === 'data') {
          const take = Math.min(view.length - i, chunkLeft);
          chunkLeft -= take;
          if (!b.deliver(view.subarray(i, i + take))) go = false;
          i += take;
          if (chunkLeft === 0) chunkState = 'dataEnd';
          continue;
        }
        const nl = view.indexOf(10, i);
        const piece = view.subarray(i, nl < 0 ? view.length : nl + 1).toString('latin1');
        i += piece.length;
        line += piece;
        if (line.length > MAX_LINE_BYTES) throw codedError('A chunk line is too long', 'HPE_CHUNK_EXTENSIONS_OVERFLOW'); // l10n-ignore: classified
        if (nl < 0) break;
        const text = line.replace(/\r?\n$/, '');
        line = '';
        if (chunkState === 'dataEnd') {
          if (text !== '') throw codedError('A chunk did not end with CRLF', 'HPE_STRICT'); // l10n-ignore: classified
          chunkState = 'size';
        } else if (chunkState === 'size') {
          const m = /^([0-9a-fA-F]{1,12})[ \t]*(;.*)?$/.exec(text);
          if (!m) throw codedError('Invalid chunk size', 'HPE_INVALID_CHUNK_SIZE'); // l10n-ignore: classified
          chunkLeft = parseInt(m[1], 16);
          chunkState = chunkLeft === 0 ? 'trailer' : 'data';
        } else if (text === '') {
          complete();
        }
      }
      return go && !done;
    };

    const onRead = (n: number, buf: Buffer): boolean => {
      if (done) return false;
      try {
        let view = buf.subarray(0, n);
        if (!response) {
          head.push(Buffer.from(view));
          headBytes += n;
          let all = head.length === 1 ? head[0] : Buffer.concat(head, headBytes);
          for (;;) {
            const parsed = parseHead(all);
            if (!parsed) {
              head = [all];
              headBytes = all.length;
              return true;
            }
            all = all.subarray(parsed.next);
            if (parsed.final) break;
          }
          head = [];
          if (framing.kind === 'none') {
            complete();
            return false;
          }
          view = all;
        }
        return body(view);
      } catch (e) {
        fail(e as Error);
        return false;
      }
    };

    // After every read the socket asks where the next one goes. A Content-Length body read by a
    // sink with its own memory goes there (no copy; a chunked one has framing between its bytes).
    const nextBuffer = (): Buffer => (response && framing.kind === 'length' && !done ? response.body.readTarget() : undefined) ?? readBuffer;
    const connectOpts = { host, port, onread: { buffer: nextBuffer, callback: onRead } };
    const socket: net.Socket = secure
      ? tls.connect({
          ...connectOpts,
          ALPNProtocols: ['http/1.1'],
          ...(net.isIP(host) ? {} : { servername: host }),
          ...(opts.secureContext ? { secureContext: opts.secureContext } : {}),
        })
      : net.connect(connectOpts);
    socket.setNoDelay(true);
    socket.setTimeout(opts.connectTimeoutMs, () => fail(codedError('Connect Timeout Error', 'UND_ERR_CONNECT_TIMEOUT'))); // l10n-ignore: classified
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      socket.setTimeout(0);
      const hostHeader = url.port ? `${url.hostname}:${url.port}` : url.hostname;
      let request = `${opts.method ?? 'GET'} ${opts.path} HTTP/1.1\r\nhost: ${hostHeader}\r\nconnection: close\r\n`; // l10n-ignore: the HTTP request line
      for (const [k, v] of Object.entries(opts.headers)) request += `${k}: ${v}\r\n`;
      socket.write(`${request}\r\n`, 'latin1');
      // A write that fails after the server answered (it stopped reading and closed) is not
      // the request's failure: the answer says what happened.
      opts.body?.send(socket, () => response !== undefined || done).catch((e: Error) => {
        if (response === undefined) fail(e);
      });
    });
    // After a complete answer (done), an EPIPE or reset from a body still going out is ignored by fail().
    socket.on('error', (e) => fail(e));
    socket.on('end', () => {
      if (done) return;
      if (!response) return fail(codedError('other side closed', 'UND_ERR_SOCKET')); // l10n-ignore: classified
      if (framing.kind === 'close' || framing.kind === 'length') return complete();
      fail(codedError('other side closed', 'UND_ERR_SOCKET')); // l10n-ignore: classified
    });
    socket.on('close', () => {
      if (!done) fail(codedError('other side closed', 'UND_ERR_SOCKET')); // l10n-ignore: classified
    });
    if (opts.signal.aborted) onAbort();
    else opts.signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** How the body of an answer is delimited (RFC 9112 §6.3). */
function framingOf(status: number, headers: Record<string, string | string[]>): Framing {
  if (status === 204 || status === 304) return { kind: 'none' };
  const te = headers['transfer-encoding'];
  const teText = (Array.isArray(te) ? te.join(',') : te ?? '').toLowerCase();
  if (teText) {
    if (/(^|,)\s*chunked\s*$/.test(teText)) return { kind: 'chunked' };
    return { kind: 'close' };
  }
  const cl = headers['content-length'];
  if (cl !== undefined) {
    const values = (Array.isArray(cl) ? cl : [cl]).flatMap((v) => v.split(',')).map((v) => v.trim());
    if (!values.every((v) => /^\d{1,15}$/.test(v) && v === values[0])) {
      throw codedError('Invalid Content-Length', 'HPE_INVALID_CONTENT_LENGTH'); // l10n-ignore: classified
    }
    const left = Number(values[0]);
    return left === 0 ? { kind: 'none' } : { kind: 'length', left };
  }
  return { kind: 'close' };
}
