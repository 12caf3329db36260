/**
 * Where each file of a drive tree lands below a local folder, by the destination disk's own
 * rules for "same name" (`FolderNames`, probed once by the caller). Every local folder of the
 * tree gets its names: the entries already there (when it exists) and those the download
 * claims, files and subfolders alike, since a disk that ignores case holds one of `Docs` and
 * `docs`. Decisions:
 * - a drive folder whose name is an existing local folder's on this disk (`Docs` → `DOCS`)
 *   merges into it, like any existing folder; its files meet that folder's names;
 * - a second drive folder or file whose name is an earlier one's on this disk keeps both under
 *   a free name (`docs (1)`), and every file below it reports the rename and why;
 * - a local file where a folder must go, a folder (or link) where a file must go, a name no
 *   local file can hold and a path longer than the platform allows are refused by name.
 * vscode-free; the file system calls are given (unit tests pass their own).
 */
import * as l10n from '@vscode/l10n';
import { promises as fsp } from 'node:fs';
import * as nodePath from 'node:path';
import { TEMP_NAME_EXTRA } from './atomicFile';
import { quotedName } from './display';
import { localName, longPath, pathTooLong } from './localName';
import { FolderNames, type FolderRules } from './sameName';

export type LocalKind = 'absent' | 'file' | 'folder' | 'other';

/** What the planner reads from the disk. */
export interface PlanFs {
  /** The entries of an existing folder and their kinds. */
  list(folder: string): Promise<Map<string, LocalKind>>;
  /** What is at a path (for names the disk matches by a rule finer than ours). */
  kind(path: string): Promise<LocalKind>;
}

/** A drive name saved under another local path, and why. */
export interface TreeRename {
  /** The drive path from the destination: `mixed/docs`. */
  name: string;
  /** The local path from the destination: `mixed/docs (1)`. */
  as: string;
  because: string[];
}

/** One local folder of the tree: its path and its names as its disk compares them. */
export interface LocalFolder {
  folder: string;
  names: FolderNames;
  /** True when it was there before the download. */
  existed: boolean;
}

/** Where one drive file goes. */
export interface TreePlace {
  path: string;
  /** The folder it lands in (for Keep Both and the question). */
  at: LocalFolder;
  /** Set when the local path (from the destination) differs from the drive path. */
  renamed?: { as: string; because: string[] };
  /** A local file that writing `path` would replace (the disk may spell it differently). */
  existing?: { as: string; because?: string };
}

/** The real disk, every path in its long form on Windows. */
export const diskPlanFs: PlanFs = {
  async list(folder) {
    const entries = await fsp.readdir(longPath(folder), { withFileTypes: true });
    return new Map(entries.map((e) => [e.name, e.isFile() ? 'file' : e.isDirectory() ? 'folder' : 'other']));
  },
  async kind(path) {
    const st = await fsp.lstat(longPath(path)).catch(() => undefined);
    return !st ? 'absent' : st.isFile() ? 'file' : st.isDirectory() ? 'folder' : 'other';
  },
};

type Resolved = { ok: true; at: LocalFolder; because: string[] } | { ok: false; reason: string };

export class TreePlanner {
  private readonly folders = new Map<string, Promise<Resolved>>();
  private readonly kinds = new Map<LocalFolder, Map<string, LocalKind>>();
  /** Drive folders saved under another local name (their own name changed), in the order met. */
  readonly folderRenames: TreeRename[] = [];

  constructor(
    readonly into: string,
    private readonly rules: FolderRules,
    private readonly fs: PlanFs,
    existingInto: Map<string, LocalKind>,
  ) {
    this.folders.set('', Promise.resolve({ ok: true, at: this.folderOf(into, existingInto, true), because: [] }));
  }

  /** The local path from the destination, with `/`. */
  relative(path: string): string {
    return nodePath.relative(this.into, path).split(nodePath.sep).join('/');
  }

  /** Places the drive file at `segments` (from the destination: `['mixed', 'docs', 'a.txt']`), or says why it cannot land. */
  async placeFile(segments: readonly string[]): Promise<TreePlace | { refused: string }> {
    const parent = await this.folderAt(segments.slice(0, -1));
    if (!parent.ok) return { refused: parent.reason };
    const at = parent.at;
    const local = localName(segments[segments.length - 1]);
    if (!local.storable) return { refused: local.reasons.join('; ') };
    const claim = at.names.claim(local.local);
    const path = nodePath.join(at.folder, claim.name);
    const tooLong = pathTooLong(path, TEMP_NAME_EXTRA);
    if (tooLong) return { refused: tooLong };
    const because = [...parent.because, ...(local.changed ? local.reasons : []), ...(claim.keptBoth ? [claim.keptBoth] : [])];
    const place: TreePlace = { path, at, ...(because.length > 0 ? { renamed: { as: this.relative(path), because } } : {}) };
    const kind = claim.existing ? (this.kinds.get(at)?.get(claim.existing.as) ?? 'file') : at.existed ? await this.fs.kind(path) : 'absent';
    if (kind === 'folder' || kind === 'other') return { refused: cannotReplace(path, kind, claim.existing?.because) };
    if (kind === 'file') place.existing = claim.existing ?? { as: claim.name };
    return place;
  }

