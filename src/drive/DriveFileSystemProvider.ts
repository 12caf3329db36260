import * as vscode from 'vscode';
import { contentTypeFor, validateFolderPath, validateName } from '../api/names';
import { MAX_UPLOAD_BYTES, type DriveEntry } from '../api/types';
import type { ClientProvider } from '../config';
import type { Logger } from '../log/Logger';
import { describeError, toFileSystemError } from './errors';
import { driveUri, parseDriveUri, parentUri, type DriveLocation } from './uri';

/**
 * How long a listing answers `stat`/`readDirectory` without asking the server again. Short:
 * long enough that opening a file (stat, stat, read) costs one listing, short enough that a
 * change made elsewhere shows up almost at once.
 */
export const LISTING_TTL_MS = 3000;

/**
 * Before an upload the remote entry is checked for changes made since the file was read. VS
 * Code stats the file immediately before every write; a listing fetched that recently is
 * already "just before the upload" and is reused, so a save costs one listing, not two.
 */
export const WRITE_RECHECK_MS = 300;

/** The query that marks the read-only "remote version" of a file (the left side of Compare). */
export const REMOTE_VERSION_QUERY = 'nen-remote-version';

/** A save that found the remote file changed since this window read it. */
export interface SaveConflict {
  uri: vscode.Uri;
  /** The entry this window last read or wrote. */
  expected: { size: number; modified: number };
  /** The entry on the server now. */
  actual: DriveEntry;
}

interface Listing {
  entries: DriveEntry[];
  byName: Map<string, DriveEntry>;
  fetchedAt: number;
}

/** What this window last read or wrote for one file. */
interface Seen {
  size: number;
  modified: number;
  /**
   * After our own upload the server's `modified` is unknown (the upload answer has no mtime):
   * the entry is "unconfirmed" until a listing shows our size, and `before` is the version we
   * replaced, so a listing still showing that one is not mistaken for ours.
   */
  unconfirmed?: { before?: number };
}

const DIR_STAT_TIME = 0;

/**
 * The `nendrive:` file system over the Nen API client.
 *
 * The API has no stat, delete, rename or mkdir: `stat` is a lookup in the parent's (briefly
 * cached) listing, and the missing operations fail with a message that says so. The provider
 * never shows UI: VS Code probes `.vscode`, `.git` and friends constantly and those misses must
 * stay silent, so errors are only thrown (mapped once by `toFileSystemError`) and logged.
 */
