import { promises as fsp } from 'node:fs';
import * as nodePath from 'node:path';
import * as vscode from 'vscode';
import { quotedName } from '../api/display';
import type { DriveClient } from '../api/DriveClient';
import { walkLocalFolder } from '../api/localTree';
import { folderSegments } from '../api/names';
import { checkAgainstDrive, listUploadFolders, planTreeUpload, type RemoteFolders, type TreeUploadJob } from '../api/treeTransfer';
import { describeError, errorKind } from '../drive/errors';
import { driveUri } from '../drive/uri';
import type { Services } from '../services';
import type { UploadItem } from '../views/nodes';
import { counted, filesText, listNames, showNote } from './messages';
import { CANCELLED, showBatchFailures } from './transferSummary';
import { preparing, transferAll } from './progress';
import { placeName, type DriveFolderRef } from './targets';
import type { UploadReport } from './upload';
import { ConflictRun } from './conflicts';
import { askConflict, nameExists, type ConflictPolicy } from './uploadConflicts';
import { nextFreeName } from '../api/names';

/** The local folders among upload items (`file:` URIs of directories), and the rest. */
export async function splitLocalFolders(items: readonly UploadItem[]): Promise<{ folders: string[]; rest: UploadItem[] }> {
  const folders: string[] = [];
  const rest: UploadItem[] = [];
  for (const item of items) {
    const uri = item instanceof vscode.Uri ? item : item.uri;
    const st = uri?.scheme === 'file' ? await fsp.stat(uri.fsPath).catch(() => undefined) : undefined;
    if (uri && st?.isDirectory()) folders.push(uri.fsPath);
    else rest.push(item);
  }
  return { folders, rest };
}

/**
 * Uploads local folders recursively into `target`, with the rules of single files: every name,
 * depth and size is checked before any byte (a refused file is named, the rest goes on), an
 * existing name asks Overwrite / Keep Both / Skip (… All) by `policy`, and the whole tree runs
 * under one cancellable progress, `transferConcurrency` files at a time. Folders on the drive
 * are made by the uploads' `?path=`. Outcomes are added to `report`.
 */
export async function uploadFolders(services: Services, target: DriveFolderRef, roots: readonly string[], policy: ConflictPolicy, token: vscode.CancellationToken | undefined, report: UploadReport): Promise<void> {
  const client = services.clients.get();
  const jobs: TreeUploadJob[] = [];
  const concurrency = services.clients.settings.transferConcurrency;
  const what = rootsText(roots);
  const onDrive = await preparing(vscode.l10n.t('Reading {0} and {1}…', what, placeName(target)), token, async (signal) => {
    for (const root of roots) {
      const tree = await walkLocalFolder(root, signal);
      for (const s of tree.skipped) report.skipped.push({ name: s.relative, reason: s.reason });
      const planned = planTreeUpload(tree.files, target.folder);
      report.refused.push(...planned.refused);
      jobs.push(...planned.jobs);
    }
    return listUploadFolders(client, target.desktopId, target.folder, jobs, concurrency, signal);
  }).catch((err: unknown) => {
    if (errorKind(err) === 'cancelled') return undefined;
    throw err;
  });
  if (!onDrive) {
    report.cancelled = true;
    showNote(services, 'warning', vscode.l10n.t('Upload of {0} to {1} cancelled; nothing was sent.', what, placeName(target)));
    return;
  }
  const checked = checkAgainstDrive(jobs, target.folder, onDrive);
  report.refused.push(...checked.refused);
  const plans = await resolveConflicts(target, checked.jobs, onDrive, policy, report);
  if (!plans) {
    report.cancelled = true;
    return;
  }
  if (plans.length > 0) await send(services, client, target, roots, plans, token, report);
  summarize(services, target, roots, report);
}

/** "'photos'" or "3 folders", for messages. */
function rootsText(roots: readonly string[]): string {
  return roots.length === 1 ? quotedName(nodePath.basename(roots[0])) : vscode.l10n.t('{0} folders', roots.length);
}

/** Overwrite / Keep Both / Skip for each job whose name the drive has; undefined when the question was dismissed. */
async function resolveConflicts(target: DriveFolderRef, jobs: readonly TreeUploadJob[], onDrive: RemoteFolders, policy: ConflictPolicy, report: UploadReport): Promise<TreeUploadJob[] | undefined> {
  const answers = new ConflictRun(policy, jobs.filter((j) => j.exists).length);
  // Keep Both picks a name free both on the drive and in this batch.
  const taken = new Map<string, Set<string>>();
  const takenIn = (folder: string): Set<string> => {
    let set = taken.get(folder);
    if (!set) {
      const there = onDrive.get(folder);
      set = new Set([...(there instanceof Map ? there.keys() : []), ...jobs.filter((j) => j.folder === folder).map((j) => j.name)]);
      taken.set(folder, set);
    }
    return set;
  };
  const plans: TreeUploadJob[] = [];
  for (const job of jobs) {
    if (!job.exists) {
      plans.push(job);
      continue;
    }
    const choice = await answers.next((remaining) => askConflict(job.relative, placeName(target), remaining));
    if (!choice) return undefined;
    if (choice === 'skip') report.skipped.push({ name: job.relative, reason: nameExists() });
    else if (choice === 'overwrite') plans.push(job);
    else {
      const name = nextFreeName(job.name, takenIn(job.folder));
      takenIn(job.folder).add(name);
      plans.push({ ...job, name, exists: false });
    }
  }
  return plans;
}

