import { promises as fsp } from 'node:fs';
import { PassThrough } from 'node:stream';
import * as vscode from 'vscode';
import { validateName } from '../api/names';
import { MAX_UPLOAD_BYTES, type UploadSource } from '../api/types';
import { runPool } from '../api/pool';
import type { DriveClient } from '../api/DriveClient';
import { SCHEME } from '../constants';
import { describeError, errorKind } from '../drive/errors';
import { driveUri, parseDriveUri } from '../drive/uri';
import type { Services } from '../services';
import { formatBytesExact, formatSize } from '../views/format';
import type { DroppedFile, UploadItem } from '../views/nodes';
import { listNames, plural, showFailure, showNote } from './messages';
import { TransferProgress, withTransferProgress } from './progress';
import type { DriveFolderRef } from './targets';

/** What to do when a name already exists on the drive. `ask` shows Overwrite / Keep Both / Skip. */
export type ConflictPolicy = 'ask' | 'overwrite' | 'keepBoth' | 'skip';

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

interface Plan {
  /** The local (source) name, for messages. */
  label: string;
  /** The remote name, after conflict resolution. */
  name: string;
  size: number;
  /** The body: a local file, bytes, or (for a copy between drives) built at send time from `copyFrom`. */
  source?: UploadSource;
  copyFrom?: { desktopId: string; name: string; folder: string | undefined };
  existed: boolean;
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
    const picked = await vscode.window.showOpenDialog({ canSelectMany: true, canSelectFiles: true, canSelectFolders: false, openLabel: 'Upload' });
    if (!picked || picked.length === 0) return undefined;
    items = picked;
  }
  let policy: ConflictPolicy = options.conflict ?? (interactive ? 'ask' : 'keepBoth');
  if (policy === 'ask' && !services.clients.settings.confirmOverwrite) policy = 'overwrite';

  // 1. Know every source's name and size, and refuse what cannot go, before a byte is sent.
  const client = services.clients.get();
  const candidates: Omit<Plan, 'name' | 'existed'>[] = [];
  for (const item of items) {
    const resolved = await resolveSource(item).catch((err: unknown) => ({ label: labelOf(item), reason: describeError(err, services.log.redact) }));
    if ('reason' in resolved) {
      report.refused.push({ name: resolved.label, reason: resolved.reason });
      continue;
    }
    const nameProblem = validateName(resolved.label);
    if (nameProblem) {
      report.refused.push({ name: resolved.label, reason: nameProblem });
      continue;
    }
    if (resolved.size > MAX_UPLOAD_BYTES) {
      report.refused.push({
        name: resolved.label,
        reason: `'${resolved.label}' is ${formatSize(resolved.size)} (${formatBytesExact(resolved.size)}); the Nen drive accepts files up to 100 MiB.`,
      });
      continue;
    }
    candidates.push(resolved);
  }

  // 2. Names that exist already (or twice in this batch): Overwrite / Keep Both / Skip.
  const plans: Plan[] = [];
  if (candidates.length > 0) {
    const existing = new Set((await remoteNames(services, target)).map((e) => e.name));
    const taken = new Set(existing);
    const conflicts = candidates.filter((c, i) => existing.has(c.label) || candidates.findIndex((o) => o.label === c.label) !== i).length;
    let remaining = conflicts;
    let applyAll: Exclude<ConflictPolicy, 'ask'> | undefined;
    for (const c of candidates) {
      if (!taken.has(c.label)) {
        taken.add(c.label);
        plans.push({ ...c, name: c.label, existed: false });
        continue;
      }
      let choice: Exclude<ConflictPolicy, 'ask'> | 'cancel';
      if (policy !== 'ask') choice = policy;
      else if (applyAll) choice = applyAll;
      else {
        const answer = await askConflict(c.label, target.label, remaining);
        choice = answer.choice;
        if (answer.all && choice !== 'cancel') applyAll = choice;
      }
      remaining--;
      if (choice === 'cancel') {
        report.cancelled = true;
        return report;
      }
      if (choice === 'skip') {
        report.skipped.push({ name: c.label, reason: 'a file with this name exists' });
      } else if (choice === 'overwrite') {
        plans.push({ ...c, name: c.label, existed: existing.has(c.label) });
      } else {
        const name = nextFreeName(c.label, taken);
        taken.add(name);
        plans.push({ ...c, name, existed: false });
      }
    }
  }

  // 3. Send, a few at a time, under one cancellable notification.
  if (plans.length > 0) {
    const total = plans.reduce((sum, p) => sum + p.size, 0);
    const where = target.folder ? `${target.label}/${target.folder}` : target.label;
    const title = plans.length === 1 ? `Uploading '${plans[0].name}' to ${where}` : `Uploading ${plans.length} files to ${where}`;
    const results = await withTransferProgress(title, options.token, async (signal, progress) => {
      const meter = new TransferProgress(progress, total, plans.length);
      const settled = await runPool(
        plans,
        services.clients.settings.transferConcurrency,
        async (plan, index) => {
          const from = plan.copyFrom;
          const source: UploadSource = from
            ? { kind: 'stream', size: plan.size, open: () => openDriveStream(client, from, signal) }
            : (plan.source as UploadSource);
          await client.upload(target.desktopId, plan.name, source, {
            path: target.folder,
            signal,
            onProgress: (p) => meter.update(index, p.done),
          });
          meter.fileDone();
        },
        signal,
      );
      return { settled, cancelled: signal.aborted };
    });
    report.cancelled = results.cancelled;
    const folderSegments = target.folder ? target.folder.split('/') : [];
    results.settled.forEach((r, i) => {
      const plan = plans[i];
      const uri = driveUri(target.desktopId, ...folderSegments, plan.name);
      if (r.status === 'fulfilled') report.uploaded.push({ name: plan.name, uri: uri.toString(), source: plan.label });
      else if (errorKind(r.reason) === 'cancelled') report.skipped.push({ name: plan.label, reason: 'cancelled' });
      else {
        report.failed.push({ name: plan.label, reason: describeError(r.reason, services.log.redact) });
        services.log.error(`Uploading '${plan.label}' to ${target.desktopId} failed`, r.reason);
      }
    });
    // Partial uploads are also changes: the listing, the tree and open editors learn about
    // them as this window's own (never marked as someone else's).
    services.fs.invalidate(target.desktopId, target.folder);
    for (const r of report.uploaded) {
      const plan = plans.find((p) => p.name === r.name);
      services.fs.recordUpload(vscode.Uri.parse(r.uri), plan?.size ?? 0);
    }
    const firstFailure = results.settled.find((r): r is PromiseRejectedResult => r.status === 'rejected' && errorKind(r.reason) !== 'cancelled');
    if (firstFailure && report.uploaded.length === 0) {
      showFailure(services, `Upload to ${where} failed`, firstFailure.reason, () => uploadItems(services, target, items, options));
    }
  }
  summarize(services, report, target);
  return report;
}

