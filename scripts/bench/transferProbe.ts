/**
 * Runs inside a real extension host (code-server, via `extensionTestsPath`), like
 * activationProbe: issue 14 items 4 and 6. The emulator is the bench's own, in its own process
 * (NEN_BENCH_EMU: url, key, desktops, file names), so the host only does the client's work.
 * - Commands against the library: `nenDrive.download` and `nenDrive.upload` of the big file with
 *   their documented arguments, alternating with the running extension's own client
 *   (`downloadToFile`, `upload`), timed here.
 * - Responsiveness: four big transfers at once (two downloads, two uploads, through the
 *   commands) while `monitorEventLoopDelay` watches the host's event loop and the tree's
 *   getChildren of a 10,000-file desktop is timed meanwhile; after a first batch (the host's first
 *   four at once), a second at equal share of the cores and a third with the emulator at the back
 *   of the queue for them ({@link yieldCores}), as a server on another machine would be.
 *   {@link LateTurns} splits the late turns into the thread's own work and waiting for a core.
 *   With NEN_BENCH_CPU_PROFILE=<file>, V8's profile of the third batch is written there.
 * - The tree's Refresh of the 10,000-file desktop alone: its stall of the event loop, with the
 *   view closed (the probe asks for the rows) and then open with the desktop expanded (VS Code
 *   asks, and makes tree items of all 10,000 rows).
 * - A script's `nenDrive.download` of one small file by URI on a link of {@link LINK_LATENCY_MS}
 *   a request (an emulator of the probe's own, in this host), against the host's client and
 *   `curl`: where the command's drive stat would cost a round trip of its own.
 * Writes a {@link TransferProbeReport} to NEN_BENCH_TRANSFER_OUT.
 */
// eslint-disable-next-line no-restricted-imports -- a bench module that runs inside the extension host
import * as vscode from 'vscode';
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as inspector from 'node:inspector';
import { basename, join } from 'node:path';
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Settings } from '../../src/constants';
import { pickDriveFile, type DriveFileItem } from '../../src/commands/drivePicker';
import type { DesktopNode } from '../../src/views/nodes';
import { revealRow } from '../../src/views/reveal';
import { startEmulator } from '../../tools/emulator/server';
import { driveUriForTest, getApi, randomDesktopId, waitFor } from '../../tools/vscode-host/inHost';
import { yieldCores, type Yielded } from './yieldCores';

export interface TransferProbeEnv {
  url: string;
  apiKey: string;
  desktopId: string;
  listDesktopId: string;
  listCount: number;
  /** On the drive, `bytes` long. */
  downloadName: string;
  /** A local file of `bytes` to upload. */
  uploadPath: string;
  bytes: number;
  work: string;
  rounds: number;
  /** The bench's emulator process, which {@link yieldCores} sends to the back of the queue for the last batch. */
  emulatorPid?: number;
}

export interface CommandParts {
  beforeMs: number[];
  afterMs: number[];
}

export interface TransferProbeReport {
  commandDownloadMs: number[];
  libraryDownloadMs: number[];
  commandUploadMs: number[];
  libraryUploadMs: number[];
  /**
   * Of each recorded command sample (same order), the command's own work: from
   * `executeCommand` to its call of the client's `downloadToFile` / `upload` (the drive stat,
   * the local checks, the progress notification), and from that call's return to the command's
   * (the summary). The rest is the transfer, as the library's samples make it.
   */
  commandDownloadParts?: CommandParts;
  commandUploadParts?: CommandParts;
  /**
   * Of each recorded download sample (same order), every thread's time on a core meanwhile, by
   * group ({@link cpuShares}): where a command sample's extra time went, on a machine whose two
   * cores the transfer, the emulator and the workbench share.
   */
  downloadCpu?: { command: CpuShare[][]; library: CpuShare[][] };
  /**
   * Four transfers at once: event-loop delay in ms and the tree's answer meanwhile. Measured on
   * a second batch of four, at equal share of the cores with the emulator (target 4 is judged on
   * {@link yieldingConcurrent}); `firstConcurrent` is the batch before it, the first four-at-once of
   * the host, whose transfers still make most of their buffers (the pool held what one transfer
   * at a time had used).
   */
  concurrent?: ConcurrentReport;
  firstConcurrent?: ConcurrentReport;
  /**
   * A third batch of four, the emulator's session (or, without autogroups, its threads) at the
   * lowest priority meanwhile ({@link yieldCores}): the host's loop as it is when the server is on
   * another machine, not on these two cores. `how` says which priority was lowered (`none`: the
   * batch ran at equal share, as the second).
   */
  yieldingConcurrent?: ConcurrentReport & { how: Yielded['how']; note?: string };
  /**
   * The tree's Refresh of the 10,000-file desktop, nothing else running, five times: how long
   * getChildren took (a new listing: the request, the parse, the diff, the rows) and the longest
   * the event loop waited meanwhile, and the garbage collections' total time meanwhile, in ms.
   */
  listingRefresh?: RefreshReport;
  /**
   * The same Refresh with the Desktops view open and the desktop expanded, as a user has it: VS
   * Code itself asks for the rows after the refresh event and turns all 10,000 into tree items
   * for the workbench (its own work, on the same thread). Over 1.5 s from the refresh, five times.
   */
  visibleRefresh?: RefreshReport & { rowsShown: number };
  /**
   * With the view open as above: one shown file of the 10,000 grows on the server (another
   * client's upload), then a listing as a live poll makes it; five times after one warm-up (the
   * first change by someone else repaints the folder, whose row then says it holds changed
   * files). `rowsShown`: VS Code's tree items in the last round.
   */
  grownRefresh?: RefreshReport & { rowsShown: number };
  /** {@link grownRefresh} with the tree sorted by modified time (the grown file, newest, stays first). */
  grownByTime?: RefreshReport & { rowsShown: number };
  /**
   * With the view open as above: the tree re-tells the ages of its rows as a day had passed, so
   * every row shown reads a new age and repaints (the worst of the ticks that keep ages current:
   * a folder whose 500 rows shown were all written in the same minute). Three times; the
   * longest stall over 1.5 s from the tick, and VS Code's tree items in the last.
   */
  agesRetold?: RefreshReport & { rowsShown: number };
  /**
   * Go to File over both desktops (10,000 files and the transfer desktop's few), three times:
   * from the call until every file is in the pick and it stopped listing (`shownMs`), the
   * longest event-loop stall over that time + 500 ms, how many times the pick was given its
   * items (VS Code sends them all to the window at each), and how many it shows.
   */
  goToFile?: { shownMs: number[]; maxDelayMs: number[]; sends: number[]; items: number };
  /** See {@link smallOnLink}. */
  smallOnLink?: LinkReport;
  error?: string;
}