export class DriveFileSystemProvider implements vscode.FileSystemProvider, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile: vscode.Event<vscode.FileChangeEvent[]> = this.changeEmitter.event;
  private readonly conflictEmitter = new vscode.EventEmitter<SaveConflict>();
  /** Fires when a save was refused because the remote file changed (commands offer Compare / Overwrite). */
  readonly onDidConflict: vscode.Event<SaveConflict> = this.conflictEmitter.event;

  private readonly listings = new Map<string, Listing>();
  private readonly inflight = new Map<string, Promise<Listing>>();
  /** Bumped on every invalidation so a fetch that started earlier cannot store a stale listing. */
  private readonly generations = new Map<string, number>();
  private readonly seen = new Map<string, Seen>();
  private readonly overwriteAllowed = new Set<string>();
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly clients: ClientProvider,
    private readonly log: Logger,
  ) {
    // A new URL or key can change every answer.
    this.subscription = clients.onDidChange(() => this.invalidateAll());
  }

  // ------------------------------------------------------------------ public helpers

  /** The cached listing of a drive or folder, shared by stat/readDirectory and the tree. */
  async list(desktopId: string, folder?: string, opts: { fresh?: boolean } = {}): Promise<DriveEntry[]> {
    return (await this.listing(desktopId, normalizeFolder(folder), opts.fresh ? 0 : LISTING_TTL_MS)).entries;
  }

  /** Drops the cached listing of a drive's folder (the root when `folder` is omitted). */
  invalidate(desktopId: string, folder?: string): void {
    const key = listingKey(desktopId, normalizeFolder(folder));
    this.listings.delete(key);
    this.inflight.delete(key);
    this.generations.set(key, (this.generations.get(key) ?? 0) + 1);
  }

  /** Drops every cached listing (settings or key changed). */
  invalidateAll(): void {
    for (const key of new Set([...this.listings.keys(), ...this.inflight.keys()])) {
      this.generations.set(key, (this.generations.get(key) ?? 0) + 1);
    }
    this.listings.clear();
    this.inflight.clear();
  }

  /**
   * For commands that changed the drive themselves (uploads): drops the parent's listing and
   * tells VS Code (open editors, the Explorer) that `uri` changed.
   */
  notifyChanged(uri: vscode.Uri, type: vscode.FileChangeType = vscode.FileChangeType.Changed): void {
    const loc = parseDriveUri(uri);
    if (loc.name !== undefined) {
      this.invalidate(loc.desktopId, loc.folder);
      this.seen.delete(fileKey(loc));
    }
    const events: vscode.FileChangeEvent[] = [{ type, uri }];
    if (type !== vscode.FileChangeType.Changed && loc.name !== undefined) {
      events.push({ type: vscode.FileChangeType.Changed, uri: parentUri(uri) });
    }
    this.changeEmitter.fire(events);
  }

  /**
   * The escape hatch for a save conflict (the user chose Overwrite): until the next `writeFile`
   * of `uri`, `stat` answers with the version the editor was based on (so VS Code's own "file is
   * newer" check passes) and that write skips the "changed remotely" check, once. Then call
   * `document.save()`. The returned disposable withdraws the permission if no save happened.
   */
  allowOverwriteOnce(uri: vscode.Uri): vscode.Disposable {
    const key = fileKey(parseDriveUri(uri));
    this.overwriteAllowed.add(key);
    return new vscode.Disposable(() => this.overwriteAllowed.delete(key));
  }

  /**
   * A read-only URI whose content is the file as it is on the server now: the left side of a
   * Compare (remote ↔ editor). Reading it always downloads and never changes what this window
   * considers "the version it read".
   */
  remoteVersionUri(uri: vscode.Uri): vscode.Uri {
    return uri.with({ query: REMOTE_VERSION_QUERY });
  }

  /** What this window last read or wrote for `uri` (size, `modified` in seconds), if anything. */
  lastSeen(uri: vscode.Uri): { size: number; modified: number } | undefined {
    const s = this.seen.get(fileKey(parseDriveUri(uri)));
    return s && { size: s.size, modified: s.modified };
  }

  // ------------------------------------------------------------------ FileSystemProvider

  /**
   * No polling: the Nen API has no change feed, and a timer per watched folder would spend
   * requests while the window idles. Own writes fire events; the tree's Refresh refetches; a
   * listing older than LISTING_TTL_MS is refetched on the next stat.
   */
  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    const loc = parseDriveUri(uri);
    if (loc.name === undefined) {
      // The drive's root is a directory. Listing it proves the desktop exists.
      await this.guard(uri, () => this.listing(loc.desktopId, undefined, LISTING_TTL_MS));
      return { type: vscode.FileType.Directory, ctime: DIR_STAT_TIME, mtime: DIR_STAT_TIME, size: 0 };
    }
    const entry = await this.lookup(uri, loc, LISTING_TTL_MS);
    if (!entry) throw this.notFound(uri, 'stat');
    const key = fileKey(loc);
    const seen = this.seen.get(key);
    if (seen && !entry.isDir && !isRemoteVersion(uri) && this.overwriteAllowed.has(key)) {
      // The user chose Overwrite: answer with the version the editor is based on, so VS Code's
      // own "file is newer" check lets this one save through to writeFile.
      return toStat({ name: loc.name, size: seen.size, modified: seen.modified, isDir: false });
    }
    const stat: vscode.FileStat = toStat(entry);
    if (isRemoteVersion(uri)) stat.permissions = vscode.FilePermission.Readonly;
    return stat;
  }

  async readDirectory(uri: vscode.Uri): Promise<[string, vscode.FileType][]> {
    const loc = parseDriveUri(uri);
    const folder = folderOf(loc);
    if (loc.name !== undefined) {
      const entry = await this.lookup(uri, loc, LISTING_TTL_MS);
      if (!entry) throw this.notFound(uri, 'readDirectory');
      if (!entry.isDir) throw vscode.FileSystemError.FileNotADirectory(uri);
    }
    const listing = await this.guard(uri, () => this.listing(loc.desktopId, folder, LISTING_TTL_MS));
    return listing.entries.map((e) => [e.name, e.isDir ? vscode.FileType.Directory : vscode.FileType.File]);
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    const loc = parseDriveUri(uri);
    if (loc.name === undefined) throw vscode.FileSystemError.FileIsADirectory(uri);
    const remoteVersion = isRemoteVersion(uri);
    const entry = await this.lookup(uri, loc, remoteVersion ? 0 : LISTING_TTL_MS);
    if (!entry) throw this.notFound(uri, 'readFile');
    if (entry.isDir) throw vscode.FileSystemError.FileIsADirectory(uri);
    const data = await this.guard(uri, () => this.clients.get().download(loc.desktopId, loc.name!, { path: loc.folder }));
    if (!remoteVersion) {
      // The version the editor now holds; a save checks the server still has it.
      this.seen.set(fileKey(loc), { size: entry.size, modified: entry.modified });
    }
    return data;
  }

  async writeFile(uri: vscode.Uri, content: Uint8Array, options: { readonly create: boolean; readonly overwrite: boolean }): Promise<void> {
    const loc = parseDriveUri(uri);
    if (loc.name === undefined) throw vscode.FileSystemError.FileIsADirectory(uri);
    const name = loc.name;
    if (isRemoteVersion(uri)) {
      throw vscode.FileSystemError.NoPermissions(`'${name}' (remote version) is read-only: save the file itself to upload it.`);
    }
    const badName = validateName(name) ?? (loc.folder !== undefined ? validateFolderPath(loc.folder) : undefined);
    if (badName) throw vscode.FileSystemError.NoPermissions(`Cannot save '${name}' to the Nen drive: ${badName}`);
    if (content.byteLength > MAX_UPLOAD_BYTES) {
      throw vscode.FileSystemError.NoPermissions(
        `Cannot save '${name}': it is ${formatMiB(content.byteLength)} (${content.byteLength.toLocaleString('en-US')} bytes); ` +
          `the Nen drive accepts files up to 100 MiB (${MAX_UPLOAD_BYTES.toLocaleString('en-US')} bytes).`,
      );
    }
    const key = fileKey(loc);
    const overwriteOnce = this.overwriteAllowed.delete(key);

    const current = await this.lookup(uri, loc, WRITE_RECHECK_MS);
    if (current?.isDir) throw vscode.FileSystemError.FileIsADirectory(uri);
    if (current && !options.overwrite) throw vscode.FileSystemError.FileExists(uri);
    if (!current && !options.create) throw vscode.FileSystemError.FileNotFound(uri);

    const expected = this.seen.get(key);
    if (current && expected && !overwriteOnce && movedSince(expected, current)) {
      this.log.warn(
        `save of ${uri.toString(true)} refused: the remote file changed (read ${expected.size} B @ ${expected.modified}, now ${current.size} B @ ${current.modified})`,
      );
      this.conflictEmitter.fire({ uri, expected: { size: expected.size, modified: expected.modified }, actual: current });
      throw vscode.FileSystemError.Unavailable(
        `The file on the Nen drive changed since you opened it (now ${current.size.toLocaleString('en-US')} bytes, modified ${new Date(current.modified * 1000).toLocaleString()}). ` +
          `Your edits are kept: compare with the remote version or overwrite it.`,
      );
    }

    try {
      const result = await this.clients.get().upload(loc.desktopId, name, { kind: 'bytes', data: content }, {
        path: loc.folder,
        contentType: contentTypeFor(name),
      });
      this.recordOwnWrite(loc, name, result.size ?? content.byteLength, current?.modified);
    } catch (err) {
      // The server keeps the previous version on a failed upload, but say nothing about
      // a listing we no longer trust.
      this.invalidate(loc.desktopId, loc.folder);
      throw this.mapped(uri, 'writeFile', err);
    }
    const events: vscode.FileChangeEvent[] = [{ type: current ? vscode.FileChangeType.Changed : vscode.FileChangeType.Created, uri }];
    if (!current) events.push({ type: vscode.FileChangeType.Changed, uri: parentUri(uri) });
    this.changeEmitter.fire(events);
  }

  delete(uri: vscode.Uri): void {
    throw this.unsupported(uri, 'The Nen API does not support deleting files.');
  }

  rename(oldUri: vscode.Uri): void {
    throw this.unsupported(oldUri, 'The Nen API does not support renaming or moving files.');
  }

  createDirectory(uri: vscode.Uri): void {
    throw this.unsupported(uri, 'The Nen API does not support creating folders (folders appear when a server creates them on upload).');
  }

  dispose(): void {
    this.subscription.dispose();
    this.changeEmitter.dispose();
    this.conflictEmitter.dispose();
  }

  // ------------------------------------------------------------------ internals

  /** The entry for `uri`, checking each ancestor folder exists before listing it (no request for `.vscode/...` probes). */
  private async lookup(uri: vscode.Uri, loc: DriveLocation, maxAgeMs: number): Promise<DriveEntry | undefined> {
    if (loc.name === undefined) return undefined;
    if (loc.folder !== undefined) {
      const segments = loc.folder.split('/');
      const parentLoc: DriveLocation = {
        desktopId: loc.desktopId,
        name: segments[segments.length - 1],
        folder: segments.length > 1 ? segments.slice(0, -1).join('/') : undefined,
      };
      const parent = await this.lookup(uri, parentLoc, LISTING_TTL_MS);
      if (!parent?.isDir) return undefined;
    }
    const listing = await this.guard(loc.folder === undefined ? driveUri(loc.desktopId) : uri, () =>
      this.listing(loc.desktopId, loc.folder, maxAgeMs),
    );
    return listing.byName.get(loc.name);
  }

  private listing(desktopId: string, folder: string | undefined, maxAgeMs: number): Promise<Listing> {
    const key = listingKey(desktopId, folder);
    const cached = this.listings.get(key);
    if (cached && Date.now() - cached.fetchedAt <= maxAgeMs) return Promise.resolve(cached);
    const running = this.inflight.get(key);
    if (running) return running;
    const generation = this.generations.get(key) ?? 0;
    const started = Date.now();
    const fetch = (async () => {
      const entries = await this.clients.get().listFiles(desktopId, { path: folder });
      const listing: Listing = { entries, byName: new Map(entries.map((e) => [e.name, e])), fetchedAt: started };
      this.reconcile(desktopId, folder, listing);
      if ((this.generations.get(key) ?? 0) === generation) this.listings.set(key, listing);
      return listing;
    })();
    this.inflight.set(key, fetch);
    const clear = () => {
      if (this.inflight.get(key) === fetch) this.inflight.delete(key);
    };
    fetch.then(clear, clear);
    return fetch;
  }

  /** A fresh listing confirms our own unconfirmed writes (their real `modified`). */
  private reconcile(desktopId: string, folder: string | undefined, listing: Listing): void {
    for (const entry of listing.entries) {
      const key = fileKey({ desktopId, folder, name: entry.name });
      const s = this.seen.get(key);
      if (!s?.unconfirmed) continue;
      const before = s.unconfirmed.before;
      if (entry.size === s.size && (before === undefined || entry.modified !== before)) {
        this.seen.set(key, { size: entry.size, modified: entry.modified });
      }
    }
  }

  /**
   * After an upload: patch the cached listing (so VS Code's stat right after the save costs no
   * request) and remember the version as ours. The upload answer has no mtime, so `modified`
   * is this machine's clock until a listing shows the server's.
   */
  private recordOwnWrite(loc: DriveLocation, name: string, size: number, replacedModified: number | undefined): void {
    const key = listingKey(loc.desktopId, loc.folder);
    const modified = Date.now() / 1000;
    const entry: DriveEntry = { name, size, modified, isDir: false };
    this.generations.set(key, (this.generations.get(key) ?? 0) + 1);
    this.inflight.delete(key);
    const listing = this.listings.get(key);
    if (listing) {
      const entries = listing.entries.filter((e) => e.name !== name);
      entries.push(entry);
      this.listings.set(key, { entries, byName: new Map(entries.map((e) => [e.name, e])), fetchedAt: listing.fetchedAt });
    }
    this.seen.set(fileKey(loc), { size, modified, unconfirmed: { before: replacedModified } });
  }

  private async guard<T>(uri: vscode.Uri, op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      throw this.mapped(uri, 'request', err);
    }
  }

  private mapped(uri: vscode.Uri, op: string, err: unknown): vscode.FileSystemError {
    if (err instanceof vscode.FileSystemError) return err;
    const redact = (text: string) => this.log.redact(text);
    const fsErr = toFileSystemError(err, uri, redact);
    this.log.warn(`${op} ${uri.toString(true)} failed: ${describeError(err, redact)}`);
    return fsErr;
  }

  /** Missing entries are routine (VS Code probes): a debug line, never UI. */
  private notFound(uri: vscode.Uri, op: string): vscode.FileSystemError {
    this.log.debug(`${op} ${uri.toString(true)}: not found`);
    return vscode.FileSystemError.FileNotFound(uri);
  }

  private unsupported(uri: vscode.Uri, message: string): vscode.FileSystemError {
    this.log.info(`${uri.toString(true)}: ${message}`);
    return vscode.FileSystemError.NoPermissions(message);
  }
}

