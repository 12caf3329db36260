import * as vscode from 'vscode';
import { containerKey, parseKey, type ContainerRef, type FetchOutcome, type ListingCache } from '../cache/ListingCache';
import { LivePoller } from '../cache/LivePoller';
import type { ClientProvider } from '../ClientProvider';
import type { Logger } from '../log/Logger';
import { REMOTE_VERSION_QUERY, SCHEME } from '../constants';
import { parseDriveUri } from './uri';

/** A listing this young is reused by a poll (someone just listed the folder). */
const POLL_REUSE_MS = 1000;

interface Watch {
  uri: vscode.Uri;
  recursive: boolean;
}

/**
 * Decides which folders are live and keeps them so: the folders that VS Code or an extension
 * watches through the file system provider, the folders of open `nendrive:` editors (watched
 * or not), and the containers the tree shows expanded while it is visible. Nothing else is
 * ever polled, so a hidden view with nothing open costs no requests.
 *
 * The schedule lives in `LivePoller` and the diffing in `ListingCache`; this class only
 * gathers interest from VS Code (watchers, tabs, window focus, settings) and hands the poller
 * its targets.
 */
export class LiveRefresh implements vscode.Disposable {
  private readonly poller: LivePoller;
  private readonly watches = new Set<Watch>();
  /** Containers that views show (by owner, e.g. the tree), only while those views are visible. */
  private readonly shown = new Map<string, readonly ContainerRef[]>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private knownCount = -1;
  /** Keys whose listing changed since the last poll of them began. */
  private readonly changedKeys = new Set<string>();

  constructor(
    private readonly cache: ListingCache,
    private readonly clients: ClientProvider,
    private readonly log: Logger,
  ) {
    this.poller = new LivePoller({ poll: (container) => this.poll(container) });
    this.poller.setFocused(vscode.window.state.focused);
    this.applySettings();
    const fetched = cache.onDidFetch((outcome) => this.onFetch(outcome));
    this.subscriptions.push(
      new vscode.Disposable(() => fetched.dispose()),
      vscode.window.onDidChangeWindowState((state) => this.poller.setFocused(state.focused)),
      vscode.window.tabGroups.onDidChangeTabs(() => this.update()),
      clients.onDidChange(() => this.applySettings()),
    );
    this.update();
  }

  /** The provider's `watch()`: the watched drive, folder or file stays live until disposed. */
  watch(uri: vscode.Uri, recursive: boolean): vscode.Disposable {
    const w: Watch = { uri, recursive };
    this.watches.add(w);
    this.update();
    return new vscode.Disposable(() => {
      if (this.watches.delete(w)) this.update();
    });
  }

  /** A view's visible, expanded containers (an empty list when hidden). */
  setShown(owner: string, containers: readonly ContainerRef[]): void {
    this.shown.set(owner, containers);
    this.update();
  }

  /** The user looked at or acted on a container (expand, refresh): list it at the base pace again. */
  nudge(container: ContainerRef): void {
    this.poller.nudge(containerKey(container.desktopId, container.folder));
  }

  /** The folders polled now (for tests and the log). */
  get targets(): ContainerRef[] {
    return this.poller.targets.map(parseKey);
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
    this.poller.dispose();
  }

  private applySettings(): void {
    this.poller.setInterval(Math.round(this.clients.settings.liveRefreshSeconds * 1000));
    this.update();
  }

  private async poll(container: ContainerRef): Promise<{ changed: boolean }> {
    const key = containerKey(container.desktopId, container.folder);
    this.changedKeys.delete(key);
    await this.cache.get(container, { maxAgeMs: POLL_REUSE_MS, purpose: 'poll' });
    return { changed: this.changedKeys.delete(key) };
  }

  private onFetch(outcome: FetchOutcome): void {
    if (outcome.ok) {
      const changed = !!outcome.change && !outcome.change.own;
      if (changed) this.changedKeys.add(outcome.key);
      this.poller.observe(outcome.key, { ok: true, changed });
    } else {
      const retryAfterMs = (outcome.error as { retryAfterMs?: unknown })?.retryAfterMs;
      this.poller.observe(outcome.key, { ok: false, retryAfterMs: typeof retryAfterMs === 'number' ? retryAfterMs : undefined });
    }
    // A recursive watch covers the folders listed below it: a newly listed folder joins.
    const count = this.cache.knownFolderCount();
    if (count !== this.knownCount) this.update();
  }

  /** Recomputes the set of live folders from watchers, open editors and views. */
  private update(): void {
    this.knownCount = this.cache.knownFolderCount();
    const targets = new Map<string, ContainerRef>();
    const add = (ref: ContainerRef) => targets.set(containerKey(ref.desktopId, ref.folder), ref);
    for (const w of this.watches) this.addWatched(w, add);
    for (const uri of openEditorUris()) {
      const loc = parseDriveUri(uri);
      if (loc.name !== undefined) add({ desktopId: loc.desktopId, folder: loc.folder });
    }
    for (const containers of this.shown.values()) for (const c of containers) add(c);
    const before = this.poller.targets.length;
    const unlisted = new Set([...targets].filter(([, ref]) => !this.cache.peek(ref)).map(([key]) => key));
    this.poller.setTargets(targets, unlisted);
    if (targets.size !== before) this.log.debug(`live refresh: ${targets.size} folder(s) watched`);
  }

  private addWatched(w: Watch, add: (ref: ContainerRef) => void): void {
    let loc;
    try {
      loc = parseDriveUri(w.uri);
    } catch {
      return;
    }
    const { desktopId } = loc;
    let folder: string | undefined;
    if (loc.name !== undefined) {
      // A file or a folder: its parent shows it change; a folder known as one is listed too.
      add({ desktopId, folder: loc.folder });
      const entry = this.cache.peek({ desktopId, folder: loc.folder })?.byName.get(loc.name);
      if (!entry?.isDir) return;
      folder = loc.folder ? `${loc.folder}/${loc.name}` : loc.name;
    }
    add(folder === undefined ? { desktopId } : { desktopId, folder });
    if (w.recursive) for (const ref of this.cache.knownFolders(desktopId, folder)) add(ref);
  }
}

/** The `nendrive:` files open in editor tabs (text, custom, diff sides), remote-version views excluded. */
function openEditorUris(): vscode.Uri[] {
  const uris: vscode.Uri[] = [];
  const take = (uri: vscode.Uri | undefined) => {
    if (uri && uri.scheme === SCHEME && uri.query !== REMOTE_VERSION_QUERY) uris.push(uri);
  };
  for (const group of vscode.window.tabGroups.all) {
    for (const tab of group.tabs) {
      const input = tab.input;
      if (input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom || input instanceof vscode.TabInputNotebook) take(input.uri);
      else if (input instanceof vscode.TabInputTextDiff || input instanceof vscode.TabInputNotebookDiff) {
        take(input.original);
        take(input.modified);
      }
    }
  }
  return uris;
}
