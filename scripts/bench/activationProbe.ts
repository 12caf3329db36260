/**
 * Runs inside a real extension host (code-server, via `extensionTestsPath`): times
 * `extension.activate()` of the extension under development, which covers what VS Code
 * itself counts as activation (loading dist/extension.js and calling its activate()), and
 * writes `{ isActiveBefore, activationMs }` to the file named by NEN_BENCH_ACTIVATION_OUT.
 */
// eslint-disable-next-line no-restricted-imports -- the one bench module that runs inside the extension host
import * as vscode from 'vscode';
import { writeFileSync, renameSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { EXTENSION_ID } from '../../src/constants';

export interface ProbeReport {
  isActiveBefore: boolean;
  activationMs?: number;
  error?: string;
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
  } catch (err) {
    report.error = err instanceof Error ? (err.stack ?? err.message) : String(err);
  }
  if (out) {
    writeFileSync(`${out}.partial`, JSON.stringify(report));
    renameSync(`${out}.partial`, out);
  }
}
