import * as l10n from '@vscode/l10n';
import { promises as fsp } from 'node:fs';
import { prepareTarget, placeFile, writeTemp } from './atomicFile';
import type { Exchange } from './attempt';
import * as desktops from './desktops';
import { meter, receive, stoppedPastListing, streamBody, type DownloadStream } from './downloadBody';
import { longPath } from './localName';
import { contentTypeFor } from './names';
import { checkUploadResult, parseFileList, readJson } from './responses';
import { checkName, filePath, filesPath, listingResource } from './routes';
import { describeRoute } from './proxy';
import { RETRY_STATUSES, Transport } from './transport';
import { checkUploadSize } from './uploadLimit';
import { Slicer } from './slices';
import { checkContentType, sourceSize, uploadBody } from './uploadSource';
import { TransferThread } from './transferThread';
import type {
  CallOptions,
  Desktop,
  DownloadOptions,
  DownloadToFileOptions,
  DriveClientOptions,
  DriveEntry,
  FolderOptions,
  UploadOptions,
  UploadResult,
  UploadSource,
} from './types';
import { formatCount } from './format';

/** See DriveClientOptions.rawTransferMinBytes: below this a warm pooled connection beats a fresh one. */
const RAW_DOWNLOAD_MIN_BYTES = 8 * 1024 * 1024;

/**
 * The Nen API client: files of a desktop's shared drive, and desktops. One keep-alive undici
 * agent per client. Every call takes an `AbortSignal`, is bounded by a timeout, retries what is
 * safe to retry, and fails only with {@link NenApiError}. The API key goes only to the configured
 * origin and never into a message or a log entry.
 */
export class DriveClient {
  private readonly t: Transport;
  /** See DriveClientOptions.rawTransferMinBytes. */
  private readonly rawMinBytes: number;
  /** See DriveClientOptions.offThread. */
  private readonly thread: TransferThread | undefined;

  constructor(opts: DriveClientOptions) {
    this.t = new Transport(opts);
    this.rawMinBytes = opts.rawTransferMinBytes ?? RAW_DOWNLOAD_MIN_BYTES;
    if (opts.offThread) {
      const { getApiKey, onRequest, offThread, ...client } = opts;
      this.thread = new TransferThread(offThread, client, { getApiKey, onRequest });
    }
  }

  /** Whether a transfer thread (DriveClientOptions.offThread) is running now. */
  get transferThreadRunning(): boolean {
    return this.thread?.running === true;
  }

  /** How requests travel, for the log: "directly" or "through the proxy host:port (from http.proxy)"; never credentials. */
  get networkRoute(): string {
    return describeRoute(this.t.route);
  }

  // ---------------------------------------------------------------- files

  /** Lists a drive (or one folder of it with `path`). Entries keep `isDir`. */
  async listFiles(desktopId: string, opts: CallOptions & FolderOptions & { maxRetries?: number } = {}): Promise<DriveEntry[]> {
    return this.t.exchange({
      method: 'GET',
      path: filesPath(desktopId, opts.path, this.t.err),
      resource: listingResource(opts.path),
      transfer: false,
      signal: opts.signal,
      retryResets: true,
      retryStatuses: RETRY_STATUSES,
      maxRetries: opts.maxRetries,
      onSuccess: async (res, att) => {
        // A 10,000-file answer is parsed in slices, so the host's other work runs between them.
        const slicer = new Slicer();
        return { value: await parseFileList(await readJson(res, att, this.t.err, slicer), this.t.err, slicer) };
      },
    });
  }

  /** The entry named exactly `name`, or undefined. The API has no stat: this lists the parent. */
  async stat(desktopId: string, name: string, opts: CallOptions & FolderOptions = {}): Promise<DriveEntry | undefined> {
    checkName(name, this.t.err);
    const entries = await this.listFiles(desktopId, opts);
    return entries.find((e) => e.name === name);
  }

  /**
   * Uploads (and overwrites) `name`. The body streams: a file from disk with its exact
   * Content-Length, a stream from its factory (opened again for each retry). Bodies over
   * 100 MiB are refused before anything is sent. Succeeds only when every byte was sent before
   * the server answered and the `size` it reports (when it does) is the size sent; otherwise
   * `protocol` ("incomplete upload", with the server's answer).
   */
  async upload(desktopId: string, name: string, source: UploadSource, opts: UploadOptions = {}): Promise<UploadResult> {
    const fail = this.t.err;
    const path = filePath(desktopId, name, opts.path, fail);
    const contentType = checkContentType(opts.contentType ?? contentTypeFor(name), fail);
    const size = await sourceSize(source, fail);
    checkUploadSize(name, size, fail);
    if (this.thread && source.kind === 'file' && this.large(size)) {
      const { signal, onProgress, ...plain } = opts;
      return this.thread.run({ op: 'upload', desktopId, name, path: source.path, opts: plain }, { signal, onProgress }, () => this.send(path, name, source, size, contentType, opts));
    }
    return this.send(path, name, source, size, contentType, opts);
  }

