import * as vscode from 'vscode';
import type { FetchOutcome, ListingCache } from '../cache/ListingCache';
import { SCHEME } from '../constants';
import { entryUri } from '../drive/uri';

export const NEW_BADGE = 'N';
export const CHANGED_BADGE = 'M';

interface Mark {
  kind: 'new' | 'changed';
  /** When this window noticed it (ms). */
  at: number;
}

/**
 * Marks files that someone else created or changed on the drive since this window last saw
 * them, like git's U and M: a badge and a colour in the tree and in Explorer `nendrive:`
 * folders, propagated to the folders and the desktop that hold them. The first listing of a
 * folder is the baseline (nothing is marked); reading a file for an editor clears its mark;
 * this window's own uploads are never marked.
 */
export class DriveDecorationProvider implements vscode.FileDecorationProvider, vscode.Disposable {
  private readonly marks = new Map<string, Mark>();
  private readonly emitter = new vscode.EventEmitter<vscode.Uri[]>();
  readonly onDidChangeFileDecorations = this.emitter.event;
  private readonly subscriptions: vscode.Disposable[];

  /**
   * @param onDidRead a file was read for an editor: its mark clears.
   * @param onDidReset another server or key: every listing is forgotten, and so is every mark.
   */
  constructor(cache: ListingCache, onDidRead: vscode.Event<vscode.Uri>, onDidReset: vscode.Event<void>, private readonly now: () => number = Date.now) {
    const fetched = cache.onDidFetch((o) => this.onFetch(o));
    this.subscriptions = [
      new vscode.Disposable(() => fetched.dispose()),
      onDidRead((uri) => this.clear([uri])),
      onDidReset(() => this.clear([...this.marks.keys()].map((k) => vscode.Uri.parse(k)))),
      this.emitter,
    ];
  }

  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    if (uri.scheme !== SCHEME) return undefined;
    const mark = this.marks.get(keyOf(uri));
    if (!mark) return undefined;
    const decoration =
      mark.kind === 'new'
        ? new vscode.FileDecoration(NEW_BADGE, describeMark(mark), new vscode.ThemeColor('nenDrive.newFileForeground'))
        : new vscode.FileDecoration(CHANGED_BADGE, describeMark(mark), new vscode.ThemeColor('nenDrive.changedFileForeground'));
    decoration.propagate = true;
    return decoration;
  }

  /** The mark's sentence for a tooltip (the tree's rows have tooltips of their own, which replace the decoration's). */
  describe(uri: vscode.Uri): string | undefined {
    const mark = this.marks.get(keyOf(uri));
    return mark && describeMark(mark);
  }

  /** The file's mark, if any (for its screen-reader label). */
  kindOf(uri: vscode.Uri): 'new' | 'changed' | undefined {
    return this.marks.get(keyOf(uri))?.kind;
  }

  /** Some marked file lies at or under `uri` (a desktop's root or a folder): the propagated badge. */
  hasMarksUnder(uri: vscode.Uri): boolean {
    const key = keyOf(uri);
    const prefix = key.endsWith('/') ? key : `${key}/`;
    for (const k of this.marks.keys()) if (k === key || k.startsWith(prefix)) return true;
    return false;
  }

  /** The marked files (for tests): URI string → 'new' | 'changed'. */
  get marked(): ReadonlyMap<string, 'new' | 'changed'> {
    return new Map([...this.marks].map(([k, m]) => [k, m.kind]));
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
  }

  private onFetch(outcome: FetchOutcome): void {
    if (!outcome.ok || !outcome.change) return;
    const { container, created, changed, deleted, own } = outcome.change;
    const at = (name: string) => entryUri(container.desktopId, container.folder, name);
    const touched: vscode.Uri[] = [];
    const now = this.now();
    if (own) {
      // Our own upload: whatever mark the file had is stale now.
      for (const e of [...created, ...changed]) if (this.marks.delete(keyOf(at(e.name)))) touched.push(at(e.name));
    } else {
      for (const e of created) {
        if (e.isDir) continue;
        this.marks.set(keyOf(at(e.name)), { kind: 'new', at: now });
        touched.push(at(e.name));
      }
      for (const e of changed) {
        const key = keyOf(at(e.name));
        // A file still unopened since it appeared stays "new".
        if (this.marks.get(key)?.kind !== 'new') this.marks.set(key, { kind: 'changed', at: now });
        touched.push(at(e.name));
      }
    }
    for (const e of deleted) if (this.marks.delete(keyOf(at(e.name)))) touched.push(at(e.name));
    if (touched.length > 0) this.emitter.fire(touched);
  }

  private clear(uris: vscode.Uri[]): void {
    const cleared = uris.filter((u) => this.marks.delete(keyOf(u)));
    if (cleared.length > 0) this.emitter.fire(cleared);
  }
}

function describeMark(mark: Mark): string {
  const when = new Date(mark.at).toLocaleTimeString(vscode.env.language);
  return mark.kind === 'new'
    ? vscode.l10n.t('New on the drive since you last looked (appeared at {0})', when)
    : vscode.l10n.t('Changed on the drive by someone else (noticed at {0})', when);
}

function keyOf(uri: vscode.Uri): string {
  return uri.with({ query: '', fragment: '' }).toString();
}
