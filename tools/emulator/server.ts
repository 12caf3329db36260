/**
 * A local, faithful emulator of the Nen desktop drive API (see /shared/nen-api.md), on plain
 * node:http. Every unit and integration test talks to a real HTTP server through it, the demo
 * and the bench run it, and `npm run emulator` runs it by hand. It lives in tools/, not test/,
 * so the tooling never depends on the tests; it imports nothing outside this folder and
 * tools/emulator/tsconfig.json builds it alone.
 *
 * What it does beyond the happy path, because the client depends on it:
 * - URLs are split into raw segments before percent-decoding, so encoded `/`, `\` or `..`
 *   are refused as bad names (400) and can never address anything outside a drive.
 * - Uploads stream into a temp file in the sidecar folder and are renamed into place only
 *   once the whole body arrived; a disconnect or a 413 leaves the old version and no litter.
 * - The 100 MiB cap is enforced from Content-Length before reading, and by counting bytes
 *   of bodies without one.
 * - Faults, latency and a request log are reachable through the returned handle.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type * as net from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { badDesktopNameReason, badNameReason, decodeSegment, isDesktopId, parseFolderPath } from './names';
import { DriveStore, newDesktopRecord } from './storage';
import { makeLink, throttled } from './throttle';
import type { EmulatorHandle, EmulatorOptions, FaultMatch, FaultSpec, RecordedRequest } from './types';

export { seedSamples } from './samples';
export type { DesktopState, EmulatorHandle, EmulatorOptions, FaultMatch, FaultSpec, RecordedRequest } from './types';

/** The server-enforced upload cap: 100 MiB. */
export const MAX_UPLOAD_BYTES = 104_857_600;
/** Cap for the small JSON bodies of the desktop calls. */
const MAX_JSON_BODY = 1024 * 1024;
const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

interface ArmedFault {
  fault: FaultSpec;
  match: FaultMatch;
  remaining: number;
}

/** Per-request state: the log record and an optional reset point for the response body. */
interface Ctx {
  rec: RecordedRequest;
  /** Destroy the socket once this many response body bytes went out ('half': half of Content-Length). */
  resetAfter?: number | 'half';
  /** At `resetAfter`, stop sending but keep the connection open (a `hang` with `afterBytes`). */
  stall?: boolean;
}

type WriteFn = (chunk: unknown, encOrCb?: unknown, cb?: unknown) => boolean;
type EndFn = (chunk?: unknown, encOrCb?: unknown, cb?: unknown) => http.ServerResponse;

function toBuffer(chunk: unknown, enc: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return Buffer.from(String(chunk), typeof enc === 'string' ? (enc as BufferEncoding) : 'utf8');
}

/**
 * Wrap res.write/res.end so every body byte is counted for the log, and so a `reset` fault
 * can cut any response (JSON or a streamed download) after exactly N body bytes.
 */
function instrument(res: http.ServerResponse, ctx: Ctx): void {
  const origWrite = res.write.bind(res) as WriteFn;
  const origEnd = res.end.bind(res) as EndFn;
  let cut = false;

  const limit = (): number | undefined => {
    if (ctx.resetAfter === 'half') ctx.resetAfter = Math.floor(Number(res.getHeader('content-length') ?? 0) / 2);
    return ctx.resetAfter;
  };
  const cutAt = (buf: Buffer, max: number): void => {
    cut = true;
    const part = buf.subarray(0, Math.max(0, max - ctx.rec.bytesSent));
    ctx.rec.bytesSent += part.length;
    const sock = res.socket;
    // The callback runs once the headers and the partial body are flushed to the socket.
    origWrite(part, () => {
      if (!ctx.stall) sock?.destroy();
    });
  };

  (res as unknown as { write: WriteFn }).write = (chunk, encOrCb, cb) => {
    const callback = typeof encOrCb === 'function' ? encOrCb : cb;
    const buf = toBuffer(chunk, encOrCb);
    const max = limit();
    if (cut) return false;
    if (max !== undefined && ctx.rec.bytesSent + buf.length >= max) {
      cutAt(buf, max);
      return false;
    }
    ctx.rec.bytesSent += buf.length;
    return origWrite(buf, callback);
  };
  (res as unknown as { end: EndFn }).end = (chunk, encOrCb, cb) => {
    if (typeof chunk === 'function') return origEnd(chunk);
    const callback = typeof encOrCb === 'function' ? encOrCb : cb;
    const buf = chunk === undefined || chunk === null ? Buffer.alloc(0) : toBuffer(chunk, encOrCb);
    const max = limit();
    if (cut) return res;
    if (max !== undefined) {
      // A reset always resets, even when the body would have fit below the limit.
      cutAt(buf, max);
      return res;
    }
    ctx.rec.bytesSent += buf.length;
    return origEnd(buf, callback);
  };
}

