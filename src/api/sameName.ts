/**
 * When two names are one file on a local disk. Windows (NTFS), macOS (APFS, HFS+) by default
 * and exFAT/FAT ignore letter case, so `A.txt` and `a.txt` are one file there; macOS also
 * compares names in one Unicode form, so an NFC `café.txt` and an NFD `café.txt` are one file
 * too. Linux disks usually do neither. What a folder does is probed on the folder itself
 * (`probeFolder`, remembered a minute by `folderRules`), never assumed from the platform;
 * `FolderNames` then decides, without touching the disk, which names of a batch are taken by a
 * file already there or by another file of the same batch. vscode-free.
 */
import * as l10n from '@vscode/l10n';
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as nodePath from 'node:path';
import { quotedName } from './display';
import { nextFreeName } from './names';

/** How a local folder compares names. */
export interface FolderRules {
  /** `A.txt` and `a.txt` are one file. */
  caseInsensitive: boolean;
  /** An NFC and an NFD spelling of a name are one file. */
  normalising: boolean;
  /** False when the probe could not run (read-only folder…): the rules are the platform's usual ones. */
  probed: boolean;
}

/** The file system calls the probe makes; unit tests pass their own. */
export interface ProbeFs {
  writeFile(path: string, data: string, options: { flag: 'wx' }): Promise<void>;
  lstat(path: string): Promise<unknown>;
  unlink(path: string): Promise<void>;
}

/** What a platform's usual disk does, for a folder the probe cannot write to. */
function usualRules(platform: NodeJS.Platform): FolderRules {
  return { caseInsensitive: platform === 'win32' || platform === 'darwin', normalising: platform === 'darwin', probed: false };
}

/** Every letter in the other case (`Ab-é` → `aB-É`). */
function swapCase(s: string): string {
  let out = '';
  for (const c of s) out += c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase();
  return out;
}

