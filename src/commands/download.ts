import { promises as fsp } from 'node:fs';
import { displayName, quotedName } from '../api/display';
import * as nodePath from 'node:path';
import * as os from 'node:os';
import * as vscode from 'vscode';
import { exists } from '../api/atomicFile';
import { localName } from '../api/localName';
import { keepBoth, placeInFolder, type Place, type Renamed } from './localPlaces';
import type { FolderNames } from '../api/sameName';
import { describeError, errorKind } from '../drive/errors';
import type { Services } from '../services';
import { conflictButtons, ConflictRun, type Choice } from './conflicts';
import { listNames, showNote } from './messages';
import { transferAll } from './progress';
import { CANCELLED, showBatchFailures } from './transferSummary';
import type { DriveFileRef } from './targets';

export interface DownloadCommandOptions {
  /**
   * With a destination passed as an argument (no dialogs), an existing local file is replaced
   * only when this is `true`; otherwise it is skipped and reported. The CLI's `--force` rule.
   */
  overwrite?: boolean;
  /** Cancels like the notification's Cancel button (scripts and tests). */
  token?: vscode.CancellationToken;
}

export type { Renamed } from './localPlaces';

export interface DownloadReport {
  /** `renamed` is set when the local name differs from the drive name (Windows' rules, see `localName`). */
  downloaded: { name: string; path: string; size: number; renamed?: Renamed }[];
  /**
   * `sameFile`: the local file, spelled differently, that this disk treats as the same name
   * (`{ as: 'A.txt', because: "'a.txt' is the same file as 'A.txt' on this disk, which ignores case" }`).
   */
  skipped: { name: string; reason: string; sameFile?: { as: string; because: string } }[];
  /** Names no local file can hold (too long for the platform), refused before any request. */
  refused: { name: string; reason: string }[];
  failed: { name: string; reason: string }[];
  cancelled: boolean;
}

interface Job {
  ref: DriveFileRef;
  path: string;
  overwrite: boolean;
  renamed?: Renamed;
}

/**
 * Downloads drive files to local disk. With `destination` (a file for one drive file, else a
 * folder) nothing asks; without it, one file → a Save dialog, several → a folder picker, and an
 * existing local file → a modal Overwrite / Skip. Files land through a temporary file renamed
 * at the end (the client's guarantee), so a cancel or failure leaves nothing behind.
 */
export async function downloadFiles(
  services: Services,
  refs: readonly DriveFileRef[],
  destination: vscode.Uri | undefined,
  options: DownloadCommandOptions = {},
): Promise<DownloadReport | undefined> {
  const report = emptyReport();
  if (refs.length === 0) return report;
  let jobs: Job[] | undefined;
  if (destination) jobs = await jobsAt(destination, refs, options, report);
  else if (refs.length === 1) jobs = await saveAs(refs[0]);
  else jobs = await intoPickedFolder(refs, report);
  // No jobs: a dialog was dismissed (nothing to report), or an Overwrite question was cancelled (the report says so).
  if (!jobs) return report.cancelled ? report : undefined;
  return downloadJobs(services, jobs, options.token, report);
}

/**
 * One `nendrive:` URI and a destination, from a script: whether the URI names a file or a folder
 * is the server's to say (`isFolder`: the provider's stat, which lists the folder unless a listing
 * of the last 3 s is cached). Rather than wait for that answer (a listing request, 5-17 ms on
 * loopback, a round trip on a real network), the file's
 * download starts beside it: the body may fill a temporary file, but the file takes its name only
 * once the answer says file, and nothing is shown (notification, transfers list, message) before
 * the answer. `'folder'` when it is a folder: nothing landed and nothing was reported.
 */
