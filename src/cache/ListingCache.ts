import { normalizeFolderPath } from '../api/names';
import type { DriveEntry } from '../api/types';
import { diffListings, isEmptyDiff, type EntryDiff } from './diff';
import { containerKey, indexListing, fileKey, isOwnVersion, isReplacedVersion, normalize, parseKey, withEntry, type OwnWrite } from './keys';

export { containerKey, parseKey };

/**
 * The one home of what this window knows about the drives' listings: the short-lived cache
 * that answers VS Code's bursts of `stat`, in-flight sharing, the last listing seen per folder
 * (what a new listing is diffed against), the version each open file was read at, and this
 * window's own uploads until the server confirms them.
 *
 * Plain TypeScript, no `vscode`: the file system provider and the tree read it and turn its
 * diffs into events.
 */

/** A drive's root (`folder` undefined) or one of its folders. */
export interface ContainerRef {
  readonly desktopId: string;
  readonly folder?: string;
}

export interface Listing {
  readonly entries: readonly DriveEntry[];
  readonly byName: ReadonlyMap<string, DriveEntry>;
  /** When the request that produced it started (ms, the cache's clock). */
  readonly fetchedAt: number;
  /** Increases with every request started; a listing with `seq > ticket` began after the ticket was taken. */
  readonly seq: number;
}

/** Why a listing is fetched: a poll retries on its own schedule, so the client must not. */
export type FetchPurpose = 'read' | 'poll';

export type FetchListing = (desktopId: string, folder: string | undefined, purpose: FetchPurpose) => Promise<DriveEntry[]>;

/** What one fetched listing changed, against the last listing of the same folder. */
export interface ListingChange extends EntryDiff {
  readonly container: ContainerRef;
  readonly key: string;
  /** Own uploads that this listing confirmed (their server `modified` now known): not someone else's change. */
  readonly confirmed: DriveEntry[];
  /** This window's own upload (recorded by `recordOwnWrite`), not a listing from the server. */
  readonly own: boolean;
  /**
   * The entries the diff compares with (the folder's listing known before) and the new ones:
   * a view built from `base` may apply the diff to its rows instead of building them again.
   */
  readonly base: readonly DriveEntry[];
  readonly entries: readonly DriveEntry[];
}

/** Every completed fetch, successful or not: pollers and the tree follow a folder's health. */
export type FetchOutcome = { key: string; container: ContainerRef; ok: true; change?: ListingChange } | { key: string; container: ContainerRef; ok: false; error: unknown };

/** The version of a file this window last read or wrote. */
export interface SeenVersion {
  size: number;
  modified: number;
  /**
   * After our own upload the server's `modified` is unknown (the upload answer has none): the
   * version is unconfirmed until a listing shows our size, and `before` is the version we
   * replaced, so a listing still showing that one is not mistaken for ours.
   */
  unconfirmed?: { before?: number };
}


interface Running {
  promise: Promise<Listing>;
  seq: number;
}

export interface GetOptions {
  /** A cached listing at most this old is good enough. */
  maxAgeMs: number;
  /** Only a listing whose request started after this ticket (see `ticket()`) will do. */
  after?: number;
  purpose?: FetchPurpose;
}

export class ListingCache {
  /** Listings young enough to answer from (dropped by `invalidate`). */
  private readonly fresh = new Map<string, Listing>();
  /** The last listing seen per folder, kept across invalidations: what the next one is diffed against. */
  private readonly known = new Map<string, Listing>();
  private readonly inflight = new Map<string, Running>();
  /** Bumped on every invalidation so a fetch that started earlier cannot store or diff a stale listing. */
  private readonly generations = new Map<string, number>();
  private readonly seen = new Map<string, SeenVersion>();
  private readonly ownWrites = new Map<string, OwnWrite>();
  private readonly listeners = new Set<(outcome: FetchOutcome) => void>();
  private seq = 0;

  constructor(
    private readonly fetchListing: FetchListing,
    private readonly now: () => number = Date.now,
  ) {}