async function found(fs: ProbeFs, path: string): Promise<boolean> {
  try {
    await fs.lstat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Creates a uniquely named file in `folder` whose name has letters and an `é` (NFC), looks for
 * it under the name in the other case and in NFD, and removes it. One small file, once per
 * folder; the folder must exist.
 */
export async function probeFolder(folder: string, fs: ProbeFs = fsp, platform: NodeJS.Platform = process.platform): Promise<FolderRules> {
  const name = `.nendrive-probe-${randomBytes(4).toString('hex')}-Case-\u00e9`; // l10n-ignore: a file name
  const probe = nodePath.join(folder, name);
  try {
    await fs.writeFile(probe, '', { flag: 'wx' });
  } catch {
    return usualRules(platform);
  }
  try {
    const caseInsensitive = await found(fs, nodePath.join(folder, swapCase(name)));
    const normalising = await found(fs, nodePath.join(folder, name.normalize('NFD')));
    return { caseInsensitive, normalising, probed: true };
  } finally {
    await fs.unlink(probe).catch(() => undefined);
  }
}

/** How long the probed rules of a folder are reused: a folder's rules stay while it exists. */
export const RULES_REUSE_MS = 60_000;
/** At most this many folders' rules are remembered. */
const RULES_REMEMBERED = 64;
const rememberedRules = new Map<string, { rules: FolderRules; at: number }>();

/** {@link ProbeFs} and the stat that tells one folder from another. */
export interface RulesFs extends ProbeFs {
  stat(path: string): Promise<{ dev: number; ino: number }>;
}

/**
 * {@link probeFolder}, the answer remembered for a minute by the folder's identity (its device
 * and inode: a folder deleted and made again, or a disk mounted in its place, is probed anew).
 * A second download into the same folder then costs one stat, not a file created and deleted
 * (2-5 ms of the download command's own time in the extension host). A disk without inode
 * numbers (0) is probed every time.
 */
export async function folderRules(folder: string, fs: RulesFs = fsp, now = Date.now(), platform: NodeJS.Platform = process.platform): Promise<FolderRules> {
  const st = await fs.stat(folder).catch(() => undefined);
  const id = st && st.ino !== 0 ? `${st.dev}:${st.ino}` : undefined;
  const known = id === undefined ? undefined : rememberedRules.get(id);
  if (known && now - known.at >= 0 && now - known.at < RULES_REUSE_MS) return known.rules;
  const rules = await probeFolder(folder, fs, platform);
  if (id !== undefined && rules.probed) {
    if (rememberedRules.size >= RULES_REMEMBERED) rememberedRules.clear();
    rememberedRules.set(id, { rules, at: now });
  }
  return rules;
}

/**
 * The form under which two names are one file under `rules`: NFC when the disk normalises, then
 * each character's simple (one-to-one) uppercase when it ignores case, as NTFS's and exFAT's
 * upcase tables do (`ß` stays `ß`; APFS's full folding differs only for such rare letters, and
 * there the write's own "exists" check still stops an overwrite).
 */
export function sameNameKey(name: string, rules: Pick<FolderRules, 'caseInsensitive' | 'normalising'>): string {
  let key = rules.normalising ? name.normalize('NFC') : name;
  if (rules.caseInsensitive) {
    let upper = '';
    for (const c of key) {
      const u = c.toUpperCase();
      upper += [...u].length === 1 ? u : c;
    }
    key = rules.normalising ? upper.normalize('NFC') : upper;
  }
  return key;
}

/** `quotedName`, plus ` (NFD)` when a name is not in NFC, so two spellings that look alike can be told apart. */
export function spelled(name: string): string {
  if (name === name.normalize('NFC')) return quotedName(name);
  return name === name.normalize('NFD') ? l10n.t({ message: '{0} (NFD)', args: [quotedName(name)], comment: ['{0} is a file name in Unicode NFD spelling'] }) : l10n.t({ message: '{0} (not NFC)', args: [quotedName(name)], comment: ['{0} is a file name not in Unicode NFC spelling'] });
}

/** How this disk makes two names one: it ignores case, treats NFC and NFD spellings as one, or both. */
type OneNameRule = 'normalising' | 'case' | 'both';

function oneNameRule(a: string, b: string): OneNameRule {
  if (a.normalize('NFC') === b.normalize('NFC')) return 'normalising';
  if (a.toUpperCase() === b.toUpperCase()) return 'case';
  return 'both';
}

/** "'A.txt' is the same name on this disk, which ignores case": why a second file of a batch keeps both. */
export function sameNameReason(earlier: string, local: string): string {
  const args = [spelled(earlier)];
  switch (oneNameRule(earlier, local)) {
    case 'normalising':
      return l10n.t({ message: '{0} is the same name on this disk, which treats NFC and NFD spellings as one name', args, comment: ['{0} is a file name'] });
    case 'case':
      return l10n.t({ message: '{0} is the same name on this disk, which ignores case', args, comment: ['{0} is a file name'] });
    case 'both':
      return l10n.t({ message: '{0} is the same name on this disk, which ignores case and treats NFC and NFD spellings as one name', args, comment: ['{0} is a file name'] });
  }
}

/** "'a.txt' is the same file as 'A.txt' on this disk, which ignores case": why a name lands on an existing file. */
export function sameFileReason(local: string, entry: string): string {
  const args = [spelled(local), spelled(entry)];
  switch (oneNameRule(local, entry)) {
    case 'normalising':
      return l10n.t({ message: '{0} is the same file as {1} on this disk, which treats NFC and NFD spellings as one name', args, comment: ['{0} and {1} are file names'] });
    case 'case':
      return l10n.t({ message: '{0} is the same file as {1} on this disk, which ignores case', args, comment: ['{0} and {1} are file names'] });
    case 'both':
      return l10n.t({ message: '{0} is the same file as {1} on this disk, which ignores case and treats NFC and NFD spellings as one name', args, comment: ['{0} and {1} are file names'] });
  }
}

/** Where one local name of a batch lands in the folder. */
export interface Claim {
  /** The name to write: the local name, or a free name when another file of the batch took it. */
  name: string;
  /** A file already in the folder under this name or one the disk treats as the same. */
  existing?: {
    /** Its name as the folder lists it. */
    as: string;
    /** Set when it is spelled differently: "'a.txt' is the same file as 'A.txt' on this disk, which ignores case". */
    because?: string;
  };
  /** Set when an earlier file of the batch has the same name on this disk: why `name` differs. */
  keptBoth?: string;
}

/**
 * The names of one local folder as its disk compares them: the entries already there, and those
 * claimed by a batch. A second file of the batch whose name is the same on this disk keeps both
 * (`a (1).txt`): both are new files, and skipping one would leave a drive file with no way into
 * this folder. Pure: the entries and rules are given.
 */
export class FolderNames {
  private readonly entries = new Map<string, string>();
  private readonly claimed = new Map<string, string>();

  constructor(
    readonly rules: FolderRules,
    existing: Iterable<string>,
  ) {
    for (const e of existing) if (!this.entries.has(this.key(e))) this.entries.set(this.key(e), e);
  }

  key(name: string): string {
    return sameNameKey(name, this.rules);
  }

  /** Claims `local` for the next file of the batch (in order). */
  claim(local: string): Claim {
    const k = this.key(local);
    const earlier = this.claimed.get(k);
    if (earlier !== undefined) {
      const name = this.freeName(local);
      return { name, keptBoth: sameNameReason(earlier, local) };
    }
    this.claimed.set(k, local);
    const entry = this.entries.get(k);
    if (entry === undefined) return { name: local };
    if (entry === local) return { name: local, existing: { as: entry } };
    return { name: local, existing: { as: entry, because: sameFileReason(local, entry) } };
  }

  /** `name (1).ext`, `(2)`…: the first that is the same as no entry and no claim on this disk; claimed unless `claim` is false. */
  freeName(local: string, claim = true): string {
    const taken = { has: (n: string) => this.entries.has(this.key(n)) || this.claimed.has(this.key(n)) };
    const name = nextFreeName(local, taken);
    if (claim) this.claimed.set(this.key(name), name);
    return name;
  }
}