export async function downloadUnlessFolder(
  services: Services,
  ref: DriveFileRef,
  destination: vscode.Uri,
  options: DownloadCommandOptions,
  isFolder: Promise<boolean>,
): Promise<DownloadReport | 'folder'> {
  const report = emptyReport();
  let jobs: Job[];
  try {
    jobs = await jobsAt(destination, [ref], options, report);
  } catch (err) {
    if (await isFolder) return 'folder';
    throw err;
  }
  if (jobs.length === 0) {
    if (await isFolder) return 'folder';
    summarize(services, report);
    return report;
  }
  const [job] = jobs;
  const early = new AbortController();
  let last: { done: number; total?: number } | undefined;
  let onBytes: ((done: number, total?: number) => void) | undefined;
  const started = download(services, job, early.signal, (done, total) => {
    last = { done, total };
    onBytes?.(done, total);
  }, async () => {
    if (await isFolder) throw new Error('a folder, not a file'); // never shown: the folder's download answers instead
  });
  started.catch(() => undefined); // settled below, whichever way this goes
  let adopted = false;
  try {
    if (await isFolder) return 'folder';
    // A file: the batch takes over the download already running (its cancel, its bytes so far).
    await transfer(services, jobs, options.token, report, (failed) => downloadJobs(services, failed, undefined, emptyReport()), (_, signal, bytes) => {
      adopted = true;
      if (signal.aborted) early.abort();
      else signal.addEventListener('abort', () => early.abort(), { once: true });
      onBytes = bytes;
      if (last) bytes(last.done, last.total);
      return started;
    });
  } finally {
    if (!adopted) {
      early.abort();
      await started.catch(() => undefined);
    }
  }
  summarize(services, report);
  return report;
}

/** Downloads the jobs and shows how it went; Retry Failed runs this again with the failed jobs alone (same local paths). */
async function downloadJobs(services: Services, jobs: readonly Job[], token: vscode.CancellationToken | undefined, report: DownloadReport): Promise<DownloadReport> {
  if (jobs.length > 0) await transfer(services, jobs, token, report, (failed) => downloadJobs(services, failed, undefined, emptyReport()));
  summarize(services, report);
  return report;
}

function emptyReport(): DownloadReport {
  return { downloaded: [], skipped: [], refused: [], failed: [], cancelled: false };
}

/** A destination passed as an argument: nothing asks, and an existing file is replaced only with `overwrite`. */
async function jobsAt(destination: vscode.Uri, refs: readonly DriveFileRef[], options: DownloadCommandOptions, report: DownloadReport): Promise<Job[]> {
  if (destination.scheme !== 'file') throw new Error(vscode.l10n.t('Downloads go to local files; {0} is not one.', destination.toString(true)));
  const st = await fsp.stat(destination.fsPath).catch(() => undefined);
  const intoFolder = refs.length > 1 || st?.isDirectory() === true;
  if (!intoFolder) {
    if (!options.overwrite && (await exists(destination.fsPath))) {
      report.skipped.push({ name: refs[0].name, reason: vscode.l10n.t({ message: "'{0}' exists (pass {1} to replace it)", args: [destination.fsPath, OVERWRITE_OPTION], comment: ['{0} is a local path, {1} the option a script passes: { overwrite: true }'] }) });
      return [];
    }
    return [{ ref: refs[0], path: destination.fsPath, overwrite: options.overwrite === true }];
  }
  if (!st?.isDirectory()) await fsp.mkdir(destination.fsPath, { recursive: true });
  const plan = await placeInFolder(destination.fsPath, refs, report.refused);
  const jobs: Job[] = [];
  for (const place of plan.places) {
    if (place.existing && !options.overwrite) skip(report, place, true);
    else jobs.push({ ...place, overwrite: options.overwrite === true });
  }
  return jobs;
}

/** The option a script passes to replace existing local files (not translated: it is code). */
const OVERWRITE_OPTION = '{ overwrite: true }'; // l10n-ignore: code a script writes

/** Reports a file not downloaded because a local file has its name, saying which file when it is spelled differently. */
function skip(report: DownloadReport, place: Place, scripted?: boolean): void {
  report.skipped.push(skippedFor(place.ref.name, place, scripted));
}

/**
 * The `skipped` entry for drive file `name` whose `place` holds a local file: the reason (for a
 * `scripted` call, with how to replace it), and `sameFile` when spelled differently.
 */
