import type { NetworkOptions } from './proxy';
import type { OffThreadOptions } from './transferThread';

/**
 * The contract of the Nen API client (`DriveClient`). Everything above the client
 * (file system provider, tree, commands, benchmarks) codes against these shapes.
 * This folder never imports `vscode`.
 */

/** Every way a call can go wrong, as one discriminator. */
export type NenErrorKind =
  | 'unauthorized' // 401
  | 'forbidden' // 403
  | 'notFound' // 404
  | 'badRequest' // 400, and client-side guard failures (bad name, bad URL)
  | 'tooLarge' // 413, and the client-side 100 MiB guard
  | 'conflict' // 409
  | 'rateLimited' // 429 (after retries ran out)
  | 'unavailable' // 5xx (after retries ran out), 405 and other unexpected statuses
  | 'network' // connection refused/reset, DNS, TLS
  | 'timeout' // a configured timeout fired
  | 'cancelled' // the caller's AbortSignal fired
  | 'protocol' // a 2xx whose body is not what the API documents
  | 'proxy'; // the proxy refused the tunnel (403, 407, …), could not be reached, or its settings are unusable

/**
 * What a request asked for, so a 404 can say what is missing without reading the server's
 * words: a desktop (a desktop call, or the listing of its drive's root), a folder (the listing
 * of a sub-folder) or one file (its download or upload).
 */
export type NenResource = 'desktop' | 'folder' | 'file';

/** A drive entry as the API lists it; `modified` stays in the API's unit (float Unix seconds). */
export interface DriveEntry {
  name: string;
  size: number;
  /** Unix seconds, float with sub-second digits, exactly as the server sent it. */
  modified: number;
  /** True for folder entries (servers with `?path=` folders); false for files. */
  isDir: boolean;
  /**
   * Set only for a name the client refuses (validateName: `..`, `\\`, control characters, over
   * 255 bytes): why no call can reach it. Such an entry is listed, so the user sees it, but
   * nothing can open, download or save it.
   */
  unreachableReason?: string;
}

/** A listing entry the client left out (a name no path could address, an absurd time), and why. */
export interface DroppedEntry {
  name: string;
  reason: string;
}

export interface Desktop {
  desktop_id: string;
  desktop_type?: string;
  status?: string;
  workspace_id?: string;
  name?: string;
  created_at?: number;
  updated_at?: number;
  [extra: string]: unknown;
}

export interface UploadResult {
  success: boolean;
  size: number;
  filename: string;
}

export interface Progress {
  /** Bytes sent or received so far. */
  done: number;
  /** Total bytes when known (Content-Length), else undefined. */
  total?: number;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface TransferOptions extends CallOptions {
  onProgress?: (p: Progress) => void;
}

export interface FolderOptions {
  /** Sub-folder on servers that support `?path=`; omitted for the flat drive. */
  path?: string;
}

export interface UploadOptions extends TransferOptions, FolderOptions {
  /** Overrides the Content-Type detected from the name's extension. */
  contentType?: string;
}

export interface DownloadOptions extends TransferOptions, FolderOptions {
  /**
   * The size the listing announced. More bytes stop the download at once; fewer are checked
   * against a fresh listing (the file may have changed) and otherwise fail as incomplete.
   */
  expectedSize?: number;
}

export interface DownloadToFileOptions extends DownloadOptions {
  /** Replace an existing local file (the CLI's --force). Default false: an existing target is refused with `conflict`. */
  overwrite?: boolean;
  /**
   * The size the caller believes the file has (a listing's), never checked: it only chooses the
   * connection. From `rawTransferMinBytes` up, or when neither this nor `expectedSize` is
   * given, the body comes over its own connection read into one reused buffer (see rawGet).
   */
  sizeHint?: number;
  /**
   * Told the temporary file's path once it is chosen. The transfer thread reports it this way,
   * so that a thread lost mid-download still leaves nothing behind.
   */
  onTempFile?: (path: string) => void;
  /**
   * Asked once the whole body is in the temporary file, before it takes the target's name: a
   * rejection removes the temporary file, leaves the target untouched and fails the download with
   * that error. Lets a caller start the download before it knows the file should land (a
   * `nendrive:` URI that may name a folder), and never land one that should not. On the transfer
   * thread the question crosses back to this thread.
   */
  beforePlace?: () => Promise<void>;
}

/** A request the client made, for the log channel. Never contains the key. */
export interface RequestLogEntry {
  method: string;
  /** Path and query only, no origin, no key. */
  path: string;
  status?: number;
  durationMs: number;
  bytesSent?: number;
  bytesReceived?: number;
  attempt: number;
  error?: string;
}

export interface DriveClientOptions {
  /** e.g. https://desktop.api.getnen.ai or http://127.0.0.1:PORT; must be https unless loopback. */
  baseUrl: string;
  /** Read on every request so a changed key takes effect at once. Undefined → `unauthorized` without a request. */
  getApiKey: () => string | undefined | Promise<string | undefined>;
  /** Metadata calls (list, desktops). Default 30 000 ms. */
  metadataTimeoutMs?: number;
  /** Transfers: time allowed without progress (headers or body inactivity). Default 120 000 ms. */
  transferTimeoutMs?: number;
  /** A download body moving slower than this (bytes per second, over `rateWindowMs`) fails as `timeout`. Default 1024. */
  minTransferRate?: number;
  /** The window the floor rate is averaged over. Default 60 000 ms. */
  rateWindowMs?: number;
  /** Retries after the first attempt for 429/502/503/504/connection reset. Default 3. */
  maxRetries?: number;
  /** Upper bound on total time spent waiting between retries. Default 30 000 ms. */
  maxRetryWaitMs?: number;
  /** First backoff step; doubles each retry with jitter. Default 250 ms. */
  baseRetryDelayMs?: number;
  /** Proxy and CA settings (VS Code's `http.*` and the environment); see src/api/proxy.ts. Default: the environment's. */
  network?: NetworkOptions;
  /**
   * Downloads to a file of at least this many bytes (by `sizeHint`/`expectedSize`), and uploads
   * of a local file this large, on a direct route go over a connection of their own with reused
   * buffers (rawGet): no garbage per read, far less memory. Smaller ones reuse the pool's warm
   * connections. Default 8 MiB; 0 sends every download to a file and every file upload that way,
   * Infinity none.
   */
  rawTransferMinBytes?: number;
  /** Called once per HTTP attempt, after it ends. */
  onRequest?: (entry: RequestLogEntry) => void;
  /**
   * Run downloads to a file and uploads of a local file from `rawTransferMinBytes` up on a worker
   * thread (see transferThread.ts), off the calling thread's event loop. The extension sets it;
   * without it every call runs on the calling thread.
   */
  offThread?: OffThreadOptions;
}

/** Upload body sources. A local file streams from disk with its exact Content-Length. */
export type UploadSource =
  | { kind: 'bytes'; data: Uint8Array }
  | { kind: 'file'; path: string }
  /** A stream factory: called again for every retry. `size` is required so the 100 MiB guard runs before sending. */
  | { kind: 'stream'; size: number; open: () => NodeJS.ReadableStream };

export const MAX_UPLOAD_BYTES = 104_857_600;
export const DEFAULT_API_URL = 'https://desktop.api.getnen.ai';
