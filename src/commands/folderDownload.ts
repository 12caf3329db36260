import { promises as fsp } from 'node:fs';
import * as nodePath from 'node:path';
import * as vscode from 'vscode';
import { quotedName } from '../api/display';
import { localName } from '../api/localName';
import { localKind } from '../api/localTree';
import { listDriveTree, type RemoteTreeFile } from '../api/treeTransfer';
import { describeError, errorKind } from '../drive/errors';
import type { Services } from '../services';
import { askLocalOverwrite, type DownloadCommandOptions, type DownloadReport, type Renamed } from './download';
import { listNames, plural, showNote } from './messages';
import { showBatchFailures } from './transferSummary';
import { preparing, transferAll } from './progress';
import { toFolderRef, type DriveFolderRef } from './targets';
import { SCHEME } from '../constants';
import { parseDriveUri } from '../drive/uri';
import { isDriveNode } from '../views/nodes';

interface TreeJob {
  desktopId: string;
  file: RemoteTreeFile;
  /** `reports/2024/q1.csv`: the drive path from the downloaded folder, for messages. */
  relative: string;
  path: string;
  overwrite: boolean;
  renamed?: Renamed;
}

/**
 * Downloads drive folders (or whole drives) recursively into a local folder: `destination`
 * when given (nothing asks; an existing local file is replaced only with `overwrite`), else a
 * folder picker and Overwrite / Skip (… All) per existing local file. Names go through the
 * local-name rules; a local file where a folder must go, or a folder where a file must go, is
 * refused by name. Files land through temporary files; a cancel leaves no partial file and
 * removes the folders it made that stayed empty.
 */
export async function downloadFolders(
  services: Services,
  roots: readonly DriveFolderRef[],
  destination: vscode.Uri | undefined,
  options: DownloadCommandOptions = {},
): Promise<(DownloadReport & { into: string }) | undefined> {
  const into = destination ? destination.fsPath : await pickFolder(roots);
  if (!into) return undefined;
  if (destination && destination.scheme !== 'file') throw new Error(`Downloads go to local folders; ${destination.toString(true)} is not one.`);
  const report = { downloaded: [], skipped: [], refused: [], failed: [], cancelled: false, into } as DownloadReport & { into: string };
  await fsp.mkdir(into, { recursive: true });
  const client = services.clients.get();
  const concurrency = services.clients.settings.transferConcurrency;
  const planned: TreeJob[] = [];
  const emptyFolders: string[] = [];
  const trees = await preparing(`Listing ${roots.length === 1 ? quotedName(rootNameOf(roots[0])) : `${roots.length} folders`} on the drive…`, options.token, async (signal) => {
    const listed = [];
    for (const root of roots) listed.push(await listDriveTree(client, root.desktopId, root.folder, concurrency, signal));
    return listed;
  }).catch((err: unknown) => {
    if (errorKind(err) === 'cancelled') return undefined;
    throw err;
  });
  if (!trees) {
    report.cancelled = true;
    showNote(services, 'warning', 'Download cancelled; nothing was written.');
    return report;
  }
  for (const [i, root] of roots.entries()) {
    const tree = trees[i];
    const rootName = rootNameOf(root);
    for (const s of tree.skipped) report.refused.push({ name: `${rootName}/${s.name}`, reason: s.reason });
    for (const file of tree.files) {
      const job = place(into, root.desktopId, rootName, file, report.refused);
      if (job) planned.push(job);
    }
    for (const f of tree.folders) emptyFolders.push(...localPath(into, [rootName, ...f]));
  }
  const jobs = await checkLocal(into, planned, destination ? (options.overwrite ? 'overwrite' : 'skip') : 'ask', report);
  if (!jobs) return report;
  if (jobs.length > 0) await transfer(services, into, jobs, options.token, report);
  if (!report.cancelled) for (const dir of emptyFolders) await fsp.mkdir(dir, { recursive: true }).catch(() => undefined);
  summarize(services, into, roots, report);
  return report;
}

/** The drive folders among named items (folder and desktop rows, `nendrive:` folder URIs), and the rest. */
export async function splitDriveFolders(items: readonly unknown[]): Promise<{ folders: DriveFolderRef[]; files: unknown[] }> {
  const folders: DriveFolderRef[] = [];
  const files: unknown[] = [];
  for (const item of items) {
    const isFolder = isDriveNode(item)
      ? item.kind === 'desktop' || (item.kind === 'folder' && item.entry.unreachableReason === undefined)
      : item instanceof vscode.Uri && item.scheme === SCHEME && (!parseDriveUri(item).name || (await isDriveFolder(item)));
    const ref = isFolder ? toFolderRef(item) : undefined;
    if (ref) folders.push(isDriveNode(item) && item.kind === 'desktop' ? { ...ref, label: item.label } : ref);
    else files.push(item);
  }
  return { folders, files };
}

