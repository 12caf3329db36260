/**
 * A download body straight into a file descriptor: the chunks are taken from the response's
 * 'data' events (no async iterator, no promise per chunk), checked synchronously as they arrive,
 * and written with callback `fs.writev`, the chunks that came in during a write going out
 * together in the next one. Reading pauses while more than `writeAhead` bytes wait for the disk.
 */
import { writev } from 'node:fs';
import { finished, type Readable } from 'node:stream';

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
 * (the caller syncs). Rejects with the first failure (a check, the body, a write) after the write
 * in flight has come back, so the caller may close and delete the file at once.
 */
export function pumpToFd(fd: number, src: CheckedBody, writeAhead: number): Promise<number> {
  const { body } = src;
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
    finished(body, (error) => {
      if (failure) return;
      if (error) return fail(error);
      try {
        src.end();
      } catch (e) {
        return fail(e);
      }
      ended = true;
      if (!writing && queue.length > 0) flush();
      else settle();
    });
  });
}

/** One writev of the batch; libuv completes short writes itself, this only guards against a platform that does not. */
function writeAll(fd: number, batch: Buffer[], bytes: number, done: (error: unknown) => void): void {
  writev(fd, batch, (error, n) => {
    if (error) return done(error);
    if (n >= bytes) return done(undefined);
    const rest = Buffer.concat(batch).subarray(n);
    writeAll(fd, [rest], rest.length, done);
  });
}
