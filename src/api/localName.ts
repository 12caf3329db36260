/**
 * Drive names are looser than local disks: `report:v2.txt` is a fine drive name, but on NTFS it
 * silently becomes the alternate data stream `v2.txt` of a file `report`. This module maps a
 * drive name to the name a file gets on the local disk of a given platform, and says why it
 * changed. Pure and vscode-free: every platform's rules run on any platform.
 *
 * The substitutes (rclone's for Windows, so files moved between the two tools keep their names;
 * each maps back to exactly one character; unlike rclone, a name that already holds a substitute
 * is not quoted, so only such a name is ambiguous):
 * - Windows `< > : " | ? *` (and `\`) → their full-width look-alikes `＜ ＞ ： ＂ ｜ ？ ＊ ＼`;
 * - control characters U+0000–U+001F → the Control Pictures `␀`–`␟` (U+2400 + code): visible
 *   and reversible, where U+FFFD or `_` would lose which character it was;
 * - a trailing `.` → `．` (U+FF0E), a trailing space → `␠` (U+2420): only the last character
 *   changes, which is enough for Windows to stop dropping the run before it;
 * - a reserved device name (CON, PRN, AUX, NUL, COM1–9, LPT1–9, COM¹²³, LPT¹²³; any case, with
 *   or without extension) gets `_` after the device part: `CON.txt` → `CON_.txt`.
 * macOS and Linux keep names as they are (macOS stores `:`, Finder shows it as `/`); only NUL
 * (and `/`, which a drive name never holds) are replaced there.
 * A name that is still too long is reported as not storable, never cut.
 */
import * as l10n from '@vscode/l10n';
import * as nodePath from 'node:path';
import { formatCount } from './format';

export type LocalPlatform = 'win32' | 'darwin' | 'linux';

export interface LocalName {
  /** The name to use on the local disk. */
  local: string;
  /** True when `local` differs from the drive name. */
  changed: boolean;
  /** Why it changed, or why it cannot be stored; short phrases for the report. */
  reasons: string[];
  /** False when no local name can hold it (too long, or empty, `.` or `..`): do not write it. */
  storable: boolean;
}

/** The longest name component: 255 UTF-16 units on Windows and macOS, 255 bytes on Linux. */
export const MAX_NAME_LENGTH = 255;

// l10n-ignore: operating system names are the same in every language
const OS_NAME: Record<LocalPlatform, string> = { win32: 'Windows', darwin: 'macOS', linux: 'Linux' };

/** Windows' forbidden printable characters and their full-width substitutes. */
export const WINDOWS_SUBSTITUTES: Readonly<Record<string, string>> = {
  '<': '\uFF1C',
  '>': '\uFF1E',
  ':': '\uFF1A',
  '"': '\uFF02',
  '|': '\uFF5C',
  '?': '\uFF1F',
  '*': '\uFF0A',
  '\\': '\uFF3C',
};
const SLASH_SUBSTITUTE = '\uFF0F';
const TRAILING_DOT = '\uFF0E';
const TRAILING_SPACE = '\u2420';
/** Device names Windows opens instead of a file, whatever the extension (`NUL.tar.gz` too). */
const RESERVED = /^(CON|PRN|AUX|NUL|COM[1-9¹²³]|LPT[1-9¹²³])$/i;

function currentPlatform(): LocalPlatform {
  return process.platform === 'win32' || process.platform === 'darwin' ? process.platform : 'linux';
}

/** The Control Picture for a control character: U+0001 → `␁`. */
function controlPicture(c: string): string {
  return String.fromCharCode(0x2400 + c.charCodeAt(0));
}

