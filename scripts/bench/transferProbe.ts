/**
 * Runs inside a real extension host (code-server, via `extensionTestsPath`), like
 * activationProbe: issue 14 items 4 and 6. The emulator is the bench's own, in its own process
 * (NEN_BENCH_EMU: url, key, desktops, file names), so the host only does the client's work.
 * - Commands against the library: `nenDrive.download` and `nenDrive.upload` of the big file with
 *   their documented arguments, alternating with the running extension's own client
 *   (`downloadToFile`, `upload`), timed here.
 * - Responsiveness: four big transfers at once (two downloads, two uploads, through the
 *   commands) while `monitorEventLoopDelay` watches the host's event loop and the tree's
 *   getChildren of a 10,000-file desktop is timed meanwhile.
 * Writes a {@link TransferProbeReport} to NEN_BENCH_TRANSFER_OUT.
 */
// eslint-disable-next-line no-restricted-imports -- a bench module that runs inside the extension host
import * as vscode from 'vscode';
import { execFileSync } from 'node:child_process';
import { mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import { Settings } from '../../src/constants';
import type { DesktopNode } from '../../src/views/nodes';
import { driveUriForTest, getApi, waitFor } from '../../tools/vscode-host/inHost';

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
}

export interface TransferProbeReport {
  commandDownloadMs: number[];
  libraryDownloadMs: number[];
  commandUploadMs: number[];
  libraryUploadMs: number[];
  /** Four transfers at once: event-loop delay in ms and the tree's answer meanwhile. */
  concurrent?: {
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
  };
  error?: string;
}

async function configure(env: TransferProbeEnv): Promise<Awaited<ReturnType<typeof getApi>>> {
  const api = await getApi();
  const config = vscode.workspace.getConfiguration(Settings.section);
  await config.update(Settings.apiUrl, env.url, vscode.ConfigurationTarget.Global);
  await config.update(Settings.desktops, [env.desktopId, env.listDesktopId], vscode.ConfigurationTarget.Global);
  await config.update(Settings.liveRefreshSeconds, 0, vscode.ConfigurationTarget.Global);
  await api.services.keys.set(env.apiKey);
  await waitFor(() => api.services.clients.baseUrl === env.url, 'the client to use the bench emulator', 15_000);
  await waitFor(async () => (await api.services.keys.get()) === env.apiKey, 'the key to be stored', 15_000);
  api.services.fs.invalidateAll();
  return api;
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
    const checkLocal = (): void => {
      if (statSync(local).size !== env.bytes) throw new Error(`downloaded ${statSync(local).size} bytes, expected ${env.bytes}`);
      rmSync(local, { force: true });
    };
    const down = {
      command: async () => {
        await vscode.commands.executeCommand('nenDrive.download', driveUriForTest(env.desktopId, env.downloadName), vscode.Uri.file(folder), { overwrite: true });
        checkLocal();
      },
      library: async () => {
        await client().downloadToFile(env.desktopId, env.downloadName, local, { overwrite: true });
        checkLocal();
      },
    };
    const up = {
      command: () => vscode.commands.executeCommand('nenDrive.upload', driveUriForTest(env.desktopId), [vscode.Uri.file(env.uploadPath)], { conflict: 'overwrite' }),
      library: () => client().upload(env.desktopId, 'probe-up.bin', { kind: 'file', path: env.uploadPath }),
    };
    // One unrecorded round warms both paths, then alternating rounds, the order rotating. Each
    // operation starts from a quiet workbench and disk: the summary toast a command leaves is
    // drawn by the workbench (on these 2 cores) while the next operation would run, whichever it
    // is, and a download's fsync would also flush the 100 MiB the emulator just stored (the
    // bench's other downloads start after a `sync` too).
    const quiet = (): Promise<unknown> => {
      execFileSync('sync');
      return new Promise((r) => setTimeout(r, 500));
    };
    for (let i = 0; i <= env.rounds; i++) {
      const order = i % 2 ? (['library', 'command'] as const) : (['command', 'library'] as const);
      for (const k of order) {
        await quiet();
        const d = await timed(down[k]);
        await quiet();
        const u = await timed(up[k]);
        if (i === 0) continue;
        (k === 'command' ? report.commandDownloadMs : report.libraryDownloadMs).push(d);
        (k === 'command' ? report.commandUploadMs : report.libraryUploadMs).push(u);
      }
    }
    await quiet();
    report.concurrent = await concurrent(api, env, folder);
  } catch (err) {
    report.error = err instanceof Error ? (err.stack ?? err.message) : String(err);
  }
  if (out) {
    writeFileSync(`${out}.partial`, JSON.stringify(report));
    renameSync(`${out}.partial`, out);
  }
}

/** Four transfers at once through the commands, the event loop watched, the tree asked meanwhile. */
async function concurrent(api: Awaited<ReturnType<typeof getApi>>, env: TransferProbeEnv, folder: string): Promise<TransferProbeReport['concurrent']> {
  const roots = await api.views.tree.getChildren();
  const listRow = roots.find((n): n is DesktopNode => n.kind === 'desktop' && n.desktopId === env.listDesktopId);
  if (!listRow) throw new Error('no row for the 10,000-file desktop');
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
  const t0 = performance.now();
  h.enable();
  const transfers = Promise.all([
    ...dirs.map((d) => vscode.commands.executeCommand('nenDrive.download', driveUriForTest(env.desktopId, env.downloadName), vscode.Uri.file(d), { overwrite: true })),
    ...[0, 1].map(() => vscode.commands.executeCommand('nenDrive.upload', driveUriForTest(env.desktopId), [vscode.Uri.file(env.uploadPath)], { conflict: 'keepBoth' })),
  ]).finally(() => (running = false));
  // The tree answers from its listing, as when the user scrolls or expands during the transfers.
  while (running) {
    getChildrenMs.push(await timed(() => api.views.tree.getChildren(listRow)));
    await new Promise((r) => setTimeout(r, 100));
  }
  await transfers;
  const ms = performance.now() - t0;
  h.disable();
  gcWatch.disconnect();
  for (const d of dirs) {
    if (statSync(join(d, env.downloadName)).size !== env.bytes) throw new Error('a concurrent download is short');
  }
  const toMs = (ns: number): number => Math.max(0, Math.round(ns / 1e4 - resolutionMs * 100) / 100);
  const r2 = (x: number): number => Math.round(x * 100) / 100;
  return { ms, p50: toMs(h.percentile(50)), p99: toMs(h.percentile(99)), max: toMs(h.max), resolutionMs, getChildrenMs, rows, gc: { count: gc.count, maxMs: r2(gc.maxMs), totalMs: r2(gc.totalMs) } };
}
