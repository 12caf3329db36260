/**
 * Reading and checking the server's answers: bounded text and JSON bodies, and the shapes the
 * contract documents (the file list, the upload answer, desktops). Nothing here trusts the body:
 * a 2xx that is not what the API documents fails as `protocol`.
 */
import * as l10n from '@vscode/l10n';
import type { Attempt } from './attempt';
import { messageFromBody, type MakeError } from './errors';
import type { Dispatcher } from './http';
import { quotedName } from './display';
import { MAX_NAME_BYTES, validateName } from './names';
import type { Desktop, DriveEntry, DroppedEntry, UploadResult } from './types';
import { formatCount } from './format';
import { forEachSliced, Slicer } from './slices';

/** JSON answers larger than this are not a file list or a desktop: refuse rather than buffer. */
export const MAX_JSON_BODY_BYTES = 32 * 1024 * 1024;

/** The body as text, at most `limit` bytes: cut there when `truncate`, else refused as `protocol`. */
export async function readText(res: Dispatcher.ResponseData, att: Attempt, limit: number, fail: MakeError, truncate = false): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    att.bytesReceived += chunk.length;
    att.touch();
    if (size + chunk.length > limit) {
      if (truncate) {
        chunks.push(chunk.subarray(0, limit - size));
        res.body.destroy();
        break;
      }
      throw fail('protocol', l10n.t('The server answer is far larger than expected.'), { status: res.statusCode });
    }
    size += chunk.length;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** With a `slicer`, a big body's text and its parse run in separate turns of the event loop (see slices.ts). */
export async function readJson(res: Dispatcher.ResponseData, att: Attempt, fail: MakeError, slicer?: Slicer): Promise<unknown> {
  const text = await readText(res, att, MAX_JSON_BODY_BYTES, fail);
  const pause = slicer?.checkpoint();
  if (pause) await pause;
  return parseJson(text, res.statusCode, fail);
}

function parseJson(text: string, status: number, fail: MakeError): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw fail('protocol', l10n.t('The server answer is not valid JSON.'), { status });
  }
}

/** The end of year 9999 in Unix seconds: a later (or negative, or non-finite) `modified` is no date. */
export const MAX_MODIFIED_SECONDS = 253_402_300_799;

/** What {@link parseFileList} returns: the entries, carrying (not enumerable) the ones it left out. */
type Listing = DriveEntry[] & { readonly dropped?: readonly DroppedEntry[] };

/**
 * `{"files":[…]}` as entries. A name the client refuses is listed, marked with its
 * `unreachableReason`; an entry no path could address (`''`, `.`, `..`, `/`, NUL) or with an
 * absurd time is left out and reported by {@link droppedEntries}; a wrong type fails the listing.
 */
export async function parseFileList(json: unknown, fail: MakeError, slicer = new Slicer()): Promise<DriveEntry[]> {
  if (!isObject(json) || !Array.isArray(json.files)) throw fail('protocol', l10n.t('The file list has no "files" array.'), { status: 200 });
  const entries: Listing = [];
  const dropped: DroppedEntry[] = [];
  await forEachSliced(
    json.files as unknown[],
    (raw) => {
      const parsed = parseEntry(raw, fail);
      if ('reason' in parsed) dropped.push(parsed);
      else entries.push(parsed);
    },
    slicer,
  );
  if (dropped.length > 0) Object.defineProperty(entries, 'dropped', { value: dropped });
  return entries;
}

/** The entries the listing these came from left out, and why (empty for most listings). */
export function droppedEntries(entries: readonly DriveEntry[]): readonly DroppedEntry[] {
  return (entries as Listing).dropped ?? [];
}

function parseEntry(raw: unknown, fail: MakeError): DriveEntry | DroppedEntry {
  if (!isObject(raw)) throw fail('protocol', l10n.t('A file list entry is not an object.'), { status: 200 });
  const { name, size, modified, is_dir: isDir } = raw;
  if (typeof name !== 'string') throw fail('protocol', l10n.t('A file list entry has no name.'), { status: 200 });
  if (isDir !== undefined && isDir !== null && typeof isDir !== 'boolean') throw fail('protocol', l10n.t({ message: '{0} has a non-boolean is_dir.', args: [quotedName(name)], comment: ['{0} is a file name; is_dir is a field of the server answer'] }), { status: 200 });
  const dir = isDir === true;
  if (!(typeof size === 'number' && Number.isFinite(size) && size >= 0) && !(dir && size === undefined)) {
    throw fail('protocol', l10n.t({ message: '{0} has no valid size.', args: [quotedName(name)], comment: ['{0} is a file name'] }), { status: 200 });
  }
  if (modified !== undefined && modified !== null && typeof modified !== 'number') {
    throw fail('protocol', l10n.t({ message: '{0} has a non-numeric modified time.', args: [quotedName(name)], comment: ['{0} is a file name'] }), { status: 200 });
  }
  // A name no path could address (or one that escapes a folder) is left out, not trusted.
  if (!name || name === '.' || name === '..' || name.includes('/') || name.includes('\u0000')) return { name, reason: l10n.t('no path can address this name') };
  if (typeof modified === 'number' && !(modified >= 0 && modified <= MAX_MODIFIED_SECONDS)) return { name, reason: l10n.t('its modified time ({0}) is not a date', modified) };
  const entry: DriveEntry = { name, size: typeof size === 'number' ? size : 0, modified: typeof modified === 'number' ? modified : 0, isDir: dir };
  const reason = refusal(name);
  if (reason) entry.unreachableReason = reason;
  return entry;
}

