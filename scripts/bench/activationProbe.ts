/**
 * Runs inside a real extension host (code-server, via `extensionTestsPath`): times
 * `extension.activate()` of the extension under development, which covers what VS Code
 * itself counts as activation (loading dist/extension.js and calling its activate()), and
 * writes `{ isActiveBefore, activationMs }` to the file named by NEN_BENCH_ACTIVATION_OUT.
 * With NEN_BENCH_TREE_COUNT it then times the tree's getChildren for a drive of that many
 * files, on an emulator started in the host by the in-host suite's helpers (as
 * test/integration/tree.test.ts does).
 */
// eslint-disable-next-line no-restricted-imports -- the one bench module that runs inside the extension host
import * as vscode from 'vscode';
import { writeFileSync, renameSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { EXTENSION_ID } from '../../src/constants';
import type { DesktopNode } from '../../src/views/nodes';
import { setupEmulator } from '../../test/integration/helpers';

export interface ProbeReport {
  isActiveBefore: boolean;
  activationMs?: number;
  /** getChildren of the desktop row, the listing request included (cache invalidated first). */
  treeWithListingMs?: number;
  /** getChildren of the desktop row from a fresh listing already in the provider's cache. */
  treeFromCacheMs?: number;
  error?: string;
}

async function timeTree(count: number, report: ProbeReport): Promise<void> {
  const env = await setupEmulator();
  try {
    for (let i = 0; i < count; i++) env.emu.putFile(env.desktopId, `file-${i}.dat`, '', { mtime: Date.now() / 1000 - i });
    const views = env.services.views;
    if (!views) throw new Error('the extension did not publish services.views');
    const roots = await views.tree.getChildren();
    const desktop = roots.find((n): n is DesktopNode => n.kind === 'desktop' && n.desktopId === env.desktopId);
    if (!desktop) throw new Error('no desktop row in the tree');
    let t = performance.now();
    const first = await views.tree.getChildren(desktop);
    report.treeWithListingMs = performance.now() - t;
    if (first.length !== count) throw new Error(`getChildren returned ${first.length} rows, expected ${count}`);
    await env.services.fs.list(env.desktopId, undefined, { fresh: true });
    t = performance.now();
    await views.tree.getChildren(desktop);
    report.treeFromCacheMs = performance.now() - t;
  } finally {
    await env.dispose();
  }
}

export async function run(): Promise<void> {
  const out = process.env.NEN_BENCH_ACTIVATION_OUT;
  const report: ProbeReport = { isActiveBefore: false };
  try {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    if (!ext) throw new Error(`${EXTENSION_ID} is not loaded in this extension host`);
    report.isActiveBefore = ext.isActive;
    if (!ext.isActive) {
      const t0 = performance.now();
      await ext.activate();
      report.activationMs = performance.now() - t0;
    }
    const treeCount = Number(process.env.NEN_BENCH_TREE_COUNT ?? 0);
    if (treeCount > 0) await timeTree(treeCount, report);
  } catch (err) {
    report.error = err instanceof Error ? (err.stack ?? err.message) : String(err);
  }
  if (out) {
    writeFileSync(`${out}.partial`, JSON.stringify(report));
    renameSync(`${out}.partial`, out);
  }
}