function head(res: http.ServerResponse, ctx: Ctx, status: number, headers: http.OutgoingHttpHeaders): void {
  ctx.rec.status = status;
  res.writeHead(status, headers);
}

function sendJson(res: http.ServerResponse, ctx: Ctx, status: number, body: unknown, extra: http.OutgoingHttpHeaders = {}): void {
  const text = Buffer.from(JSON.stringify(body));
  head(res, ctx, status, { 'content-type': 'application/json', 'content-length': text.length, ...extra });
  res.end(text);
}

function sendError(res: http.ServerResponse, ctx: Ctx, status: number, message: string, extra: http.OutgoingHttpHeaders = {}): void {
  sendJson(res, ctx, status, { error: message }, extra);
}

/** Keep reading (and counting) a body we are not going to store, so the client can read our answer. */
function discard(req: http.IncomingMessage, res: http.ServerResponse, ctx: Ctx, alreadyCounted = false): void {
  if (!alreadyCounted) {
    req.on('data', (c: Buffer) => {
      ctx.rec.bytesReceived += c.length;
    });
  }
  req.resume();
  // A client that keeps streaming long after the answer is cut off, so nothing is read forever.
  res.once('finish', () => {
    if (req.complete) return;
    const t = setTimeout(() => req.socket?.destroy(), 2000);
    t.unref();
    req.once('end', () => clearTimeout(t));
  });
}

function readSmallBody(req: http.IncomingMessage, ctx: Ctx): Promise<Buffer | 'tooLarge' | 'aborted'> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (r: Buffer | 'tooLarge' | 'aborted'): void => {
      if (!done) {
        done = true;
        resolve(r);
      }
    };
    req.on('data', (c: Buffer) => {
      ctx.rec.bytesReceived += c.length;
      if (done) return;
      size += c.length;
      if (size > MAX_JSON_BODY) finish('tooLarge');
      else chunks.push(c);
    });
    req.on('end', () => finish(Buffer.concat(chunks)));
    req.on('close', () => finish('aborted'));
    req.on('error', () => finish('aborted'));
  });
}

function hasBody(req: http.IncomingMessage): boolean {
  const len = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (len !== undefined && Number(len) > 0);
}