/**
 * One small file downloaded by URI on a link where every request waits `latencyMs`: the command
 * (`nenDrive.download(uri, folder, { overwrite: true })`, its listing cache emptied first, as for
 * a script's first call), the host's client (`downloadToFile`) and `curl -o`, alternating, in ms.
 */
export interface LinkReport {
  latencyMs: number;
  bytes: number;
  commandMs: number[];
  libraryMs: number[];
  curlMs: number[];
}

export interface RefreshReport {
  getChildrenMs: number[];
  maxDelayMs: number[];
  gcMs: number[];
  longestGcMs: number[];
  longestGcKind: string[];
}

export interface ConcurrentReport {
  ms: number;
  /** Delay beyond the monitor's resolution (the histogram holds the whole interval between its timer's runs). */
  p50: number;
  p99: number;
  max: number;
  resolutionMs: number;
  getChildrenMs: number[];
  rows: number;
  /** Garbage collections meanwhile: how many, the longest, and the total, in ms. */
  gc: { count: number; maxMs: number; totalMs: number };
  /** Where the late turns of the loop went (see {@link LateTurns}); absent off Linux. */
  late?: LateReport;
  /** Who had the machine's cores over the window (see {@link cpuByTask}); absent off Linux. */
  cpu?: CpuShare[];
}

/** A group of threads' time on a core and waiting for one over a window, in ms. */
export interface CpuShare {
  who: string;
  onCoreMs: number;
  waitingMs: number;
}

export interface LateReport {
  /** A turn counts as late when its timer ran this much after it was due. */
  thresholdMs: number;
  /** Turns of the sampler's timer, and how many of them were late. */
  turns: number;
  lateTurns: number;
  /** The late turns' whole intervals (from the turn before to the late one), summed. */
  spanMs: number;
  /** Of that span: the host's main thread on a core (its JavaScript, the GC, native work)… */
  onCoreMs: number;
  /** …and runnable but waiting for a core (the kernel's run-queue delay). The rest it slept. */
  waitingMs: number;
  /** The same two over the whole window, for scale. */
  windowOnCoreMs: number;
  windowWaitingMs: number;
  /** The late turns one by one (the first 40): when (ms into the window), their interval, on a core, waiting. */
  turnsSeen: Array<[at: number, span: number, onCore: number, waiting: number]>;
}

const r1 = (x: number): number => Math.round(x * 10) / 10;

/** A delay from `monitorEventLoopDelay` (ns) beyond its resolution (the histogram holds the whole interval between its timer's runs), in ms. */
const beyondResolution = (ns: number, resolutionMs: number): number => Math.max(0, Math.round(ns / 1e4 - resolutionMs * 100) / 100);

/** The tree's row of the 10,000-file desktop. */
async function listRowOf(api: Awaited<ReturnType<typeof getApi>>, env: TransferProbeEnv): Promise<DesktopNode> {
  const roots = await api.views.tree.getChildren();
  const row = roots.find((n): n is DesktopNode => n.kind === 'desktop' && n.desktopId === env.listDesktopId);
  if (!row) throw new Error('no row for the 10,000-file desktop');
  return row;
}

