import * as l10n from '@vscode/l10n';
import { promises as fsp, type Stats } from 'node:fs';
import * as nodePath from 'node:path';
import { NenApiError } from './errors';

/** One regular file found under a local folder. */
export interface LocalTreeFile {
  /** Its path from the walked folder's parent, as segments: `['photos', '2024', 'a.jpg']`. */
  segments: string[];
  /** Absolute local path. */
  path: string;
  size: number;
}

/** Something the walk leaves out, with the reason (symbolic links, special files, empty or unreadable folders). */
export interface LocalTreeSkip {
  /** `photos/2024/link`, relative like {@link LocalTreeFile.segments}. */
  relative: string;
  reason: string;
}

export interface LocalTree {
  files: LocalTreeFile[];
  skipped: LocalTreeSkip[];
}

/** Why a non-regular, non-folder entry is skipped: a whole phrase per kind. */
function specialReason(st: Stats): string {
  if (st.isSymbolicLink()) return l10n.t('it is a symbolic link (links are not followed)');
  if (st.isFIFO()) return l10n.t('it is a named pipe');
  if (st.isSocket()) return l10n.t('it is a socket');
  if (st.isCharacterDevice() || st.isBlockDevice()) return l10n.t('it is a device');
  return l10n.t('it is not a regular file');
}

/**
 * Every regular file below `root` (a local folder), depth first in name order, without
 * following links: a link or special file is skipped with its reason, never read. Folders are
 * read one at a time with `opendir` and each entry `lstat`ed once, so 10,000 files cost 10,000
 * small objects, not 10,000 pending promises. An empty folder is reported, since the drive can
 * only make a folder by putting a file in it. `signal` stops the walk (rejects `cancelled`).
 */
export async function walkLocalFolder(root: string, signal?: AbortSignal): Promise<LocalTree> {
  const tree: LocalTree = { files: [], skipped: [] };
  const base = nodePath.basename(nodePath.resolve(root));
  const pending: { path: string; segments: string[] }[] = [{ path: nodePath.resolve(root), segments: [base] }];
  while (pending.length > 0) {
    if (signal?.aborted) throw new NenApiError('cancelled', l10n.t('Cancelled.'));
    const dir = pending.pop() as { path: string; segments: string[] };
    let names: string[];
    try {
      names = await readNames(dir.path);
    } catch (err) {
      tree.skipped.push({ relative: dir.segments.join('/'), reason: l10n.t('the folder cannot be read ({0})', (err as NodeJS.ErrnoException).code ?? String(err)) });
      continue;
    }
    if (names.length === 0) tree.skipped.push({ relative: dir.segments.join('/'), reason: l10n.t('the folder is empty (the Nen API makes a folder only by uploading a file into it)') });
    const subfolders: { path: string; segments: string[] }[] = [];
    for (const name of names) {
      const path = nodePath.join(dir.path, name);
      const segments = [...dir.segments, name];
      const st = await fsp.lstat(path).catch(() => undefined);
      if (!st) tree.skipped.push({ relative: segments.join('/'), reason: l10n.t('it vanished while the folder was read') });
      else if (st.isDirectory()) subfolders.push({ path, segments });
      else if (st.isFile()) tree.files.push({ segments, path, size: st.size });
      else tree.skipped.push({ relative: segments.join('/'), reason: specialReason(st) });
    }
    // Pushed in reverse so the stack pops them in name order.
    for (let i = subfolders.length - 1; i >= 0; i--) pending.push(subfolders[i]);
  }
  return tree;
}

/** The entry names of one folder, streamed with `opendir`, sorted for a stable order. */
async function readNames(path: string): Promise<string[]> {
  const names: string[] = [];
  const dir = await fsp.opendir(path);
  for await (const entry of dir) names.push(entry.name);
  return names.sort();
}

/** What is at a local path: nothing, a file, a folder, or something else (a link, a device). */
export async function localKind(path: string): Promise<'absent' | 'file' | 'folder' | 'other'> {
  const st = await fsp.lstat(path).catch(() => undefined);
  if (!st) return 'absent';
  return st.isFile() ? 'file' : st.isDirectory() ? 'folder' : 'other';
}
