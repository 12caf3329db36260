/**
 * Reading a download's body: progress, the transfer's inactivity clock and a length check on
 * every chunk, and, when the body is handed to the caller as a stream, its errors mapped and its
 * attempt logged once the caller stops reading.
 */
import { Readable } from 'node:stream';
import { report, type Attempt } from './attempt';
import type { Dispatcher } from './http';
import { contentLength, headerString } from './responses';
import type { Transport } from './transport';
import type { Progress } from './types';

/** A download body handed over as a stream, with what the headers said about it. */
export interface DownloadStream {
  body: Readable;
  size?: number;
  contentType?: string;
}

/** The response body with progress, inactivity touches and a length check (a short body is retryable). */
export async function* receive(t: Transport, res: Dispatcher.ResponseData, att: Attempt, onProgress?: (p: Progress) => void): AsyncGenerator<Buffer> {
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
    throw t.markRetryable(t.err('network', `The download ended early (${att.bytesReceived} of ${total} bytes).`));
  }
}

/**
 * Hands the body over as a stream: the attempt stays open (the transport is told `detached`)
 * until the reader finishes, fails or lets go.
 */
export function streamBody(
  t: Transport,
  res: Dispatcher.ResponseData,
  att: Attempt,
  signal: AbortSignal | undefined,
  onProgress: ((p: Progress) => void) | undefined,
): DownloadStream {
  const size = contentLength(res.headers);
  const contentType = headerString(res.headers['content-type']);
  const body = Readable.from(handOver(t, res, att, signal, onProgress), { objectMode: false });
  // A reader that destroys the stream before reading never starts the relay: release here.
  body.once('close', () => {
    if (att.isFinished) return;
    res.body.on('error', () => undefined);
    res.body.destroy();
    att.log(res.statusCode, 'closed by the reader before the end');
    att.finish();
  });
  const value: DownloadStream = { body };
  if (size !== undefined) value.size = size;
  if (contentType !== undefined) value.contentType = contentType;
  return value;
}

/** The body of a download handed to the caller: errors mapped, logged once it ends. */
async function* handOver(
  t: Transport,
  res: Dispatcher.ResponseData,
  att: Attempt,
  signal: AbortSignal | undefined,
  onProgress: ((p: Progress) => void) | undefined,
): AsyncGenerator<Buffer> {
  let error: string | undefined;
  let complete = false;
  try {
    yield* receive(t, res, att, onProgress);
    complete = true;
  } catch (e) {
    const mapped = t.classify(e, att, signal, false);
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