/** The calling thread's time on a core and its run-queue wait so far, in ms (Linux schedstat). */
function threadTimes(): { onCore: number; waiting: number } | undefined {
  try {
    const [onCore, waiting] = readFileSync('/proc/thread-self/schedstat', 'utf8').trim().split(/\s+/).map(Number);
    return Number.isFinite(onCore) && Number.isFinite(waiting) ? { onCore: onCore / 1e6, waiting: waiting / 1e6 } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Tells what a late event loop was doing. A timer due every `periodMs` reads the main thread's
 * schedstat on every turn; for each turn that ran more than `thresholdMs` late, the interval
 * since the previous turn is split into time the thread ran on a core (its own work: a long
 * callback, a GC) and time it was runnable but waiting for a core (other processes, or the
 * host's own thread pool, had both). `monitorEventLoopDelay` counts both as delay and cannot tell them apart.
 */
class LateTurns {
  private timer: NodeJS.Timeout | undefined;
  private prev: { t: number; onCore: number; waiting: number } | undefined;
  private first: { t: number; onCore: number; waiting: number } | undefined;
  private readonly r: LateReport;

  constructor(private readonly periodMs: number, thresholdMs: number) {
    this.r = { thresholdMs, turns: 0, lateTurns: 0, spanMs: 0, onCoreMs: 0, waitingMs: 0, windowOnCoreMs: 0, windowWaitingMs: 0, turnsSeen: [] };
  }

  start(): void {
    const now = threadTimes();
    if (!now) return;
    this.prev = { t: performance.now(), ...now };
    this.first = this.prev;
    this.timer = setTimeout(() => this.turn(), this.periodMs);
  }

  private turn(): void {
    const t = performance.now();
    const now = threadTimes();
    if (!now || !this.prev) return;
    this.r.turns++;
    if (t - this.prev.t - this.periodMs > this.r.thresholdMs) {
      this.r.lateTurns++;
      this.r.spanMs += t - this.prev.t;
      this.r.onCoreMs += now.onCore - this.prev.onCore;
      this.r.waitingMs += now.waiting - this.prev.waiting;
      if (this.r.turnsSeen.length < 40 && this.first) this.r.turnsSeen.push([r1(t - this.first.t), r1(t - this.prev.t), r1(now.onCore - this.prev.onCore), r1(now.waiting - this.prev.waiting)]);
    }
    this.prev = { t, ...now };
    this.timer = setTimeout(() => this.turn(), this.periodMs);
  }

  stop(): LateReport | undefined {
    clearTimeout(this.timer);
    const now = threadTimes();
    if (!now || !this.first) return undefined;
    return {
      ...this.r,
      spanMs: r1(this.r.spanMs),
      onCoreMs: r1(this.r.onCoreMs),
      waitingMs: r1(this.r.waitingMs),
      windowOnCoreMs: r1(now.onCore - this.first.onCore),
      windowWaitingMs: r1(now.waiting - this.first.waiting),
    };
  }
}

/** A thread's group (see {@link cpuByTask}) and its schedstat so far, in ms. */
type TaskTimes = Map<string, { who: string; onCore: number; waiting: number }>;

/**
 * Every thread's time on a core and its run-queue wait so far (Linux schedstat), by thread id,
 * with the group it counts in: the host's threads by role (its main thread, the niced transfer
 * thread, the rest: libuv's pool in Node 20, whose threads keep the name `node`), other
 * processes by their program (a node process by its script, a Chromium one by its type). A
 * kernel worker renames itself with its work: its group is the name it had last.
 */
function cpuByTask(): TaskTimes | undefined {
  const out: TaskTimes = new Map();
  const read = (f: string): string | undefined => {
    try {
      return readFileSync(f, 'utf8');
    } catch {
      return undefined;
    }
  };
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    const own = Number(pid) === process.pid;
    let group = (read(`/proc/${pid}/comm`) ?? '?').trim();
    if (!own) {
      const args = (read(`/proc/${pid}/cmdline`) ?? '').split('\0').filter(Boolean);
      const script = args.slice(1).find((a) => /\.(m?js|ts)$/.test(a));
      const type = args.find((a) => a.startsWith('--type='));
      if (script) group += ` ${basename(script)}`;
      else if (type) group += ` ${type.slice(7)}`;
      else if (group.startsWith('kworker')) group = 'kernel workers';
    }
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      const st = read(`/proc/${pid}/task/${tid}/schedstat`);
      if (!st) continue;
      const [onCore, waiting] = st.trim().split(/\s+/).map(Number);
      let who = group;
      if (own) {
        const comm = (read(`/proc/${pid}/task/${tid}/comm`) ?? '?').trim();
        // The name (field 2) is in parentheses and may hold spaces: the nice value is the 17th field after its ')'.
        const stat = read(`/proc/${pid}/task/${tid}/stat`) ?? '';
        const nice = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
        who = tid === pid ? 'host: main thread' : nice > 0 ? `host: transfer thread (nice ${nice})` : comm === 'node' ? 'host: libuv pool' : `host: ${comm}`;
      }
      out.set(`${pid}/${tid}`, { who, onCore: onCore / 1e6, waiting: waiting / 1e6 });
    }
  }
  return out;
}

/** What each group of {@link cpuByTask} added between two snapshots, the busiest first (those of `minMs` and over). */
function cpuShares(before: TaskTimes | undefined, after: TaskTimes | undefined, minMs = 5): CpuShare[] | undefined {
  if (!before || !after) return undefined;
  const groups = new Map<string, CpuShare>();
  for (const [task, a] of after) {
    const b = before.get(task) ?? { onCore: 0, waiting: 0 };
    const g = groups.get(a.who) ?? { who: a.who, onCoreMs: 0, waitingMs: 0 };
    g.onCoreMs += a.onCore - b.onCore;
    g.waitingMs += a.waiting - b.waiting;
    groups.set(a.who, g);
  }
  return [...groups.values()]
    .filter((g) => g.onCoreMs >= minMs)
    .map((g) => ({ who: g.who, onCoreMs: r1(g.onCoreMs), waitingMs: r1(g.waitingMs) }))
    .sort((x, y) => y.onCoreMs - x.onCoreMs);
}

async function configure(env: TransferProbeEnv): Promise<Awaited<ReturnType<typeof getApi>>> {
  const api = await getApi();
  await vscode.workspace.getConfiguration(Settings.section).update(Settings.liveRefreshSeconds, 0, vscode.ConfigurationTarget.Global);
  await api.services.keys.set(env.apiKey);
  await waitFor(async () => (await api.services.keys.get()) === env.apiKey, 'the key to be stored', 15_000);
  await pointAt(api, env.url, [env.desktopId, env.listDesktopId]);
  return api;
}

/** Points the extension at the emulator at `url` with `desktops` shown, once its client uses it, with no listing cached. */
async function pointAt(api: Awaited<ReturnType<typeof getApi>>, url: string, desktops: string[]): Promise<void> {
  const config = vscode.workspace.getConfiguration(Settings.section);
  await config.update(Settings.apiUrl, url, vscode.ConfigurationTarget.Global);
  await config.update(Settings.desktops, desktops, vscode.ConfigurationTarget.Global);
  await waitFor(() => api.services.clients.baseUrl === url, `the client to use ${url}`, 15_000);
  api.services.fs.invalidateAll();
}

/** Throws unless the file at `path` holds `bytes`; then removes it for the next sample. */
function takeDownloaded(path: string, bytes: number): void {
  const size = statSync(path).size;
  if (size !== bytes) throw new Error(`downloaded ${size} bytes to ${basename(path)}, expected ${bytes}`);
  rmSync(path, { force: true });
}

/**
 * Runs a command, noting when it calls the running extension's client for the transfer and when
 * that call returned (the client instance's method shadowed for the one call, then restored),
 * into `parts` (see TransferProbeReport.commandDownloadParts).
 */
async function commandParts(client: object, method: 'downloadToFile' | 'upload', command: () => PromiseLike<unknown>, parts: CommandParts | undefined): Promise<void> {
  const own = client as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const original = own[method];
  let called: number | undefined;
  let returned: number | undefined;
  own[method] = async function (this: unknown, ...args: unknown[]): Promise<unknown> {
    called ??= performance.now();
    try {
      return await original.apply(this, args);
    } finally {
      returned = performance.now();
    }
  };
  const t = performance.now();
  try {
    await command();
  } finally {
    delete own[method];
  }
  const end = performance.now();
  if (parts && called !== undefined && returned !== undefined) {
    parts.beforeMs.push(called - t);
    parts.afterMs.push(end - returned);
  }
}

const timed = async (fn: () => PromiseLike<unknown>): Promise<number> => {
  const t = performance.now();
  await fn();
  return performance.now() - t;
};

export async function run(): Promise<void> {
  const env = JSON.parse(process.env.NEN_BENCH_EMU ?? '{}') as TransferProbeEnv;
  const out = process.env.NEN_BENCH_TRANSFER_OUT;
  const report: TransferProbeReport = { commandDownloadMs: [], libraryDownloadMs: [], commandUploadMs: [], libraryUploadMs: [] };
  try {
    const api = await configure(env);
    const client = (): ReturnType<typeof api.services.clients.get> => api.services.clients.get();
    const folder = join(env.work, 'down');
    mkdirSync(folder, { recursive: true });
    const local = join(folder, env.downloadName);
    const checkLocal = (): void => takeDownloaded(local, env.bytes);
    // The warm-up round's command samples are not recorded, its parts neither.
    let recording = false;
    report.commandDownloadParts = { beforeMs: [], afterMs: [] };
    report.commandUploadParts = { beforeMs: [], afterMs: [] };
    const down = {
      command: async () => {
        await commandParts(client(), 'downloadToFile', () => vscode.commands.executeCommand('nenDrive.download', driveUriForTest(env.desktopId, env.downloadName), vscode.Uri.file(folder), { overwrite: true }), recording ? report.commandDownloadParts : undefined);
        checkLocal();
      },
      library: async () => {
        await client().downloadToFile(env.desktopId, env.downloadName, local, { overwrite: true });
        checkLocal();
      },
    };
    const up = {
      command: () => commandParts(client(), 'upload', () => vscode.commands.executeCommand('nenDrive.upload', driveUriForTest(env.desktopId), [vscode.Uri.file(env.uploadPath)], { conflict: 'overwrite' }), recording ? report.commandUploadParts : undefined),
      library: () => client().upload(env.desktopId, 'probe-up.bin', { kind: 'file', path: env.uploadPath }),
    };
    // One unrecorded round warms both paths, then alternating rounds, the order rotating. Each
    // operation starts from a quiet workbench and disk: the summary toast a command leaves is
    // drawn by the workbench (on these 2 cores) while the next operation would run, whichever it
    // is, and a download's fsync would also flush the 100 MiB the emulator just stored (the
    // bench's other downloads start after a `sync` too).
    //
    // And from a window that has seen the drive as it is: the library's upload is a change this
    // window has not seen (like another writer's), and whichever command listed the drive next
    // paid for telling VS Code about it (workbench 21 vs 10 ms, the command 1.13 of the library
    // after the library's upload, 1.04 after its own, in the 13:08 run). A listing settles that
    // before every operation, untimed; then the cached listing is dropped (what the window knows
    // stays, for the diff), so the command's stat still lists the drive as a script's first
    // call would. NEN_BENCH_SETTLE=0 runs without it (round sixteen's A/B).
    const settle = process.env.NEN_BENCH_SETTLE !== '0';
    const quiet = async (): Promise<void> => {
      if (settle) {
        await api.services.fs.list(env.desktopId, undefined, { fresh: true });
        api.services.fs.invalidate(env.desktopId);
      }
      execFileSync('sync');
      await sleep(500);
    };
    for (let i = 0; i <= env.rounds; i++) {
      recording = i > 0;
      const order = i % 2 ? (['library', 'command'] as const) : (['command', 'library'] as const);
      for (const k of order) {
        await quiet();
        const before = cpuByTask();
        const d = await timed(down[k]);
        const cpu = cpuShares(before, cpuByTask(), 0.5);
        if (recording && cpu) (report.downloadCpu ??= { command: [], library: [] })[k].push(cpu);
        await quiet();
        const u = await timed(up[k]);
        if (i === 0) continue;
        (k === 'command' ? report.commandDownloadMs : report.libraryDownloadMs).push(d);
        (k === 'command' ? report.commandUploadMs : report.libraryUploadMs).push(u);
      }
    }
    await quiet();
    report.listingRefresh = await listingRefresh(api, env);
    await quiet();
    report.firstConcurrent = await concurrent(api, env, folder);
    await quiet();
    report.concurrent = await concurrent(api, env, folder);
    await quiet();
    report.yieldingConcurrent = await whileEmulatorYields(env.emulatorPid, () => concurrent(api, env, folder));
    // Last, as it leaves the view open: the batches above ran with it closed, as in earlier rounds.
    await quiet();
    report.visibleRefresh = await listingRefresh(api, env, true);
    await quiet();
    report.grownRefresh = await oneFileGrows(api, env);
    await quiet();
    await api.views.tree.setSortOrder('modified');
    try {
      report.grownByTime = await oneFileGrows(api, env);
    } finally {
      await api.views.tree.setSortOrder('name');
    }
    await quiet();
    // (A bundle before round ten has no reage: the row is left out.)
    if (typeof api.views.tree.reage === 'function') report.agesRetold = await agesRetold(api);
    await quiet();
    report.goToFile = await goToFile(api, env);
    await quiet();
    report.smallOnLink = await smallOnLink(api, env);
  } catch (err) {
    report.error = err instanceof Error ? (err.stack ?? err.message) : String(err);
  }
  if (out) {
    writeFileSync(`${out}.partial`, JSON.stringify(report));
    renameSync(`${out}.partial`, out);
  }
}

/** GC pauses while a Refresh runs: total, and the longest with its kind. */
function watchGc(): { stop: () => { totalMs: number; longestMs: number; longestKind: string } } {
  const kinds: Record<number, string> = { 1: 'minor', 2: 'major', 4: 'incremental', 8: 'weak callbacks' };
  let totalMs = 0;
  let longest = { ms: 0, kind: '' };
  const gcWatch = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      totalMs += e.duration;
      const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0;
      if (e.duration > longest.ms) longest = { ms: e.duration, kind: kinds[kind] ?? String(kind) };
    }
  });
  gcWatch.observe({ entryTypes: ['gc'] });
  return {
    stop: () => {
      gcWatch.disconnect();
      return { totalMs, longestMs: longest.ms, longestKind: longest.kind };
    },
  };
}

