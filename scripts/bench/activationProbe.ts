/**
 * Runs inside a real extension host (code-server, via `extensionTestsPath`): times
 * `extension.activate()` of the extension under development, which covers what VS Code
 * itself counts as activation (loading dist/extension.js and calling its activate()), and
 * writes `{ isActiveBefore, activationMs }` to the file named by NEN_BENCH_ACTIVATION_OUT.
 * With NEN_BENCH_TREE_COUNT it then times the tree's getChildren for a drive of that many
 * files, on an emulator started in the host by the in-host suite's helpers (as
 * test/integration/tree.test.ts does), the cost of one live-refresh poll of that drive
 * (request + parse + diff) and of the diff alone, and with NEN_BENCH_LIVE_SECONDS the
 * listings an idle, visible drive costs over that many seconds at the default interval.
 */
// eslint-disable-next-line no-restricted-imports -- the one bench module that runs inside the extension host
import * as vscode from 'vscode';
import { writeFileSync, renameSync } from 'node:fs';
import Module from 'node:module';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { DriveEntry } from '../../src/api/types';
import { diffListings } from '../../src/cache/diff';
import { EXTENSION_ID } from '../../src/constants';
import type { DesktopNode } from '../../src/views/nodes';
import { countDriveRequests, setupEmulator } from '../../tools/vscode-host/inHost';
import { ROWS_SHOWN } from '../../src/views/DriveTreeDataProvider';

export interface ProbeReport {
  isActiveBefore: boolean;
  activationMs?: number;
  /** Of activationMs: VS Code's require() of dist/extension.js (compile and run its top level). */
  loadMs?: number;
  /** Of activationMs: the extension's own activate() call. The rest is VS Code's. */
  activateCallMs?: number;
  /**
   * After activation, before any sort: `new Intl.Collator().compare()` the first time in this
   * host process and a second time. The extension's first sort of a folder makes its collator
   * (src/views/format.ts); the first in a process sets up ICU's collation, the rest reuse it. So
   * that treeWithListingMs keeps meaning the tree's own work, the probe pays that first set-up.
   */
  firstCollatorMs?: number;
  secondCollatorMs?: number;
  /** getChildren of the desktop row, the listing request included (cache invalidated first). */
  treeWithListingMs?: number;
  /** getChildren of the desktop row from a fresh listing already in the provider's cache. */
  treeFromCacheMs?: number;
  /** One poll of the drive (one file changed): request, parse, diff and events. */
  pollMs?: number;
  /** diffListings of two listings of the drive, one entry changed. */
  diffMs?: number;
  /** Listings of an idle drive shown in a visible tree, at the default interval. */
  idle?: { seconds: number; listings: number; intervalSeconds: number };
  error?: string;
}

async function timeTree(count: number, report: ProbeReport): Promise<void> {
  const env = await setupEmulator();
  try {
    for (let i = 0; i < count; i++) env.emu.putFile(env.desktopId, `file-${i}.dat`, '', { mtime: Date.now() / 1000 - i });
    const views = env.api.views;
    const roots = await views.tree.getChildren();
    const desktop = roots.find((n): n is DesktopNode => n.kind === 'desktop' && n.desktopId === env.desktopId);
    if (!desktop) throw new Error('no desktop row in the tree');
    let t = performance.now();
    const first = await views.tree.getChildren(desktop);
    report.treeWithListingMs = performance.now() - t;
    // The first ROWS_SHOWN rows and a "Show more" row: what VS Code is given of a long folder.
    const expected = count > ROWS_SHOWN ? ROWS_SHOWN + 1 : count;
    if (first.length !== expected) throw new Error(`getChildren returned ${first.length} rows, expected ${expected}`);
    await env.services.fs.list(env.desktopId, undefined, { fresh: true });
    t = performance.now();
    await views.tree.getChildren(desktop);
    report.treeFromCacheMs = performance.now() - t;

    // A live-refresh poll as LiveRefresh makes it: the drive is known, one file changed since.
    env.emu.putFile(env.desktopId, 'file-0.dat', 'changed');
    t = performance.now();
    const polled = await env.services.fs.cache.get({ desktopId: env.desktopId }, { maxAgeMs: 0, purpose: 'poll' });
    report.pollMs = performance.now() - t;
    const before = new Map<string, DriveEntry>(polled.entries.map((e) => [e.name, e]));
    const after = polled.entries.map((e) => (e.name === 'file-1.dat' ? { ...e, size: e.size + 1 } : e));
    const afterMap = new Map(after.map((e) => [e.name, e]));
    const samples: number[] = [];
    for (let i = 0; i < 5; i++) {
      t = performance.now();
      diffListings(before, after, afterMap);
      samples.push(performance.now() - t);
    }
    report.diffMs = samples.sort((a, b) => a - b)[2];
  } finally {
    await env.dispose();
  }
}

