/** The programmatic handle of the local Nen API emulator (see server.ts). */

export interface EmulatorOptions {
  /** 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Where the drives live on disk: <dataDir>/<desktopId>/... Created if missing. */
  dataDir: string;
  /** The one accepted bearer key. */
  apiKey: string;
  /** Desktops that exist at start (ids like dsk_abc123def456). More can be created via POST /desktops. */
  desktops?: string[];
  /** Added latency in ms before every response. */
  latencyMs?: number;
  /**
   * How long a desktop created by POST /desktops stays `starting` before it is `running`
   * (default 0: running at once). GET and the list show the status as it is at that moment.
   */
  startingMs?: number;
  /** A simulated link of this many MB/s (10^6 bytes) each way for file bodies: downloads and uploads (see throttle.ts). Unlimited when absent or 0. */
  bandwidthMBps?: number;
  /** Support `?path=` folders and `is_dir` entries (default true). When false, the emulator behaves like the flat seed API and answers 400 to `?path=`. */
  folders?: boolean;
  /** Serve https with this key and certificate (PEM) instead of http; `url` then starts with https://. */
  tls?: { key: string; cert: string };
}

export type FaultSpec =
  | { type: 'status'; status: number; body?: string; retryAfter?: number | string; headers?: Record<string, string> }
  /** Send headers and part of the body (`afterBytes` of the response, or for uploads read that many request bytes), then destroy the socket. */
  | { type: 'reset'; afterBytes?: number }
  /**
   * Never answer (until the client gives up or the emulator closes). With `afterBytes`, a
   * response is sent normally up to that many body bytes, and then nothing more arrives: the
   * client holds a partial body that will never complete.
   */
  | { type: 'hang'; afterBytes?: number }
  /** A 200 with this raw body (e.g. malformed JSON, or JSON without `files`). */
  | { type: 'body'; status?: number; body: string; contentType?: string }
  /** A redirect to another URL (to test that the key does not follow to another origin). */
  | { type: 'redirect'; status?: number; location: string }
  /** The usual answer, `ms` late (a slow listing while other requests go at full speed). */
  | { type: 'delay'; ms: number };

export interface FaultMatch {
  /** e.g. 'GET', 'POST'; any when omitted. */
  method?: string;
  /** Matches against the decoded path (string: substring; RegExp: test). Any when omitted. */
  path?: string | RegExp;
}

export interface RecordedRequest {
  method: string;
  /** Raw request path with query, as received. */
  url: string;
  /** Decoded pathname without query. */
  path: string;
  status: number;
  /** Lower-cased header names. */
  headers: Record<string, string | string[] | undefined>;
  bytesReceived: number;
  bytesSent: number;
  at: number;
  /** When the exchange ended (response finished or connection closed); unset while in flight. */
  doneAt?: number;
}

/** The fields of a desktop record that tests read back (the API's Desktop shape). */
export interface DesktopState {
  desktop_id: string;
  desktop_type: string;
  status: string;
  name: string;
  updated_at: number;
}

export interface EmulatorHandle {
  /** http://127.0.0.1:<port> (https:// with `tls`; no trailing slash). */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly apiKey: string;
  /** Inject a fault for the next `times` (default 1) matching requests. */
  injectFault(fault: FaultSpec, match?: FaultMatch, times?: number): void;
  setLatency(ms: number): void;
  /** MB/s each way for file bodies; 0 removes the limit. */
  setBandwidth(mbPerSec: number): void;
  /** Every request received, oldest first. */
  readonly requests: RecordedRequest[];
  clearRequests(): void;
  /** Clear faults, latency, bandwidth and the request log (files stay). */
  reset(): void;
  /** Add a desktop (drive folder created). */
  addDesktop(id: string): void;
  /** The desktop record as GET /desktops/{id} would answer it; undefined when there is none. */
  desktop(id: string): DesktopState | undefined;
  /** Set a desktop's status (`stopped`, `error`, `starting`, `running`…) as the API will report it. */
  setDesktopStatus(id: string, status: string): void;
  /** Change {@link EmulatorOptions.startingMs} for desktops created from now on. */
  setStartingMs(ms: number): void;
  /** Write a file straight into a drive (bypassing HTTP), optionally with an mtime (seconds). */
  putFile(desktopId: string, name: string, data: Uint8Array | string, opts?: { mtime?: number; contentType?: string; path?: string }): void;
  /** Read a stored file straight from disk; undefined when missing. */
  readFile(desktopId: string, name: string, opts?: { path?: string }): Buffer | undefined;
  /** Delete a stored file straight from disk (the desktop removing it); false when it was not there. */
  removeFile(desktopId: string, name: string, opts?: { path?: string }): boolean;
  close(): Promise<void>;
}