/**
 * The tree's Refresh of the 10,000-file desktop, five times, the event loop watched. Hidden
 * view: the probe asks for the rows itself. Open view: VS Code asks (and turns every row into a
 * tree item), the probe only counts its calls.
 */
async function listingRefresh(api: Awaited<ReturnType<typeof getApi>>, env: TransferProbeEnv, visible = false): Promise<RefreshReport & { rowsShown: number }> {
  const tree = api.views.tree;
  const listRow = await listRowOf(api, env);
  const out = { getChildrenMs: [] as number[], maxDelayMs: [] as number[], gcMs: [] as number[], longestGcMs: [] as number[], longestGcKind: [] as string[], rowsShown: 0 };
  const resolutionMs = 2;
  // VS Code's own calls, seen through the provider object it was given.
  let asked: Promise<unknown> | undefined;
  let items = 0;
  let shown = 0;
  const getChildren = tree.getChildren.bind(tree);
  const getTreeItem = tree.getTreeItem.bind(tree);
  if (visible) {
    tree.getChildren = (node) => {
      const answer = getChildren(node);
      if (node === listRow) asked = answer;
      return answer;
    };
    tree.getTreeItem = (node) => {
      items++;
      return getTreeItem(node);
    };
    const row = await revealRow(tree, api.views.view, driveUriForTest(env.listDesktopId), { expand: true });
    if (row !== listRow) throw new Error('the open view shows another row for the 10,000-file desktop');
    // The rows VS Code is given (all 10,000, or the first ones and a "Show more" row).
    shown = (await getChildren(listRow)).length;
    await waitFor(() => items >= shown, 'VS Code to show the rows', 20_000);
    await sleep(500);
  }
  try {
    for (let i = 0; i < 5; i++) {
      const h = monitorEventLoopDelay({ resolution: resolutionMs });
      const gc = watchGc();
      const profileTo = visible ? process.env.NEN_BENCH_VISIBLE_PROFILE : process.env.NEN_BENCH_REFRESH_PROFILE;
      const profile = i === 2 && profileTo ? await startProfile() : undefined;
      asked = undefined;
      items = 0;
      const t0 = performance.now();
      tree.refresh(listRow);
      h.enable();
      let ms: number;
      if (visible) {
        await waitFor(() => asked !== undefined, 'VS Code to ask for the rows again', 10_000);
        await asked;
        ms = performance.now() - t0;
        await waitFor(() => items >= shown, 'VS Code to take the rows', 10_000);
        out.rowsShown = items;
        // Its tree items travel to the workbench after that; let the window take it in.
        await sleep(Math.max(0, 1500 - (performance.now() - t0)));
      } else {
        ms = await timed(() => tree.getChildren(listRow));
        // The workbench asks for the rows again after the refresh event; let that run too.
        await sleep(200);
      }
      h.disable();
      if (profile && profileTo) writeFileSync(profileTo, JSON.stringify(await profile()));
      const g = gc.stop();
      out.getChildrenMs.push(r1(ms));
      out.maxDelayMs.push(beyondResolution(h.max, resolutionMs));
      out.gcMs.push(r1(g.totalMs));
      out.longestGcMs.push(r1(g.longestMs));
      out.longestGcKind.push(g.longestKind);
      await sleep(300);
    }
  } finally {
    tree.getChildren = getChildren;
    tree.getTreeItem = getTreeItem;
  }
  return out;
}

