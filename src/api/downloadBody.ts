/**
 * Reading a download's body: progress, the transfer's inactivity clock and a length check on
 * every chunk, and, when the body is handed to the caller as a stream, its errors mapped and its
 * attempt logged once the caller stops reading.
 */
import * as l10n from '@vscode/l10n';
import { Readable } from 'node:stream';
import { report, type Attempt } from './attempt';
import type { CheckedBody } from './bodyToFile';
import type { Dispatcher } from './http';
import { contentLength, headerString } from './responses';
import type { Transport } from './transport';
import { MAX_UPLOAD_BYTES, type DownloadOptions, type Progress } from './types';
import { formatCount } from './format';

/** A download body handed over as a stream, with what the headers said about it. */
export interface DownloadStream {
  body: Readable;
  size?: number;
  contentType?: string;
}

/**
 * The response body with progress, inactivity touches, a floor rate and a length check (a short
 * body is retryable). More than 100 MiB (`tooLarge`), more than Content-Length or more than the
 * `expectedSize` the listing announced (`protocol`) stops the body at once.
 */
export async function* receive(t: Transport, res: Dispatcher.ResponseData, att: Attempt, onProgress?: (p: Progress) => void, expectedSize?: number): AsyncGenerator<Buffer> {
  const m = meter(t, res, att, onProgress, expectedSize);
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    m.check(chunk);
    yield chunk;
  }
  m.end();
}

/**
 * The checks of {@link receive} as a body with two hooks, for a reader that takes the chunks
 * itself (bodyToFile.pumpToFd): `check` on every chunk, `end` once the body ended.
 */
export function meter(t: Transport, res: Dispatcher.ResponseData, att: Attempt, onProgress?: (p: Progress) => void, expectedSize?: number): CheckedBody {
  const total = contentLength(res.headers);
  att.bytesReceived = 0;
  att.watchRate(t.rate.minBytesPerSec, t.rate.windowMs);
  report(onProgress, total === undefined ? { done: 0 } : { done: 0, total });
  return {
    body: res.body,
    check(chunk: Buffer): void {
      att.bytesReceived += chunk.length;
      att.touch();
      const over = overLimit(att.bytesReceived, total, expectedSize);
      if (over) {
        res.body.on('error', () => undefined);
        res.body.destroy();
        const err = t.err(over.kind, over.message);
        if (over.pastListing) pastListing.add(err);
        throw err;
      }
      report(onProgress, total === undefined ? { done: att.bytesReceived } : { done: att.bytesReceived, total });
    },
    end(): void {
      if (total !== undefined && att.bytesReceived !== total) {
        throw t.markRetryable(t.err('network', l10n.t('The download ended early ({0} of {1} bytes).', att.bytesReceived, total)));
      }
    },
  };
}

/**
 * Downloads stopped because more arrived than the listing announced. A file the desktop keeps
 * writing (a growing log) does that legitimately: the caller lists again and, if the drive now
 * announces more, downloads once more against the new size (see `DriveClient`).
 */
const pastListing = new WeakSet<Error>();

export function stoppedPastListing(err: unknown): boolean {
  return err instanceof Error && pastListing.has(err);
}

/** Why `received` bytes are too many, or undefined. */
function overLimit(received: number, total: number | undefined, expected: number | undefined): { kind: 'tooLarge' | 'protocol'; message: string; pastListing?: boolean } | undefined {
  if (received > MAX_UPLOAD_BYTES) {
    return { kind: 'tooLarge', message: l10n.t('The download was stopped after 100 MiB: the drive holds no file that large.') };
  }
  if (expected !== undefined && received > expected) {
    return { kind: 'protocol', message: l10n.t('The download was stopped: the server sent more than the {0} bytes the listing announced.', formatCount(expected)), pastListing: true };
  }
  if (total !== undefined && received > total) {
    return { kind: 'protocol', message: l10n.t('The download was stopped: the server sent more than its Content-Length ({0} bytes).', formatCount(total)) };
  }
  return undefined;
}

/**
 * Hands the body over as a stream: the attempt stays open (the transport is told `detached`)
 * until the reader finishes, fails or lets go.
 */
export function streamBody(t: Transport, res: Dispatcher.ResponseData, att: Attempt, opts: DownloadOptions): DownloadStream {
  const size = contentLength(res.headers);
  const contentType = headerString(res.headers['content-type']);
  const body = Readable.from(handOver(t, res, att, opts), { objectMode: false });
  // Destroying the stream waits for the relay to return, which waits for the next chunk: a
  // stalled body would hold its socket until then. Release the response at once instead.
  const destroyRelay = body._destroy.bind(body);
  body._destroy = (err, cb) => {
    if (!att.isFinished) {
      res.body.on('error', () => undefined);
      res.body.destroy();
    }
    destroyRelay(err, cb);
  };
  // A reader that destroys the stream before reading never starts the relay: release here.
  body.once('close', () => {
    if (att.isFinished) return;
    res.body.on('error', () => undefined);
    res.body.destroy();
    att.log(res.statusCode, 'closed by the reader before the end'); // l10n-ignore: a log line
    att.finish();
  });
  const value: DownloadStream = { body };
  if (size !== undefined) value.size = size;
  if (contentType !== undefined) value.contentType = contentType;
  return value;
}

/** The body of a download handed to the caller: errors mapped, logged once it ends. */
async function* handOver(t: Transport, res: Dispatcher.ResponseData, att: Attempt, opts: DownloadOptions): AsyncGenerator<Buffer> {
  let error: string | undefined;
  let complete = false;
  try {
    yield* receive(t, res, att, opts.onProgress, opts.expectedSize);
    complete = true;
  } catch (e) {
    const mapped = t.classify(e, att, opts.signal, false);
    error = mapped.message;
    throw mapped;
  } finally {
    // A reader that stops early also lands here; the body is then destroyed with the socket.
    if (!complete && error === undefined) {
      error = 'closed by the reader before the end'; // l10n-ignore: only logged (att.log below)
      res.body.on('error', () => undefined);
      res.body.destroy();
    }
    att.log(res.statusCode, error);
    att.finish();
  }
}
