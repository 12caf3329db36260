import * as vscode from 'vscode';
import type { DriveClient } from '../api/DriveClient';
import { describeError, errorKind } from '../drive/errors';
import { driveUri } from '../drive/uri';
import type { Services } from '../services';
import type { UploadItem } from '../views/nodes';
import { filesText, listNames, showNote } from './messages';
import { transferAll } from './progress';
import { CANCELLED, showBatchFailures } from './transferSummary';
import { placeName, type DriveFolderRef } from './targets';
import { planNames, type ConflictPolicy, type Plan } from './uploadConflicts';
import { bodyOf, labelOf, resolveSource, uploadProblem, type UploadCandidate } from './uploadSources';
import { quotedName } from '../api/display';
import { markUploaded } from '../walkthrough';
import { splitLocalFolders, uploadFolders } from './folderUpload';

export interface UploadCommandOptions {
  /**
   * Default: `ask` when the files were picked in a dialog or dropped, `keepBoth` when a script
   * passed them (a script gets no dialog, and a silent overwrite could lose a newer file).
   */
  conflict?: ConflictPolicy;
  /** Cancels the whole batch like the notification's Cancel button (scripts and tests). */
  token?: vscode.CancellationToken;
}

export interface UploadReport {
  /** Remote names written, with the URI of each. */
  uploaded: { name: string; uri: string; source: string }[];
  /** Refused before a byte was sent (bad name, over 100 MiB, a folder, unreadable). */
  refused: { name: string; reason: string }[];
  /** Existing names the user (or the policy) chose to skip. */
  skipped: { name: string; reason: string }[];
  failed: { name: string; reason: string }[];
  cancelled: boolean;
}

/**
 * The one upload path: the Upload… command, drops on the tree and copies between drives.
 * `target` is a desktop's root or a folder; `items` are local `file:` URIs, `nendrive:` URIs
 * (copied) or dropped files with bytes. Without items, an open dialog asks.
 */
export async function uploadItems(
  services: Services,
  target: DriveFolderRef,
  items: readonly UploadItem[] | undefined,
  options: UploadCommandOptions = {},
): Promise<UploadReport | undefined> {
  const report: UploadReport = { uploaded: [], refused: [], skipped: [], failed: [], cancelled: false };
  const interactive = items === undefined;
  if (!items) {
    const picked = await vscode.window.showOpenDialog({ canSelectMany: true, canSelectFiles: true, canSelectFolders: false, openLabel: vscode.l10n.t({ message: 'Upload', comment: ['the button of the file picker'] }) });
    if (!picked || picked.length === 0) return undefined;
    items = picked;
  }
  let policy: ConflictPolicy = options.conflict ?? (interactive ? 'ask' : 'keepBoth');
  if (policy === 'ask' && !services.clients.settings.confirmOverwrite) policy = 'overwrite';
  // Local folders go up recursively (folderUpload.ts); the other items as below, with the same choice.
  const { folders, rest } = await splitLocalFolders(items);
  if (folders.length > 0) {
    await uploadFolders(services, target, folders, policy, options.token, report);
    if (rest.length === 0 || report.cancelled) return report;
    const more = await uploadItems(services, target, rest, { ...options, conflict: policy });
    return more ? { uploaded: [...report.uploaded, ...more.uploaded], refused: [...report.refused, ...more.refused], skipped: [...report.skipped, ...more.skipped], failed: [...report.failed, ...more.failed], cancelled: more.cancelled } : report;
  }
  const client = services.clients.get();

  // 1. Know every source's name and size, and refuse what cannot go, before a byte is sent.
  const candidates = await acceptSources(services, items, report.refused);
  // 2. Names that exist already (or twice in this batch): Overwrite / Keep Both / Skip.
  const plans = candidates.length > 0 ? await planNames(services, target, candidates, policy, report.skipped) : [];
  if (!plans) {
    report.cancelled = true;
    return report;
  }
  // 3. Send, a few at a time, under one cancellable notification.
  // Retry Failed sends the failed files again through this same path (their names checked afresh: the drive is live).
  if (plans.length > 0) await send(services, client, target, plans, options.token, report, (failed) => uploadItems(services, target, failed, { ...options, token: undefined }));
  summarize(services, report, target);
  if (report.uploaded.length > 0) markUploaded();
  return report;
}

/** The candidates that can go; the others are `refused` with the reason. */
async function acceptSources(services: Services, items: readonly UploadItem[], refused: UploadReport['refused']): Promise<UploadCandidate[]> {
  const accepted: UploadCandidate[] = [];
  for (const item of items) {
    const resolved = await resolveSource(item).catch((err: unknown) => ({ label: labelOf(item), reason: describeError(err, services.log.redact) }));
    if ('reason' in resolved) {
      refused.push({ name: resolved.label, reason: resolved.reason });
      continue;
    }
    const problem = uploadProblem(resolved.label, resolved.size);
    if (problem) {
      refused.push({ name: resolved.label, reason: problem });
      continue;
    }
    accepted.push({ ...resolved, item });
  }
  return accepted;
}

