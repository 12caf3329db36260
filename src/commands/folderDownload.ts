import { promises as fsp } from 'node:fs';
import * as nodePath from 'node:path';
import * as vscode from 'vscode';
import { quotedName } from '../api/display';
import { longPath } from '../api/localName';
import { runPool } from '../api/pool';
import { folderRules } from '../api/sameName';
import { diskPlanFs, TreePlanner, type TreePlace } from '../api/treePlaces';
import { listDriveTree, type RemoteTreeFile } from '../api/treeTransfer';
import { describeError, errorKind } from '../drive/errors';
import type { Services } from '../services';
import { appearedText, askExisting, existsText, renamesText, skippedFor, type DownloadCommandOptions, type DownloadReport } from './download';
import { ConflictRun } from './conflicts';
import { filesText, listNames, showNote } from './messages';
import { CANCELLED, showBatchFailures } from './transferSummary';
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
  place: TreePlace;
  overwrite: boolean;
}

/**
 * Downloads drive folders (or whole drives) recursively into a local folder: `destination`
 * when given (nothing asks; an existing local file is replaced only with `overwrite`), else a
 * folder picker and Overwrite / Keep Both / Skip (… All) per existing local file. Names go
 * through the local-name rules and the destination disk's own rule for "same name"
 * (`TreePlanner`): two drive names that are one on this disk keep both, a local file the disk
 * treats as a drive file's is asked about with the reason; a local file where a folder must go,
 * a folder where a file must go, or a path too long for the platform is refused by name. Files
 * land through temporary files; a cancel leaves no partial file and removes the folders it made
 * that stayed empty.
 */
export async function downloadFolders(
  services: Services,
  roots: readonly DriveFolderRef[],
  destination: vscode.Uri | undefined,
  options: DownloadCommandOptions = {},
): Promise<(DownloadReport & { into: string }) | undefined> {
  const into = destination ? destination.fsPath : await pickFolder(roots);
  if (!into) return undefined;
  if (destination && destination.scheme !== 'file') throw new Error(vscode.l10n.t('Downloads go to local folders; {0} is not one.', destination.toString(true)));
  const report = { downloaded: [], skipped: [], refused: [], failed: [], cancelled: false, into } as DownloadReport & { into: string };
  await fsp.mkdir(longPath(into), { recursive: true });
  const client = services.clients.get();
  const concurrency = services.clients.settings.transferConcurrency;
  const planned: TreeJob[] = [];
  const trees = await preparing(vscode.l10n.t('Listing {0} on the drive…', rootsText(roots)), options.token, async (signal) => {
    const listed = [];
    for (const root of roots) listed.push(await listDriveTree(client, root.desktopId, root.folder, concurrency, signal));
    return listed;
  }).catch((err: unknown) => {
    if (errorKind(err) === 'cancelled') return undefined;
    throw err;
  });
  if (!trees) {
    report.cancelled = true;
    showNote(services, 'warning', vscode.l10n.t('Download cancelled; nothing was written.'));
    return report;
  }
  // One probe for the whole download: the folders below `into` are on the same disk (a disk
  // mounted inside the destination is the rare exception; there the write's own "exists" check
  // still stops a silent overwrite).
  const planner = new TreePlanner(into, await folderRules(into), diskPlanFs, await diskPlanFs.list(into));
  const emptyFolders = await plan(planner, roots, trees, planned, report);
  const jobs = await decide(planner, planned, destination ? (options.overwrite ? 'overwrite' : 'skip') : 'ask', report);
  if (!jobs) return report;
  if (jobs.length > 0) await transfer(services, into, jobs, options.token, report);
  if (!report.cancelled) for (const dir of emptyFolders) await fsp.mkdir(longPath(dir), { recursive: true }).catch(() => undefined);
  summarize(services, into, roots, report, planner);
  return report;
}

/** How many `nendrive:` URIs are stat-ed at once when a call names several (each stat is a listing of its folder). */
const STATS_AT_ONCE = 8;

/**
 * The drive folders among named items (folder and desktop rows, `nendrive:` folder URIs), and
 * the rest, in order. URIs that name a file or a folder are asked of the server a few at a time,
 * not one after another: URIs in different folders each cost a listing's round trip.
 */
export async function splitDriveFolders(services: Services, items: readonly unknown[]): Promise<{ folders: DriveFolderRef[]; files: unknown[] }> {
  const asked = await runPool(items, STATS_AT_ONCE, async (item) =>
    isDriveNode(item)
      ? item.kind === 'desktop' || (item.kind === 'folder' && item.entry.unreachableReason === undefined)
      : item instanceof vscode.Uri && item.scheme === SCHEME && (!parseDriveUri(item).name || (await isDriveFolder(services, item))),
  );
  const folders: DriveFolderRef[] = [];
  const files: unknown[] = [];
  for (const [i, item] of items.entries()) {
    // isDriveFolder never rejects: a stat that fails counts as a file.
    const isFolder = asked[i].status === 'fulfilled' && asked[i].value;
    const ref = isFolder ? toFolderRef(item) : undefined;
    if (ref) folders.push(isDriveNode(item) && item.kind === 'desktop' ? { ...ref, label: item.label } : ref);
    else files.push(item);
  }
  return { folders, files };
}