/**
 * A live poll that finds one shown file of the 10,000 grown (the view open, the desktop
 * expanded, as {@link listingRefresh} left them): the longest stall over 1.5 s from the
 * listing request, and how many tree items VS Code asked for.
 */
async function oneFileGrows(api: Awaited<ReturnType<typeof getApi>>, env: TransferProbeEnv): Promise<RefreshReport & { rowsShown: number }> {
  const tree = api.views.tree;
  const listRow = await listRowOf(api, env);
  const file = (await tree.getChildren(listRow)).find((n) => n.kind === 'file');
  if (!file || file.kind !== 'file') throw new Error('no file row shown for the 10,000-file desktop');
  return repaints(api, 6, 1, {
    // Another client (the running extension's library, not its file system provider): to the
    // window it is someone else's change, seen by the next listing.
    before: async (i) => {
      await api.services.clients.get().upload(env.listDesktopId, file.entry.name, { kind: 'bytes', data: new Uint8Array(100 + i) });
      await sleep(300);
    },
    act: async () => {
      await api.services.fs.list(env.listDesktopId, undefined, { fresh: true });
      return 1;
    },
  });
}

/** {@link TransferProbeReport.agesRetold}: the view open and the desktop expanded as {@link oneFileGrows} left them. */
async function agesRetold(api: Awaited<ReturnType<typeof getApi>>): Promise<RefreshReport & { rowsShown: number }> {
  try {
    return await repaints(api, 3, 0, { act: (i) => api.views.tree.reage(Date.now() + (i + 1) * 86_400_000).length });
  } finally {
    // Back to the real clock: the rows read their true ages again.
    api.views.tree.reage();
  }
}