  /** The upload's request, once its name, type and size passed. */
  private send(path: string, name: string, source: UploadSource, size: number, contentType: string, opts: UploadOptions): Promise<UploadResult> {
    const fail = this.t.err;
    const onProgress = opts.onProgress;
    return this.t.exchange({
      method: 'POST',
      path,
      resource: 'file',
      transfer: true,
      signal: opts.signal,
      retryResets: true,
      retryStatuses: RETRY_STATUSES,
      makeBody: (att) => uploadBody(source, size, contentType, att, onProgress, fail),
      // A large file goes over a connection of its own, its chunks read into reused buffers.
      rawBody: source.kind === 'file' && this.large(size),
      onSuccess: async (res, att) => {
        // A server can only have stored every byte if it answered after reading them all.
        const sentWhenAnswered = att.bytesSent;
        return { value: checkUploadResult(await readJson(res, att, fail), name, size, sentWhenAnswered, fail) };
      },
    });
  }

  /**
   * Downloads a whole file into memory: at most 100 MiB, Content-Length and `expectedSize`;
   * a body moving under the floor rate is a `timeout`; a body that differs from `expectedSize`
   * is accepted only if a fresh listing now announces what arrived.
   */
  async download(desktopId: string, name: string, opts: DownloadOptions = {}): Promise<Uint8Array> {
    return this.allowingGrowth(desktopId, name, opts, async (o) => {
      const data = await this.getFile(filePath(desktopId, name, o.path, this.t.err), o.signal, async (res, att) => {
        const chunks: Buffer[] = [];
        for await (const chunk of receive(this.t, res, att, o.onProgress, o.expectedSize)) chunks.push(chunk);
        const all = Buffer.concat(chunks);
        return { value: new Uint8Array(all.buffer, all.byteOffset, all.byteLength) };
      });
      await this.checkArrived(desktopId, name, data.byteLength, o);
      return data;
    });
  }

  /**
   * Starts a download and hands over the body as a stream. Errors while reading it (reset,
   * timeout, cancel) are `NenApiError`s emitted by the stream; a download that already started
   * cannot be retried, so use `download`/`downloadToFile` for that.
   */
  async downloadStream(desktopId: string, name: string, opts: DownloadOptions = {}): Promise<DownloadStream> {
    return this.getFile(filePath(desktopId, name, opts.path, this.t.err), opts.signal, async (res, att) => ({
      value: streamBody(this.t, res, att, opts),
      detached: true,
    }));
  }

  /**
   * Downloads into `targetPath` through a temporary file beside it (`.<name>.nendrive-<rand>.part`),
   * synced and renamed only once the whole body arrived. A failure or cancel deletes the temporary
   * file and never touches an existing target. An existing target is refused (`conflict`) unless
   * `overwrite`, both before the request and at the final rename. Bounded like `download`.
   */
  async downloadToFile(desktopId: string, name: string, targetPath: string, opts: DownloadToFileOptions = {}): Promise<{ size: number }> {
    const fail = this.t.err;
    const path = filePath(desktopId, name, opts.path, fail);
    if (this.thread && this.large(opts.sizeHint ?? opts.expectedSize)) {
      const { signal, onProgress, onTempFile, beforePlace, ...plain } = opts;
      const job = { op: 'download' as const, desktopId, name, targetPath, opts: { ...plain, ...(beforePlace ? { gated: true } : {}) } };
      return this.thread.run(job, { signal, onProgress, onTempFile, beforePlace }, () => this.toFile(desktopId, name, path, targetPath, opts));
    }
    return this.toFile(desktopId, name, path, targetPath, opts);
  }

  /** downloadToFile on this thread, `path` checked. */
  private async toFile(desktopId: string, name: string, path: string, targetPath: string, opts: DownloadToFileOptions): Promise<{ size: number }> {
    const fail = this.t.err;
    const overwrite = opts.overwrite === true;
    const { target, temp } = await prepareTarget(targetPath, overwrite, fail);
    opts.onTempFile?.(temp);
    try {
      const size = await this.allowingGrowth(desktopId, name, opts, async (o) => {
        const raw = this.large(opts.sizeHint ?? o.expectedSize);
        const received = await this.getFile(
          path,
          o.signal,
          async (res, att) => ({ value: await writeTemp(temp, meter(this.t, res, att, o.onProgress, o.expectedSize), fail) }),
          raw,
        );
        this.t.throwIfCancelled(o.signal);
        await this.checkArrived(desktopId, name, received, o);
        return received;
      });
      if (opts.beforePlace) await this.untilPlaced(opts.beforePlace, opts.signal);
      await placeFile(temp, target, overwrite, fail);
      return { size };
    } finally {
      await fsp.unlink(longPath(temp)).catch(() => undefined);
    }
  }