/**
 * Whether a `nendrive:` URI names a folder. A stat that fails (a refusing proxy, a name gone)
 * counts as a file: the download itself then meets the same error and reports it by name.
 * Asked of this window's provider directly: the same answer as `workspace.fs.stat`, without its
 * round trip through the workbench (10-30 ms per URI in code-server, measured by `npm run bench`).
 */
export async function isDriveFolder(services: Services, uri: vscode.Uri): Promise<boolean> {
  const stat = await services.fs.stat(uri).catch(() => undefined);
  return stat !== undefined && (stat.type & vscode.FileType.Directory) !== 0;
}

/** "'reports'" or "3 folders", for messages. */
function rootsText(roots: readonly DriveFolderRef[]): string {
  return roots.length === 1 ? quotedName(rootNameOf(roots[0])) : vscode.l10n.t('{0} folders', roots.length);
}

/** The local folder a drive folder lands in: its own name, or for a whole drive the desktop's label. */
function rootNameOf(root: DriveFolderRef): string {
  return root.folder?.split('/').pop() ?? root.label;
}

async function pickFolder(roots: readonly DriveFolderRef[]): Promise<string | undefined> {
  const home = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri;
  const picked = await vscode.window.showOpenDialog({
    canSelectFiles: false,
    canSelectFolders: true,
    canSelectMany: false,
    defaultUri: home,
    openLabel: vscode.l10n.t({ message: 'Download Here', comment: ['the button of the folder picker'] }),
    title: vscode.l10n.t('Download {0}', rootsText(roots)),
  });
  return picked?.[0]?.fsPath;
}

/**
 * Places every file of the trees (folders claim their names first, level by level in name
 * order, then the files in listing order) into `planned`, refusals into the report; returns the
 * local folders to make even when empty.
 */
async function plan(planner: TreePlanner, roots: readonly DriveFolderRef[], trees: Awaited<ReturnType<typeof listDriveTree>>[], planned: TreeJob[], report: DownloadReport): Promise<string[]> {
  const empty: string[] = [];
  for (const [i, root] of roots.entries()) {
    const tree = trees[i];
    const rootName = rootNameOf(root);
    for (const s of tree.skipped) report.refused.push({ name: `${rootName}/${s.name}`, reason: s.reason });
    const holding = new Set(tree.files.flatMap((f) => f.segments.slice(0, -1).map((_, k) => f.segments.slice(0, k + 1).join('/'))));
    for (const f of [[], ...tree.folders]) {
      const at = await planner.folderAt([rootName, ...f]);
      if (at.ok) empty.push(at.at.folder);
      // A refused folder holding files is named with each of them below; an empty one by itself.
      else if (!holding.has(f.join('/')) && (f.length > 0 || tree.files.length === 0)) report.refused.push({ name: [rootName, ...f].join('/'), reason: at.reason });
    }
    for (const file of tree.files) {
      const segments = [rootName, ...file.segments];
      const place = await planner.placeFile(segments);
      if ('refused' in place) report.refused.push({ name: segments.join('/'), reason: place.refused });
      else planned.push({ desktopId: root.desktopId, file, relative: segments.join('/'), place, overwrite: false });
    }
  }
  return empty;
}

/**
 * An existing local file (or one the disk treats as the same) is replaced, skipped, kept beside
 * or asked about by `policy`. Undefined (with `report.cancelled`) when a question was dismissed.
 */
async function decide(planner: TreePlanner, planned: readonly TreeJob[], policy: 'ask' | 'overwrite' | 'skip', report: DownloadReport): Promise<TreeJob[] | undefined> {
  const answers = new ConflictRun(policy, planned.filter((j) => j.place.existing).length);
  const jobs: TreeJob[] = [];
  for (const job of planned) {
    if (!job.place.existing) {
      jobs.push(job);
      continue;
    }
    const choice = await answers.next((remaining) => askExisting({ folder: job.place.at.folder, names: job.place.at.names }, job.place, remaining));
    if (!choice) {
      report.cancelled = true;
      return undefined;
    }
    if (choice === 'overwrite') jobs.push({ ...job, overwrite: true });
    else if (choice === 'keepBoth') jobs.push({ ...job, place: planner.keepBoth(job.place) });
    else report.skipped.push(skippedFor(job.relative, job.place, policy === 'skip'));
  }
  return jobs;
}