/**
 * Rounds of something that repaints rows of the open view (`act`, timed; it returns how many tree
 * items VS Code is to ask for), after an unmeasured `before`: the longest stall over 1.5 s from
 * the act, its GC, and VS Code's tree items in the last round. The first `warmups` not kept.
 */
async function repaints(
  api: Awaited<ReturnType<typeof getApi>>,
  rounds: number,
  warmups: number,
  step: { before?: (i: number) => Promise<void>; act: (i: number) => number | Promise<number> },
): Promise<RefreshReport & { rowsShown: number }> {
  const tree = api.views.tree;
  const out = { getChildrenMs: [] as number[], maxDelayMs: [] as number[], gcMs: [] as number[], longestGcMs: [] as number[], longestGcKind: [] as string[], rowsShown: 0 };
  const resolutionMs = 2;
  let items = 0;
  const getTreeItem = tree.getTreeItem.bind(tree);
  tree.getTreeItem = (node) => {
    items++;
    return getTreeItem(node);
  };
  try {
    for (let i = 0; i < rounds; i++) {
      await step.before?.(i);
      const h = monitorEventLoopDelay({ resolution: resolutionMs });
      const gc = watchGc();
      items = 0;
      const t0 = performance.now();
      h.enable();
      const expected = await step.act(i);
      const ms = performance.now() - t0;
      await waitFor(() => items >= expected, 'VS Code to take the repainted rows', 10_000);
      await sleep(Math.max(0, 1500 - (performance.now() - t0)));
      h.disable();
      const g = gc.stop();
      if (i < warmups) continue;
      out.rowsShown = items;
      out.getChildrenMs.push(r1(ms));
      out.maxDelayMs.push(beyondResolution(h.max, resolutionMs));
      out.gcMs.push(r1(g.totalMs));
      out.longestGcMs.push(r1(g.longestMs));
      out.longestGcKind.push(g.longestKind);
    }
  } finally {
    tree.getTreeItem = getTreeItem;
  }
  return out;
}