export function skippedFor(name: string, place: { path: string; existing?: { as: string; because?: string } }, scripted?: boolean): DownloadReport['skipped'][number] {
  const existing = place.existing;
  const what = existing?.because ?? vscode.l10n.t({ message: "'{0}' exists", args: [place.path], comment: ['{0} is a local path'] });
  const reason = scripted ? vscode.l10n.t({ message: '{0} (pass {1} to replace it)', args: [what, OVERWRITE_OPTION], comment: ['{0} says which local file exists, {1} the option a script passes: { overwrite: true }'] }) : what;
  return { name, reason, ...(existing?.because ? { sameFile: { as: existing.as, because: existing.because } } : {}) };
}

/** One file: a Save dialog; undefined when dismissed. */
async function saveAs(ref: DriveFileRef): Promise<Job[] | undefined> {
  const picked = await vscode.window.showSaveDialog({
    defaultUri: vscode.Uri.file(nodePath.join(defaultFolder(), localName(ref.name).local)),
    saveLabel: vscode.l10n.t({ message: 'Download', comment: ['the button of the Save dialog'] }),
    title: vscode.l10n.t('Download {0}', quotedName(ref.name)),
  });
  if (!picked) return undefined;
  // The save dialog itself asks before replacing a file: choosing one is the consent.
  return [{ ref, path: picked.fsPath, overwrite: true }];
}

export type { Choice } from './conflicts';

/**
 * Several files: a folder picker, then Overwrite / Keep Both / Skip (or for all) per local file
 * the disk treats as the same name. Undefined when the picker is dismissed, or (with
 * `report.cancelled`) when a question is.
 */
async function intoPickedFolder(refs: readonly DriveFileRef[], report: DownloadReport): Promise<Job[] | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectFiles: false,
    canSelectFolders: true,
    canSelectMany: false,
    defaultUri: vscode.Uri.file(defaultFolder()),
    openLabel: vscode.l10n.t({ message: 'Download Here', comment: ['the button of the folder picker'] }),
    title: vscode.l10n.t('Download {0} files', refs.length),
  });
  if (!picked || picked.length === 0) return undefined;
  const plan = await placeInFolder(picked[0].fsPath, refs, report.refused);
  const answers = new ConflictRun('ask', plan.places.filter((p) => p.existing).length);
  const jobs: Job[] = [];
  for (const place of plan.places) {
    if (!place.existing) {
      jobs.push({ ...place, overwrite: false });
      continue;
    }
    const chosen = await answers.next((remaining) => askExisting(plan, place, remaining));
    if (!chosen) {
      report.cancelled = true;
      return undefined;
    }
    if (chosen === 'overwrite') jobs.push({ ...place, overwrite: true });
    else if (chosen === 'keepBoth') jobs.push({ ...keepBoth(plan, place), overwrite: false });
    else skip(report, place);
  }
  return jobs;
}

/**
 * The modal for one existing local file in `where.folder`: what it is (and why it is the same
 * file), and Overwrite / Keep Both / Skip (and … All when `remaining` > 1); undefined when dismissed.
 */
export async function askExisting(
  where: { folder: string; names: FolderNames },
  place: { path: string; existing?: { as: string; because?: string } },
  remaining: number,
): Promise<{ choice: Choice; all: boolean } | undefined> {
  const existing = place.existing!;
  const name = nodePath.basename(place.path);
  const folder = displayName(where.folder, 300);
  const message = existing.because ? `${existing.because}.` : vscode.l10n.t('{0} already exists in {1}.', quotedName(name), folder);
  const freeName = quotedName(where.names.freeName(name, false));
  const detail = existing.because
    ? vscode.l10n.t('In {0}. Overwrite replaces the local file {1}. Keep Both saves this one as {2}.', folder, quotedName(existing.as), freeName)
    : vscode.l10n.t('Overwrite replaces the local file {0}. Keep Both saves this one as {1}.', quotedName(existing.as), freeName);
  const buttons = conflictButtons();
  const shown = remaining > 1 ? buttons : buttons.filter((b) => !b.all);
  const answer = await vscode.window.showWarningMessage(message, { modal: true, detail }, ...shown.map((b) => b.label));
  const picked = shown.find((b) => b.label === answer);
  return picked && { choice: picked.choice, all: picked.all };
}

