import * as l10n from '@vscode/l10n';
import type { lookup as mimeLookup } from 'mime-types';

/** Longest name in UTF-8 bytes: the drive is a Linux file system (EFS), whose limit is 255. */
export const MAX_NAME_BYTES = 255;

type NameProblem = 'empty' | 'slash' | 'backslash' | 'dots' | 'dot' | 'control' | 'surrogate' | 'long';

/**
 * What is wrong with a drive name, or undefined when it is acceptable. The API forbids `/`,
 * `\` and `..`; an empty name would hit the list route; `.` is a dot-segment; control
 * characters cannot be typed back and garble logs.
 */
function nameProblem(name: string): NameProblem | undefined {
  if (typeof name !== 'string' || name.length === 0) return 'empty';
  if (name.includes('/')) return 'slash';
  if (name.includes('\\')) return 'backslash';
  if (name.includes('..')) return 'dots';
  if (name === '.') return 'dot';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) return 'control';
  // A lone UTF-16 surrogate has no UTF-8 form: it cannot be encoded into a URL or stored.
  if (/\p{Cs}/u.test(name)) return 'surrogate';
  if (Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES) return 'long';
  return undefined;
}

/** The sentence for a problem of a file name: whole sentences, so each language can word them. */
function fileNameMessage(problem: NameProblem): string {
  switch (problem) {
    case 'empty':
      return l10n.t('A name cannot be empty.');
    case 'slash':
      return l10n.t('A name cannot contain "/".');
    case 'backslash':
      return l10n.t('A name cannot contain "\\".');
    case 'dots':
      return l10n.t('A name cannot contain "..".');
    case 'dot':
      return l10n.t('A name cannot be ".".');
    case 'control':
      return l10n.t('A name cannot contain control characters.');
    case 'surrogate':
      return l10n.t('A name cannot contain unpaired Unicode surrogates.');
    case 'long':
      return l10n.t('A name cannot be longer than {0} bytes.', MAX_NAME_BYTES);
  }
}

/** The sentence for a problem of a folder name. */
function folderNameMessage(problem: NameProblem): string {
  switch (problem) {
    case 'empty':
      return l10n.t('A folder name cannot be empty.');
    case 'slash':
      return l10n.t('A folder name cannot contain "/".');
    case 'backslash':
      return l10n.t('A folder name cannot contain "\\".');
    case 'dots':
      return l10n.t('A folder name cannot contain "..".');
    case 'dot':
      return l10n.t('A folder name cannot be ".".');
    case 'control':
      return l10n.t('A folder name cannot contain control characters.');
    case 'surrogate':
      return l10n.t('A folder name cannot contain unpaired Unicode surrogates.');
    case 'long':
      return l10n.t('A folder name cannot be longer than {0} bytes.', MAX_NAME_BYTES);
  }
}

/** Why a drive file name is refused, or undefined when it is acceptable (see nameProblem). */
export function validateName(name: string): string | undefined {
  const problem = nameProblem(name);
  return problem && fileNameMessage(problem);
}

/** {@link validateName} for one folder of a path: the same rule, worded for a folder. */
export function validateFolderName(name: string): string | undefined {
  const problem = nameProblem(name);
  return problem && folderNameMessage(problem);
}

/**
 * THE desktop id rule: what the client puts into a URL path segment as a desktop id. Ids look
 * like `dsk_abc123def456` (the contract): letters, digits, `_` and `-`, starting with a letter
 * or digit, at most 128 characters, which also makes the segment need no escaping. Settings
 * (`nenDrive.desktops`) and the Add Desktop box use the same rule; package.json's pattern for
 * `nenDrive.desktops` should be {@link DESKTOP_ID_PATTERN}.
 */
export const DESKTOP_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$';
const DESKTOP_ID = new RegExp(DESKTOP_ID_PATTERN);

/** Why a desktop id is refused, or undefined when it is acceptable (see {@link DESKTOP_ID_PATTERN}). */
export function validateDesktopId(id: string): string | undefined {
  if (typeof id !== 'string' || id.length === 0) return l10n.t('A desktop id cannot be empty; it looks like dsk_abc123def456.');
  if (!DESKTOP_ID.test(id)) {
    return l10n.t('A desktop id has only letters, digits, "_" and "-", starts with a letter or digit and is at most 128 characters long, like dsk_abc123def456.');
  }
  return undefined;
}

/**
 * THE client's desktop name rule: only that a name is not empty (or blank). The Nen docs give no
 * other rule, so the client does not guess one: the server's 400 and its reason are shown as
 * they come (README "Desktop names"). The Rename box and `renameDesktop` share this.
 */
export function validateDesktopName(name: string): string | undefined {
  if (typeof name !== 'string' || !name.trim()) return l10n.t('A desktop name cannot be empty.');
  return undefined;
}

/**
 * Splits a folder path (`a`, `a/b`, `/a/b/`) into its segments. Leading, trailing and doubled
 * slashes are ignored, as the server ignores them; an empty result is the drive's root.
 */
export function folderSegments(path: string): string[] {
  return path.split('/').filter((s) => s.length > 0);
}

/**
 * THE depth rule [decided]: a `?path=` names at most this many nested folders. The docs set no
 * limit; EFS allows far deeper trees, but a shared drive nested past 32 folders is a mistake
 * (a link loop copied, a build tree), and the emulator refuses it with 400 like a real server
 * could. A recursive upload refuses such files before any byte, naming their path.
 */
export const MAX_FOLDER_DEPTH = 32;

/** Why a folder path (for `?path=`) is refused, or undefined when every segment is a valid name and it is not too deep. */
export function validateFolderPath(path: string): string | undefined {
  if (typeof path !== 'string') return l10n.t('A folder path must be text.');
  if (path.includes('\\')) return l10n.t('A folder path cannot contain "\\".');
  const segments = folderSegments(path);
  if (segments.length > MAX_FOLDER_DEPTH) return l10n.t('A folder path cannot be more than {0} folders deep (this one is {1}).', MAX_FOLDER_DEPTH, segments.length);
  for (const segment of segments) {
    const reason = validateFolderName(segment);
    if (reason) return reason;
  }
  return undefined;
}

/** The canonical form sent as `?path=` (`a/b`), or undefined for the root. */
export function normalizeFolderPath(path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  const joined = folderSegments(path).join('/');
  return joined || undefined;
}

let mimeLookupFn: typeof mimeLookup | undefined;

/**
 * mime-types (and its ~150 KB database) is required on the first upload, not at module load:
 * building that database is a large share of loading dist/extension.js, which activation pays.
 */
function lookup(): typeof mimeLookup {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  mimeLookupFn ??= (require('mime-types') as { lookup: typeof mimeLookup }).lookup;
  return mimeLookupFn;
}

/** Content-Type by extension (the CLI's rule), else `application/octet-stream`. */
export function contentTypeFor(name: string): string {
  return lookup()(name) || 'application/octet-stream';
}

/** `report.pdf` → `report (1).pdf`, then `(2)`…, the first not in `taken` (a set, or a disk's "same name" test). Dotfiles keep their dot. */
export function nextFreeName(name: string, taken: { has(name: string): boolean }): string {
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  for (let n = 1; ; n++) {
    const candidate = `${stem} (${n})${ext}`;
    if (!taken.has(candidate)) return candidate;
  }
}