/** Go to File opened and left once it has every file (see {@link TransferProbeReport.goToFile}). */
async function goToFile(api: Awaited<ReturnType<typeof getApi>>, env: TransferProbeEnv): Promise<NonNullable<TransferProbeReport['goToFile']>> {
  const out = { shownMs: [] as number[], maxDelayMs: [] as number[], sends: [] as number[], items: 0 };
  const resolutionMs = 2;
  for (let i = 0; i < 3; i++) {
    let picker: vscode.QuickPick<DriveFileItem> | undefined;
    let sends = 0;
    let count = 0;
    const h = monitorEventLoopDelay({ resolution: resolutionMs });
    const t0 = performance.now();
    h.enable();
    const picked = pickDriveFile(api.services, api.views.tree, {
      title: 'bench',
      onShow: (p) => {
        picker = p;
        // Count the assignments of `items` on this one object (the setter lives on its class).
        let proto: object | null = Object.getPrototypeOf(p);
        let desc: PropertyDescriptor | undefined;
        while (proto && !(desc = Object.getOwnPropertyDescriptor(proto, 'items'))) proto = Object.getPrototypeOf(proto);
        if (!desc?.set || !desc.get) return;
        const { get, set } = desc;
        Object.defineProperty(p, 'items', {
          configurable: true,
          get: () => get.call(p),
          set: (v: readonly DriveFileItem[]) => {
            sends++;
            count = v.length;
            set.call(p, v);
          },
        });
      },
    });
    await waitFor(() => picker !== undefined && !picker.busy && count >= env.listCount, 'Go to File to list every file', 30_000);
    const ms = performance.now() - t0;
    await sleep(500);
    h.disable();
    out.shownMs.push(r1(ms));
    out.maxDelayMs.push(beyondResolution(h.max, resolutionMs));
    out.sends.push(sends);
    out.items = count;
    picker!.hide();
    await picked;
    await sleep(300);
  }
  return out;
}

/** For a look at what the host's thread does meanwhile: V8's sampling profiler, 100 µs. Returns its stop. */
async function startProfile(): Promise<() => Promise<unknown>> {
  const session = new inspector.Session();
  session.connect();
  const post = (method: string, params?: object): Promise<{ profile?: unknown }> =>
    new Promise((resolve, reject) => session.post(method, params, (err, res) => (err ? reject(err) : resolve(res as { profile?: unknown }))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 100 });
  await post('Profiler.start');
  return async () => {
    const { profile } = await post('Profiler.stop');
    session.disconnect();
    return profile;
  };
}