/** Uploads the plans, records each outcome in `report`, and shows the failure when nothing went. */
async function send(
  services: Services,
  client: DriveClient,
  target: DriveFolderRef,
  plans: readonly Plan[],
  token: vscode.CancellationToken | undefined,
  report: UploadReport,
  retryFailed: (items: UploadItem[]) => unknown,
): Promise<void> {
  const where = placeName(target);
  const title = plans.length === 1 ? vscode.l10n.t('Uploading {0} to {1}', quotedName(plans[0].name), where) : vscode.l10n.t('Uploading {0} files to {1}', plans.length, where);
  const batch = { title, direction: 'upload' as const, registry: services.transfers, redact: services.log.redact, describe: (p: Plan) => ({ name: p.name, desktopId: target.desktopId, desktop: target.label, size: p.size }) };
  const results = await transferAll(batch, token, plans, services.clients.settings.transferConcurrency, (plan, signal, onBytes) =>
    client.upload(target.desktopId, plan.name, bodyOf(client, plan, signal), { path: target.folder, signal, onProgress: (p) => onBytes(p.done) }),
  );
  report.cancelled = results.cancelled;
  record(services, target, plans, results.settled, report);
  const failed = plans.filter((_, i) => isFailure(results.settled[i]));
  const errors = results.settled.filter(isFailure).map((r) => r.reason);
  const outcome = { direction: 'upload' as const, where, done: report.uploaded.map((u) => u.name), skipped: [...report.refused, ...report.skipped], failed: report.failed };
  showBatchFailures(services, outcome, errors, vscode.l10n.t('Upload to {0} failed', where), () => retryFailed(failed.map((p) => p.item).filter((i): i is UploadItem => !!i)));
}

function isFailure(r: PromiseSettledResult<unknown>): r is PromiseRejectedResult {
  return r.status === 'rejected' && errorKind(r.reason) !== 'cancelled';
}

/** Sorts each outcome into the report, and tells the drive's listing what this window wrote. */
function record(services: Services, target: DriveFolderRef, plans: readonly Plan[], settled: readonly PromiseSettledResult<unknown>[], report: UploadReport): void {
  const folderSegments = target.folder ? target.folder.split('/') : [];
  settled.forEach((r, i) => {
    const plan = plans[i];
    const uri = driveUri(target.desktopId, ...folderSegments, plan.name);
    if (r.status === 'fulfilled') report.uploaded.push({ name: plan.name, uri: uri.toString(), source: plan.label });
    else if (errorKind(r.reason) === 'cancelled') report.skipped.push({ name: plan.label, reason: CANCELLED });
    else {
      report.failed.push({ name: plan.label, reason: describeError(r.reason, services.log.redact) });
      services.log.error(`Uploading ${quotedName(plan.label)} to ${target.desktopId} failed`, r.reason);
    }
  });
  // Partial uploads are also changes: the listing, the tree and open editors learn about
  // them as this window's own (never marked as someone else's).
  services.fs.invalidate(target.desktopId, target.folder);
  for (const r of report.uploaded) {
    const plan = plans.find((p) => p.name === r.name);
    services.fs.recordUpload(vscode.Uri.parse(r.uri), plan?.size ?? 0);
  }
}


function summarize(services: Services, report: UploadReport, target: DriveFolderRef): void {
  const where = placeName(target);
  for (const r of report.refused) services.log.warn(`Not uploaded: ${r.name}: ${r.reason}`);
  // A batch with failures ended with its one summary (send), which names the refused files too.
  if (report.failed.length > 0) return;
  if (report.refused.length === 1) showNote(services, 'error', vscode.l10n.t('Not uploaded: {0}', report.refused[0].reason));
  else if (report.refused.length > 1) showNote(services, 'error', vscode.l10n.t({ message: 'Not uploaded: {0} ({1})', args: [listNames(report.refused.map((r) => r.name)), report.refused.map((r) => r.reason).join(' ')], comment: ['{0} is a list of names, {1} the reasons'] }));
  if (report.uploaded.length > 0) {
    const n = report.uploaded.length;
    const what = n === 1 ? quotedName(report.uploaded[0].name) : vscode.l10n.t('{0} files', n);
    const skipped = report.skipped.length;
    const files = filesText(skipped);
    showNote(services, 'info', skipped ? vscode.l10n.t('Uploaded {0} to {1}. ({2} skipped)', what, where, files) : vscode.l10n.t('Uploaded {0} to {1}.', what, where));
  } else if (report.cancelled) {
    showNote(services, 'warning', vscode.l10n.t('Upload to {0} cancelled.', where));
  }
}