/** One job's download through the client; `beforePlace` as in `DownloadToFileOptions`. */
function download(services: Services, job: Job, signal: AbortSignal, onBytes: (done: number, total?: number) => void, beforePlace?: () => Promise<void>): Promise<{ size: number }> {
  return services.clients.get().downloadToFile(job.ref.desktopId, job.ref.name, job.path, {
    path: job.ref.folder,
    overwrite: job.overwrite,
    signal,
    onProgress: (p) => onBytes(p.done, p.total),
    ...(job.ref.size === undefined ? {} : { sizeHint: job.ref.size }),
    ...(beforePlace ? { beforePlace } : {}),
  });
}

type Each = (job: Job, signal: AbortSignal, onBytes: (done: number, total?: number) => void) => Promise<{ size: number }>;

/**
 * Downloads the jobs a few at a time under one cancellable notification, and says what failed.
 * `each` runs one job (default: its download, started now).
 */
async function transfer(
  services: Services,
  jobs: readonly Job[],
  token: vscode.CancellationToken | undefined,
  report: DownloadReport,
  retryFailed: (failed: Job[]) => unknown,
  each: Each = (job, signal, onBytes) => download(services, job, signal, onBytes),
): Promise<void> {
  const title = jobs.length === 1 ? vscode.l10n.t('Downloading {0}', quotedName(jobs[0].ref.name)) : vscode.l10n.t('Downloading {0} files', jobs.length);
  const batch = { title, direction: 'download' as const, registry: services.transfers, redact: services.log.redact, describe: (j: Job) => ({ name: j.ref.name, desktopId: j.ref.desktopId, desktop: j.ref.desktopId, size: j.ref.size }) };
  const { settled, cancelled } = await transferAll(batch, token, jobs, services.clients.settings.transferConcurrency, each);
  report.cancelled = report.cancelled || cancelled;
  settled.forEach((r, i) => {
    const job = jobs[i];
    if (r.status === 'fulfilled') report.downloaded.push({ name: job.ref.name, path: job.path, size: r.value.size, ...(job.renamed ? { renamed: job.renamed } : {}) });
    else if (errorKind(r.reason) === 'cancelled') report.skipped.push({ name: job.ref.name, reason: CANCELLED });
    else if (errorKind(r.reason) === 'conflict') report.skipped.push({ name: job.ref.name, reason: appearedText(job.path) });
    else {
      report.failed.push({ name: job.ref.name, reason: describeError(r.reason, services.log.redact) });
      services.log.error(`Downloading ${quotedName(job.ref.name)} from ${job.ref.desktopId} failed`, r.reason);
    }
  });
  const isFailure = (r: PromiseSettledResult<unknown>): r is PromiseRejectedResult => r.status === 'rejected' && errorKind(r.reason) !== 'cancelled' && errorKind(r.reason) !== 'conflict';
  const failed = jobs.filter((_, i) => isFailure(settled[i]));
  const outcome = { direction: 'download' as const, done: report.downloaded.map((d) => d.name), skipped: [...report.refused, ...report.skipped], failed: report.failed };
  const what = jobs.length === 1 ? vscode.l10n.t('Downloading {0} failed', quotedName(jobs[0].ref.name)) : vscode.l10n.t('Download failed');
  showBatchFailures(services, outcome, settled.filter(isFailure).map((r) => r.reason), what, () => retryFailed(failed));
}

