/**
 * Activation time measured inside a real extension host: code-server (VS Code 1.100.3) is
 * started fresh for each sample, with the workbench opened in headless Chromium and
 * activationProbe.js as the `extensionTestsPath`; the probe times `extension.activate()`.
 * Uses the launcher the in-host test runner uses too (tools/vscode-host/codeServerProcess).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { codeServerInstalled, launchChromium, startCodeServer, workbenchUrl } from '../../tools/vscode-host/codeServerProcess';
import type { ProbeReport } from './activationProbe';
import { round } from './stats';

export interface ActivationResult {
  /** ms from `extension.activate()` called to resolved, one per fresh extension host. */
  activationMs?: number[];
  /** Of each activationMs (same order): VS Code's require() of dist/extension.js. */
  loadMs?: number[];
  /** Of each activationMs: the extension's activate() call. The rest is VS Code's own work. */
  activateCallMs?: number[];
  /** The first and a second `new Intl.Collator()` of each host, after activation (see ProbeReport.firstCollatorMs). */
  firstCollatorMs?: number[];
  secondCollatorMs?: number[];
  /** The tree's getChildren of a desktop row holding `treeCount` files, listing request included. */
  getChildrenMs?: number[];
  /** The same from a listing already in the provider's cache (the tree's own cost). */
  getChildrenFromCacheMs?: number[];
  /** One live-refresh poll of the `treeCount`-file drive (request + parse + diff). */
  pollMs?: number[];
  /** The diff alone, same drive, in the extension host. */
  diffMs?: number[];
  /** Listings of an idle visible drive over a minute (first run only). */
  idle?: { seconds: number; listings: number; intervalSeconds: number };
  note?: string;
  /** Why nothing was measured. */
  reason?: string;
  errors?: string[];
}

export async function measureActivation(root: string, tmp: string, runs: number, treeCount: number, idleSeconds = 0): Promise<ActivationResult> {
  if (!codeServerInstalled()) return { reason: 'code-server not installed (bash scripts/ensure-code-server.sh)' };
  const probe = join(root, 'out', 'scripts', 'bench', 'activationProbe.js');
  if (!existsSync(join(root, 'dist', 'extension.js'))) return { reason: 'dist/extension.js missing (npm run build)' };
  const activationMs: number[] = [];
  const loadMs: number[] = [];
  const activateCallMs: number[] = [];
  const firstCollatorMs: number[] = [];
  const secondCollatorMs: number[] = [];
  const getChildrenMs: number[] = [];
  const getChildrenFromCacheMs: number[] = [];
  const pollMs: number[] = [];
  const diffMs: number[] = [];
  let idle: ActivationResult['idle'];
  const errors: string[] = [];
  let alreadyActive = 0;
  for (let i = 0; i < runs; i++) {
    const dir = mkdtempSync(join(tmp, 'activation-'));
    const workspace = join(dir, 'workspace');
    mkdirSync(workspace);
    const outFile = join(dir, 'probe.json');
    const server = await startCodeServer({ name: 'bench', stateDir: join(dir, 'state'), logFile: join(dir, 'code-server.log'), env: { NEN_BENCH_ACTIVATION_OUT: outFile, NEN_BENCH_TREE_COUNT: String(treeCount), NEN_BENCH_LIVE_SECONDS: i === 0 ? String(idleSeconds) : '0' } });
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(workbenchUrl(server, workspace, { extensionDevelopmentPath: root, extensionTestsPath: probe }));
      const deadline = Date.now() + 120_000 + (i === 0 ? idleSeconds * 1000 : 0);
      while (!existsSync(outFile) && Date.now() < deadline) {
        if (/Extension Host Process exited with code/.test(server.readLog())) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      if (!existsSync(outFile)) {
        errors.push(`run ${i + 1}: no probe report in time`);
        continue;
      }
      const report = JSON.parse(readFileSync(outFile, 'utf8')) as ProbeReport;
      if (report.error) errors.push(`run ${i + 1}: ${report.error.split('\n')[0]}`);
      else if (report.isActiveBefore) alreadyActive++;
      else if (report.activationMs !== undefined) {
        activationMs.push(round(report.activationMs));
        if (report.loadMs !== undefined && report.activateCallMs !== undefined) {
          loadMs.push(round(report.loadMs));
          activateCallMs.push(round(report.activateCallMs));
        }
      }
      if (report.firstCollatorMs !== undefined) firstCollatorMs.push(round(report.firstCollatorMs, 2));
      if (report.secondCollatorMs !== undefined) secondCollatorMs.push(round(report.secondCollatorMs, 2));
      if (report.treeWithListingMs !== undefined) getChildrenMs.push(round(report.treeWithListingMs));
      if (report.treeFromCacheMs !== undefined) getChildrenFromCacheMs.push(round(report.treeFromCacheMs));
      if (report.pollMs !== undefined) pollMs.push(round(report.pollMs));
      if (report.diffMs !== undefined) diffMs.push(round(report.diffMs, 2));
      if (report.idle) idle = report.idle;
    } finally {
      await browser.close().catch(() => undefined);
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const result: ActivationResult = { activationMs, loadMs, activateCallMs, firstCollatorMs, secondCollatorMs, getChildrenMs, getChildrenFromCacheMs, pollMs, diffMs, idle, errors: errors.length ? errors : undefined };
  result.note = 'code-server 4.100.3, fresh host per run';
  if (alreadyActive) result.reason = `${alreadyActive} run(s) found the extension already active before the probe (activated at startup)`;
  if (!activationMs.length) result.reason = result.reason ?? (errors[0] ?? 'no sample');
  return result;
}