/** The entries already at the target; a folder that does not exist yet is empty (uploading creates it). */
async function remoteNames(services: Services, target: DriveFolderRef): Promise<readonly { name: string }[]> {
  try {
    return await services.fs.list(target.desktopId, target.folder, { fresh: true });
  } catch (err) {
    if (target.folder !== undefined && errorKind(err) === 'notFound') return [];
    throw err;
  }
}

function summarize(services: Services, report: UploadReport, target: DriveFolderRef): void {
  const where = target.folder ? `${target.label}/${target.folder}` : target.label;
  for (const r of report.refused) services.log.warn(`Not uploaded: ${r.name}: ${r.reason}`);
  if (report.refused.length === 1) showNote(services, 'error', `Not uploaded: ${report.refused[0].reason}`);
  else if (report.refused.length > 1) showNote(services, 'error', `Not uploaded: ${listNames(report.refused.map((r) => r.name))} (${report.refused.map((r) => r.reason).join(' ')})`);
  if (report.failed.length > 0 && report.uploaded.length > 0) {
    showNote(services, 'error', `Uploaded ${plural(report.uploaded.length, 'file')} to ${where}; ${listNames(report.failed.map((f) => f.name))} failed: ${report.failed[0].reason}`);
  } else if (report.uploaded.length > 0) {
    const extra = report.skipped.length ? ` (${plural(report.skipped.length, 'file')} skipped)` : '';
    showNote(services, 'info', report.uploaded.length === 1 ? `Uploaded '${report.uploaded[0].name}' to ${where}.${extra}` : `Uploaded ${plural(report.uploaded.length, 'file')} to ${where}.${extra}`);
  } else if (report.cancelled) {
    showNote(services, 'warning', `Upload to ${where} cancelled.`);
  }
}