  /** Awaits the caller's `beforePlace`; a cancel meanwhile ends the wait and fails the download as `cancelled`. */
  private async untilPlaced(beforePlace: () => Promise<void>, signal: AbortSignal | undefined): Promise<void> {
    let onAbort = (): void => undefined;
    const aborted = new Promise<void>((resolve) => {
      onAbort = resolve;
      signal?.addEventListener('abort', onAbort, { once: true });
      if (signal?.aborted) resolve();
    });
    try {
      await Promise.race([beforePlace(), aborted]);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    this.t.throwIfCancelled(signal);
  }

  // ------------------------------------------------------------- desktops

  /** Every desktop the key can see (`GET /desktops`). */
  async listDesktops(opts: CallOptions = {}): Promise<Desktop[]> {
    return desktops.listDesktops(this.t, opts);
  }

  /** One desktop by id; an unknown id is `notFound`. */
  async getDesktop(id: string, opts: CallOptions = {}): Promise<Desktop> {
    return desktops.getDesktop(this.t, id, opts);
  }

  /** Creates a desktop (`{}` or `{ desktop_type }`); not retried where it may already have happened. */
  async createDesktop(body: { desktop_type?: string } = {}, opts: CallOptions = {}): Promise<Desktop> {
    return desktops.createDesktop(this.t, body, opts);
  }

  /** Renames a desktop; an empty name is refused before any request. */
  async renameDesktop(id: string, name: string, opts: CallOptions = {}): Promise<Desktop> {
    return desktops.renameDesktop(this.t, id, name, opts);
  }

  /** Deletes a desktop (and wipes its drive). */
  async deleteDesktop(id: string, opts: CallOptions = {}): Promise<{ desktop_id: string; status: string }> {
    return desktops.deleteDesktop(this.t, id, opts);
  }

  /** Aborts calls in flight (they fail as `cancelled`) and closes the connections. */
  async close(): Promise<void> {
    await Promise.all([this.thread?.close(), this.t.close()]);
  }

  /**
   * A body that ended at another size than the listing announced (a connection closed without
   * Content-Length, a 204) may be a truncated one: it stands only if the drive, listed again,
   * now announces exactly what arrived; otherwise `protocol` ("incomplete download").
   */
  private async checkArrived(desktopId: string, name: string, received: number, opts: DownloadOptions): Promise<void> {
    const expected = opts.expectedSize;
    if (expected === undefined || received === expected) return;
    const now = await this.stat(desktopId, name, { path: opts.path, signal: opts.signal });
    if (now && !now.isDir && now.size === received) return;
    const [got, announced] = [formatCount(received), formatCount(expected)];
    const message = now
      ? l10n.t({
          message: 'incomplete download of "{0}": {1} bytes arrived, the listing announced {2} bytes and now says {3} bytes; nothing was kept.',
          args: [name, got, announced, formatCount(now.size)],
          comment: ['{0} is a file name; {1}, {2} and {3} are byte counts'],
        })
      : l10n.t({
          message: 'incomplete download of "{0}": {1} bytes arrived, the listing announced {2} bytes and now says no such file any more; nothing was kept.',
          args: [name, got, announced],
          comment: ['{0} is a file name; {1} and {2} are byte counts'],
        });
    throw this.t.err('protocol', message);
  }

  /**
   * Runs a download bounded by the listing's size; when more arrived than the listing announced,
   * lists again: a file that grew meanwhile (a log the desktop keeps writing) is downloaded once
   * more against its new size, anything else fails as it did.
   */
  private async allowingGrowth<T>(desktopId: string, name: string, opts: DownloadOptions, run: (o: DownloadOptions) => Promise<T>): Promise<T> {
    try {
      return await run(opts);
    } catch (err) {
      if (!stoppedPastListing(err) || opts.expectedSize === undefined) throw err;
      const now = await this.stat(desktopId, name, { path: opts.path, signal: opts.signal });
      if (!now || now.isDir || now.size <= opts.expectedSize) throw err;
      return run({ ...opts, expectedSize: now.size });
    }
  }

  /**
   * A transfer of this size (undefined: unknown) goes over a connection of its own, and with
   * `offThread` on the transfer thread (see DriveClientOptions.rawTransferMinBytes).
   */
  private large(size: number | undefined): boolean {
    return size === undefined ? this.rawMinBytes < Infinity : size >= this.rawMinBytes;
  }

  /** GET one drive file at a checked `path` (idempotent: retried after resets and 429/502/503/504); `onSuccess` consumes the body. */
  private getFile<T>(path: string, signal: AbortSignal | undefined, onSuccess: Exchange<T>['onSuccess'], rawBody = false): Promise<T> {
    return this.t.exchange({ method: 'GET', path, resource: 'file', transfer: true, signal, retryResets: true, retryStatuses: RETRY_STATUSES, onSuccess, rawBody });
  }
}