/**
 * Whether a `nendrive:` URI names a folder. A stat that fails (a refusing proxy, a name gone)
 * counts as a file: the download itself then meets the same error and reports it by name.
 */
async function isDriveFolder(uri: vscode.Uri): Promise<boolean> {
  const stat = await Promise.resolve(vscode.workspace.fs.stat(uri)).catch(() => undefined);
  return stat !== undefined && (stat.type & vscode.FileType.Directory) !== 0;
}

/** The local folder a drive folder lands in: its own name, or for a whole drive the desktop's label. */
function rootNameOf(root: DriveFolderRef): string {
  return root.folder?.split('/').pop() ?? root.label;
}

async function pickFolder(roots: readonly DriveFolderRef[]): Promise<string | undefined> {
  const what = roots.length === 1 ? quotedName(rootNameOf(roots[0])) : `${roots.length} folders`;
  const home = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri;
  const picked = await vscode.window.showOpenDialog({ canSelectFiles: false, canSelectFolders: true, canSelectMany: false, defaultUri: home, openLabel: 'Download Here', title: `Download ${what}` });
  return picked?.[0]?.fsPath;
}

/** The local path of drive segments (each through the local-name rules), or [] when one cannot be stored. */
function localPath(into: string, segments: readonly string[]): string[] {
  const names = segments.map((s) => localName(s));
  return names.every((n) => n.storable) ? [nodePath.join(into, ...names.map((n) => n.local))] : [];
}

function place(into: string, desktopId: string, rootName: string, file: RemoteTreeFile, refused: DownloadReport['refused']): TreeJob | undefined {
  const segments = [rootName, ...file.segments];
  const relative = segments.join('/');
  const names = segments.map((s) => localName(s));
  const bad = names.find((n) => !n.storable);
  if (bad) {
    refused.push({ name: relative, reason: bad.reasons.join('; ') });
    return undefined;
  }
  const changed = names.filter((n) => n.changed);
  const renamed = changed.length > 0 ? { as: names.map((n) => n.local).join('/'), because: changed.flatMap((n) => n.reasons) } : undefined;
  return { desktopId, file, relative, path: nodePath.join(into, ...names.map((n) => n.local)), overwrite: false, renamed };
}

/**
 * Against the local disk: a file (or link) where a folder must go, or a folder where a file
 * must go, is refused; an existing file is replaced, skipped or asked about by `policy`.
 * Undefined (with `report.cancelled`) when a question was dismissed.
 */
async function checkLocal(into: string, jobs: readonly TreeJob[], policy: 'ask' | 'overwrite' | 'skip', report: DownloadReport): Promise<TreeJob[] | undefined> {
  const kinds = new Map<string, Promise<string>>();
  const kindOf = (p: string): Promise<string> => kinds.get(p) ?? (kinds.set(p, localKind(p)), kinds.get(p) as Promise<string>);
  const free: TreeJob[] = [];
  const existing: TreeJob[] = [];
  for (const job of jobs) {
    const blocker = await blockingAncestor(into, job.path, kindOf);
    const here = await kindOf(job.path);
    if (blocker) report.refused.push({ name: job.relative, reason: `${quotedName(blocker)} is a file on this computer, so the folder cannot be made there` });
    else if (here === 'folder' || here === 'other') report.refused.push({ name: job.relative, reason: `${quotedName(job.path)} is ${here === 'folder' ? 'a folder' : 'not a regular file'} on this computer; a file cannot replace it` });
    else (here === 'file' ? existing : free).push(job);
  }
  let applyAll: 'overwrite' | 'skip' | undefined = policy === 'ask' ? undefined : policy;
  let remaining = existing.length;
  for (const job of existing) {
    let choice = applyAll;
    if (!choice) {
      const answer = await askLocalOverwrite(job.relative, into, remaining);
      if (!answer) {
        report.cancelled = true;
        return undefined;
      }
      choice = answer.choice;
      if (answer.all) applyAll = choice;
    }
    remaining--;
    if (choice === 'overwrite') free.push({ ...job, overwrite: true });
    else report.skipped.push({ name: job.relative, reason: `'${job.path}' exists` });
  }
  return free;
}

async function blockingAncestor(into: string, path: string, kindOf: (p: string) => Promise<string>): Promise<string | undefined> {
  const rel = nodePath.relative(into, nodePath.dirname(path));
  let dir = into;
  for (const seg of rel ? rel.split(nodePath.sep) : []) {
    dir = nodePath.join(dir, seg);
    const kind = await kindOf(dir);
    if (kind === 'absent') return undefined;
    if (kind !== 'folder') return dir;
  }
  return undefined;
}