async function askConflict(name: string, where: string, remaining: number): Promise<{ choice: Exclude<ConflictPolicy, 'ask'> | 'cancel'; all: boolean }> {
  const single = ['Overwrite', 'Keep Both', 'Skip'];
  const all = remaining > 1 ? ['Overwrite All', 'Keep Both for All', 'Skip All'] : [];
  const answer = await vscode.window.showWarningMessage(
    `'${name}' already exists on ${where}.`,
    { modal: true, detail: `Overwrite replaces the file on the drive. Keep Both uploads this one as '${nextFreeName(name, new Set([name]))}'.${remaining > 1 ? ` ${remaining - 1} more names also exist.` : ''}` },
    ...single,
    ...all,
  );
  switch (answer) {
    case 'Overwrite':
      return { choice: 'overwrite', all: false };
    case 'Keep Both':
      return { choice: 'keepBoth', all: false };
    case 'Skip':
      return { choice: 'skip', all: false };
    case 'Overwrite All':
      return { choice: 'overwrite', all: true };
    case 'Keep Both for All':
      return { choice: 'keepBoth', all: true };
    case 'Skip All':
      return { choice: 'skip', all: true };
    default:
      return { choice: 'cancel', all: false };
  }
}

/** `report.pdf` → `report (1).pdf`, then `(2)`…, the first not in `taken`. Dotfiles keep their dot. */
export function nextFreeName(name: string, taken: ReadonlySet<string>): string {
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  for (let n = 1; ; n++) {
    const candidate = `${stem} (${n})${ext}`;
    if (!taken.has(candidate)) return candidate;
  }
}

function labelOf(item: UploadItem): string {
  if (item instanceof vscode.Uri) return basename(item);
  return item.name;
}

function basename(uri: vscode.Uri): string {
  const segments = uri.path.split('/').filter(Boolean);
  return segments[segments.length - 1] ?? '';
}

/** Names, sizes and body sources of the items, or why one cannot be read. */
async function resolveSource(item: UploadItem): Promise<Omit<Plan, 'name' | 'existed'> | { label: string; reason: string }> {
  if (!(item instanceof vscode.Uri)) return resolveDropped(item);
  const label = basename(item);
  if (item.scheme === 'file') {
    const st = await fsp.stat(item.fsPath).catch(() => undefined);
    if (!st) return { label, reason: `'${item.fsPath}' cannot be read.` };
    if (st.isDirectory()) return { label, reason: `'${label}' is a folder; upload the files in it instead.` };
    // Streamed from disk with its exact size; the client reopens it for a retry.
    return { label, size: st.size, source: { kind: 'file', path: item.fsPath } };
  }
  if (item.scheme === SCHEME) {
    // A copy between drives: stream the download straight into the upload.
    const { desktopId, folder, name } = parseDriveUri(item);
    if (name === undefined) return { label: item.authority, reason: 'A whole drive cannot be copied; pick its files.' };
    const st = await vscode.workspace.fs.stat(item);
    if (st.type & vscode.FileType.Directory) return { label, reason: `'${label}' is a folder; copy the files in it instead.` };
    return { label, size: st.size, copyFrom: { desktopId, name, folder } };
  }
  // Anything else VS Code can read (e.g. a remote or virtual file): read through its provider.
  const st = await vscode.workspace.fs.stat(item);
  if (st.type & vscode.FileType.Directory) return { label, reason: `'${label}' is a folder; upload the files in it instead.` };
  if (st.size > MAX_UPLOAD_BYTES) return { label, size: st.size, source: { kind: 'bytes', data: new Uint8Array() } };
  const data = await vscode.workspace.fs.readFile(item);
  return { label, size: data.byteLength, source: { kind: 'bytes', data } };
}

async function resolveDropped(file: DroppedFile): Promise<Omit<Plan, 'name' | 'existed'> | { label: string; reason: string }> {
  if (file.uri && file.uri.scheme === 'file') {
    const st = await fsp.stat(file.uri.fsPath).catch(() => undefined);
    if (st?.isFile()) return { label: file.name, size: st.size, source: { kind: 'file', path: file.uri.fsPath } };
  }
  // A browser drop: the bytes are all there is.
  const data = await file.data();
  return { label: file.name, size: data.byteLength, source: { kind: 'bytes', data } };
}

/**
 * The download of a drive file as a readable stream, for a copy. The upload reopens it for a
 * retry, so each call starts a fresh download; the batch's signal aborts both sides.
 */
function openDriveStream(client: DriveClient, from: NonNullable<Plan['copyFrom']>, signal: AbortSignal): NodeJS.ReadableStream {
  const out = new PassThrough();
  client.downloadStream(from.desktopId, from.name, { path: from.folder, signal }).then(
    ({ body }) => {
      body.on('error', (err) => out.destroy(err));
      body.pipe(out);
    },
    (err: unknown) => out.destroy(err instanceof Error ? err : new Error(String(err))),
  );
  return out;
}
