/**
 * A download body straight into a file descriptor: the chunks are taken from the response's
 * 'data' events (no async iterator, no promise per chunk), checked synchronously as they arrive,
 * and written with callback `fs.writev`, the chunks that came in during a write going out
 * together in the next one. Reading pauses while more than `writeAhead` bytes wait for the disk.
 */
import { writev } from 'node:fs';
import { finished, type Readable } from 'node:stream';
import { transferBuffers } from './bufferPool';
import { RAW_READ_BYTES, RawBody } from './rawGet';

/** A write of the body to its file failed: the disk's error is the `cause`; the body did not fail. */
export class DiskWriteError extends Error {
  constructor(override readonly cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

/** A body with the checks every chunk and its end must pass (see downloadBody.meter). */
export interface CheckedBody {
  body: Readable;
  /** Throws to stop the body (it destroys the body itself). */
  check(chunk: Buffer): void;
  /** Throws when the body ended short. */
  end(): void;
}

/**
 * Resolves with the bytes written once the body ended and every byte is on its way to the disk
 * (the caller syncs). `onWritten` hears of every write that came back, with its bytes. Rejects with the first failure (a check, the body, a write) after the write
 * in flight has come back, so the caller may close and delete the file at once.
 */
export function pumpToFd(fd: number, src: CheckedBody, writeAhead: number, onWritten: (bytes: number) => void = () => undefined): Promise<number> {
  const { body } = src;
  if (body instanceof RawBody) return pumpViews(fd, src, body, writeAhead, onWritten);
  return new Promise((resolve, reject) => {
    let queue: Buffer[] = [];
    let queued = 0;
    let written = 0;
    let writing = false;
    let ended = false;
    let failure: { error: unknown } | undefined;
    let settled = false;

    const settle = (): void => {
      if (writing || settled) return;
      if (failure) {
        settled = true;
        reject(failure.error);
      } else if (ended && queue.length === 0) {
        settled = true;
        resolve(written);
      }
    };
    const fail = (error: unknown): void => {
      if (!failure) {
        failure = { error };
        body.off('data', onData);
        body.on('error', () => undefined);
        body.destroy();
      }
      settle();
    };
    const flush = (): void => {
      const batch = queue;
      const bytes = queued;
      queue = [];
      queued = 0;
      writing = true;
      if (body.isPaused() && !ended && !failure) body.resume();
      writeAll(fd, batch, bytes, (error) => {
        writing = false;
        if (error) return fail(error);
        written += bytes;
        onWritten(bytes);
        if (!failure && queue.length > 0) return flush();
        settle();
      });
    };
    const onData = (chunk: Buffer): void => {
      if (failure) return;
      try {
        src.check(chunk);
      } catch (e) {
        return fail(e);
      }
      queue.push(chunk);
      queued += chunk.length;
      if (!writing) flush();
      else if (queued >= writeAhead) body.pause();
    };
    body.on('data', onData);
    // finished() also reports a body that failed or closed before we got here (while the
    // file was being opened), with the body's own error: a reset stays a reset, retryable.
    whenEnded(body, src, () => !!failure, fail, () => {
      ended = true;
      if (!writing && queue.length > 0) flush();
      else settle();
    });
  });
}

/**
 * Calls `ended` once the body ended and passed `src.end()`; a body that failed, or failed that
 * check, goes to `fail` instead (unless the pump already failed).
 */
function whenEnded(body: Readable, src: CheckedBody, failed: () => boolean, fail: (error: unknown) => void, ended: () => void): void {
  finished(body, (error) => {
    if (failed()) return;
    if (error) return fail(error);
    try {
      src.end();
    } catch (e) {
      return fail(e);
    }
    ended();
  });
}

/** One writev of the batch; libuv completes short writes itself, this only guards against a platform that does not. */
function writeAll(fd: number, batch: Buffer[], bytes: number, done: (error: unknown) => void): void {
  writev(fd, batch, (error, n) => {
    if (error) return done(new DiskWriteError(error));
    if (n >= bytes) return done(undefined);
    const rest = Buffer.concat(batch).subarray(n);
    writeAll(fd, [rest], rest.length, done);
  });
}

/** Size of one slab the views of a {@link RawBody} are copied into on their way to the disk (the shared pool's buffers). */
const SLAB_BYTES = transferBuffers.bytes;

/**
 * {@link pumpToFd} for a {@link RawBody}: its bytes arrive as views of the socket's one read
 * buffer, so each is copied into one of a few reused slabs (`writeAhead` bytes in all). Whenever
 * no write is in flight, what the slabs hold goes out in one `writev` (so the file follows the
 * socket as closely as the disk allows), and the socket pauses while the free slabs could not
 * take one more read. No allocation per read: the transfer holds the read buffer and the slabs,
 * which come from the shared pool and go back to it once settled (no write from them in flight).
 */
function pumpViews(fd: number, src: CheckedBody, body: RawBody, writeAhead: number, onWritten: (bytes: number) => void): Promise<number> {
  const maxSlabs = Math.max(2, Math.ceil(writeAhead / SLAB_BYTES));
  return new Promise((resolve, reject) => {
    const free: Buffer[] = [];
    /** Every slab this transfer took from the pool (at most maxSlabs), given back when it settles. */
    const taken: Buffer[] = [];
    let current: { buf: Buffer; used: number } | undefined;
    let full: { buf: Buffer; used: number }[] = [];
    let written = 0;
    let writing = false;
    let ended = false;
    let paused = false;
    let failure: { error: unknown } | undefined;
    let settled = false;

    /** Bytes the slabs can still take without waiting for a write. */
    const room = (): number => (free.length + maxSlabs - taken.length) * SLAB_BYTES + (current ? SLAB_BYTES - current.used : 0);
    const settle = (): void => {
      if (writing || settled) return;
      if (failure) {
        settled = true;
        release();
        reject(failure.error);
      } else if (ended && full.length === 0 && !current) {
        settled = true;
        release();
        resolve(written);
      }
    };
    // Settled means no write in flight, and none starts after (flush and sink check `settled`).
    const release = (): void => {
      for (const b of taken.splice(0)) transferBuffers.give(b);
    };
    const fail = (error: unknown): void => {
      if (!failure) {
        failure = { error };
        body.on('error', () => undefined);
        body.destroy();
      }
      settle();
    };
    const flush = (): void => {
      if (settled || failure) return;
      if (current && current.used > 0) full.push(current);
      current = undefined;
      if (full.length === 0) return;
      const batch = full;
      full = [];
      const bytes = batch.reduce((n, b) => n + b.used, 0);
      writing = true;
      writeAll(fd, batch.map((b) => b.buf.subarray(0, b.used)), bytes, (error) => {
        writing = false;
        for (const b of batch) free.push(b.buf);
        if (error) return fail(error);
        written += bytes;
        onWritten(bytes);
        if (failure) return settle();
        if (paused && room() >= RAW_READ_BYTES) {
          paused = false;
          body.resumeSink();
        }
        if (current || full.length > 0) flush();
        settle();
      });
    };
    const sink = (view: Buffer): boolean => {
      if (failure || settled) return false;
      try {
        src.check(view);
      } catch (e) {
        fail(e);
        return false;
      }
      let at = 0;
      while (at < view.length) {
        if (!current) {
          let buf = free.pop();
          if (!buf) {
            buf = transferBuffers.take(SLAB_BYTES);
            taken.push(buf);
          }
          current = { buf, used: 0 };
        }
        const n = view.copy(current.buf, current.used, at);
        current.used += n;
        at += n;
        if (current.used === SLAB_BYTES) {
          full.push(current);
          current = undefined;
        }
      }
      if (!writing) flush();
      if (room() >= RAW_READ_BYTES) return true;
      paused = true;
      return false;
    };
    body.sinkTo(sink);
    whenEnded(body, src, () => !!failure, fail, () => {
      ended = true;
      if (!writing) flush();
      settle();
    });
  });
}