function movedSince(expected: Seen, current: DriveEntry): boolean {
  if (expected.unconfirmed) {
    // Our own upload whose server mtime we never saw: only a different size proves a change.
    return current.size !== expected.size;
  }
  return current.size !== expected.size || current.modified !== expected.modified;
}

function toStat(entry: DriveEntry): vscode.FileStat {
  // `modified` is float seconds; VS Code compares mtime numbers exactly, so no rounding.
  const mtime = entry.modified * 1000;
  return {
    type: entry.isDir ? vscode.FileType.Directory : vscode.FileType.File,
    ctime: mtime,
    mtime,
    size: entry.size,
  };
}

function isRemoteVersion(uri: vscode.Uri): boolean {
  return uri.query === REMOTE_VERSION_QUERY;
}

function folderOf(loc: DriveLocation): string | undefined {
  if (loc.name === undefined) return undefined;
  return loc.folder === undefined ? loc.name : `${loc.folder}/${loc.name}`;
}

function normalizeFolder(folder: string | undefined): string | undefined {
  if (folder === undefined) return undefined;
  const joined = folder.split('/').filter(Boolean).join('/');
  return joined || undefined;
}

function listingKey(desktopId: string, folder: string | undefined): string {
  return `${desktopId}\u0000${folder ?? ''}`;
}

function fileKey(loc: DriveLocation): string {
  return `${loc.desktopId}\u0000${loc.folder ?? ''}\u0000${loc.name ?? ''}`;
}

function formatMiB(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}