function summarize(services: Services, report: DownloadReport): void {
  for (const r of report.refused) services.log.info(`Not downloaded: ${quotedName(r.name)}: ${r.reason}`);
  // A batch with failures ended with its one summary (transfer), which names the refused files too.
  if (report.refused.length > 0 && report.failed.length === 0) {
    showNote(services, 'warning', vscode.l10n.t('Not downloaded (no local file name can hold it): {0}: {1}.', listNames(report.refused.map((r) => r.name)), report.refused[0].reason));
  }
  for (const s of report.skipped) services.log.info(`Not downloaded: ${quotedName(s.name)}: ${s.reason}`);
  // Files cancelled one by one (from the transfers list) are no news; a batch with failures said it all in its summary.
  const existed = report.skipped.filter((s) => s.reason !== CANCELLED);
  if (existed.length > 0 && !report.cancelled && report.failed.length === 0) {
    showNote(services, 'warning', existsText(existed));
  }
  const renames = renamedText(services, report);
  if (report.downloaded.length > 0 && report.failed.length === 0) {
    const where = nodePath.dirname(report.downloaded[0].path);
    const n = report.downloaded.length;
    const what = n === 1 ? quotedName(report.downloaded[0].name) : vscode.l10n.t('{0} files', n);
    showNote(services, 'info', renames ? vscode.l10n.t('Downloaded {0} to {1}. {2}', what, where, renames) : vscode.l10n.t('Downloaded {0} to {1}.', what, where));
    return;
  }
  if (renames) showNote(services, 'info', renames);
  if (report.cancelled) showNote(services, 'warning', vscode.l10n.t('Download cancelled; no partial file was left behind.'));
}

/** "Not downloaded (a local file exists): 'a.txt'." and, for files the disk treats as one spelled differently, why. */
export function existsText(existed: DownloadReport['skipped']): string {
  const same = existed.flatMap((s) => (s.sameFile ? [s.sameFile.because] : []));
  const names = listNames(existed.map((s) => s.name));
  if (same.length === 0) return vscode.l10n.t('Not downloaded (a local file exists): {0}.', names);
  const first = same.slice(0, 3).join('; ');
  if (same.length <= 3) return vscode.l10n.t({ message: 'Not downloaded (a local file exists): {0}. {1}.', args: [names, first], comment: ['{0} is a list of names, {1} why the disk treats them as existing files'] });
  return vscode.l10n.t({ message: 'Not downloaded (a local file exists): {0}. {1}; and {2} more (see the log).', args: [names, first, same.length - 3], comment: ['{0} is a list of names, {1} why the disk treats them as existing files, {2} how many more reasons'] });
}

/** The reason of a download that met a local file created while it ran. */
export function appearedText(path: string): string {
  return vscode.l10n.t({ message: "'{0}' appeared while downloading; left untouched", args: [path], comment: ['{0} is a local path'] });
}

function renamedText(services: Services, report: DownloadReport): string | undefined {
  return renamesText(services, report.downloaded.flatMap((d) => (d.renamed ? [{ name: d.name, as: d.renamed.as, because: d.renamed.because }] : [])));
}

/** How many renames a notification names; every one goes to the log. */
const RENAMES_SHOWN = 10;

/**
 * "Saved 'report:v2.txt' as 'report：v2.txt' (':' is not allowed on Windows)." for the first
 * ten names saved under another name (`folder` ones as "Saved folder …"); every one goes to the log.
 */
export function renamesText(services: Services, renames: readonly { name: string; as: string; because: readonly string[]; folder?: boolean }[]): string | undefined {
  const lines = renames.map((r) => {
    const args = [quotedName(r.name), quotedName(r.as), r.because.join('; ')];
    if (r.folder) return vscode.l10n.t({ message: 'Saved folder {0} as {1} ({2})', args, comment: ['{0} is the drive name, {1} the local name, {2} why they differ'] });
    return vscode.l10n.t({ message: 'Saved {0} as {1} ({2})', args, comment: ['{0} is the drive name, {1} the local name, {2} why they differ'] });
  });
  if (lines.length === 0) return undefined;
  for (const line of lines) services.log.info(line);
  const shown = lines.slice(0, RENAMES_SHOWN).join('; ');
  return lines.length > RENAMES_SHOWN ? vscode.l10n.t('{0}; and {1} more (see the log).', shown, lines.length - RENAMES_SHOWN) : `${shown}.`;
}

function defaultFolder(): string {
  const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
  return folder ? folder.uri.fsPath : os.homedir();
}