async function send(services: Services, client: DriveClient, target: DriveFolderRef, roots: readonly string[], plans: readonly TreeUploadJob[], token: vscode.CancellationToken | undefined, report: UploadReport): Promise<void> {
  const title = vscode.l10n.t('Uploading {0} ({1}) to {2}', rootsText(roots), filesText(plans.length), placeName(target));
  const batch = { title, direction: 'upload' as const, registry: services.transfers, redact: services.log.redact, describe: (p: TreeUploadJob) => ({ name: p.relative, desktopId: target.desktopId, desktop: target.label, size: p.size }) };
  const results = await transferAll(batch, token, plans, services.clients.settings.transferConcurrency, (plan, signal, onBytes) =>
    client.upload(target.desktopId, plan.name, { kind: 'file', path: plan.path }, { path: plan.folder, signal, onProgress: (p) => onBytes(p.done) }),
  );
  report.cancelled = report.cancelled || results.cancelled;
  const touched = new Set<string>();
  for (let i = 0; i < plans.length; i++) {
    const plan = plans[i];
    const r = results.settled[i];
    const uri = driveUri(target.desktopId, ...folderSegments(plan.folder), plan.name);
    if (r.status === 'fulfilled') {
      report.uploaded.push({ name: plan.name, uri: uri.toString(), source: plan.relative });
      services.fs.recordUpload(uri, plan.size);
      touched.add(plan.folder);
    } else if (errorKind(r.reason) === 'cancelled') report.skipped.push({ name: plan.relative, reason: CANCELLED });
    else {
      report.failed.push({ name: plan.relative, reason: await failureReason(services, plan, r.reason) });
      services.log.error(`Uploading ${quotedName(plan.relative)} to ${target.desktopId} failed`, r.reason);
    }
  }
  // New folders show in their parents' listings: refresh every folder from the target down.
  for (const folder of touched) {
    const segs = folderSegments(folder);
    for (let i = folderSegments(target.folder ?? '').length; i <= segs.length; i++) services.fs.invalidate(target.desktopId, segs.slice(0, i).join('/') || undefined);
  }
  services.fs.invalidate(target.desktopId, target.folder);
  const failed = plans.filter((_, i) => isFailure(results.settled[i]));
  const errors = results.settled.filter(isFailure).map((r) => r.reason);
  const outcome = { direction: 'upload' as const, where: placeName(target), done: report.uploaded.map((u) => u.source), skipped: [...report.refused, ...report.skipped], failed: report.failed };
  // Retry Failed sends the failed files again as planned (their names and folders were settled before any byte).
  showBatchFailures(services, outcome, errors, vscode.l10n.t('Upload to {0} failed', placeName(target)), () => send(services, services.clients.get(), target, roots, failed, undefined, { uploaded: [], refused: [], skipped: [], failed: [], cancelled: false }));
}

function isFailure(r: PromiseSettledResult<unknown>): r is PromiseRejectedResult {
  return r.status === 'rejected' && errorKind(r.reason) !== 'cancelled';
}

/** A local file gone since the walk says so plainly; anything else is the error's own text. */
async function failureReason(services: Services, plan: TreeUploadJob, err: unknown): Promise<string> {
  const gone = await fsp.lstat(plan.path).then(() => false, () => true);
  if (gone) return vscode.l10n.t('{0} vanished from the local disk before it was sent; nothing of it was uploaded.', quotedName(plan.relative));
  return describeError(err, services.log.redact);
}

function summarize(services: Services, target: DriveFolderRef, roots: readonly string[], report: UploadReport): void {
  const where = placeName(target);
  for (const r of report.refused) services.log.warn(`Not uploaded: ${r.name}: ${r.reason}`);
  for (const s of report.skipped) services.log.info(`Skipped: ${s.name}: ${s.reason}`);
  if (report.refused.length > 0) {
    const [names, reason] = [listNames(report.refused.map((r) => r.name)), report.refused[0].reason];
    showNote(services, 'error', report.refused.length > 1 ? vscode.l10n.t('Not uploaded: {0}: {1} (every reason is in the log)', names, reason) : vscode.l10n.t('Not uploaded: {0}: {1}', names, reason));
  }
  const exists = nameExists();
  const left = report.skipped.filter((s) => s.reason !== CANCELLED && s.reason !== exists);
  if (left.length > 0) {
    const [names, reason] = [listNames(left.map((s) => s.name)), left[0].reason];
    showNote(services, 'warning', left.length > 1 ? vscode.l10n.t('Skipped {0}: {1} (every reason is in the log).', names, reason) : vscode.l10n.t('Skipped {0}: {1}.', names, reason));
  }
  const what = rootsText(roots);
  const files = filesText(report.uploaded.length);
  if (report.failed.length > 0) {
    showNote(services, 'error', vscode.l10n.t('Uploaded {0} of {1} to {2}; {3} failed: {4}', files, what, where, listNames(report.failed.map((f) => f.name)), report.failed[0].reason));
  } else if (report.cancelled) {
    showNote(services, 'warning', vscode.l10n.t('Upload of {0} to {1} cancelled after {2}; those stay on the drive, no partial file was stored.', what, where, files));
  } else if (report.uploaded.length > 0) {
    const kept = report.skipped.filter((s) => s.reason === exists).length;
    const existing = counted(kept, vscode.l10n.t('1 existing file'), vscode.l10n.t('{0} existing files', kept));
    showNote(services, 'info', kept ? vscode.l10n.t('Uploaded {0} ({1}) to {2}. {3} skipped.', what, files, where, existing) : vscode.l10n.t('Uploaded {0} ({1}) to {2}.', what, files, where));
  }
}