async function transfer(services: Services, into: string, jobs: readonly TreeJob[], token: vscode.CancellationToken | undefined, report: DownloadReport): Promise<void> {
  const client = services.clients.get();
  const made = new Set<string>();
  const batch = { title: vscode.l10n.t('Downloading {0} to {1}', filesText(jobs.length), into), direction: 'download' as const, registry: services.transfers, redact: services.log.redact, describe: (j: TreeJob) => ({ name: j.relative, desktopId: j.desktopId, desktop: j.desktopId, size: j.file.size }) };
  const { settled, cancelled } = await transferAll(batch, token, jobs, services.clients.settings.transferConcurrency, async (job, signal, onBytes) => {
    await makeFolders(into, nodePath.dirname(job.place.path), made);
    return client.downloadToFile(job.desktopId, job.file.name, job.place.path, { path: job.file.folder, overwrite: job.overwrite, signal, onProgress: (p) => onBytes(p.done), sizeHint: job.file.size });
  });
  report.cancelled = report.cancelled || cancelled;
  settled.forEach((r, i) => {
    const job = jobs[i];
    if (r.status === 'fulfilled') report.downloaded.push({ name: job.relative, path: job.place.path, size: r.value.size, ...(job.place.renamed ? { renamed: job.place.renamed } : {}) });
    else if (errorKind(r.reason) === 'cancelled') report.skipped.push({ name: job.relative, reason: CANCELLED });
    else if (errorKind(r.reason) === 'conflict') report.skipped.push({ name: job.relative, reason: appearedText(job.place.path) });
    else if (errorKind(r.reason) === 'notFound') report.failed.push({ name: job.relative, reason: vscode.l10n.t('{0} is no longer on the drive (removed while the download ran); nothing was written for it.', quotedName(job.relative)) });
    else report.failed.push({ name: job.relative, reason: describeError(r.reason, services.log.redact) });
    if (r.status === 'rejected' && errorKind(r.reason) !== 'cancelled') services.log.error(`Downloading ${quotedName(job.relative)} failed`, r.reason);
  });
  // A cancel leaves nothing partial: folders this run made that hold nothing go again.
  if (report.cancelled) for (const dir of [...made].sort((a, b) => b.length - a.length)) await fsp.rmdir(longPath(dir)).catch(() => undefined);
  const failing = (r: PromiseSettledResult<unknown>): r is PromiseRejectedResult => r.status === 'rejected' && errorKind(r.reason) !== 'cancelled' && errorKind(r.reason) !== 'conflict';
  const failed = jobs.filter((_, i) => failing(settled[i]));
  const outcome = { direction: 'download' as const, where: into, done: report.downloaded.map((d) => d.name), skipped: [...report.refused, ...report.skipped], failed: report.failed };
  // Retry Failed downloads the failed files again into the same local paths.
  showBatchFailures(services, outcome, settled.filter(failing).map((r) => r.reason), vscode.l10n.t('Download failed'), () => transfer(services, into, failed, undefined, { downloaded: [], skipped: [], refused: [], failed: [], cancelled: false }));
}

/** `mkdir -p` below `into` that remembers which folders it made (concurrent jobs may race: EEXIST is fine). */
async function makeFolders(into: string, dir: string, made: Set<string>): Promise<void> {
  const rel = nodePath.relative(into, dir);
  let at = into;
  for (const seg of rel ? rel.split(nodePath.sep) : []) {
    at = nodePath.join(at, seg);
    try {
      await fsp.mkdir(longPath(at));
      made.add(at);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

function summarize(services: Services, into: string, roots: readonly DriveFolderRef[], report: DownloadReport, planner: TreePlanner): void {
  for (const r of report.refused) services.log.warn(`Not downloaded: ${r.name}: ${r.reason}`);
  for (const s of report.skipped) services.log.info(`Not downloaded: ${s.name}: ${s.reason}`);
  if (report.refused.length > 0) {
    const [names, reason] = [listNames(report.refused.map((r) => r.name)), report.refused[0].reason];
    showNote(services, 'warning', report.refused.length > 1 ? vscode.l10n.t('Not downloaded: {0}: {1} (every reason is in the log).', names, reason) : vscode.l10n.t('Not downloaded: {0}: {1}.', names, reason));
  }
  const existing = report.skipped.filter((s) => s.reason !== CANCELLED);
  if (existing.length > 0 && !report.cancelled) showNote(services, 'warning', existsText(existing));
  const what = rootsText(roots);
  const count = filesText(report.downloaded.length);
  if (report.failed.length > 0 && report.downloaded.length > 0) showNote(services, 'error', vscode.l10n.t('Downloaded {0} of {1}; {2} failed: {3}', count, what, listNames(report.failed.map((f) => f.name)), report.failed[0].reason));
  else if (report.cancelled) showNote(services, 'warning', vscode.l10n.t('Download of {0} cancelled after {1}; no partial file was left behind.', what, count));
  else if (report.downloaded.length > 0 && report.failed.length === 0) {
    // Each renamed folder once, then each file whose own name changed (its folders' reasons too).
    const files = report.downloaded.flatMap((d) => (d.renamed && nodePath.basename(d.path) !== d.name.split('/').pop() ? [{ name: d.name, as: d.renamed.as, because: d.renamed.because }] : []));
    const renames = renamesText(services, [...planner.folderRenames.map((f) => ({ ...f, folder: true })), ...files]);
    showNote(services, 'info', renames ? vscode.l10n.t('Downloaded {0} ({1}) to {2}. {3}', what, count, into, renames) : vscode.l10n.t('Downloaded {0} ({1}) to {2}.', what, count, into));
  }
}
