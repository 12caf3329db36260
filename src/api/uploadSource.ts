/**
 * Upload bodies: bytes in memory, a file streamed from disk, or a stream from a factory. Each
 * has a size known before anything is sent (the 100 MiB guard and Content-Length need it) and is
 * read afresh for every attempt.
 */
import * as l10n from '@vscode/l10n';
import { createReadStream, promises as fsp } from 'node:fs';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { transferBuffers } from './bufferPool';
import type { RawRequestBody } from './rawGet';
import { report, type Attempt, type RequestBody } from './attempt';
import { NenApiError, localError, type MakeError } from './errors';
import type { Progress, UploadSource } from './types';

/** The largest upload read: one disk read and one socket write per MiB instead of per 64 KiB (README, Performance). */
const MAX_CHUNK_BYTES = 1024 * 1024;
/** The pace below which a transfer may time out for want of progress: as with the 64 KiB reads of before at the 1 s minimum. */
const MIN_PACE_BYTES_PER_SEC = 64 * 1024;

/**
 * How much an upload reads at a time. The inactivity clock restarts per chunk handed to the
 * socket, so a chunk is at most what a link moving 64 KiB/s sends within the timeout: such a
 * link never times out (64 KiB with a 1 s timeout, 1 MiB from 16 s, the default being 120 s).
 * Reads of 1 MiB instead of 64 KiB: 100 MiB from disk in half the CPU time (README, Performance).
 */
export function uploadChunkBytes(timeoutMs: number): number {
  if (!(timeoutMs > 0)) return MAX_CHUNK_BYTES;
  const paced = Math.floor(timeoutMs / 1000) * MIN_PACE_BYTES_PER_SEC;
  return Math.min(MAX_CHUNK_BYTES, Math.max(MIN_PACE_BYTES_PER_SEC, paced));
}

/** The source's size in bytes; a source that cannot be sent is refused as `badRequest` (or its local error). */
export async function sourceSize(source: UploadSource, fail: MakeError): Promise<number> {
  switch (source?.kind) {
    case 'bytes':
      if (!(source.data instanceof Uint8Array)) throw fail('badRequest', l10n.t('The upload data must be bytes.'));
      return source.data.byteLength;
    case 'file': {
      let st;
      try {
        st = await fsp.stat(source.path);
      } catch (e) {
        throw localError(e, l10n.t({ message: 'Cannot read "{0}"', args: [source.path], comment: ['followed by ": " and the reason'] }), fail);
      }
      if (!st.isFile()) throw fail('badRequest', l10n.t('"{0}" is not a file.', source.path));
      return st.size;
    }
    case 'stream':
      if (!Number.isSafeInteger(source.size) || source.size < 0) throw fail('badRequest', l10n.t('A stream upload needs its size in bytes.'));
      if (typeof source.open !== 'function') throw fail('badRequest', l10n.t('A stream upload needs an open() factory.'));
      return source.size;
    default:
      throw fail('badRequest', l10n.t('Unknown upload source.'));
  }
}

/** A Content-Type that can go into a header line, or `badRequest`. */
export function checkContentType(contentType: string, fail: MakeError): string {
  // eslint-disable-next-line no-control-regex
  if (/[\r\n\u0000]/.test(contentType) || !contentType.trim()) throw fail('badRequest', l10n.t('The Content-Type is not valid.'));
  return contentType;
}

/** The body of one upload attempt: the source read afresh, counted into the attempt and reported as progress. */
export function uploadBody(
  source: UploadSource,
  size: number,
  contentType: string,
  att: Attempt,
  onProgress: ((p: Progress) => void) | undefined,
  fail: MakeError,
): RequestBody {
  att.bytesSent = 0;
  report(onProgress, { done: 0, total: size });
  const chunks = sourceChunks(source, att, fail);
  const counted = (async function* () {
    for await (const chunk of chunks) {
      att.bytesSent += chunk.length;
      att.touch();
      report(onProgress, { done: att.bytesSent, total: size });
      yield chunk;
    }
  })();
  const body: RequestBody = { body: Readable.from(counted, { objectMode: false }), length: size, contentType };
  if (source.kind === 'file') body.raw = fileSender(source.path, size, att, onProgress, fail);
  return body;
}

/** Buffers a file upload over its own connection cycles through: reads run ahead of the socket by up to this many chunks. */
const SEND_BUFFERS = 4;