async function transfer(services: Services, into: string, jobs: readonly TreeJob[], token: vscode.CancellationToken | undefined, report: DownloadReport): Promise<void> {
  const client = services.clients.get();
  const made = new Set<string>();
  const batch = { title: `Downloading ${plural(jobs.length, 'file')} to ${into}`, direction: 'download' as const, registry: services.transfers, redact: services.log.redact, describe: (j: TreeJob) => ({ name: j.relative, desktopId: j.desktopId, desktop: j.desktopId, size: j.file.size }) };
  const { settled, cancelled } = await transferAll(batch, token, jobs, services.clients.settings.transferConcurrency, async (job, signal, onBytes) => {
    await makeFolders(into, nodePath.dirname(job.path), made);
    return client.downloadToFile(job.desktopId, job.file.name, job.path, { path: job.file.folder, overwrite: job.overwrite, signal, onProgress: (p) => onBytes(p.done) });
  });
  report.cancelled = report.cancelled || cancelled;
  settled.forEach((r, i) => {
    const job = jobs[i];
    if (r.status === 'fulfilled') report.downloaded.push({ name: job.relative, path: job.path, size: r.value.size, ...(job.renamed ? { renamed: job.renamed } : {}) });
    else if (errorKind(r.reason) === 'cancelled') report.skipped.push({ name: job.relative, reason: 'cancelled' });
    else if (errorKind(r.reason) === 'conflict') report.skipped.push({ name: job.relative, reason: `'${job.path}' appeared while downloading; left untouched` });
    else if (errorKind(r.reason) === 'notFound') report.failed.push({ name: job.relative, reason: `${quotedName(job.relative)} is no longer on the drive (removed while the download ran); nothing was written for it.` });
    else report.failed.push({ name: job.relative, reason: describeError(r.reason, services.log.redact) });
    if (r.status === 'rejected' && errorKind(r.reason) !== 'cancelled') services.log.error(`Downloading ${quotedName(job.relative)} failed`, r.reason);
  });
  // A cancel leaves nothing partial: folders this run made that hold nothing go again.
  if (report.cancelled) for (const dir of [...made].sort((a, b) => b.length - a.length)) await fsp.rmdir(dir).catch(() => undefined);
  const failing = (r: PromiseSettledResult<unknown>): r is PromiseRejectedResult => r.status === 'rejected' && errorKind(r.reason) !== 'cancelled' && errorKind(r.reason) !== 'conflict';
  const failed = jobs.filter((_, i) => failing(settled[i]));
  const outcome = { verb: 'Downloaded', where: ` to ${into}`, done: report.downloaded.map((d) => d.name), skipped: [...report.refused, ...report.skipped], failed: report.failed };
  // Retry Failed downloads the failed files again into the same local paths.
  showBatchFailures(services, outcome, settled.filter(failing).map((r) => r.reason), 'Download failed', () => transfer(services, into, failed, undefined, { downloaded: [], skipped: [], refused: [], failed: [], cancelled: false }));
}

/** `mkdir -p` below `into` that remembers which folders it made (concurrent jobs may race: EEXIST is fine). */
async function makeFolders(into: string, dir: string, made: Set<string>): Promise<void> {
  const rel = nodePath.relative(into, dir);
  let at = into;
  for (const seg of rel ? rel.split(nodePath.sep) : []) {
    at = nodePath.join(at, seg);
    try {
      await fsp.mkdir(at);
      made.add(at);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

function summarize(services: Services, into: string, roots: readonly DriveFolderRef[], report: DownloadReport): void {
  for (const r of report.refused) services.log.warn(`Not downloaded: ${r.name}: ${r.reason}`);
  for (const s of report.skipped) services.log.info(`Not downloaded: ${s.name}: ${s.reason}`);
  if (report.refused.length > 0) showNote(services, 'warning', `Not downloaded: ${listNames(report.refused.map((r) => r.name))}: ${report.refused[0].reason}${report.refused.length > 1 ? ' (every reason is in the log)' : ''}.`);
  const existing = report.skipped.filter((s) => s.reason !== 'cancelled');
  if (existing.length > 0 && !report.cancelled) showNote(services, 'warning', `Not downloaded (a local file exists): ${listNames(existing.map((s) => s.name))}.`);
  const what = roots.length === 1 ? quotedName(rootNameOf(roots[0])) : `${roots.length} folders`;
  if (report.failed.length > 0 && report.downloaded.length > 0) showNote(services, 'error', `Downloaded ${plural(report.downloaded.length, 'file')} of ${what}; ${listNames(report.failed.map((f) => f.name))} failed: ${report.failed[0].reason}`);
  else if (report.cancelled) showNote(services, 'warning', `Download of ${what} cancelled after ${plural(report.downloaded.length, 'file')}; no partial file was left behind.`);
  else if (report.downloaded.length > 0 && report.failed.length === 0) showNote(services, 'info', `Downloaded ${what} (${plural(report.downloaded.length, 'file')}) to ${into}.`);
}