  /** Keep Both: a free name in the place's folder, with why it differs from the drive name. */
  keepBoth(place: TreePlace): TreePlace {
    const name = place.at.names.freeName(nodePath.basename(place.path));
    const path = nodePath.join(place.at.folder, name);
    const why = place.existing?.because ?? l10n.t({ message: '{0} exists', args: [quotedName(place.existing?.as ?? nodePath.basename(place.path))], comment: ['{0} is a file name: why a download was saved under another name'] });
    return { path, at: place.at, renamed: { as: this.relative(path), because: [...(place.renamed?.because ?? []), why] } };
  }

  /** The local folder for the drive folder at `segments` (each drive folder is claimed once, when first met). */
  folderAt(segments: readonly string[]): Promise<Resolved> {
    const key = segments.join('/');
    let found = this.folders.get(key);
    if (!found) {
      found = this.resolve(segments);
      this.folders.set(key, found);
    }
    return found;
  }

  private async resolve(segments: readonly string[]): Promise<Resolved> {
    const parent = await this.folderAt(segments.slice(0, -1));
    if (!parent.ok) return parent;
    const drive = segments[segments.length - 1];
    const local = localName(drive);
    if (!local.storable) return { ok: false, reason: folderReason(segments, local.reasons.join('; ')) };
    const claim = parent.at.names.claim(local.local);
    const path = nodePath.join(parent.at.folder, claim.existing ? claim.existing.as : claim.name);
    const tooLong = pathTooLong(path);
    if (tooLong) return { ok: false, reason: folderReason(segments, tooLong) };
    const kind = claim.existing ? (this.kinds.get(parent.at)?.get(claim.existing.as) ?? 'other') : parent.at.existed ? await this.fs.kind(path) : 'absent';
    if (kind === 'file' || kind === 'other') {
      return { ok: false, reason: cannotMakeFolder(path, kind, claim.existing?.because) };
    }
    const own = [...(local.changed ? local.reasons : []), ...(claim.keptBoth ? [claim.keptBoth] : [])];
    if (own.length > 0) this.folderRenames.push({ name: segments.join('/'), as: this.relative(path), because: own });
    const at = this.folderOf(path, kind === 'folder' ? await this.fs.list(path) : new Map(), kind === 'folder');
    return { ok: true, at, because: [...parent.because, ...own] };
  }

  private folderOf(folder: string, entries: Map<string, LocalKind>, existed: boolean): LocalFolder {
    const at = { folder, names: new FolderNames(this.rules, entries.keys()), existed };
    this.kinds.set(at, entries);
    return at;
  }
}

function folderReason(segments: readonly string[], reason: string): string {
  return l10n.t({ message: 'folder {0}: {1}', args: [quotedName(segments.join('/')), reason], comment: ['{0} is a folder path, {1} why no local folder can have that name'] });
}

/** Why a downloaded file cannot go to `path`: a folder or special file is there (the same one, `because`). */
function cannotReplace(path: string, kind: 'folder' | 'other', because: string | undefined): string {
  const name = quotedName(path);
  if (kind === 'folder') {
    return because
      ? l10n.t({ message: '{0} is a folder on this computer; a file cannot replace it ({1})', args: [name, because], comment: ['{0} is a path, {1} why two names are one on this disk'] })
      : l10n.t({ message: '{0} is a folder on this computer; a file cannot replace it', args: [name], comment: ['{0} is a path'] });
  }
  return because
    ? l10n.t({ message: '{0} is not a regular file on this computer; a file cannot replace it ({1})', args: [name, because], comment: ['{0} is a path, {1} why two names are one on this disk'] })
    : l10n.t({ message: '{0} is not a regular file on this computer; a file cannot replace it', args: [name], comment: ['{0} is a path'] });
}

/** Why a drive folder cannot be made at `path`: a file or special file is there (the same one, `because`). */
function cannotMakeFolder(path: string, kind: 'file' | 'other', because: string | undefined): string {
  const name = quotedName(path);
  if (kind === 'file') {
    return because
      ? l10n.t({ message: '{0} is a file on this computer, so the folder cannot be made there ({1})', args: [name, because], comment: ['{0} is a path, {1} why two names are one on this disk'] })
      : l10n.t({ message: '{0} is a file on this computer, so the folder cannot be made there', args: [name], comment: ['{0} is a path'] });
  }
  return because
    ? l10n.t({ message: '{0} is not a folder on this computer, so the folder cannot be made there ({1})', args: [name, because], comment: ['{0} is a path, {1} why two names are one on this disk'] })
    : l10n.t({ message: '{0} is not a folder on this computer, so the folder cannot be made there', args: [name], comment: ['{0} is a path'] });
}