/**
 * A file's bytes for a connection of its own (rawGet): read into a few reused buffers in turn,
 * the reads running ahead of the socket's writes, each buffer reused only once its
 * write's callback came back. Counted and reported as handed to the socket, like the stream.
 * The file must hold exactly `size` bytes; one that changed fails the way undici reports it.
 */
function fileSender(path: string, size: number, att: Attempt, onProgress: ((p: Progress) => void) | undefined, fail: MakeError): RawRequestBody {
  return {
    async send(socket: Socket, answered: () => boolean): Promise<void> {
      const chunk = uploadChunkBytes(att.timeoutMs);
      let handle: fsp.FileHandle;
      try {
        handle = await fsp.open(path, 'r');
      } catch (e) {
        throw localError(e, l10n.t({ message: 'Cannot read "{0}"', args: [path], comment: ['followed by ": " and the reason'] }), fail);
      }
      att.onFinish(() => void handle.close().catch(() => undefined));
      const buffers = Array.from({ length: SEND_BUFFERS }, () => transferBuffers.take(chunk));
      const inFlight: (Promise<void> | undefined)[] = buffers.map(() => undefined);
      const write = (view: Buffer): Promise<void> => new Promise((resolve, reject) => socket.write(view, (err) => (err ? reject(err) : resolve())));
      const read = async (buf: Buffer, want: number): Promise<number> => {
        try {
          return (await handle.read(buf, 0, want, null)).bytesRead;
        } catch (e) {
          throw localError(e, l10n.t({ message: 'Cannot read "{0}"', args: [path], comment: ['followed by ": " and the reason'] }), fail);
        }
      };
      try {
        let sent = 0;
        for (let i = 0; sent < size; i = (i + 1) % SEND_BUFFERS) {
          await inFlight[i];
          if (answered() || socket.destroyed) return;
          const n = await read(buffers[i], Math.min(chunk, size - sent));
          if (n === 0) throw changedSize();
          sent += n;
          att.bytesSent = sent;
          att.touch();
          report(onProgress, { done: sent, total: size });
          const pending = write(buffers[i].subarray(0, n));
          // An unawaited write that fails is reported by the next await of it or by the socket.
          pending.catch(() => undefined);
          inFlight[i] = pending;
        }
        // Every buffer is free once its write came back; only then may one take the probe read.
        await Promise.all(inFlight);
        if ((await read(buffers[0].subarray(0, 1), 1)) > 0) throw changedSize();
      } finally {
        // Reads are awaited where they start; once the writes came back nothing refers to the buffers.
        await Promise.allSettled(inFlight);
        buffers.forEach((b) => transferBuffers.give(b));
      }
    },
  };
}

/** The error undici gives a body that is not as long as its Content-Length (the transport maps it). */
function changedSize(): Error {
  return Object.assign(new Error('Request body length does not match content-length header'), { code: 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH' }); // l10n-ignore: classified by the transport
}

/**
 * The source's bytes, opened afresh (a retry calls this again). Read errors become NenApiErrors.
 * The opened stream is destroyed when the attempt ends: an upload answered early (an error, a
 * retry) must not leave it paused, holding a file or, for a copy, the download's connection.
 */
async function* sourceChunks(source: UploadSource, att: Attempt, fail: MakeError): AsyncGenerator<Buffer> {
  const chunkBytes = uploadChunkBytes(att.timeoutMs);
  if (source.kind === 'bytes') {
    const data = source.data;
    for (let i = 0; i < data.byteLength; i += chunkBytes) {
      yield Buffer.from(data.buffer, data.byteOffset + i, Math.min(chunkBytes, data.byteLength - i));
    }
    return;
  }
  let stream: AsyncIterable<unknown>;
  try {
    stream = source.kind === 'file' ? createReadStream(source.path, { highWaterMark: chunkBytes }) : (source.open() as AsyncIterable<unknown>);
  } catch (e) {
    throw localError(e, l10n.t({ message: 'Cannot open the upload source', comment: ['followed by ": " and the reason'] }), fail);
  }
  const opened = stream as { destroy?: (err?: Error) => void };
  att.onFinish(() => opened.destroy?.());
  try {
    for await (const chunk of stream) {
      yield typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    }
  } catch (e) {
    if (e instanceof NenApiError) throw e;
    throw localError(e, source.kind === 'file' ? l10n.t({ message: 'Cannot read "{0}"', args: [source.path], comment: ['followed by ": " and the reason'] }) : l10n.t({ message: 'Cannot read the upload source', comment: ['followed by ": " and the reason'] }), fail);
  }
}
