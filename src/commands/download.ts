import { promises as fsp } from 'node:fs';
import { displayName, quotedName } from '../api/display';
import * as nodePath from 'node:path';
import * as os from 'node:os';
import * as vscode from 'vscode';
import { exists } from '../api/atomicFile';
import { localName } from '../api/localName';
import { describeError, errorKind } from '../drive/errors';
import type { Services } from '../services';
import { listNames, plural, showFailure, showNote } from './messages';
import { transferAll } from './progress';
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

/** A drive name the local disk cannot hold as it is, and the name it was saved under instead. */
export interface Renamed {
  /** The local file name used. */
  as: string;
  /** Why, one short phrase each ("':' is not allowed on Windows"). */
  because: string[];
}

export interface DownloadReport {
  /** `renamed` is set when the local name differs from the drive name (Windows' rules, see `localName`). */
  downloaded: { name: string; path: string; size: number; renamed?: Renamed }[];
  skipped: { name: string; reason: string }[];
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

/** Where a drive file goes in a local folder: under its local name, or refused with the reason. */
function placeIn(folder: string, ref: DriveFileRef, refused: DownloadReport['refused']): { path: string; renamed?: Renamed } | undefined {
  const local = localName(ref.name);
  if (!local.storable) {
    refused.push({ name: ref.name, reason: local.reasons.join('; ') });
    return undefined;
  }
  return { path: nodePath.join(folder, local.local), renamed: local.changed ? { as: local.local, because: local.reasons } : undefined };
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
  const report: DownloadReport = { downloaded: [], skipped: [], refused: [], failed: [], cancelled: false };
  if (refs.length === 0) return report;
  let jobs: Job[] | undefined;
  if (destination) jobs = await jobsAt(destination, refs, options, report);
  else if (refs.length === 1) jobs = await saveAs(refs[0]);
  else jobs = await intoPickedFolder(refs, report);
  // No jobs: a dialog was dismissed (nothing to report), or an Overwrite question was cancelled (the report says so).
  if (!jobs) return report.cancelled ? report : undefined;
  if (jobs.length > 0) {
    await transfer(services, jobs, options.token, report, () =>
      downloadFiles(services, report.failed.map((f) => refs.find((r) => r.name === f.name)).filter((r): r is DriveFileRef => !!r), destination, options),
    );
  }
  summarize(services, report);
  return report;
}

/** A destination passed as an argument: nothing asks, and an existing file is replaced only with `overwrite`. */
async function jobsAt(destination: vscode.Uri, refs: readonly DriveFileRef[], options: DownloadCommandOptions, report: DownloadReport): Promise<Job[]> {
  if (destination.scheme !== 'file') throw new Error(`Downloads go to local files; ${destination.toString(true)} is not one.`);
  const st = await fsp.stat(destination.fsPath).catch(() => undefined);
  const intoFolder = refs.length > 1 || st?.isDirectory() === true;
  if (intoFolder) await fsp.mkdir(destination.fsPath, { recursive: true });
  const jobs: Job[] = [];
  for (const ref of refs) {
    const place = intoFolder ? placeIn(destination.fsPath, ref, report.refused) : { path: destination.fsPath };
    if (!place) continue;
    if (!options.overwrite && (await exists(place.path))) {
      report.skipped.push({ name: ref.name, reason: `'${place.path}' exists (pass { overwrite: true } to replace it)` });
      continue;
    }
    jobs.push({ ref, ...place, overwrite: options.overwrite === true });
  }
  return jobs;
}

/** One file: a Save dialog; undefined when dismissed. */
async function saveAs(ref: DriveFileRef): Promise<Job[] | undefined> {
  const picked = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(nodePath.join(defaultFolder(), localName(ref.name).local)), saveLabel: 'Download', title: `Download ${quotedName(ref.name)}` });
  if (!picked) return undefined;
  // The save dialog itself asks before replacing a file: choosing one is the consent.
  return [{ ref, path: picked.fsPath, overwrite: true }];
}

/**
 * Several files: a folder picker, then Overwrite / Skip (or for all) per existing local file.
 * Undefined when the picker is dismissed, or (with `report.cancelled`) when a question is.
 */
async function intoPickedFolder(refs: readonly DriveFileRef[], report: DownloadReport): Promise<Job[] | undefined> {
  const picked = await vscode.window.showOpenDialog({ canSelectFiles: false, canSelectFolders: true, canSelectMany: false, defaultUri: vscode.Uri.file(defaultFolder()), openLabel: 'Download Here', title: `Download ${refs.length} files` });
  if (!picked || picked.length === 0) return undefined;
  const folder = picked[0].fsPath;
  let applyAll: 'overwrite' | 'skip' | undefined;
  const places = new Map<DriveFileRef, { path: string; renamed?: Renamed }>();
  for (const ref of refs) {
    const place = placeIn(folder, ref, report.refused);
    if (place) places.set(ref, place);
  }
  const existing: string[] = [];
  for (const [ref, place] of places) if (await exists(place.path)) existing.push(ref.name);
  let remaining = existing.length;
  const jobs: Job[] = [];
  for (const [ref, place] of places) {
    const { path } = place;
    if (!existing.includes(ref.name)) {
      jobs.push({ ref, ...place, overwrite: false });
      continue;
    }
    let choice = applyAll;
    if (!choice) {
      const answer = await askLocalOverwrite(ref.name, folder, remaining);
      if (answer === undefined) {
        report.cancelled = true;
        return undefined;
      }
      choice = answer.choice;
      if (answer.all) applyAll = choice;
    }
    remaining--;
    if (choice === 'overwrite') jobs.push({ ref, ...place, overwrite: true });
    else report.skipped.push({ name: ref.name, reason: `'${path}' exists` });
  }
  return jobs;
}

