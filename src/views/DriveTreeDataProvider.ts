import * as vscode from 'vscode';
import type { DriveEntry } from '../api/types';
import { containerKey, type ContainerRef, type FetchOutcome, type ListingChange } from '../cache/ListingCache';
import { ContextKeys } from '../constants';
import { describeError, errorKind } from '../drive/errors';
import { parseDriveUri } from '../drive/uri';
import type { Services } from '../services';
import { folderOf, type DesktopNode, type DriveNode, type EntryNode, type MessageNode } from './nodes';
import { formatCount } from '../api/format';
import type { Desktop } from '../api/types';
import { DesktopStatusWatch, type StatusAnswer } from './DesktopStatusWatch';
import { applyDesktop, desktopNode, errorRow, isSettling, keyOfContainer, notFoundNode, refOf, shortReason, sortedRows, type SortedRows } from './rows';
import { SORT_ORDER_STATE_KEY, storedSortOrder, type SortOrder } from './sortOrder';
import { treeItemFor, withTooltip, type RowMarks } from './treeItems';

/** Rows the Desktops view shows of one folder before its "Show more" row; each click doubles it. */
export const ROWS_SHOWN = 500;

/** While the view is visible, the ages on its rows are told again this often (see {@link DriveTreeDataProvider.reage}). */
export const AGE_EVERY_MS = 30_000;

/**
 * The Nen Drive tree: desktops at the root, their files below. It only fetches inside
 * `getChildren`, which VS Code calls only while the view is visible, so a hidden view costs
 * no requests. Listings come from the file system provider's cache; Refresh asks for fresh ones.
 */