/** See ProbeReport.firstCollatorMs. The same default options as the tree's collator. */
function timeCollators(report: ProbeReport): void {
  let t = performance.now();
  new Intl.Collator().compare('file10', 'file2');
  report.firstCollatorMs = performance.now() - t;
  t = performance.now();
  new Intl.Collator().compare('file10', 'file2');
  report.secondCollatorMs = performance.now() - t;
}

/** What an idle drive shown in a visible tree costs: listings over `seconds`, default interval. */
async function timeIdle(seconds: number, report: ProbeReport): Promise<void> {
  const intervalSeconds = 5;
  const env = await setupEmulator({ liveRefreshSeconds: intervalSeconds });
  try {
    env.emu.putFile(env.desktopId, 'idle.txt', 'x');
    await env.services.fs.list(env.desktopId);
    env.emu.clearRequests();
    // Exactly what the tree reports while visible with this desktop expanded.
    env.services.live.setShown('bench', [{ desktopId: env.desktopId }]);
    await new Promise((r) => setTimeout(r, seconds * 1000));
    env.services.live.setShown('bench', []);
    report.idle = { seconds, listings: countDriveRequests(env.emu, env.desktopId).listings, intervalSeconds };
  } finally {
    await env.dispose();
  }
}

/**
 * Splits activation into the extension's own parts without changing how VS Code activates it:
 * Node's `Module._load` is wrapped for the one file, timing its require(), and VS Code is handed
 * the module's exports behind a proxy whose `activate` times the call. What is left of
 * activationMs is VS Code's (the extension's context and storage, its calls to the workbench).
 */
function timeOwnParts(bundle: string, report: ProbeReport): () => void {
  const loader = Module as unknown as { _load: (request: string, parent: unknown, isMain: boolean) => unknown; _resolveFilename: (request: string, parent: unknown) => string };
  const original = loader._load;
  loader._load = function (request: string, parent: unknown, isMain: boolean): unknown {
    let file: string | undefined;
    try {
      file = loader._resolveFilename(request, parent);
    } catch {
      // Not ours: the original says why.
    }
    if (file !== bundle) return original.call(this, request, parent, isMain);
    const t = performance.now();
    const exports = original.call(this, request, parent, isMain) as { activate: (...args: unknown[]) => unknown };
    report.loadMs = performance.now() - t;
    return new Proxy(exports, {
      get: (target, key) =>
        key === 'activate'
          ? (...args: unknown[]): unknown => {
              const a = performance.now();
              try {
                return target.activate(...args);
              } finally {
                report.activateCallMs = performance.now() - a;
              }
            }
          : Reflect.get(target, key),
    });
  };
  return () => {
    loader._load = original;
  };
}

export async function run(): Promise<void> {
  const out = process.env.NEN_BENCH_ACTIVATION_OUT;
  const report: ProbeReport = { isActiveBefore: false };
  try {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    if (!ext) throw new Error(`${EXTENSION_ID} is not loaded in this extension host`);
    report.isActiveBefore = ext.isActive;
    if (!ext.isActive) {
      const unhook = timeOwnParts(join(ext.extensionPath, 'dist', 'extension.js'), report);
      try {
        const t0 = performance.now();
        await ext.activate();
        report.activationMs = performance.now() - t0;
      } finally {
        unhook();
      }
    }
    timeCollators(report);
    const treeCount = Number(process.env.NEN_BENCH_TREE_COUNT ?? 0);
    if (treeCount > 0) await timeTree(treeCount, report);
    const idleSeconds = Number(process.env.NEN_BENCH_LIVE_SECONDS ?? 0);
    if (idleSeconds > 0) await timeIdle(idleSeconds, report);
  } catch (err) {
    report.error = err instanceof Error ? (err.stack ?? err.message) : String(err);
  }
  if (out) {
    writeFileSync(`${out}.partial`, JSON.stringify(report));
    renameSync(`${out}.partial`, out);
  }
}
