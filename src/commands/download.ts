import { promises as fsp } from 'node:fs';
import * as nodePath from 'node:path';
import * as os from 'node:os';
import * as vscode from 'vscode';
import { runPool } from '../api/pool';
import { describeError, errorKind } from '../drive/errors';
import type { Services } from '../services';
import { listNames, plural, showFailure, showNote } from './messages';
import { TransferProgress, withTransferProgress } from './progress';
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

export interface DownloadReport {
  downloaded: { name: string; path: string; size: number }[];
  skipped: { name: string; reason: string }[];
  failed: { name: string; reason: string }[];
  cancelled: boolean;
}

interface Job {
  ref: DriveFileRef;
  path: string;
  overwrite: boolean;
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
  const report: DownloadReport = { downloaded: [], skipped: [], failed: [], cancelled: false };
  if (refs.length === 0) return report;
  const jobs: Job[] = [];

  if (destination) {
    if (destination.scheme !== 'file') throw new Error(`Downloads go to local files; ${destination.toString(true)} is not one.`);
    const st = await fsp.stat(destination.fsPath).catch(() => undefined);
    const intoFolder = refs.length > 1 || st?.isDirectory() === true;
    if (intoFolder) await fsp.mkdir(destination.fsPath, { recursive: true });
    for (const ref of refs) {
      const path = intoFolder ? nodePath.join(destination.fsPath, ref.name) : destination.fsPath;
      if (!options.overwrite && (await exists(path))) {
        report.skipped.push({ name: ref.name, reason: `'${path}' exists (pass { overwrite: true } to replace it)` });
        continue;
      }
      jobs.push({ ref, path, overwrite: options.overwrite === true });
    }
  } else if (refs.length === 1) {
    const ref = refs[0];
    const picked = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(nodePath.join(defaultFolder(), ref.name)), saveLabel: 'Download', title: `Download '${ref.name}'` });
    if (!picked) return undefined;
    // The save dialog itself asks before replacing a file: choosing one is the consent.
    jobs.push({ ref, path: picked.fsPath, overwrite: true });
  } else {
    const picked = await vscode.window.showOpenDialog({ canSelectFiles: false, canSelectFolders: true, canSelectMany: false, defaultUri: vscode.Uri.file(defaultFolder()), openLabel: 'Download Here', title: `Download ${refs.length} files` });
    if (!picked || picked.length === 0) return undefined;
    const folder = picked[0].fsPath;
    let applyAll: 'overwrite' | 'skip' | undefined;
    const existing: string[] = [];
    for (const ref of refs) if (await exists(nodePath.join(folder, ref.name))) existing.push(ref.name);
    let remaining = existing.length;
    for (const ref of refs) {
      const path = nodePath.join(folder, ref.name);
      if (!existing.includes(ref.name)) {
        jobs.push({ ref, path, overwrite: false });
        continue;
      }
      let choice = applyAll;
      if (!choice) {
        const buttons = remaining > 1 ? ['Overwrite', 'Skip', 'Overwrite All', 'Skip All'] : ['Overwrite', 'Skip'];
        const answer = await vscode.window.showWarningMessage(`'${ref.name}' already exists in ${folder}.`, { modal: true, detail: 'Overwrite replaces the local file.' }, ...buttons);
        if (answer === undefined) {
          report.cancelled = true;
          return report;
        }
        choice = answer.startsWith('Overwrite') ? 'overwrite' : 'skip';
        if (answer.endsWith('All')) applyAll = choice;
      }
      remaining--;
      if (choice === 'overwrite') jobs.push({ ref, path, overwrite: true });
      else report.skipped.push({ name: ref.name, reason: `'${path}' exists` });
    }
  }

  if (jobs.length > 0) {
    const client = services.clients.get();
    const known = jobs.every((j) => j.ref.size !== undefined);
    const total = known ? jobs.reduce((s, j) => s + (j.ref.size ?? 0), 0) : 0;
    const title = jobs.length === 1 ? `Downloading '${jobs[0].ref.name}'` : `Downloading ${jobs.length} files`;
    const { settled, cancelled } = await withTransferProgress(title, options.token, async (signal, progress) => {
      const meter = new TransferProgress(progress, total, jobs.length);
      const results = await runPool(
        jobs,
        services.clients.settings.transferConcurrency,
        async (job, index) => {
          const r = await client.downloadToFile(job.ref.desktopId, job.ref.name, job.path, {
            path: job.ref.folder,
            overwrite: job.overwrite,
            signal,
            onProgress: (p) => meter.update(index, p.done),
          });
          meter.fileDone();
          return r;
        },
        signal,
      );
      return { settled: results, cancelled: signal.aborted };
    });
    report.cancelled = report.cancelled || cancelled;
    settled.forEach((r, i) => {
      const job = jobs[i];
      if (r.status === 'fulfilled') report.downloaded.push({ name: job.ref.name, path: job.path, size: r.value.size });
      else if (errorKind(r.reason) === 'cancelled') report.skipped.push({ name: job.ref.name, reason: 'cancelled' });
      else if (errorKind(r.reason) === 'conflict') report.skipped.push({ name: job.ref.name, reason: `'${job.path}' appeared while downloading; left untouched` });
      else {
        report.failed.push({ name: job.ref.name, reason: describeError(r.reason, services.log.redact) });
        services.log.error(`Downloading '${job.ref.name}' from ${job.ref.desktopId} failed`, r.reason);
      }
    });
    const firstFailure = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected' && errorKind(r.reason) !== 'cancelled' && errorKind(r.reason) !== 'conflict');
    if (firstFailure && report.downloaded.length === 0) {
      showFailure(services, jobs.length === 1 ? `Downloading '${jobs[0].ref.name}' failed` : 'Download failed', firstFailure.reason, () =>
        downloadFiles(services, report.failed.map((f) => refs.find((r) => r.name === f.name)).filter((r): r is DriveFileRef => !!r), destination, options),
      );
    } else if (report.failed.length > 0) {
      showNote(services, 'error', `Downloaded ${plural(report.downloaded.length, 'file')}; ${listNames(report.failed.map((f) => f.name))} failed: ${report.failed[0].reason}`);
    }
  }
  if (report.skipped.length > 0 && !report.cancelled) {
    for (const s of report.skipped) services.log.info(`Not downloaded: ${s.name}: ${s.reason}`);
    showNote(services, 'warning', `Not downloaded (a local file exists): ${listNames(report.skipped.map((s) => s.name))}.`);
  }
  if (report.downloaded.length > 0 && report.failed.length === 0) {
    const where = nodePath.dirname(report.downloaded[0].path);
    showNote(services, 'info', report.downloaded.length === 1 ? `Downloaded '${report.downloaded[0].name}' to ${where}.` : `Downloaded ${plural(report.downloaded.length, 'file')} to ${where}.`);
  } else if (report.cancelled) {
    showNote(services, 'warning', 'Download cancelled; no partial file was left behind.');
  }
  return report;
}

function defaultFolder(): string {
  const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
  return folder ? folder.uri.fsPath : os.homedir();
}

async function exists(path: string): Promise<boolean> {
  return fsp.lstat(path).then(
    () => true,
    () => false,
  );
}
