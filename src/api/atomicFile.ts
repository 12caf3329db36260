/**
 * The local side of `downloadToFile`: the body goes into a temporary file beside the target
 * (`.<name>.nendrive-<rand>.part`), is synced, and only then takes the target's name, without
 * replacing an existing file unless asked. A failure never leaves a partial target behind.
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as nodePath from 'node:path';
import { NenApiError, localError, type MakeError } from './errors';
import { errorCode } from './http';

/** A download waiting for the disk holds at most this much before reading from the socket pauses. */
const WRITE_AHEAD_BYTES = 4 * 1024 * 1024;
/**
 * How much of the target's name the temporary name keeps, in UTF-8 bytes: with the 28 bytes
 * around it (`.`, `.nendrive-`, 12 hex digits, `.part`) it stays under the 255-byte name limit
 * of common file systems, whatever the script.
 */
const TEMP_NAME_BYTES = 200;

/**
 * Checks that the target's folder exists and (unless `overwrite`) that the target does not,
 * before any request. Returns the absolute target and a fresh temporary path beside it.
 */
export async function prepareTarget(targetPath: string, overwrite: boolean, fail: MakeError): Promise<{ target: string; temp: string }> {
  const target = nodePath.resolve(targetPath);
  const dir = nodePath.dirname(target);
  try {
    const st = await fsp.stat(dir);
    if (!st.isDirectory()) throw fail('notFound', `"${dir}" is not a folder.`);
  } catch (e) {
    throw e instanceof NenApiError ? e : localError(e, `The folder "${dir}" cannot be used`, fail);
  }
  if (!overwrite && (await exists(target))) {
    throw fail('conflict', `"${target}" already exists.`);
  }
  const temp = nodePath.join(dir, `.${cutUtf8(nodePath.basename(target), TEMP_NAME_BYTES)}.nendrive-${randomBytes(6).toString('hex')}.part`);
  return { target, temp };
}

/** The longest prefix of `s` that fits in `maxBytes` UTF-8 bytes, never splitting a character. */
export function cutUtf8(s: string, maxBytes: number): string {
  let bytes = 0;
  let end = 0;
  for (const ch of s) {
    bytes += Buffer.byteLength(ch);
    if (bytes > maxBytes) break;
    end += ch.length;
  }
  return s.slice(0, end);
}

/** Creates `temp`, writes the chunks into it and syncs it. Returns the number of bytes written. */
export async function writeTemp(temp: string, chunks: AsyncIterable<Buffer>, fail: MakeError): Promise<number> {
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(temp, 'w');
  } catch (e) {
    throw localError(e, `Cannot write "${temp}"`, fail);
  }
  try {
    const written = await writeOverlapped(handle, chunks);
    await handle.sync();
    return written;
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** Moves the finished temporary file into place without clobbering unless allowed. */
export async function placeFile(temp: string, target: string, overwrite: boolean, fail: MakeError): Promise<void> {
  if (overwrite) {
    try {
      await fsp.rename(temp, target);
    } catch (e) {
      throw localError(e, `Cannot write "${target}"`, fail);
    }
    return;
  }
  try {
    // link() fails with EEXIST instead of replacing: an atomic "create if absent".
    await fsp.link(temp, target);
    return;
  } catch (e) {
    const code = errorCode(e);
    if (code === 'EEXIST') throw fail('conflict', `"${target}" already exists.`, { code });
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV' && code !== 'ENOSYS' && code !== 'EOPNOTSUPP' && code !== 'EMLINK') {
      throw localError(e, `Cannot write "${target}"`, fail);
    }
  }
  // File systems without hard links: check, then rename (a small window, the best available).
  if (await exists(target)) throw fail('conflict', `"${target}" already exists.`);
  try {
    await fsp.rename(temp, target);
  } catch (e) {
    throw localError(e, `Cannot write "${target}"`, fail);
  }
}

/** True when something (a file, a folder, a dangling link) already has this path. */
export async function exists(path: string): Promise<boolean> {
  try {
    await fsp.lstat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes the chunks to `handle` in order while the next ones are still arriving: the chunks
 * that come in during a write go out together in one writev, instead of every 64 KiB chunk
 * waiting for its own write to come back from the thread pool before the next is read.
 * At most WRITE_AHEAD_BYTES wait in memory; beyond that reading waits for the disk.
 * Returns the number of bytes written. A failed read waits for the write in flight first.
 */
async function writeOverlapped(handle: fsp.FileHandle, chunks: AsyncIterable<Buffer>): Promise<number> {
  let queue: Buffer[] = [];
  let queued = 0;
  let written = 0;
  let failure: { error: unknown } | undefined;
  let inFlight: Promise<void> | undefined;
  const drain = async (): Promise<void> => {
    while (queue.length > 0) {
      const batch = queue;
      const bytes = queued;
      queue = [];
      queued = 0;
      let done = (await handle.writev(batch)).bytesWritten;
      // libuv completes short writes itself; this only guards against a platform that does not.
      while (done < bytes) done += (await handle.write(Buffer.concat(batch).subarray(done))).bytesWritten;
      written += bytes;
    }
  };
  const start = (): void => {
    inFlight = drain().then(
      () => {
        inFlight = undefined;
      },
      (error: unknown) => {
        inFlight = undefined;
        failure = { error };
      },
    );
  };
  try {
    for await (const chunk of chunks) {
      if (failure) throw failure.error;
      queue.push(chunk);
      queued += chunk.length;
      if (!inFlight) start();
      else if (queued >= WRITE_AHEAD_BYTES) await inFlight;
    }
    while (inFlight) await inFlight;
    if (failure) throw failure.error;
    return written;
  } finally {
    while (inFlight) await inFlight;
  }
}
