/**
 * The vscode-free half of recursive folder transfers: which files of a local tree may go where
 * on the drive (names, depth and the 100 MiB rule, checked before any byte), what the drive
 * already holds along those folders, and the listing of a drive folder's whole tree. The
 * commands (src/commands/folderUpload.ts, folderDownload.ts) ask the questions and show the
 * progress; the benchmark runs the same functions.
 */
import * as l10n from '@vscode/l10n';
import type { DriveClient } from './DriveClient';
import { isNenApiError } from './errors';
import type { LocalTreeFile } from './localTree';
import { folderSegments, validateFolderName, validateFolderPath, validateName } from './names';
import { runPool } from './pool';
import { checkUploadSize } from './uploadLimit';
import { quotedName } from './display';
import type { DriveEntry } from './types';

/** One file of a local tree bound for the drive. */
export interface TreeUploadJob {
  /** `photos/2024/a.jpg`: what messages name. */
  relative: string;
  /** The drive folder it goes into (`target/photos/2024`). */
  folder: string;
  /** Its name on the drive (changed by Keep Both). */
  name: string;
  path: string;
  size: number;
  /** The drive holds a file of this name in that folder already. */
  exists?: boolean;
}

/** A file or folder left out, named by its relative path, with the reason. */
export interface TreeRefusal {
  name: string;
  reason: string;
}

const join = (...parts: (string | undefined)[]): string => parts.filter((p): p is string => !!p).join('/');

/**
 * The drive folder and name of every local file under `target`, or why it cannot go: a folder
 * or file name the drive refuses, a folder deeper than the API allows, a file over 100 MiB.
 * Nothing here touches the network.
 */
export function planTreeUpload(files: readonly LocalTreeFile[], target: string | undefined): { jobs: TreeUploadJob[]; refused: TreeRefusal[] } {
  const jobs: TreeUploadJob[] = [];
  const refused: TreeRefusal[] = [];
  for (const file of files) {
    const relative = file.segments.join('/');
    const dirs = file.segments.slice(0, -1);
    const name = file.segments[file.segments.length - 1];
    const folder = join(target, ...dirs);
    const reason = folderProblem(dirs) ?? depthProblem(folder, relative) ?? validateName(name) ?? sizeProblem(relative, file.size);
    if (reason) refused.push({ name: relative, reason });
    else jobs.push({ relative, folder, name, path: file.path, size: file.size });
  }
  return { jobs, refused };
}

function folderProblem(dirs: readonly string[]): string | undefined {
  for (const dir of dirs) {
    const reason = validateFolderName(dir);
    if (reason) return `${reason} (${quotedName(dir)})`;
  }
  return undefined;
}

function depthProblem(folder: string, relative: string): string | undefined {
  const reason = validateFolderPath(folder);
  return reason ? l10n.t({ message: '{0} cannot go: {1}', args: [quotedName(relative), reason], comment: ['{0} is a path, {1} why the drive refuses its folder path'] }) : undefined;
}

