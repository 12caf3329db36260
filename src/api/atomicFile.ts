/**
 * The local side of `downloadToFile`: the body goes into a temporary file beside the target
 * (`.<name>.nendrive-<rand>.part`), is synced, and only then takes the target's name, without
 * replacing an existing file unless asked. A failure never leaves a partial target behind.
 * Every path given to `fs` goes through `longPath`: on Windows a path over 259 characters takes
 * the `\\?\` form; elsewhere it is the path itself. Messages show the path as given.
 */
import * as l10n from '@vscode/l10n';
import { randomBytes } from 'node:crypto';
import { constants, fdatasync, promises as fsp } from 'node:fs';
import * as nodePath from 'node:path';
import { NenApiError, localError, type MakeError } from './errors';
import { errorCode } from './http';
import { DiskWriteError, pumpToFd, type CheckedBody } from './bodyToFile';
import { longPath } from './localName';

/** A download waiting for the disk holds at most this much before reading from the socket pauses. */
const WRITE_AHEAD_BYTES = 4 * 1024 * 1024;
/**
 * Every this many bytes written, a download asks the disk for them (`fdatasync` in the thread
 * pool) while the socket keeps going, so the `fsync` before the rename finds little left to flush.
 */
export const EARLY_SYNC_BYTES = 8 * 1024 * 1024;
/**
 * How much of the target's name the temporary name keeps, in UTF-8 bytes: with the 28 bytes
 * around it (`.`, `.nendrive-`, 12 hex digits, `.part`) it stays under the 255-byte name limit
 * of common file systems, whatever the script.
 */
const TEMP_NAME_BYTES = 200;
/** At most this many more bytes (and characters) the temporary path has than its target's: `.`, `.nendrive-`, 12 hex digits, `.part`. */
export const TEMP_NAME_EXTRA = 28;

/**
 * Checks that the target's folder exists and (unless `overwrite`) that the target does not,
 * before any request. Returns the absolute target and a fresh temporary path beside it.
 */