export class DriveTreeDataProvider implements vscode.TreeDataProvider<DriveNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<DriveNode | DriveNode[] | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  /** The root rows, kept until a refresh, a settings change or a key change. */
  private roots: Promise<DriveNode[]> | undefined;
  /**
   * Refresh bookkeeping: each container remembers the refresh generation it was listed in;
   * one listed before the latest Refresh (or marked -1 by a targeted refresh) bypasses the
   * provider's cache once. A first listing may use the cache (an editor may have warmed it).
   */
  private generation = 0;
  private readonly listedIn = new Map<string, number>();
  /** Sorted children per listing array: a re-render of an unchanged listing is free. */
  private readonly sorted = new WeakMap<readonly DriveEntry[], SortedRecord>();
  /** Rows shown per container beyond {@link ROWS_SHOWN} (raised by its "Show more" row, or to reveal a row). */
  private readonly rowLimits = new Map<string, number>();
  /** The listing each container's rows were last built from. */
  private readonly listings = new Map<string, readonly DriveEntry[]>();
  /** Name, size or modified (folders first always); remembered per workspace. */
  private order: SortOrder;
  private readonly disposables: vscode.Disposable[] = [];
  /** The latest node object handed to VS Code per container key: what a repaint fires. */
  private readonly containers = new Map<string, DesktopNode | EntryNode>();
  /** Containers VS Code shows expanded (their rows' keys); shown only while every ancestor is too. */
  private readonly expanded = new Set<string>();
  private visible = false;
  /** Tells the rows' ages again while the view is visible. */
  private ageTimer: NodeJS.Timeout | undefined;
  /** A failure seen by someone else's listing (a poll), shown by the next getChildren without a new request. */
  private readonly failed = new Map<string, unknown>();
  /** Containers showing an error row now: further failures do not repaint them, a success does. */
  private readonly showingError = new Set<string>();
  /** Containers whose row VS Code last got as holding marked files (its screen-reader label says so). */
  private readonly labelledMarked = new Set<string>();

  private readonly desktopIcon: { light: vscode.Uri; dark: vscode.Uri };
  /** The desktop rows of the latest root listing (what status checks update in place). */
  private desktops: DesktopNode[] = [];
  private readonly statusWatch: DesktopStatusWatch;

  /**
   * @param markOf the "new / changed by someone else" sentence for a row's URI, if it is marked
   * (the row's own tooltip replaces the decoration's, so the tooltip repeats it).
   * @param marks which rows are marked, for their screen-reader labels.
   */
  constructor(
    private readonly services: Services,
    private readonly markOf: (uri: vscode.Uri) => string | undefined = () => undefined,
    private readonly marks?: RowMarks,
  ) {
    this.order = storedSortOrder(services.context.workspaceState);
    void vscode.commands.executeCommand('setContext', ContextKeys.sortOrder, this.order);
    const media = vscode.Uri.joinPath(services.context.extensionUri, 'media');
    this.desktopIcon = { light: vscode.Uri.joinPath(media, 'desktop-light.svg'), dark: vscode.Uri.joinPath(media, 'desktop-dark.svg') };
    const fetched = services.fs.cache.onDidFetch((outcome) => this.onFetch(outcome));
    this.statusWatch = new DesktopStatusWatch(
      (id) => this.checkDesktop(id),
      (id, answer) => this.onStatus(id, answer),
    );
    this.disposables.push(
      new vscode.Disposable(() => this.statusWatch.dispose()),
      this.changed,
      new vscode.Disposable(() => fetched.dispose()),
      // Fires for settings and key changes alike.
      services.clients.onDidChange(() => this.refresh()),
      // The rows again (not their listings): the desktop icon depends on the theme.
      vscode.window.onDidChangeActiveColorTheme(() => this.changed.fire(undefined)),
    );
  }

  /** The view's visibility and expansion (from the TreeView's events): what is live. */
  setVisible(visible: boolean): void {
    const shows = visible && !this.visible;
    this.visible = visible;
    this.publishShown();
    this.watchStatuses();
    if (!visible) {
      clearInterval(this.ageTimer);
      this.ageTimer = undefined;
    } else if (shows) {
      // The rows VS Code kept while hidden may tell old ages: those that changed repaint now.
      this.reage();
      this.ageTimer = setInterval(() => this.reage(), AGE_EVERY_MS);
      this.ageTimer.unref?.();
    }
  }

  /**
   * The rows shown (in expanded containers, the view visible) whose age text changed since it
   * was told, "just now" having become "1m ago" or "59m ago" "1h ago": VS Code repaints those rows
   * alone, and a folder of files days old repaints nothing. Without it a row kept the age of
   * when its folder was last built, which a folder whose files only grow (repainted row by row)
   * or that never changes could keep for hours. Returns the rows repainted.
   */
  reage(nowMs = Date.now()): EntryNode[] {
    const rows: EntryNode[] = [];
    if (!this.visible) return rows;
    for (const key of this.expanded) {
      const node = this.containers.get(key);
      const built = this.builtRows(key)?.ready;
      if (node && built && this.ancestorsExpanded(node)) rows.push(...built.reage(nowMs));
    }
    if (rows.length > 0) this.changed.fire(rows);
    return rows;
  }

  /**
   * A desktop as the API now describes it (a rename, a status check): its row changes in place.
   * Returns false when the tree shows no row for it.
   */
  updateDesktop(d: Desktop): boolean {
    const node = this.desktops.find((n) => n.desktopId === d.desktop_id && !n.notFound);
    if (!node) return false;
    if (applyDesktop(node, d)) this.changed.fire(node);
    this.watchStatuses();
    return true;
  }

  /** Desktop rows shown whose status is not `running` are checked again, bounded (DesktopStatusWatch). */
  private watchStatuses(): void {
    const ids = this.visible ? this.desktops.filter(isSettling).map((n) => n.desktopId) : [];
    this.statusWatch.set(ids, Math.round(this.services.clients.settings.liveRefreshSeconds * 1000));
  }

  private async checkDesktop(id: string): Promise<StatusAnswer> {
    try {
      return await this.services.clients.get().getDesktop(id);
    } catch (err) {
      if (errorKind(err) === 'notFound') return 'gone';
      throw err;
    }
  }

  private onStatus(id: string, answer: StatusAnswer): void {
    // Gone: list the desktops again (a configured one becomes a "not found" row, a listed one goes).
    if (answer === 'gone') this.refresh();
    else this.updateDesktop({ ...answer, desktop_id: id });
  }

  setExpanded(node: DriveNode, expanded: boolean): void {
    if (node.kind !== 'desktop' && node.kind !== 'folder') return;
    const key = keyOfContainer(node);
    if (expanded) {
      this.expanded.add(key);
      this.services.live.nudge(refOf(node));
    } else this.expanded.delete(key);
    this.publishShown();
  }

  /**
   * Any listing of a container the tree shows, by anyone (a poll, an editor's stat, a save):
   * a change repaints that container alone, keeping expansion, selection and scroll; a failure
   * shows the error row once; the first success after a failure brings the rows back.
   */
  private onFetch(outcome: FetchOutcome): void {
    const node = this.containers.get(outcome.key);
    if (!node) return;
    if (!outcome.ok) {
      if (this.showingError.has(outcome.key)) return;
      this.failed.set(outcome.key, outcome.error);
      this.changed.fire(node);
      return;
    }
    this.failed.delete(outcome.key);
    if (this.showingError.has(outcome.key)) return this.changed.fire(node);
    if (!outcome.change) return;
    const rows = this.applyInPlace(outcome.change);
    if (!rows) this.changed.fire(node);
    else if (rows.length > 0) this.changed.fire(rows);
  }

  /**
   * A change of sizes and times only, to rows built from the listing the change compares with,
   * none of which moves (see SortedRows.apply): the rows shown are updated in place and returned
   * (VS Code then repaints those rows, not the folder's 500), and the new listing keeps these
   * rows. Undefined when the folder must be built again (files came or went, a row moves, the
   * order changed, other rows shown). A growing log in a long folder otherwise costs a whole
   * folder's repaint at every poll.
   */
  private applyInPlace(change: ListingChange): EntryNode[] | undefined {
    if (change.created.length > 0 || change.deleted.length > 0) return undefined;
    if (this.listings.get(change.key) !== change.base) return undefined;
    // Someone else changed a file: it gets a mark, and the folder's own row, unless it already
    // says so, must now read "has new or changed files", which takes repainting the folder.
    if (!change.own && change.changed.length > 0 && !this.labelledMarked.has(change.key)) return undefined;
    const record = this.builtRows(change.key);
    if (!record?.ready || record.order !== this.order) return undefined;
    const rows = record.ready.apply(change.entries, Date.now());
    if (!rows) return undefined;
    this.listings.set(change.key, change.entries);
    this.sorted.set(change.entries, record);
    return rows;
  }

  /** Expanded containers whose ancestors are all expanded, while the view is visible. */
  private publishShown(): void {
    const shown: ContainerRef[] = [];
    if (this.visible) {
      for (const key of this.expanded) {
        const node = this.containers.get(key);
        if (node && this.ancestorsExpanded(node)) shown.push(refOf(node));
      }
    }
    this.services.live.setShown('tree', shown);
  }

  private ancestorsExpanded(node: DesktopNode | EntryNode): boolean {
    for (let p = node.kind === 'desktop' ? undefined : node.parent; p; p = p.kind === 'desktop' ? undefined : p.parent) {
      if (!this.expanded.has(keyOfContainer(p))) return false;
    }
    return true;
  }

  /** Reloads one container (fresh listing), or everything when `node` is undefined. */
  refresh(node?: DriveNode): void {
    if (!node || node.kind === 'desktop' && node.notFound) {
      this.roots = undefined;
      this.generation++;
      this.failed.clear();
      this.showingError.clear();
      // Every row is rebuilt: VS Code asks again for the children of what stays expanded, and
      // only those become live again (a desktop that left the list stops being polled now).
      this.containers.clear();
      this.listings.clear();
      this.expanded.clear();
      this.desktops = [];
      this.statusWatch.restart();
      this.watchStatuses();
      this.publishShown();
      this.changed.fire(undefined);
      return;
    }
    const container = node.kind === 'message' ? node.parent : node.kind === 'file' ? node.parent : node;
    if (!container) return this.refresh();
    const key = keyOfContainer(container);
    this.listedIn.set(key, -1);
    this.failed.delete(key);
    this.showingError.delete(key);
    this.services.live.nudge(refOf(container));
    this.changed.fire(container);
  }

  /**
   * Files' marks came or went (opened, or found new or changed by a poll): VS Code repaints the
   * rows of those files it has, and each desktop or folder row above them whose "has new or
   * changed files" no longer holds (no listing), so screen-reader labels and hovers say the
   * current state. A growing log marked at every poll repaints its own row, not the tree.
   */
  relabel(uris: readonly vscode.Uri[]): void {
    const rows = new Set<DriveNode>();
    for (const uri of uris) {
      let where: { desktopId: string; folder?: string; name?: string };
      try {
        where = parseDriveUri(uri);
      } catch {
        continue;
      }
      if (where.name === undefined) continue;
      const row = this.shownRow(containerKey(where.desktopId, where.folder), where.name);
      if (row) rows.add(row);
      const segments = where.folder ? where.folder.split('/') : [];
      for (let depth = 0; depth <= segments.length; depth++) {
        const key = containerKey(where.desktopId, depth === 0 ? undefined : segments.slice(0, depth).join('/'));
        const container = this.containers.get(key);
        if (container && this.marks && this.marks.hasMarksUnder(container.uri) !== this.labelledMarked.has(key)) rows.add(container);
      }
    }
    if (rows.size > 0) this.changed.fire([...rows]);
  }

  /** The row VS Code was given for `name` in a container, if any. */
  private shownRow(key: string, name: string): EntryNode | undefined {
    return this.builtRows(key)?.ready?.made(name);
  }

  /** The rows of a container, sorted from the listing they were last built from. */
  private builtRows(key: string): SortedRecord | undefined {
    const listing = this.listings.get(key);
    return listing && this.sorted.get(listing);
  }

  get sortOrder(): SortOrder {
    return this.order;
  }

  /** Re-sorts every shown folder in `order` (no new listing) and remembers it for this workspace. */
  async setSortOrder(order: SortOrder): Promise<void> {
    this.order = order;
    await this.services.context.workspaceState.update(SORT_ORDER_STATE_KEY, order);
    await vscode.commands.executeCommand('setContext', ContextKeys.sortOrder, order);
    // The roots are kept; VS Code asks again for the children of what is expanded, keeping expansion.
    this.changed.fire(undefined);
  }

  getTreeItem(node: DriveNode): vscode.TreeItem {
    if ((node.kind === 'desktop' || node.kind === 'folder') && this.marks) {
      const key = keyOfContainer(node);
      if (this.marks.hasMarksUnder(node.uri)) this.labelledMarked.add(key);
      else this.labelledMarked.delete(key);
    }
    return treeItemFor(node, desktopIconFor(this.desktopIcon, vscode.window.activeColorTheme.kind), this.marks);
  }

  /** Tooltips are built only when hovered, keeping getChildren cheap for 10,000 rows. */
  resolveTreeItem(item: vscode.TreeItem, node: DriveNode): vscode.TreeItem {
    return withTooltip(item, node, node.kind === 'file' ? this.markOf(node.uri) : undefined);
  }

  getParent(node: DriveNode): DriveNode | undefined {
    return node.kind === 'desktop' ? undefined : node.parent;
  }

  async getChildren(node?: DriveNode): Promise<DriveNode[]> {
    if (!node) {
      if (!this.roots) this.roots = this.loadRoots();
      return this.roots;
    }
    if (node.kind === 'message' || node.kind === 'file') return [];
    if (node.kind === 'desktop' && node.notFound) return [];
    return this.loadEntries(node);
  }

  private async loadRoots(): Promise<DriveNode[]> {
    const source = await this.services.keys.refreshContext();
    // No key at all: an empty tree lets the "Set API Key" welcome view show.
    if (source === 'none') return [];
    const { desktops: configured } = this.services.clients.settings;
    const client = this.services.clients.get();
    let nodes: DesktopNode[];
    try {
      if (configured.length > 0) {
        const answers = await Promise.all(
          configured.map(async (id): Promise<DesktopNode> => {
            try {
              return desktopNode(await client.getDesktop(id), true);
            } catch (err) {
              if (errorKind(err) === 'notFound') return notFoundNode(id);
              // One bad key fails every desktop: say it once, at the root.
              if (errorKind(err) === 'unauthorized' || errorKind(err) === 'network') throw err;
              return { ...desktopNode({ desktop_id: id }, true), description: `${id} · ${shortReason(err)}` };
            }
          }),
        );
        nodes = answers;
      } else {
        nodes = (await client.listDesktops()).map((d) => desktopNode(d, false));
      }
    } catch (err) {
      this.services.log.warn(`Listing desktops failed: ${describeError(err, this.services.log.redact)}`);
      this.roots = undefined; // a retry must fetch again
      return [errorRow(err, undefined, this.services.log.redact)];
    }
    for (const n of nodes) this.containers.set(keyOfContainer(n), n);
    this.desktops = nodes;
    this.publishShown();
    this.watchStatuses();
    void vscode.commands.executeCommand('setContext', ContextKeys.hasDesktops, nodes.length > 0);
    return nodes;
  }

  private async loadEntries(container: DesktopNode | EntryNode): Promise<DriveNode[]> {
    const folder = folderOf(container);
    const key = containerKey(container.desktopId, folder);
    // VS Code asks for children only of expanded containers.
    this.containers.set(key, container);
    if (!this.expanded.has(key)) {
      this.expanded.add(key);
      this.publishShown();
    }
    const failure = this.failed.get(key);
    if (failure !== undefined) {
      this.failed.delete(key);
      this.showingError.add(key);
      return [errorRow(failure, container, this.services.log.redact)];
    }
    const listed = this.listedIn.get(key);
    const fresh = listed !== undefined && listed !== this.generation;
    this.listedIn.set(key, this.generation);
    let entries: readonly DriveEntry[];
    try {
      entries = await this.services.fs.list(container.desktopId, folder, { fresh });
    } catch (err) {
      this.services.log.warn(`Listing ${container.desktopId}${folder ? `/${folder}` : ''} failed: ${describeError(err, this.services.log.redact)}`);
      this.failed.delete(key); // this very failure, reported by the cache while we awaited it
      this.showingError.add(key);
      return [errorRow(err, container, this.services.log.redact)];
    }
    this.showingError.delete(key);
    if (entries.length === 0) {
      return [{ kind: 'message', parent: container, label: vscode.l10n.t('No files yet'), detail: vscode.l10n.t('drop files here or use Upload'), action: 'upload', isError: false }];
    }
    this.listings.set(key, entries);
    return this.shownRows(container, key, await this.rowsOf(container, folder, entries));
  }

  /** A listing's rows, sorted once per listing array and order; each row made when first shown. */
  private rowsOf(container: DesktopNode | EntryNode, folder: string | undefined, entries: readonly DriveEntry[]): Promise<SortedRows> {
    const cached = this.sorted.get(entries);
    if (cached && cached.parent === container && cached.order === this.order) return cached.rows;
    // Sorted in slices of the event loop; a second ask meanwhile (the workbench's, after a
    // refresh event) shares the same rows.
    const rows = sortedRows(container, folder, entries, Date.now(), this.order, (row) => {
      if (row.kind === 'folder') this.containers.set(keyOfContainer(row), row);
    });
    const record: SortedRecord = { parent: container, order: this.order, rows };
    void rows.then((ready) => (record.ready = ready));
    this.sorted.set(entries, record);
    return rows;
  }

  /**
   * The rows VS Code gets: the first {@link ROWS_SHOWN} (or the container's raised limit), then a
   * "Show more" row. VS Code makes a tree item of every row it is given and sends them all to the
   * window on every refresh, on the extension host's thread: 10,000 rows held it for about 300 ms.
   */
  private shownRows(container: DesktopNode | EntryNode, key: string, rows: SortedRows): DriveNode[] {
    const limit = this.rowLimits.get(key) ?? ROWS_SHOWN;
    const shown: DriveNode[] = rows.first(limit);
    if (rows.length <= limit) return shown;
    const more = Math.min(limit, rows.length - limit);
    shown.push({
      kind: 'message',
      parent: container,
      label: vscode.l10n.t({ message: 'Show {0} more', args: [formatCount(more)], comment: ['the last row of a long folder; {0} is a number of rows'] }),
      detail: vscode.l10n.t({ message: '{0} of {1} shown · Go to File… finds any', args: [formatCount(limit), formatCount(rows.length)], comment: ['beside "Show N more"; Go to File… is the command that searches the drive'] }),
      action: 'more',
      isError: false,
    } satisfies MessageNode);
    return shown;
  }

  /** The click of a "Show more" row: twice as many of the container's rows (no new listing). */
  showMore(container: DesktopNode | EntryNode): void {
    const key = keyOfContainer(container);
    this.rowLimits.set(key, (this.rowLimits.get(key) ?? ROWS_SHOWN) * 2);
    this.changed.fire(this.containers.get(key) ?? container);
  }

  /**
   * Makes the row of `name` one VS Code is given (for a reveal): raises the container's limit to
   * include it. True when the limit rose (VS Code then asks for the rows again).
   */
  async showRowNamed(container: DesktopNode | EntryNode, name: string): Promise<boolean> {
    const folder = folderOf(container);
    const key = keyOfContainer(container);
    const entries = this.listings.get(key);
    if (!entries) return false;
    const rows = await this.rowsOf(container, folder, entries);
    const at = rows.indexOf(name);
    const limit = this.rowLimits.get(key) ?? ROWS_SHOWN;
    if (at < limit) return false;
    let raised = limit;
    while (raised <= at) raised *= 2;
    this.rowLimits.set(key, raised);
    this.changed.fire(this.containers.get(key) ?? container);
    return true;
  }

  dispose(): void {
    clearInterval(this.ageTimer);
    for (const d of this.disposables) d.dispose();
  }
}

/** A listing's sorted rows, for one container object and order. */
interface SortedRecord {
  parent: DesktopNode | EntryNode;
  order: SortOrder;
  rows: Promise<SortedRows>;
  /** The rows once sorted. */
  ready?: SortedRows;
}

/**
 * The desktop row's icon for a theme. VS Code draws a high-contrast theme's rows with the `dark`
 * icon, High Contrast Light's too, where its light grey stroke all but vanishes (1.7:1 on white):
 * that theme gets the dark-stroked light icon in both places.
 */
function desktopIconFor(icons: { light: vscode.Uri; dark: vscode.Uri }, kind: vscode.ColorThemeKind): { light: vscode.Uri; dark: vscode.Uri } {
  return kind === vscode.ColorThemeKind.HighContrastLight ? { light: icons.light, dark: icons.light } : icons;
}