/** The modal Overwrite / Skip (and … All when `remaining` > 1) for a local file that exists; undefined when dismissed. */
export async function askLocalOverwrite(name: string, folder: string, remaining: number): Promise<{ choice: 'overwrite' | 'skip'; all: boolean } | undefined> {
  const buttons = remaining > 1 ? ['Overwrite', 'Skip', 'Overwrite All', 'Skip All'] : ['Overwrite', 'Skip'];
  const answer = await vscode.window.showWarningMessage(`${quotedName(name)} already exists in ${displayName(folder, 300)}.`, { modal: true, detail: 'Overwrite replaces the local file.' }, ...buttons);
  if (answer === undefined) return undefined;
  return { choice: answer.startsWith('Overwrite') ? 'overwrite' : 'skip', all: answer.endsWith('All') };
}

/** Downloads the jobs a few at a time under one cancellable notification, and says what failed. */
async function transfer(services: Services, jobs: readonly Job[], token: vscode.CancellationToken | undefined, report: DownloadReport, retry: () => unknown): Promise<void> {
  const client = services.clients.get();
  const known = jobs.every((j) => j.ref.size !== undefined);
  const total = known ? jobs.reduce((s, j) => s + (j.ref.size ?? 0), 0) : 0;
  const title = jobs.length === 1 ? `Downloading ${quotedName(jobs[0].ref.name)}` : `Downloading ${jobs.length} files`;
  const { settled, cancelled } = await transferAll(title, token, jobs, total, services.clients.settings.transferConcurrency, (job, signal, onBytes) =>
    client.downloadToFile(job.ref.desktopId, job.ref.name, job.path, { path: job.ref.folder, overwrite: job.overwrite, signal, onProgress: (p) => onBytes(p.done) }),
  );
  report.cancelled = report.cancelled || cancelled;
  settled.forEach((r, i) => {
    const job = jobs[i];
    if (r.status === 'fulfilled') report.downloaded.push({ name: job.ref.name, path: job.path, size: r.value.size, ...(job.renamed ? { renamed: job.renamed } : {}) });
    else if (errorKind(r.reason) === 'cancelled') report.skipped.push({ name: job.ref.name, reason: 'cancelled' });
    else if (errorKind(r.reason) === 'conflict') report.skipped.push({ name: job.ref.name, reason: `'${job.path}' appeared while downloading; left untouched` });
    else {
      report.failed.push({ name: job.ref.name, reason: describeError(r.reason, services.log.redact) });
      services.log.error(`Downloading ${quotedName(job.ref.name)} from ${job.ref.desktopId} failed`, r.reason);
    }
  });
  const firstFailure = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected' && errorKind(r.reason) !== 'cancelled' && errorKind(r.reason) !== 'conflict');
  if (firstFailure && report.downloaded.length === 0) {
    showFailure(services, jobs.length === 1 ? `Downloading ${quotedName(jobs[0].ref.name)} failed` : 'Download failed', firstFailure.reason, retry);
  } else if (report.failed.length > 0) {
    showNote(services, 'error', `Downloaded ${plural(report.downloaded.length, 'file')}; ${listNames(report.failed.map((f) => f.name))} failed: ${report.failed[0].reason}`);
  }
}

function summarize(services: Services, report: DownloadReport): void {
  if (report.refused.length > 0) {
    for (const r of report.refused) services.log.info(`Not downloaded: ${quotedName(r.name)}: ${r.reason}`);
    showNote(services, 'warning', `Not downloaded (no local file name can hold it): ${listNames(report.refused.map((r) => r.name))}: ${report.refused[0].reason}.`);
  }
  if (report.skipped.length > 0 && !report.cancelled) {
    for (const s of report.skipped) services.log.info(`Not downloaded: ${quotedName(s.name)}: ${s.reason}`);
    showNote(services, 'warning', `Not downloaded (a local file exists): ${listNames(report.skipped.map((s) => s.name))}.`);
  }
  const renames = renamedText(services, report);
  if (report.downloaded.length > 0 && report.failed.length === 0) {
    const where = nodePath.dirname(report.downloaded[0].path);
    const done = report.downloaded.length === 1 ? `Downloaded ${quotedName(report.downloaded[0].name)} to ${where}.` : `Downloaded ${plural(report.downloaded.length, 'file')} to ${where}.`;
    showNote(services, 'info', renames ? `${done} ${renames}` : done);
    return;
  }
  if (renames) showNote(services, 'info', renames);
  if (report.cancelled) showNote(services, 'warning', 'Download cancelled; no partial file was left behind.');
}

/**
 * "Saved 'report:v2.txt' as 'report：v2.txt' (':' is not allowed on Windows)." for the first
 * three files saved under another name; every one goes to the log.
 */
function renamedText(services: Services, report: DownloadReport): string | undefined {
  const lines = report.downloaded.flatMap((d) => (d.renamed ? [`Saved ${quotedName(d.name)} as ${quotedName(d.renamed.as)} (${d.renamed.because.join('; ')})`] : []));
  if (lines.length === 0) return undefined;
  for (const line of lines) services.log.info(line);
  const shown = lines.slice(0, 3).join('; ');
  return lines.length > 3 ? `${shown}; and ${lines.length - 3} more (see the log).` : `${shown}.`;
}

function defaultFolder(): string {
  const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
  return folder ? folder.uri.fsPath : os.homedir();
}