  /** Called after every completed fetch (a change is attached when the listing differs from the last one). */
  onDidFetch(listener: (outcome: FetchOutcome) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** A ticket for `get({ after })`: only a listing requested after this moment answers. */
  ticket(): number {
    return this.seq;
  }

  /**
   * The listing of a folder: from the cache when young enough, else shared with a request in
   * flight, else a new request. With `after`, only a request started after that ticket counts,
   * so a "not found" can never come from a listing older than the question.
   */
  get(container: ContainerRef, opts: GetOptions): Promise<Listing> {
    const ref = normalize(container);
    const key = containerKey(ref.desktopId, ref.folder);
    const after = opts.after ?? -1;
    const cached = this.fresh.get(key);
    if (cached && cached.seq > after && this.now() - cached.fetchedAt < opts.maxAgeMs) return Promise.resolve(cached);
    const running = this.inflight.get(key);
    if (running) {
      if (running.seq > after) return running.promise;
      // Started before the question was asked: wait for it, then ask again (one new request,
      // shared by everyone who waited).
      const retry = () => this.get(ref, opts);
      return running.promise.then(retry, retry);
    }
    return this.start(ref, key, opts.purpose ?? 'read');
  }

  /** The freshest listing of a folder this window has seen, without a request (may be old). */
  peek(container: ContainerRef): Listing | undefined {
    const ref = normalize(container);
    return this.known.get(containerKey(ref.desktopId, ref.folder));
  }

  /** The folders of a drive this window has listed, `under` a folder (undefined: all of them). */
  knownFolders(desktopId: string, under?: string): ContainerRef[] {
    const base = normalizeFolderPath(under);
    const out: ContainerRef[] = [];
    for (const listing of this.known.keys()) {
      const ref = parseKey(listing);
      if (ref.desktopId !== desktopId) continue;
      if (base === undefined || ref.folder === base || (ref.folder !== undefined && ref.folder.startsWith(base + '/'))) out.push(ref);
    }
    return out;
  }

  /** How many folders have a known listing (changes when a folder is listed for the first time). */
  knownFolderCount(): number {
    return this.known.size;
  }

  /** Drops the cached listing of a folder: the next `get` asks the server. Diffs still compare with it. */
  invalidate(container: ContainerRef): void {
    const ref = normalize(container);
    const key = containerKey(ref.desktopId, ref.folder);
    this.fresh.delete(key);
    this.inflight.delete(key);
    this.bump(key);
  }

  /** Forgets every listing (another server or key: nothing known applies any more). */
  invalidateAll(): void {
    for (const key of new Set([...this.fresh.keys(), ...this.inflight.keys(), ...this.known.keys()])) this.bump(key);
    this.fresh.clear();
    this.inflight.clear();
    this.known.clear();
    this.ownWrites.clear();
  }

  /** The version of a file an editor holds (after a read). */
  markRead(container: ContainerRef, name: string, entry: { size: number; modified: number }): void {
    this.seen.set(fileKey(normalize(container), name), { size: entry.size, modified: entry.modified });
  }

  seenVersion(container: ContainerRef, name: string): SeenVersion | undefined {
    return this.seen.get(fileKey(normalize(container), name));
  }

  /**
   * After this window uploaded `name`: the cached and known listings show it at once (so the
   * stat right after a save costs no request and the next poll does not report it as someone
   * else's), and the version is remembered as ours until a listing confirms it.
   * `asEditorVersion`: the upload came from the editor that holds it (a save), so it is also the
   * version that editor now holds. Listeners hear the change (marked `own`); without a known
   * listing of the folder there is nothing to diff and undefined is returned.
   */
  recordOwnWrite(container: ContainerRef, name: string, size: number, opts: { replacedModified?: number; asEditorVersion: boolean }): ListingChange | undefined {
    const ref = normalize(container);
    const key = containerKey(ref.desktopId, ref.folder);
    const modified = this.now() / 1000;
    const entry: DriveEntry = { name, size, modified, isDir: false };
    this.bump(key);
    this.inflight.delete(key);
    const fresh = this.fresh.get(key);
    const known = this.known.get(key);
    // One new listing when the cached one is the known one (usually): the array a view gets
    // from the cache is then the one the change announces.
    const updated = known && withEntry(known, entry);
    if (fresh) this.fresh.set(key, fresh === known ? updated! : withEntry(fresh, entry));
    const fk = fileKey(ref, name);
    this.ownWrites.set(fk, { size, before: opts.replacedModified });
    if (opts.asEditorVersion) this.seen.set(fk, { size, modified, unconfirmed: { before: opts.replacedModified } });
    if (!known) return undefined;
    const previous = known.byName.get(name);
    this.known.set(key, updated!);
    const change: ListingChange = {
      container: ref,
      key,
      created: previous ? [] : [entry],
      changed: previous ? [entry] : [],
      deleted: [],
      confirmed: [],
      own: true,
      base: known.entries,
      entries: updated!.entries,
    };
    this.emit({ key, container: ref, ok: true, change });
    return change;
  }

  private start(ref: ContainerRef, key: string, purpose: FetchPurpose): Promise<Listing> {
    const generation = this.generations.get(key) ?? 0;
    const seq = ++this.seq;
    const fetchedAt = this.now();
    const promise = (async () => {
      let entries: DriveEntry[];
      try {
        entries = await this.fetchListing(ref.desktopId, ref.folder, purpose);
      } catch (error) {
        if ((this.generations.get(key) ?? 0) === generation) this.emit({ key, container: ref, ok: false, error });
        throw error;
      }
      // Indexed in slices (10,000 names take several ms), before the check: what follows it is one turn.
      const previous = this.known.get(key);
      const indexed = await indexListing(entries, previous?.byName);
      // Nothing changed: the previous entries array itself, so whoever built something from it
      // (the tree's rows) sees the same listing and keeps what it built.
      const listing: Listing = indexed.unchanged && previous ? { entries: previous.entries, byName: previous.byName, fetchedAt, seq } : { entries, byName: indexed.byName, fetchedAt, seq };
      if ((this.generations.get(key) ?? 0) !== generation) return listing; // invalidated meanwhile: answer, but store nothing
      const change = this.absorb(ref, key, listing);
      this.fresh.set(key, listing);
      this.emit({ key, container: ref, ok: true, change });
      return listing;
    })();
    this.inflight.set(key, { promise, seq });
    const clear = () => {
      if (this.inflight.get(key)?.promise === promise) this.inflight.delete(key);
    };
    promise.then(clear, clear);
    return promise;
  }

  /** Diffs a new listing against the known one, confirming own uploads, and stores it as known. */
  private absorb(ref: ContainerRef, key: string, listing: Listing): ListingChange | undefined {
    // Walks this window's own uploads and read versions in this folder (a handful), not the
    // listing's entries (thousands), looking each up by name.
    const confirmed: DriveEntry[] = [];
    const prefix = fileKey(ref, '');
    for (const [fk, own] of this.ownWrites) {
      const entry = fk.startsWith(prefix) ? listing.byName.get(fk.slice(prefix.length)) : undefined;
      if (!entry) continue;
      if (isOwnVersion(own, entry)) {
        this.ownWrites.delete(fk);
        confirmed.push(entry);
      } else if (!isReplacedVersion(own, entry)) {
        this.ownWrites.delete(fk); // someone else wrote after us: a real change
      }
    }
    for (const [fk, s] of this.seen) {
      if (!s.unconfirmed || !fk.startsWith(prefix)) continue;
      const entry = listing.byName.get(fk.slice(prefix.length));
      if (entry && entry.size === s.size && (s.unconfirmed.before === undefined || entry.modified !== s.unconfirmed.before)) {
        this.seen.set(fk, { size: entry.size, modified: entry.modified });
      }
    }
    const previous = this.known.get(key);
    this.known.set(key, listing);
    if (!previous) return undefined;
    const diff = diffListings(previous.byName, listing.entries, listing.byName);
    if (confirmed.length > 0) {
      const ours = new Set(confirmed.map((e) => e.name));
      diff.changed = diff.changed.filter((e) => !ours.has(e.name));
      diff.created = diff.created.filter((e) => !ours.has(e.name));
    }
    // A listing that still shows the version our upload replaced is not news.
    diff.changed = diff.changed.filter((e) => {
      const own = this.ownWrites.get(fileKey(ref, e.name));
      return !(own && isReplacedVersion(own, e));
    });
    const change: ListingChange = { container: ref, key, ...diff, confirmed, own: false, base: previous.entries, entries: listing.entries };
    return isEmptyDiff(change) && confirmed.length === 0 ? undefined : change;
  }

  private emit(outcome: FetchOutcome): void {
    for (const listener of [...this.listeners]) listener(outcome);
  }

  private bump(key: string): void {
    this.generations.set(key, (this.generations.get(key) ?? 0) + 1);
  }
}
