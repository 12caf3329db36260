/**
 * A download body straight into a file descriptor: the chunks are taken from the response's
 * 'data' events (no async iterator, no promise per chunk), checked synchronously as they arrive,
 * and written with callback `fs.writev`, the chunks that came in during a write going out
 * together in the next one. Reading pauses while more than `writeAhead` bytes wait for the disk.
 */
import { writev } from 'node:fs';
import { finished, type Readable } from 'node:stream';
import { transferBuffers } from './bufferPool';
import { RawBody } from './rawGet';

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
 * (the caller syncs). `onWritten` hears of every write that came back, with its bytes. Rejects
 * with the first failure (a check, the body, a write as a {@link DiskWriteError}) after the
 * write in flight has come back, so the caller may close and delete the file at once.
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

/**
 * Size of one slab the bytes of a {@link RawBody} gather in on their way to the disk (the shared
 * pool's buffers), and so the largest read the socket makes into one: reading pauses while the
 * slabs have less room than this.
 */
const SLAB_BYTES = transferBuffers.bytes;
/** A slab with less room than this left is not offered to the socket as a read target: reads that small would cost more syscalls than the copy they save. */
const MIN_TARGET_BYTES = 64 * 1024;
/**
 * A write of a {@link RawBody}'s bytes waits until this many have gathered (unless the body
 * ended or the slabs are filling up). Each write is a hand-off to libuv's thread pool and back:
 * writing every socket read (some 70 KiB on loopback, 1,100-1,500 writes per 100 MiB) cost a
 * third of the download's CPU in those hand-offs on the 2-core bench machine.
 */
export const MIN_WRITE_BYTES = 512 * 1024;

/**
 * {@link pumpToFd} for a {@link RawBody}: the socket reads straight into one of a few reused
 * slabs (`writeAhead` bytes in all) while one has room (see {@link RawTarget}); bytes that arrive
 * elsewhere (with the headers, in a chunked body, while every slab waits for the disk) are
 * copied into them. Whenever no write is in flight and {@link MIN_WRITE_BYTES} have gathered (or
 * the body ended, or the slabs are filling up), every byte the slabs hold and no write took yet
 * goes out in one `writev`, the slab being filled included, and the socket pauses while the free
 * slabs could not take one more read. No allocation per read: the slabs come from the shared pool
 * and go back to it once the transfer settled (no write from them in flight, no read into them to
 * come).
 */
function pumpViews(fd: number, src: CheckedBody, body: RawBody, writeAhead: number, onWritten: (bytes: number) => void): Promise<number> {
  const maxSlabs = Math.max(2, Math.ceil(writeAhead / SLAB_BYTES));
  /** A slab in use: bytes [0, used) arrived, [0, written) reached the file. */
  interface Slab {
    buf: Buffer;
    used: number;
    written: number;
  }
  return new Promise((resolve, reject) => {
    const free: Buffer[] = [];
    /** Every slab this transfer took from the pool (at most maxSlabs, unless copies needed more), given back when it settles. */
    const taken: Buffer[] = [];
    /** The slabs in use, in the file's order; the last is `current` while it fills. */
    const inUse: Slab[] = [];
    let current: Slab | undefined;
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
      } else if (ended && inUse.every((x) => x.written === x.used)) {
        settled = true;
        release();
        resolve(written);
      }
    };
    // Settled means no write in flight, and none starts after (flush and sink check `settled`);
    // the socket is closed by then (the body ended or was destroyed), so no read comes either.
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
    /** A slab from the free ones, or a new one from the pool while fewer than maxSlabs were taken (`always`: even beyond). */
    const slab = (always: boolean): Slab | undefined => {
      let buf = free.pop();
      if (!buf) {
        if (!always && taken.length >= maxSlabs) return undefined;
        buf = transferBuffers.take(SLAB_BYTES);
        taken.push(buf);
      }
      current = { buf, used: 0, written: 0 };
      inUse.push(current);
      return current;
    };
    const flush = (): void => {
      if (writing || settled || failure) return;
      const batch = inUse.filter((x) => x.used > x.written).map((x) => ({ slab: x, from: x.written, to: x.used }));
      if (batch.length === 0) return;
      const bytes = batch.reduce((n, b) => n + b.to - b.from, 0);
      // Gather more first, while the slabs have room for two more reads of the largest size:
      // then no read waits for this write, and there is no pause for a write to end.
      if (bytes < MIN_WRITE_BYTES && !ended && room() >= 2 * SLAB_BYTES) return;
      writing = true;
      writeAll(fd, batch.map((b) => b.slab.buf.subarray(b.from, b.to)), bytes, (error) => {
        writing = false;
        for (const b of batch) b.slab.written = b.to;
        // A slab no longer filling and all written is free again.
        while (inUse.length > 0 && inUse[0] !== current && inUse[0].written === inUse[0].used) free.push(inUse.shift()!.buf);
        if (error) return fail(error);
        written += bytes;
        onWritten(bytes);
        if (failure) return settle();
        if (paused && room() >= SLAB_BYTES) {
          paused = false;
          body.resumeSink();
        }
        flush();
        settle();
      });
    };
    /** The rest of the current slab, for the socket's next read; a new current one when it has too little room. */
    const target = (): Buffer | undefined => {
      if (failure || settled) return undefined;
      if (current && SLAB_BYTES - current.used < MIN_TARGET_BYTES) current = undefined;
      const into = current ?? slab(false);
      return into?.buf.subarray(into.used);
    };
    const sink = (view: Buffer): boolean => {
      if (failure || settled) return false;
      try {
        src.check(view);
      } catch (e) {
        fail(e);
        return false;
      }
      // The read landed where target() said: the bytes are in the slab already.
      const inPlace = current !== undefined && view.buffer === current.buf.buffer && view.byteOffset === current.buf.byteOffset + current.used;
      let at = 0;
      if (inPlace) {
        current!.used += view.length;
        at = view.length;
        if (current!.used === SLAB_BYTES) current = undefined;
      }
      while (at < view.length) {
        const into = current ?? slab(true)!;
        const n = view.copy(into.buf, into.used, at);
        into.used += n;
        at += n;
        if (into.used === SLAB_BYTES) current = undefined;
      }
      flush();
      if (room() >= SLAB_BYTES) return true;
      paused = true;
      return false;
    };
    body.sinkTo(sink, target);
    whenEnded(body, src, () => !!failure, fail, () => {
      ended = true;
      flush();
      settle();
    });
  });
}
