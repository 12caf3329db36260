import * as vscode from 'vscode';
import { contentTypeFor, validateFolderPath, validateName } from '../api/names';
import { quotedName } from '../api/display';
import type { DriveEntry } from '../api/types';
import { checkUploadSize } from '../api/uploadLimit';
import type { FetchOutcome, ListingCache } from '../cache/ListingCache';
import type { ClientProvider } from '../ClientProvider';
import { REMOTE_VERSION_QUERY } from '../constants';
import type { Logger } from '../log/Logger';
import { describeError, toFileSystemError } from './errors';
import { changeEvents, fileEvents, fileKey, folderOf, isRemoteVersion, movedSince, toStat } from './entries';
import type { LiveRefresh } from './LiveRefresh';
import { displayUri, driveUri, parseDriveUri, type DriveLocation } from './uri';
import { formatCount } from '../api/format';

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

export { REMOTE_VERSION_QUERY };

/** A save that found the remote file changed since this window read it. */
export interface SaveConflict {
  uri: vscode.Uri;
  /** The entry this window last read or wrote. */
  expected: { size: number; modified: number };
  /** The entry on the server now. */
  actual: DriveEntry;
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

  private readonly readEmitter = new vscode.EventEmitter<vscode.Uri>();
  /** Fires when a file's content was read for an editor (decorations clear their "new" mark). */
  readonly onDidRead: vscode.Event<vscode.Uri> = this.readEmitter.event;
  private readonly overwriteAllowed = new Set<string>();
  /** Desktops deleted from this window, by id, with how to name them: a save there says why it cannot work. */
  private readonly deletedDesktops = new Map<string, string>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly clients: ClientProvider,
    private readonly log: Logger,
    /** What this window knows of the drives' listings (shared with the tree). */
    readonly cache: ListingCache,
    private readonly live: LiveRefresh,
  ) {
    this.subscriptions = [
      // A new URL or key can change every answer.
      clients.onDidChangeServer(() => this.invalidateAll()),
      toDisposable(cache.onDidFetch((outcome) => this.fireListingChange(outcome))),
    ];
  }

  // ------------------------------------------------------------------ public helpers

  /** The cached listing of a drive or folder, shared by stat/readDirectory and the tree. */
  async list(desktopId: string, folder?: string, opts: { fresh?: boolean } = {}): Promise<readonly DriveEntry[]> {
    return (await this.cache.get({ desktopId, folder }, { maxAgeMs: opts.fresh ? 0 : LISTING_TTL_MS })).entries;
  }

  /** Drops the cached listing of a drive's folder (the root when `folder` is omitted). */
  invalidate(desktopId: string, folder?: string): void {
    this.cache.invalidate({ desktopId, folder });
  }

  /** A desktop this window deleted: its open editors keep their text, and a save says the desktop is gone. */
  markDesktopDeleted(desktopId: string, named: string): void {
    this.deletedDesktops.set(desktopId, named);
    this.invalidate(desktopId);
  }

  /** Drops every cached listing (settings or key changed). */
  invalidateAll(): void {
    this.cache.invalidateAll();
  }

  /**
   * For commands that uploaded `uri` themselves: the listing shows it at once (not as someone
   * else's change), and VS Code (open editors, the Explorer, the tree) hears that it changed.
   */
  recordUpload(uri: vscode.Uri, size: number): void {
    const loc = parseDriveUri(uri);
    if (loc.name === undefined) return;
    const known = this.cache.peek(loc)?.byName.get(loc.name);
    // Listeners (this provider's events, the tree) hear it from the cache when it knew the folder.
    const change = this.cache.recordOwnWrite(loc, loc.name, size, { replacedModified: known?.modified, asEditorVersion: false });
    if (!change) this.fireFileEvents(uri, known === undefined);
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

  // ------------------------------------------------------------------ FileSystemProvider

  /**
   * The Nen API has no change feed: a watched drive, folder or file has its folder listed again
   * every `nenDrive.liveRefreshSeconds` (see LiveRefresh), and the differences come back as
   * Created / Changed / Deleted events.
   */
  watch(uri: vscode.Uri, options: { readonly recursive: boolean; readonly excludes: readonly string[] }): vscode.Disposable {
    if (isRemoteVersion(uri)) return new vscode.Disposable(() => undefined);
    return this.live.watch(uri, options.recursive);
  }

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    const loc = parseDriveUri(uri);
    if (loc.name === undefined) {
      // The drive's root is a directory. Listing it proves the desktop exists.
      await this.guard(uri, () => this.cache.get({ desktopId: loc.desktopId }, { maxAgeMs: LISTING_TTL_MS }));
      return { type: vscode.FileType.Directory, ctime: DIR_STAT_TIME, mtime: DIR_STAT_TIME, size: 0 };
    }
    const entry = await this.lookup(uri, loc, LISTING_TTL_MS);
    if (!entry) throw this.notFound(uri, 'stat');
    const seen = this.cache.seenVersion(loc, loc.name);
    if (seen && !entry.isDir && !isRemoteVersion(uri) && this.overwriteAllowed.has(fileKey(loc))) {
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
    const listing = await this.guard(uri, () => this.cache.get({ desktopId: loc.desktopId, folder }, { maxAgeMs: LISTING_TTL_MS }));
    return listing.entries.map((e) => [e.name, e.isDir ? vscode.FileType.Directory : vscode.FileType.File]);
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    const loc = parseDriveUri(uri);
    if (loc.name === undefined) throw vscode.FileSystemError.FileIsADirectory(uri);
    const remoteVersion = isRemoteVersion(uri);
    const entry = await this.lookup(uri, loc, remoteVersion ? 0 : LISTING_TTL_MS);
    if (!entry) throw this.notFound(uri, 'readFile');
    if (entry.isDir) throw vscode.FileSystemError.FileIsADirectory(uri);
    // Bounded by the listed size: more is stopped, less is checked against a fresh listing.
    const data = await this.guard(uri, () => this.clients.get().download(loc.desktopId, loc.name!, { path: loc.folder, expectedSize: entry.size }));
    if (!remoteVersion) {
      // The version the editor now holds; a save checks the server still has it.
      this.cache.markRead(loc, loc.name, entry);
      this.readEmitter.fire(uri);
    }
    return data;
  }

  async writeFile(uri: vscode.Uri, content: Uint8Array, options: { readonly create: boolean; readonly overwrite: boolean }): Promise<void> {
    const loc = parseDriveUri(uri);
    if (loc.name === undefined) throw vscode.FileSystemError.FileIsADirectory(uri);
    const name = loc.name;
    if (isRemoteVersion(uri)) {
      throw vscode.FileSystemError.NoPermissions(vscode.l10n.t('{0} (remote version) is read-only: save the file itself to upload it.', quotedName(name)));
    }
    const deleted = this.deletedDesktops.get(loc.desktopId);
    if (deleted !== undefined) {
      throw vscode.FileSystemError.Unavailable(
        vscode.l10n.t('Desktop {0} was deleted, and its drive with it: there is nowhere to save {1}. Your text is kept; use Save As… to keep it elsewhere.', deleted, quotedName(name)),
      );
    }
    const badName = validateName(name) ?? (loc.folder !== undefined ? validateFolderPath(loc.folder) : undefined);
    if (badName) throw vscode.FileSystemError.NoPermissions(vscode.l10n.t('Cannot save {0} to the Nen drive: {1}', quotedName(name), badName));
    try {
      checkUploadSize(name, content.byteLength); // the client's 100 MiB rule, before any request
    } catch (err) {
      throw this.mapped(uri, 'writeFile', err);
    }
    const key = fileKey(loc);
    const overwriteOnce = this.overwriteAllowed.delete(key);

    const current = await this.lookup(uri, loc, WRITE_RECHECK_MS);
    if (current?.isDir) throw vscode.FileSystemError.FileIsADirectory(uri);
    if (current && !options.overwrite) throw vscode.FileSystemError.FileExists(uri);
    if (!current && !options.create) throw vscode.FileSystemError.FileNotFound(uri);

    const expected = this.cache.seenVersion(loc, name);
    if (current && expected && !overwriteOnce && movedSince(expected, current)) {
      this.log.warn(
        `save of ${displayUri(uri)} refused: the remote file changed (read ${expected.size} B @ ${expected.modified}, now ${current.size} B @ ${current.modified})`,
      );
      this.conflictEmitter.fire({ uri, expected: { size: expected.size, modified: expected.modified }, actual: current });
      throw vscode.FileSystemError.Unavailable(
        vscode.l10n.t({
          message: 'The file on the Nen drive changed since you opened it (now {0} bytes, modified {1}). Your edits are kept: compare with the remote version or overwrite it.',
          args: [formatCount(current.size), new Date(current.modified * 1000).toLocaleString(vscode.env.language)],
          comment: ['{0} is a size in bytes, {1} a date and time'],
        }),
      );
    }

    let ownChange: unknown;
    try {
      const result = await this.clients.get().upload(loc.desktopId, name, { kind: 'bytes', data: content }, {
        path: loc.folder,
        contentType: contentTypeFor(name),
      });
      ownChange = this.cache.recordOwnWrite(loc, name, result.size, { replacedModified: current?.modified, asEditorVersion: true });
    } catch (err) {
      // The server keeps the previous version on a failed upload, but say nothing about
      // a listing we no longer trust.
      this.invalidate(loc.desktopId, loc.folder);
      throw this.mapped(uri, 'writeFile', err);
    }
    if (!ownChange) this.fireFileEvents(uri, !current);
  }

  delete(uri: vscode.Uri): void {
    throw this.unsupported(uri, vscode.l10n.t('The Nen API does not support deleting files.'));
  }

  rename(oldUri: vscode.Uri): void {
    throw this.unsupported(oldUri, vscode.l10n.t('The Nen API does not support renaming or moving files.'));
  }

  createDirectory(uri: vscode.Uri): void {
    throw this.unsupported(uri, vscode.l10n.t('The Nen API does not support creating folders (folders appear when a server creates them on upload).'));
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
    this.changeEmitter.dispose();
    this.conflictEmitter.dispose();
    this.readEmitter.dispose();
  }

  // ------------------------------------------------------------------ internals

  /**
   * The entry for `uri`, checking each ancestor folder exists before listing it (no request for
   * `.vscode/...` probes of a folder the drive does not have). A name found in a cached listing
   * is answered from it; a name missing from it is looked up in a listing requested after this
   * call began (shared by concurrent lookups), because the desktop writes to its drive all the
   * time and "not found" is the server's word to give, not the cache's.
   */
  private async lookup(uri: vscode.Uri, loc: DriveLocation, maxAgeMs: number): Promise<DriveEntry | undefined> {
    if (loc.name === undefined) return undefined;
    const ticket = this.cache.ticket();
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
    const where = loc.folder === undefined ? driveUri(loc.desktopId) : uri;
    const container = { desktopId: loc.desktopId, folder: loc.folder };
    const listing = await this.guard(where, () => this.cache.get(container, { maxAgeMs }));
    const entry = listing.byName.get(loc.name);
    if (entry || listing.seq > ticket) return entry;
    const fresh = await this.guard(where, () => this.cache.get(container, { maxAgeMs: 0, after: ticket }));
    return fresh.byName.get(loc.name);
  }

  /** Turns a listing's differences into the events VS Code (editors, Explorer, watchers) expects. */
  private fireListingChange(outcome: FetchOutcome): void {
    if (!outcome.ok || !outcome.change) return;
    const events = changeEvents(outcome.change);
    if (events.length > 0) this.changeEmitter.fire(events);
  }

  private fireFileEvents(uri: vscode.Uri, created: boolean): void {
    this.changeEmitter.fire(fileEvents(uri, created));
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
    this.log.warn(`${op} ${displayUri(uri)} failed: ${describeError(err, redact)}`);
    return fsErr;
  }

  /** Missing entries are routine (VS Code probes): a debug line, never UI. */
  private notFound(uri: vscode.Uri, op: string): vscode.FileSystemError {
    this.log.debug(`${op} ${displayUri(uri)}: not found`);
    return vscode.FileSystemError.FileNotFound(uri);
  }

  private unsupported(uri: vscode.Uri, message: string): vscode.FileSystemError {
    this.log.info(`${displayUri(uri)}: ${message}`);
    return vscode.FileSystemError.NoPermissions(message);
  }
}

function toDisposable(d: { dispose(): void }): vscode.Disposable {
  return new vscode.Disposable(() => d.dispose());
}