function hex(c: string): string {
  return `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Replaces characters one by one, noting each distinct replaced character once. */
function replaceChars(name: string, platform: LocalPlatform, reasons: string[]): string {
  const os = OS_NAME[platform];
  const noted = new Set<string>();
  const note = (c: string, text: string): void => {
    if (!noted.has(c)) reasons.push(text);
    noted.add(c);
  };
  let out = '';
  for (const c of name) {
    if (c < ' ' && (platform === 'win32' || c === '\0')) {
      note(c, l10n.t({ message: 'control character {0} is not allowed on {1}', args: [hex(c), os], comment: ['{0} is like U+0001, {1} an operating system'] }));
      out += controlPicture(c);
    } else if (c === '/') {
      note(c, l10n.t({ message: "'/' separates folders on {0}", args: [os], comment: ['{0} is an operating system'] }));
      out += SLASH_SUBSTITUTE;
    } else if (platform === 'win32' && c in WINDOWS_SUBSTITUTES) {
      note(c, l10n.t("'{0}' is not allowed on Windows", c));
      out += WINDOWS_SUBSTITUTES[c];
    } else {
      out += c;
    }
  }
  return out;
}

/** `CON.txt` → `CON_.txt`: the device part is the text before the first dot, trailing spaces ignored. */
function avoidDeviceName(name: string, reasons: string[]): string {
  const dot = name.indexOf('.');
  const device = (dot < 0 ? name : name.slice(0, dot)).trimEnd();
  if (!RESERVED.test(device)) return name;
  reasons.push(l10n.t({ message: '{0} is a reserved device name on Windows', args: [device.toUpperCase()], comment: ['{0} is like CON or NUL'] }));
  return `${device}_${name.slice(device.length)}`;
}

/** Windows drops trailing dots and spaces; changing the last one keeps the whole run. */
function keepTrailing(name: string, reasons: string[]): string {
  const last = name.slice(-1);
  if (last === '.') {
    reasons.push(l10n.t("a trailing '.' is dropped by Windows"));
    return name.slice(0, -1) + TRAILING_DOT;
  }
  if (last === ' ') {
    reasons.push(l10n.t('a trailing space is dropped by Windows'));
    return name.slice(0, -1) + TRAILING_SPACE;
  }
  return name;
}

/** Why a name cannot be stored at all on the platform, or undefined. */
function unstorable(local: string, platform: LocalPlatform): string | undefined {
  const os = OS_NAME[platform];
  if (local === '' || local === '.' || local === '..') return l10n.t({ message: "'{0}' cannot be a file name on {1}", args: [local, os], comment: ['{1} is an operating system'] });
  if (platform === 'linux') {
    const bytes = Buffer.byteLength(local);
    return bytes > MAX_NAME_LENGTH ? l10n.t({ message: 'the name is {0} bytes; {1} allows {2}', args: [bytes, os, MAX_NAME_LENGTH], comment: ['{1} is an operating system'] }) : undefined;
  }
  return local.length > MAX_NAME_LENGTH ? l10n.t({ message: 'the name is {0} UTF-16 units; {1} allows {2}', args: [local.length, os, MAX_NAME_LENGTH], comment: ['{1} is an operating system'] }) : undefined;
}

/**
 * The local file name for a drive name on `platform` (default: the one running), with the
 * reasons for any change. NFC and NFD spellings and letter case are kept as they are.
 */
export function localName(name: string, platform: LocalPlatform = currentPlatform()): LocalName {
  const reasons: string[] = [];
  let local = replaceChars(name, platform, reasons);
  if (platform === 'win32') local = keepTrailing(avoidDeviceName(local, reasons), reasons);
  const problem = unstorable(local, platform);
  if (problem) reasons.push(problem);
  return { local, changed: local !== name, reasons, storable: problem === undefined };
}

/** Beyond this many characters a Windows path needs the `\\?\` form (MAX_PATH is 260 with its NUL). */
export const MAX_WINDOWS_PATH = 259;

/**
 * On win32, an absolute path longer than 259 characters in its `\\?\` form (`\\?\C:\…`,
 * `\\?\UNC\server\share\…`), normalised first because that form turns off Windows' own
 * normalisation; any other path, and every path elsewhere, unchanged.
 */
export function longPath(p: string, platform: LocalPlatform = currentPlatform()): string {
  if (platform !== 'win32' || p.length <= MAX_WINDOWS_PATH || p.startsWith('\\\\?\\') || p.startsWith('\\\\.\\')) return p;
  const norm = (p.startsWith('//') ? '\\\\' + p.slice(2) : p).replace(/\//g, '\\');
  if (/^[A-Za-z]:\\/.test(norm)) return `\\\\?\\${stripTrailingSeparator(normalizeWin(norm))}`;
  if (/^\\\\[^\\]+\\[^\\]+/.test(norm)) return `\\\\?\\UNC\\${stripTrailingSeparator(normalizeWin(norm)).slice(2)}`;
  return p;
}

function normalizeWin(p: string): string {
  // path.win32 is pure string work: safe on any platform.
  return nodePath.win32.normalize(p);
}

function stripTrailingSeparator(p: string): string {
  return p.length > 3 && p.endsWith('\\') ? p.slice(0, -1) : p;
}

/**
 * The longest whole path: in the `\\?\` form Windows takes 32,767 UTF-16 units; Linux's
 * PATH_MAX is 4,096 bytes and macOS's 1,024, each with the closing NUL.
 */
export const MAX_PATH: Readonly<Record<LocalPlatform, { max: number; unit: 'characters' | 'bytes' }>> = {
  win32: { max: 32_767, unit: 'characters' },
  linux: { max: 4_095, unit: 'bytes' },
  darwin: { max: 1_023, unit: 'bytes' },
};

/**
 * Why no file can be written at the absolute path `p` on `platform` (its whole path is longer
 * than the platform allows, counting the `\\?\` form on Windows and `extra` more characters a
 * download needs for its temporary name beside it), or undefined.
 */
export function pathTooLong(p: string, extra = 0, platform: LocalPlatform = currentPlatform()): string | undefined {
  const { max, unit } = MAX_PATH[platform];
  const length = unit === 'bytes' ? Buffer.byteLength(p) : longPath(p, platform).length;
  if (length + extra <= max) return undefined;
  const [whole, os, allowed] = [formatCount(length + extra), OS_NAME[platform], formatCount(max)];
  if (extra > 0) {
    return unit === 'bytes'
      ? l10n.t({ message: 'the local path is {0} bytes with its temporary name while downloading; {1} allows {2}', args: [whole, os, allowed], comment: ['{0} and {2} are counts, {1} an operating system'] })
      : l10n.t({ message: 'the local path is {0} characters with its temporary name while downloading; {1} allows {2}', args: [whole, os, allowed], comment: ['{0} and {2} are counts, {1} an operating system'] });
  }
  return unit === 'bytes'
    ? l10n.t({ message: 'the local path is {0} bytes; {1} allows {2}', args: [whole, os, allowed], comment: ['{0} and {2} are counts, {1} an operating system'] })
    : l10n.t({ message: 'the local path is {0} characters; {1} allows {2}', args: [whole, os, allowed], comment: ['{0} and {2} are counts, {1} an operating system'] });
}