/** Four transfers at once through the commands, the event loop watched, the tree asked meanwhile. */
async function concurrent(api: Awaited<ReturnType<typeof getApi>>, env: TransferProbeEnv, folder: string): Promise<ConcurrentReport> {
  const listRow = await listRowOf(api, env);
  // A fresh listing first: the window (about a second, under the listing's 3 s life) then
  // measures the transfers with the tree answering from it. Without it the listing the rounds
  // left expired inside the window in some runs, and its refresh (a 10,000-entry answer parsed,
  // diffed and made into rows: 20-40 ms at once) landed in the window; `listingRefresh` measures
  // that on its own.
  await api.services.fs.list(env.listDesktopId, undefined, { fresh: true });
  const rows = (await api.views.tree.getChildren(listRow)).length;
  const dirs = [join(folder, 'a'), join(folder, 'b')];
  dirs.forEach((d) => mkdirSync(d, { recursive: true }));
  const resolutionMs = 2;
  const h = monitorEventLoopDelay({ resolution: resolutionMs });
  const gc = { count: 0, maxMs: 0, totalMs: 0 };
  const gcWatch = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gc.count++;
      gc.totalMs += e.duration;
      gc.maxMs = Math.max(gc.maxMs, e.duration);
    }
  });
  gcWatch.observe({ entryTypes: ['gc'] });
  const getChildrenMs: number[] = [];
  let running = true;
  const late = new LateTurns(resolutionMs, 10);
  const profile = process.env.NEN_BENCH_CPU_PROFILE ? await startProfile() : undefined;
  const cpuBefore = cpuByTask();
  const t0 = performance.now();
  h.enable();
  late.start();
  const transfers = Promise.all([
    ...dirs.map((d) => vscode.commands.executeCommand('nenDrive.download', driveUriForTest(env.desktopId, env.downloadName), vscode.Uri.file(d), { overwrite: true })),
    ...[0, 1].map(() => vscode.commands.executeCommand('nenDrive.upload', driveUriForTest(env.desktopId), [vscode.Uri.file(env.uploadPath)], { conflict: 'keepBoth' })),
  ]).finally(() => (running = false));
  // The tree answers from its listing, as when the user scrolls or expands during the transfers.
  while (running) {
    getChildrenMs.push(await timed(() => api.views.tree.getChildren(listRow)));
    await sleep(100);
  }
  await transfers;
  const ms = performance.now() - t0;
  const lateReport = late.stop();
  h.disable();
  const cpu = cpuShares(cpuBefore, cpuByTask());
  if (profile) writeFileSync(process.env.NEN_BENCH_CPU_PROFILE!, JSON.stringify(await profile()));
  gcWatch.disconnect();
  for (const d of dirs) {
    if (statSync(join(d, env.downloadName)).size !== env.bytes) throw new Error('a concurrent download is short');
  }
  const toMs = (ns: number): number => beyondResolution(ns, resolutionMs);
  const r2 = (x: number): number => Math.round(x * 100) / 100;
  return { ms, p50: toMs(h.percentile(50)), p99: toMs(h.percentile(99)), max: toMs(h.max), resolutionMs, getChildrenMs, rows, gc: { count: gc.count, maxMs: r2(gc.maxMs), totalMs: r2(gc.totalMs) }, late: lateReport, cpu };
}

/** `batch` with the emulator at the back of the queue for the cores, then its priority put back. */
async function whileEmulatorYields(pid: number | undefined, batch: () => Promise<ConcurrentReport>): Promise<ConcurrentReport & { how: Yielded['how']; note?: string }> {
  const y = pid ? yieldCores(pid) : { how: 'none' as const, note: 'no emulator pid', restore: () => undefined };
  let r: ConcurrentReport;
  try {
    r = await batch();
  } finally {
    y.restore();
  }
  return { ...r, how: y.how, ...(y.note ? { note: y.note } : {}) };
}

/** The simulated link's wait per request (target 2's link has the same). */
const LINK_LATENCY_MS = 40;

/**
 * {@link LinkReport}: an emulator of its own in this host with {@link LINK_LATENCY_MS} per
 * request, the extension pointed at it for the samples and back at the bench's after.
 */
async function smallOnLink(api: Awaited<ReturnType<typeof getApi>>, env: TransferProbeEnv, rounds = 11): Promise<LinkReport> {
  const bytes = 64 * 1024;
  const desktopId = randomDesktopId();
  const name = 'link-small.bin';
  const dataDir = mkdtempSync(join(env.work, 'link-emu-'));
  const emu = await startEmulator({ port: 0, host: '127.0.0.1', dataDir, apiKey: env.apiKey, desktops: [desktopId], latencyMs: LINK_LATENCY_MS });
  emu.putFile(desktopId, name, randomBytes(bytes));
  const folder = join(env.work, 'link-down');
  mkdirSync(folder, { recursive: true });
  const local = join(folder, name);
  const report: LinkReport = { latencyMs: LINK_LATENCY_MS, bytes, commandMs: [], libraryMs: [], curlMs: [] };
  const curl = (): Promise<void> =>
    new Promise((resolve, reject) =>
      execFile('curl', ['-sS', '--fail', '-o', local, '-H', `Authorization: Bearer ${env.apiKey}`, `${emu.url}/desktops/${desktopId}/files/${name}`], (err) => (err ? reject(err) : resolve())),
    );
  const ways = {
    command: async () => {
      api.services.fs.invalidateAll();
      await vscode.commands.executeCommand('nenDrive.download', driveUriForTest(desktopId, name), vscode.Uri.file(folder), { overwrite: true });
    },
    library: async () => {
      await api.services.clients.get().downloadToFile(desktopId, name, local, { overwrite: true });
    },
    curl,
  };
  const samples = { command: report.commandMs, library: report.libraryMs, curl: report.curlMs };
  try {
    await pointAt(api, emu.url, [desktopId]);
    // One unrecorded round (connections, the transfer thread), then rounds in rotating order.
    for (let i = 0; i <= rounds; i++) {
      const order = (['command', 'library', 'curl'] as const).map((_, k, all) => all[(k + i) % all.length]);
      for (const way of order) {
        await sleep(100);
        const ms = await timed(ways[way]);
        takeDownloaded(local, bytes);
        if (i > 0) samples[way].push(ms);
      }
    }
  } finally {
    await pointAt(api, env.url, [env.desktopId, env.listDesktopId]);
    await emu.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return report;
}