export async function prepareTarget(targetPath: string, overwrite: boolean, fail: MakeError): Promise<{ target: string; temp: string }> {
  const target = nodePath.resolve(targetPath);
  const dir = nodePath.dirname(target);
  try {
    const st = await fsp.stat(longPath(dir));
    if (!st.isDirectory()) throw fail('notFound', l10n.t('"{0}" is not a folder.', dir));
  } catch (e) {
    throw e instanceof NenApiError ? e : localError(e, l10n.t({ message: 'The folder "{0}" cannot be used', args: [dir], comment: ['followed by ": " and the reason'] }), fail);
  }
  if (!overwrite && (await exists(longPath(target)))) {
    throw fail('conflict', l10n.t('"{0}" already exists.', target));
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

/**
 * Creates `temp`, writes the checked body into it and syncs it. Returns the number of bytes
 * written. A disk that refuses a write or a sync (full, too large, failing) stops the body at once
 * and fails as a local error naming the file, never as the network's.
 */
export async function writeTemp(temp: string, source: CheckedBody, fail: MakeError, sync: SyncFd = fdatasync): Promise<number> {
  const cannotWrite = l10n.t({ message: 'Cannot write "{0}"', args: [temp], comment: ['followed by ": " and the reason'] });
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(longPath(temp), 'w');
  } catch (e) {
    throw localError(e, cannotWrite, fail);
  }
  const early = new EarlySync(handle.fd, EARLY_SYNC_BYTES, sync, (error) => source.body.destroy(new DiskWriteError(error)));
  try {
    const written = await pumpToFd(handle.fd, source, WRITE_AHEAD_BYTES, (n) => early.wrote(n));
    await early.done();
    await handle.sync().catch((e: unknown) => {
      throw new DiskWriteError(e);
    });
    return written;
  } catch (e) {
    throw e instanceof DiskWriteError ? localError(e.cause, cannotWrite, fail) : e;
  } finally {
    // Never close the descriptor under a sync still running on it.
    await early.done().catch(() => undefined);
    await handle.close().catch(() => undefined);
  }
}

/** How a descriptor's data is synced in the background; tests pass one that counts or fails. */
export type SyncFd = (fd: number, done: (error: NodeJS.ErrnoException | null) => void) => void;

/**
 * Background syncs running in this process. One at most: each holds a thread of libuv's pool
 * (four by default) for as long as the disk takes, and on a slow disk several would leave the
 * writes of every transfer waiting behind them. A download that finds one running tries again
 * after its next write.
 */
let earlySyncsRunning = 0;

/**
 * The background syncs of {@link writeTemp}: a new one starts once `every` more bytes were
 * written and no other runs. A failed one stops the download at once (`onFailure`) and is thrown
 * by `done()`: Linux reports a writeback error once per open file, so the final `fsync` might
 * not see it again.
 */
export class EarlySync {
  private unsynced = 0;
  private running: Promise<void> | undefined;
  private failure: { error: unknown } | undefined;
  /** How many syncs this one started. */
  started = 0;

  constructor(
    private readonly fd: number,
    private readonly every: number,
    private readonly sync: SyncFd = fdatasync,
    /** Told at once of a failed sync, to stop the download. */
    private readonly onFailure: (error: unknown) => void = () => undefined,
  ) {}

  wrote(bytes: number): void {
    this.unsynced += bytes;
    if (this.unsynced < this.every || this.failure || earlySyncsRunning > 0) return;
    this.unsynced = 0;
    this.started++;
    earlySyncsRunning++;
    this.running = new Promise((resolve) => {
      this.sync(this.fd, (error) => {
        earlySyncsRunning--;
        this.running = undefined;
        resolve();
        if (error && !this.failure) {
          this.failure = { error };
          this.onFailure(error);
        }
      });
    });
  }

  /** Waits for the sync in flight; throws the first failure of any, as a {@link DiskWriteError}. */
  async done(): Promise<void> {
    await this.running;
    if (this.failure) throw new DiskWriteError(this.failure.error);
  }
}

/** How a hard link is made; tests pass one that fails to force the fallback. */
export type LinkFile = (existing: string, newPath: string) => Promise<void>;

/** link() errors that mean "this file system has no hard links here", not "something is wrong". */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EXDEV', 'ENOSYS', 'EOPNOTSUPP', 'EMLINK']);

/**
 * Moves the finished temporary file into place without clobbering unless allowed. The temporary
 * file stays behind only on failure (the caller removes it).
 */
export async function placeFile(temp: string, target: string, overwrite: boolean, fail: MakeError, link: LinkFile = fsp.link): Promise<void> {
  const from = longPath(temp);
  const to = longPath(target);
  if (overwrite) {
    try {
      await renameHoldingOld(from, to);
    } catch (e) {
      throw localError(e, l10n.t({ message: 'Cannot write "{0}"', args: [target], comment: ['followed by ": " and the reason'] }), fail);
    }
    return;
  }
  try {
    // link() fails with EEXIST instead of replacing: an atomic "create if absent".
    await link(from, to);
    return;
  } catch (e) {
    const code = errorCode(e);
    if (code === 'EEXIST') throw fail('conflict', l10n.t('"{0}" already exists.', target), { code });
    if (!code || !NO_HARD_LINKS.has(code)) throw localError(e, l10n.t({ message: 'Cannot write "{0}"', args: [target], comment: ['followed by ": " and the reason'] }), fail);
  }
  await renameOntoPlaceholder(from, to, target, fail);
}

/** How a file is renamed over another; tests pass one that looks at the process's open files first. */
export type RenameFile = (from: string, to: string) => Promise<void>;

/**
 * Renames `from` over `to`, holding the file it replaces open across the rename (not on Windows,
 * which will not replace a file that is open). The last reference to a file frees its blocks, and
 * without the hold that is the rename: for a synced 100 MiB file on a disk mounted with `discard`
 * (as cloud VMs' disks often are, the bench machine's included) the rename took 34-42 ms, before
 * the download could say it was done. With the hold the rename takes 1-2.5 ms, and the freeing
 * happens in the close that follows, off the download's path. Only a regular file is held, and
 * opened without blocking or following a link: a FIFO or a device at the target is never opened.
 * Where the rename fails while the old file is held, it is let go and the rename tried once more.
 */
export async function renameHoldingOld(from: string, to: string, rename: RenameFile = fsp.rename): Promise<void> {
  const old = process.platform === 'win32' ? undefined : await openIfFile(to);
  if (!old) return rename(from, to);
  try {
    await rename(from, to);
  } catch {
    // Some file systems (an SMB share, say) will not replace a file that is open: let go of it
    // and rename as before; a failure now is the rename's own.
    await old.close().catch(() => undefined);
    return rename(from, to);
  }
  // Not awaited: this close is where the replaced file is freed.
  void old.close().catch(() => undefined);
}

/** `path` opened for reading when it is a regular file (not through a link), else undefined. */
async function openIfFile(path: string): Promise<fsp.FileHandle | undefined> {
  const st = await fsp.lstat(path).catch(() => undefined);
  if (!st?.isFile()) return undefined;
  return fsp.open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW).catch(() => undefined);
}

/**
 * For file systems without hard links (FAT, exFAT, some network shares): claim the name with an
 * exclusive create (`wx`: fails with EEXIST rather than touch an existing file), then rename the
 * temporary file over that empty placeholder. A file that was there before is never replaced.
 * The window left: between the two steps the name holds our empty placeholder, and a program
 * that deletes it and puts its own file there in that instant would be replaced by the rename.
 * A check-then-rename replaced any file created in the window; this only one that removes ours.
 */
async function renameOntoPlaceholder(from: string, to: string, shown: string, fail: MakeError): Promise<void> {
  try {
    await (await fsp.open(to, 'wx')).close();
  } catch (e) {
    if (errorCode(e) === 'EEXIST') throw fail('conflict', l10n.t('"{0}" already exists.', shown), { code: 'EEXIST' });
    throw localError(e, l10n.t({ message: 'Cannot write "{0}"', args: [shown], comment: ['followed by ": " and the reason'] }), fail);
  }
  try {
    await fsp.rename(from, to);
  } catch (e) {
    await removePlaceholder(to);
    throw localError(e, l10n.t({ message: 'Cannot write "{0}"', args: [shown], comment: ['followed by ": " and the reason'] }), fail);
  }
}

/** Removes the placeholder after a failed rename, only while it is still an empty file (ours). */
async function removePlaceholder(path: string): Promise<void> {
  const st = await fsp.lstat(path).catch(() => undefined);
  if (st?.isFile() && st.size === 0) await fsp.unlink(path).catch(() => undefined);
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