/** A name of at most 85 UTF-16 units fits in 255 UTF-8 bytes: only a suspect character sends it to validateName. */
const FITS_UNITS = Math.floor(MAX_NAME_BYTES / 3);
// eslint-disable-next-line no-control-regex
const SUSPECT = /\.\.|[\\\u0000-\u001f\u007f-\u009f\ud800-\udfff]/;

/** validateName's verdict, asked only for names that fail the cheap checks (10,000 rows stay cheap). */
function refusal(name: string): string | undefined {
  if (name.length <= FITS_UNITS && !SUSPECT.test(name)) return undefined;
  return validateName(name);
}

/** `{"success":true,"size":…,"filename":…}`; missing fields default to what was sent. */
export function parseUploadResult(json: unknown, name: string, size: number, fail: MakeError): UploadResult {
  if (!isObject(json)) throw fail('protocol', l10n.t('The upload answer is not a JSON object.'), { status: 200 });
  const { success, size: sz, filename } = json;
  if ((success !== undefined && typeof success !== 'boolean') || (sz !== undefined && typeof sz !== 'number') || (filename !== undefined && typeof filename !== 'string')) {
    throw fail('protocol', l10n.t('The upload answer has fields of the wrong type.'), { status: 200 });
  }
  if (success === false) {
    throw fail('unavailable', messageFromBody(JSON.stringify(json)) ?? l10n.t('The server reported the upload as failed'), { status: 200 });
  }
  return { success: true, size: sz ?? size, filename: filename ?? name };
}

/**
 * The upload answer, trusted only when it can be true: the server answered after all `size`
 * bytes were sent (`sent`), and the size it reports, if any, is that size. Otherwise an
 * `incomplete upload` (`protocol`: the editor stays dirty) quoting what the server answered.
 */
export function checkUploadResult(json: unknown, name: string, size: number, sent: number, fail: MakeError): UploadResult {
  const result = parseUploadResult(json, name, size, fail);
  if (sent === size && result.size === size) return result;
  const answer = JSON.stringify(json).slice(0, 200);
  const message =
    sent < size
      ? l10n.t({ message: 'incomplete upload of "{0}": the server answered 200 {1} after only {2} of {3} bytes were sent.', args: [name, answer, bytes(sent), bytes(size)], comment: ['{1} is the server answer (JSON); {2} and {3} are byte counts'] })
      : l10n.t({ message: 'incomplete upload of "{0}": the server answered 200 {1} to {2} bytes sent.', args: [name, answer, bytes(size)], comment: ['{1} is the server answer (JSON); {2} a byte count'] });
  throw fail('protocol', message, { status: 200 });
}

function bytes(n: number): string {
  return formatCount(n);
}

export function parseDesktop(json: unknown, status: number, fail: MakeError): Desktop {
  if (!isObject(json) || typeof json.desktop_id !== 'string') {
    throw fail('protocol', l10n.t('The server answer is not a desktop (no desktop_id).'), { status });
  }
  return json as Desktop;
}

/** `GET /desktops` answers a bare array, no wrapper. */
export function parseDesktopList(json: unknown, status: number, fail: MakeError): Desktop[] {
  if (!Array.isArray(json)) throw fail('protocol', l10n.t('The desktop list is not a JSON array.'), { status });
  return json.map((d) => parseDesktop(d, status, fail));
}

/** `{"desktop_id":…,"status":"deleted"}`; an empty body means the same. */
export function parseDeleteAnswer(text: string, id: string, status: number, fail: MakeError): { desktop_id: string; status: string } {
  if (!text.trim()) return { desktop_id: id, status: 'deleted' };
  const json = parseJson(text, status, fail);
  if (!isObject(json)) throw fail('protocol', l10n.t('The delete answer is not a JSON object.'), { status });
  const desktopId = json.desktop_id ?? id;
  const state = json.status ?? 'deleted';
  if (typeof desktopId !== 'string' || typeof state !== 'string') {
    throw fail('protocol', l10n.t('The delete answer has fields of the wrong type.'), { status });
  }
  return { desktop_id: desktopId, status: state };
}

export function headerString(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** Content-Length when it is a plain number, else undefined. */
export function contentLength(headers: Dispatcher.ResponseData['headers']): number | undefined {
  const v = headerString(headers['content-length']);
  if (v === undefined || !/^\d+$/.test(v.trim())) return undefined;
  return Number(v);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