function matches(m: FaultMatch, method: string, path: string): boolean {
  if (m.method && m.method.toUpperCase() !== method.toUpperCase()) return false;
  if (m.path === undefined) return true;
  return typeof m.path === 'string' ? path.includes(m.path) : m.path.test(path);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Start an emulator. Resolves once it listens; `handle.url` has the chosen port. */
export async function startEmulator(opts: EmulatorOptions): Promise<EmulatorHandle> {
  const host = opts.host ?? '127.0.0.1';
  const folders = opts.folders ?? true;
  const apiKey = Buffer.from(opts.apiKey);
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const store = new DriveStore(opts.dataDir);
  store.cleanTemp();
  store.adoptFolders();
  for (const id of opts.desktops ?? []) store.addDesktop(id);

  let latencyMs = opts.latencyMs ?? 0;
  let startingMs = opts.startingMs ?? 0;
  /** Desktops created `starting`, and when they become `running` (ms since epoch). */
  const readyAt = new Map<string, number>();
  /** A `starting` desktop whose time has come is `running` when next read. */
  function settle(): void {
    const now = Date.now();
    for (const [id, at] of readyAt) {
      if (at > now) continue;
      readyAt.delete(id);
      if (store.getDesktop(id)?.status === 'starting') store.updateDesktop(id, { status: 'running' });
    }
  }
  let link = makeLink(opts.bandwidthMBps);
  let faults: ArmedFault[] = [];
  const requests: RecordedRequest[] = [];
  const sockets = new Set<net.Socket>();
  let closing = false;

  function authorized(req: http.IncomingMessage): boolean {
    const m = /^Bearer[ \t]+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (!m) return false;
    const got = Buffer.from(m[1]);
    return got.length === apiKey.length && timingSafeEqual(got, apiKey);
  }

  function takeFault(method: string, path: string): FaultSpec | undefined {
    const i = faults.findIndex((f) => f.remaining > 0 && matches(f.match, method, path));
    if (i < 0) return undefined;
    const f = faults[i];
    f.remaining--;
    if (f.remaining <= 0) faults.splice(i, 1);
    return f.fault;
  }

  function applyFault(fault: FaultSpec, req: http.IncomingMessage, res: http.ServerResponse, ctx: Ctx): void {
    switch (fault.type) {
      case 'status': {
        const headers: http.OutgoingHttpHeaders = { ...(fault.headers ?? {}) };
        if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter);
        const body = Buffer.from(fault.body ?? JSON.stringify({ error: `injected ${fault.status}` }));
        if (hasBody(req)) discard(req, res, ctx);
        head(res, ctx, fault.status, { 'content-type': 'application/json', 'content-length': body.length, ...headers });
        res.end(body);
        return;
      }
      case 'body': {
        const body = Buffer.from(fault.body);
        if (hasBody(req)) discard(req, res, ctx);
        head(res, ctx, fault.status ?? 200, { 'content-type': fault.contentType ?? 'application/json', 'content-length': body.length });
        res.end(body);
        return;
      }
      case 'redirect': {
        if (hasBody(req)) discard(req, res, ctx);
        head(res, ctx, fault.status ?? 302, { location: fault.location, 'content-length': 0 });
        res.end();
        return;
      }
      case 'delay':
        void sleep(fault.ms).then(() => {
          if (closing || res.destroyed) return;
          route(req, res, ctx).catch((err) => internalError(res, ctx, err));
        });
        return;
      case 'hang':
        if (fault.afterBytes !== undefined && !(req.method === 'POST' && hasBody(req))) {
          // Answer normally up to afterBytes of the body, then stall; close() destroys the socket.
          ctx.resetAfter = fault.afterBytes;
          ctx.stall = true;
          route(req, res, ctx).catch((err) => internalError(res, ctx, err));
        }
        // Otherwise never answer; close() destroys the socket.
        return;
      case 'reset': {
        if (req.method === 'POST' && hasBody(req)) {
          // An upload: read this many request bytes, then drop the connection.
          const len = Number(req.headers['content-length']);
          const limit = fault.afterBytes ?? (Number.isFinite(len) ? Math.floor(len / 2) : 0);
          let got = 0;
          if (limit <= 0) {
            req.socket.destroy();
            return;
          }
          req.on('data', (c: Buffer) => {
            ctx.rec.bytesReceived += c.length;
            got += c.length;
            if (got >= limit) req.socket.destroy();
          });
          req.on('end', () => req.socket.destroy());
          return;
        }
        // A response: handle the request normally, cut the body after N bytes.
        ctx.resetAfter = fault.afterBytes ?? 'half';
        route(req, res, ctx).catch((err) => internalError(res, ctx, err));
        return;
      }
    }
  }

  function internalError(res: http.ServerResponse, ctx: Ctx, err: unknown): void {
    if (!res.headersSent && !res.destroyed) sendError(res, ctx, 500, `emulator error: ${(err as Error)?.message ?? String(err)}`);
    else res.destroy();
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const rawPath = q >= 0 ? rawUrl.slice(0, q) : rawUrl;
    const rec: RecordedRequest = {
      method: req.method ?? 'GET',
      url: rawUrl,
      path: decodeSegment(rawPath) ?? rawPath,
      status: 0,
      headers: { ...req.headers },
      bytesReceived: 0,
      bytesSent: 0,
      at: Date.now(),
    };
    requests.push(rec);
    res.on('close', () => (rec.doneAt = Date.now()));
    const ctx: Ctx = { rec };
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    instrument(res, ctx);

    if (latencyMs > 0) await sleep(latencyMs);
    if (closing || res.destroyed) return;

    const fault = takeFault(rec.method, rec.path);
    if (fault) return applyFault(fault, req, res, ctx);
    await route(req, res, ctx);
  }

  async function route(req: http.IncomingMessage, res: http.ServerResponse, ctx: Ctx): Promise<void> {
    const method = ctx.rec.method;
    if (!authorized(req)) {
      if (hasBody(req)) discard(req, res, ctx);
      return sendError(res, ctx, 401, 'missing or invalid API key', { 'www-authenticate': 'Bearer' });
    }
    const rawUrl = ctx.rec.url;
    const q = rawUrl.indexOf('?');
    const rawPath = q >= 0 ? rawUrl.slice(0, q) : rawUrl;
    const query = new URLSearchParams(q >= 0 ? rawUrl.slice(q + 1) : '');
    // Split before decoding: an encoded "/" stays inside its segment and is refused as a name.
    const parts = rawPath.split('/').slice(1);
    if (parts.length > 1 && parts[parts.length - 1] === '' && parts.length !== 4) parts.pop();

    const notFound = (): void => {
      if (hasBody(req)) discard(req, res, ctx);
      sendError(res, ctx, 404, 'not found');
    };
    const notAllowed = (allow: string): void => {
      if (hasBody(req)) discard(req, res, ctx);
      sendError(res, ctx, 405, `method ${method} not allowed`, { allow });
    };
    if (parts[0] !== 'desktops') return notFound();

    settle();
    // /desktops
    if (parts.length === 1) {
      if (method === 'GET') return sendJson(res, ctx, 200, store.listDesktops());
      if (method === 'POST') return createDesktop(req, res, ctx);
      return notAllowed('GET, POST');
    }

    const id = decodeSegment(parts[1]) ?? '';
    const desktop = isDesktopId(id) ? store.getDesktop(id) : undefined;

    // /desktops/{id}
    if (parts.length === 2) {
      if (!['GET', 'PATCH', 'DELETE'].includes(method)) return notAllowed('GET, PATCH, DELETE');
      if (!desktop) return notFound();
      if (method === 'GET') return sendJson(res, ctx, 200, desktop);
      if (method === 'DELETE') {
        store.deleteDesktop(id);
        readyAt.delete(id);
        return sendJson(res, ctx, 200, { desktop_id: id, status: 'deleted' });
      }
      return renameDesktop(req, res, ctx, id);
    }

    if (parts[2] !== 'files') return notFound();
    const isList = parts.length === 3 || (parts.length === 4 && parts[3] === '');
    if (isList) {
      if (method !== 'GET') return notAllowed('GET');
    } else if (method !== 'GET' && method !== 'POST') {
      return notAllowed('GET, POST');
    }
    if (!desktop) return notFound();

    // ?path=<folder>
    let folder: string[] = [];
    const pathParam = query.get('path');
    if (pathParam !== null) {
      if (!folders) {
        if (hasBody(req)) discard(req, res, ctx);
        return sendError(res, ctx, 400, 'this server has no folders: ?path= is not supported');
      }
      const parsed = parseFolderPath(pathParam);
      if ('error' in parsed) {
        if (hasBody(req)) discard(req, res, ctx);
        return sendError(res, ctx, 400, parsed.error);
      }
      folder = parsed.segments;
    }

    if (isList) return listFiles(res, ctx, id, folder);

    const rawName = parts.slice(3).join('/');
    const name = decodeSegment(rawName);
    const reason = name === undefined ? 'file name is not valid percent-encoding' : badNameReason(name);
    if (reason !== undefined || name === undefined) {
      if (hasBody(req)) discard(req, res, ctx);
      return sendError(res, ctx, 400, reason ?? 'bad file name');
    }
    if (method === 'GET') return download(res, ctx, id, folder, name);
    return upload(req, res, ctx, id, folder, name);
  }

  async function createDesktop(req: http.IncomingMessage, res: http.ServerResponse, ctx: Ctx): Promise<void> {
    const parsed = await readJsonBody(req, res, ctx);
    if (parsed === undefined) return;
    const type = parsed.desktop_type ?? 'sandbox';
    if (typeof type !== 'string') return sendError(res, ctx, 400, 'desktop_type must be a string');
    const badName = parsed.name === undefined ? undefined : badDesktopNameReason(parsed.name);
    if (badName) return sendError(res, ctx, 400, badName);
    let id: string;
    do {
      id = `dsk_${newDesktopRecord('x').workspace_id.slice(3)}`;
    } while (store.getDesktop(id));
    const name = typeof parsed.name === 'string' ? parsed.name.trim() : undefined;
    const status = startingMs > 0 ? 'starting' : 'running';
    if (startingMs > 0) readyAt.set(id, Date.now() + startingMs);
    sendJson(res, ctx, 200, store.addDesktop(id, { desktopType: type, name, status }));
  }

  async function renameDesktop(req: http.IncomingMessage, res: http.ServerResponse, ctx: Ctx, id: string): Promise<void> {
    const parsed = await readJsonBody(req, res, ctx);
    if (parsed === undefined) return;
    const badName = badDesktopNameReason(parsed.name);
    if (badName) return sendError(res, ctx, 400, badName);
    const rec = store.updateDesktop(id, { name: (parsed.name as string).trim() });
    if (!rec) return sendError(res, ctx, 404, 'not found');
    sendJson(res, ctx, 200, rec);
  }

  /** A JSON object body (empty body = {}); answers 400/413 itself and returns undefined then. */
  async function readJsonBody(req: http.IncomingMessage, res: http.ServerResponse, ctx: Ctx): Promise<Record<string, unknown> | undefined> {
    const body = await readSmallBody(req, ctx);
    if (body === 'aborted') return undefined;
    if (body === 'tooLarge') {
      discard(req, res, ctx, true);
      sendError(res, ctx, 413, 'request body too large', { connection: 'close' });
      return undefined;
    }
    if (body.length === 0) return {};
    try {
      const v = JSON.parse(body.toString('utf8')) as unknown;
      if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch {
      // fall through
    }
    sendError(res, ctx, 400, 'body must be a JSON object');
    return undefined;
  }

  function listFiles(res: http.ServerResponse, ctx: Ctx, id: string, folder: string[]): void {
    const dir = store.resolve(id, folder);
    let entries: fs.Dirent[];
    try {
      if (!fs.statSync(dir).isDirectory()) return sendError(res, ctx, 404, 'folder not found');
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return sendError(res, ctx, 404, 'folder not found');
    }
    const files: Array<{ name: string; size: number; modified: number; is_dir?: true }> = [];
    for (const e of entries) {
      let st: fs.Stats;
      try {
        st = fs.lstatSync(store.resolve(id, [...folder, e.name]));
      } catch {
        continue; // removed while listing
      }
      if (st.isFile()) files.push({ name: e.name, size: st.size, modified: st.mtimeMs / 1000 });
      else if (st.isDirectory() && folders) files.push({ name: e.name, size: 0, modified: st.mtimeMs / 1000, is_dir: true });
    }
    files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    sendJson(res, ctx, 200, { files });
  }

  function download(res: http.ServerResponse, ctx: Ctx, id: string, folder: string[], name: string): void {
    const file = store.resolve(id, [...folder, name]);
    let fd: number;
    let size: number;
    // Open, stat and read the metadata in one tick: a concurrent upload renaming a new version
    // into place cannot mix its Content-Type or size with the bytes of the version we opened.
    try {
      fd = fs.openSync(file, 'r');
    } catch {
      return sendError(res, ctx, 404, 'file not found');
    }
    try {
      const st = fs.fstatSync(fd);
      if (!st.isFile()) {
        fs.closeSync(fd);
        return sendError(res, ctx, 404, 'file not found');
      }
      size = st.size;
    } catch {
      fs.closeSync(fd);
      return sendError(res, ctx, 404, 'file not found');
    }
    const contentType = store.getContentType(id, [...folder, name]) ?? DEFAULT_CONTENT_TYPE;
    head(res, ctx, 200, { 'content-type': contentType, 'content-length': size });
    const rs = fs.createReadStream('', { fd, autoClose: true });
    rs.on('error', () => res.destroy());
    res.on('close', () => rs.destroy());
    if (!link) return void rs.pipe(res);
    const slow = throttled(link.down);
    res.on('close', () => slow.destroy());
    rs.pipe(slow).pipe(res);
  }

  async function upload(req: http.IncomingMessage, res: http.ServerResponse, ctx: Ctx, id: string, folder: string[], name: string): Promise<void> {
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > MAX_UPLOAD_BYTES) {
      // Refused from the header alone, before a byte of the body is read.
      discard(req, res, ctx);
      return sendError(res, ctx, 413, `file is larger than ${MAX_UPLOAD_BYTES} bytes`, { connection: 'close' });
    }
    const tmp = store.tempPath(id);
    const ws = fs.createWriteStream(tmp, { flags: 'wx' });
    let size = 0;
    const up = link?.up;
    // Reading pauses while the disk catches up or the link's bucket is in debt; it resumes when neither holds it.
    let holds = 0;
    const hold = (): void => {
      if (holds++ === 0) req.pause();
    };
    const release = (): void => {
      if (--holds === 0) req.resume();
    };
    const outcome = await new Promise<'ok' | 'tooLarge' | 'aborted' | 'error'>((resolve) => {
      let done = false;
      const finish = (r: 'ok' | 'tooLarge' | 'aborted' | 'error'): void => {
        if (done) return;
        done = true;
        if (r !== 'ok') ws.destroy();
        resolve(r);
      };
      req.on('data', (chunk: Buffer) => {
        ctx.rec.bytesReceived += chunk.length;
        if (done) return;
        size += chunk.length;
        if (size > MAX_UPLOAD_BYTES) {
          finish('tooLarge');
          return;
        }
        if (!ws.write(chunk)) {
          hold();
          ws.once('drain', release);
        }
        const wait = up?.take(chunk.length) ?? 0;
        if (wait > 0) {
          hold();
          setTimeout(release, wait);
        }
      });
      req.on('end', () => {
        if (done) return;
        ws.end(() => finish('ok'));
      });
      req.on('close', () => {
        if (!req.complete) finish('aborted');
      });
      req.on('error', () => finish('aborted'));
      ws.on('error', () => finish('error'));
    });

    if (outcome !== 'ok') {
      await new Promise<void>((r) => (ws.closed ? r() : ws.once('close', () => r())));
      fs.rmSync(tmp, { force: true });
      if (outcome === 'tooLarge') {
        // Keep draining (the upload's data listener still counts) so the client reads the 413.
        discard(req, res, ctx, true);
        return sendError(res, ctx, 413, `file is larger than ${MAX_UPLOAD_BYTES} bytes`, { connection: 'close' });
      }
      if (outcome === 'error' && !res.destroyed) return sendError(res, ctx, 500, 'could not store the file');
      return; // the client went away: nothing stored, nobody to answer
    }

    // The whole body arrived: put it in place (synchronously, so rename and metadata agree).
    try {
      if (!store.getDesktop(id)) {
        fs.rmSync(tmp, { force: true });
        return sendError(res, ctx, 404, 'not found');
      }
      const target = store.resolve(id, [...folder, name]);
      try {
        fs.mkdirSync(store.resolve(id, folder), { recursive: true });
      } catch {
        fs.rmSync(tmp, { force: true });
        return sendError(res, ctx, 409, 'a file is in the way of that folder');
      }
      let existing: fs.Stats | undefined;
      try {
        existing = fs.lstatSync(target);
      } catch {
        existing = undefined;
      }
      if (existing && !existing.isFile()) {
        fs.rmSync(tmp, { force: true });
        return sendError(res, ctx, 409, 'a folder with that name exists');
      }
      fs.renameSync(tmp, target);
      const ct = req.headers['content-type'];
      store.setContentType(id, [...folder, name], ct ? ct : undefined);
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      throw err;
    }
    sendJson(res, ctx, 200, { success: true, size, filename: name });
  }

  const listener = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    handle(req, res).catch((err) => {
      const rec = requests[requests.length - 1];
      internalError(res, { rec }, err);
    });
  };
  const server = opts.tls ? https.createServer({ key: opts.tls.key, cert: opts.tls.cert }, listener) : http.createServer(listener);
  // Hangs and slow transfers are deliberate here; never let node's own timeouts cut them.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as net.AddressInfo).port;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const url = `${opts.tls ? 'https' : 'http'}://${shownHost}:${port}`;

  const emulator: EmulatorHandle = {
    url,
    port,
    dataDir: opts.dataDir,
    apiKey: opts.apiKey,
    injectFault(fault, match = {}, times = 1) {
      faults.push({ fault, match, remaining: times });
    },
    setLatency(ms) {
      latencyMs = ms;
    },
    setBandwidth(mbPerSec) {
      link = makeLink(mbPerSec);
    },
    get requests() {
      return requests;
    },
    clearRequests() {
      requests.length = 0;
    },
    reset() {
      faults = [];
      latencyMs = 0;
      link = undefined;
      requests.length = 0;
    },
    addDesktop(id) {
      store.addDesktop(id);
    },
    desktop(id) {
      settle();
      return store.getDesktop(id);
    },
    setDesktopStatus(id, status) {
      readyAt.delete(id);
      if (!store.updateDesktop(id, { status })) throw new Error(`unknown desktop ${id}`);
    },
    setStartingMs(ms) {
      startingMs = ms;
    },
    putFile(desktopId, name, data, o = {}) {
      if (!store.getDesktop(desktopId)) throw new Error(`unknown desktop ${desktopId}`);
      const reason = badNameReason(name);
      if (reason) throw new Error(reason);
      const folder = o.path ? parseFolderPath(o.path) : { segments: [] };
      if ('error' in folder) throw new Error(folder.error);
      fs.mkdirSync(store.resolve(desktopId, folder.segments), { recursive: true });
      const target = store.resolve(desktopId, [...folder.segments, name]);
      const tmp = store.tempPath(desktopId);
      fs.writeFileSync(tmp, data);
      if (o.mtime !== undefined) fs.utimesSync(tmp, o.mtime, o.mtime);
      fs.renameSync(tmp, target);
      store.setContentType(desktopId, [...folder.segments, name], o.contentType);
    },
    readFile(desktopId, name, o = {}) {
      const folder = o.path ? parseFolderPath(o.path) : { segments: [] };
      if ('error' in folder || badNameReason(name) || !isDesktopId(desktopId)) return undefined;
      try {
        return fs.readFileSync(store.resolve(desktopId, [...folder.segments, name]));
      } catch {
        return undefined;
      }
    },
    removeFile(desktopId, name, o = {}) {
      const folder = o.path ? parseFolderPath(o.path) : { segments: [] };
      if ('error' in folder || badNameReason(name) || !isDesktopId(desktopId)) return false;
      try {
        fs.rmSync(store.resolve(desktopId, [...folder.segments, name]));
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      if (closing) return;
      closing = true;
      faults = [];
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      for (const s of sockets) s.destroy();
      await closed;
      store.flush();
    },
  };
  return emulator;
}