function sizeProblem(relative: string, size: number): string | undefined {
  try {
    checkUploadSize(relative, size);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** Each drive folder along the jobs: its entries (name → is a folder), or `missing` (an upload creates it). */
export type RemoteFolders = Map<string, Map<string, boolean> | 'missing'>;

/**
 * Lists, fresh from the server, every drive folder the jobs go into, from `target` down, level
 * by level and `concurrency` at a time. A folder whose parent lacks it is `missing` without a
 * request, so a tree new to the drive costs one listing.
 */
export async function listUploadFolders(
  client: DriveClient,
  desktopId: string,
  target: string | undefined,
  jobs: readonly TreeUploadJob[],
  concurrency: number,
  signal?: AbortSignal,
): Promise<RemoteFolders> {
  const top = target ?? '';
  const wanted = new Set<string>([top]);
  for (const job of jobs) {
    const below = folderSegments(job.folder).slice(folderSegments(top).length);
    for (let i = 1; i <= below.length; i++) wanted.add(join(top, ...below.slice(0, i)));
  }
  const byDepth = [...wanted].sort((a, b) => folderSegments(a).length - folderSegments(b).length);
  const folders: RemoteFolders = new Map();
  const depths = [...new Set(byDepth.map((f) => folderSegments(f).length))];
  for (const depth of depths) {
    const level = byDepth.filter((f) => folderSegments(f).length === depth);
    const toList = level.filter((f) => {
      if (f === top) return true;
      const parent = folders.get(parentOf(f));
      const there = parent instanceof Map && parent.get(lastOf(f)) === true;
      if (!there) folders.set(f, 'missing');
      return there;
    });
    const settled = await runPool(toList, concurrency, (f) => client.listFiles(desktopId, { path: f || undefined, signal }), signal);
    settled.forEach((r, i) => {
      if (r.status === 'fulfilled') folders.set(toList[i], new Map(r.value.map((e) => [e.name, e.isDir])));
      else if (isNenApiError(r.reason) && r.reason.kind === 'notFound' && toList[i] !== '') folders.set(toList[i], 'missing');
      else throw r.reason;
    });
  }
  return folders;
}

const parentOf = (f: string): string => folderSegments(f).slice(0, -1).join('/');
const lastOf = (f: string): string => folderSegments(f).slice(-1)[0] ?? '';

/**
 * Sorts the jobs against what the drive holds: a name the drive has as a folder, or a folder
 * on the way the drive has as a file, is refused (naming it and why); a name the drive has as
 * a file is marked `exists` for the Overwrite / Keep Both / Skip question.
 */
export function checkAgainstDrive(jobs: readonly TreeUploadJob[], target: string | undefined, folders: RemoteFolders): { jobs: TreeUploadJob[]; refused: TreeRefusal[] } {
  const ok: TreeUploadJob[] = [];
  const refused: TreeRefusal[] = [];
  const topDepth = folderSegments(target ?? '').length;
  for (const job of jobs) {
    const segs = folderSegments(job.folder);
    const relDirs = job.relative.split('/').slice(0, -1);
    let blocked: string | undefined;
    for (let i = topDepth; i < segs.length && !blocked; i++) {
      const parent = folders.get(segs.slice(0, i).join('/'));
      if (parent instanceof Map && parent.get(segs[i]) === false) {
        const rel = relDirs.slice(0, i - topDepth + 1).join('/');
        blocked = l10n.t({ message: '{0} is a file on the drive, so no folder of that name can be made there.', args: [quotedName(rel)], comment: ['{0} is a path'] });
      }
    }
    const here = folders.get(job.folder);
    if (!blocked && here instanceof Map && here.get(job.name) === true) blocked = l10n.t({ message: '{0} is a folder on the drive; a file cannot take its name.', args: [quotedName(job.relative)], comment: ['{0} is a path'] });
    if (blocked) refused.push({ name: job.relative, reason: blocked });
    else ok.push({ ...job, exists: here instanceof Map && here.has(job.name) });
  }
  return { jobs: ok, refused };
}

/** One file of a drive folder's tree. */
export interface RemoteTreeFile {
  folder: string | undefined;
  name: string;
  size: number;
  /** Its path below the downloaded folder, as drive names: `['2024', 'q1.csv']`. */
  segments: string[];
}

/**
 * Every file (and folder) below `root` on the drive, listed fresh, one level at a time with
 * `concurrency` listings in flight. Entries the client cannot address are `skipped` with the
 * reason; folders are returned too, so empty ones can be made locally.
 */
export async function listDriveTree(
  client: DriveClient,
  desktopId: string,
  root: string | undefined,
  concurrency: number,
  signal?: AbortSignal,
): Promise<{ files: RemoteTreeFile[]; folders: string[][]; skipped: TreeRefusal[] }> {
  const files: RemoteTreeFile[] = [];
  const folders: string[][] = [];
  const skipped: TreeRefusal[] = [];
  let level: string[][] = [[]];
  while (level.length > 0) {
    const listed = await runPool(level, concurrency, (rel) => client.listFiles(desktopId, { path: join(root, ...rel) || undefined, signal }), signal);
    const next: string[][] = [];
    listed.forEach((r, i) => {
      if (r.status === 'rejected') throw r.reason;
      for (const entry of [...r.value].sort(byName)) sortEntry(entry, level[i], { root, files, next, skipped });
    });
    folders.push(...next);
    level = next;
  }
  return { files, folders, skipped };
}

function byName(a: DriveEntry, b: DriveEntry): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function sortEntry(entry: DriveEntry, rel: string[], into: { root: string | undefined; files: RemoteTreeFile[]; next: string[][]; skipped: TreeRefusal[] }): void {
  const segments = [...rel, entry.name];
  if (entry.unreachableReason) into.skipped.push({ name: segments.join('/'), reason: entry.unreachableReason });
  else if (entry.isDir) into.next.push(segments);
  else into.files.push({ folder: join(into.root, ...rel) || undefined, name: entry.name, size: entry.size, segments });
}
