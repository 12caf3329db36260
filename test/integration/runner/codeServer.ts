/**
 * Runs the in-host suite (test/integration/index.ts) inside code-server's real extension host,
 * the way @vscode/test-electron does on desktop: the workbench opens with a payload naming
 * the extension under development and the tests module; the extension host calls run(),
 * which writes a JSON report that this runner reads.
 *
 *   node out/test/integration/runner/codeServer.js
 *
 * Env: NEN_DRIVE_TEST_TIMEOUT_MS (whole run, default 10 min); NEN_DRIVE_EXTENSION_PATH (the
 * extension under development, default the repo root). NEN_API_KEY is removed from the
 * extension host's environment. Exits non-zero when the report is missing, the run timed out,
 * the extension host crashed, or any test failed or was skipped.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TestReport } from '../index';
import { REPO_ROOT, launchChromium, startCodeServer, workbenchUrl, runHarness } from '../../../tools/vscode-host/codeServerProcess';

const RESULTS_DIR = path.join(REPO_ROOT, 'test-results');

function printReport(report: TestReport): void {
  for (const t of report.tests) {
    const mark = t.state === 'passed' ? 'ok  ' : t.state === 'failed' ? 'FAIL' : 'skip';
    const time = t.durationMs !== undefined ? ` (${t.durationMs} ms)` : '';
    console.log(`  ${mark} ${t.name}${time}`);
    if (t.error) console.log(t.error.replace(/^/gm, '         '));
  }
  if (report.error) console.log(`  FAIL ${report.error}`);
}

async function main(): Promise<number> {
  const timeoutMs = Number(process.env.NEN_DRIVE_TEST_TIMEOUT_MS ?? 10 * 60_000);
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const reportFile = path.join(RESULTS_DIR, 'integration-report.json');
  const logFile = path.join(RESULTS_DIR, 'code-server-integration.log');
  const consoleFile = path.join(RESULTS_DIR, 'browser-console-integration.log');
  fs.rmSync(reportFile, { force: true });
  const testsPath = path.join(REPO_ROOT, 'out/test/integration/index.js');
  const extensionPath = path.resolve(process.env.NEN_DRIVE_EXTENSION_PATH || REPO_ROOT);
  const main = (JSON.parse(fs.readFileSync(path.join(extensionPath, 'package.json'), 'utf8')) as { main?: string }).main ?? 'extension.js';
  for (const needed of [testsPath, path.join(extensionPath, main)]) {
    if (!fs.existsSync(needed)) {
      console.error(`missing ${path.relative(REPO_ROOT, needed)}: run npm run build first`);
      return 1;
    }
  }
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'nen-drive-it-workspace-'));

  const started = Date.now();
  // NEN_API_KEY: undefined removes it from the extension host's environment: a key exported in
  // the developer's shell would otherwise become the fallback key and silently change what the
  // key tests prove.
  const server = await startCodeServer({ name: 'integration', logFile, env: { NEN_DRIVE_TEST_REPORT: reportFile, NEN_API_KEY: undefined, ...(process.env.NEN_DRIVE_TEST_GREP ? { NEN_DRIVE_TEST_GREP: process.env.NEN_DRIVE_TEST_GREP } : {}) } });
  const browser = await launchChromium();
  const consoleLines: string[] = [];
  let verdict: 'report' | 'timeout' | 'crash' = 'timeout';
  let crashDetail = '';
  try {
    const page = await browser.newPage();
    page.on('console', (msg) => consoleLines.push(`[${msg.type()}] ${msg.text()}`));
    page.on('pageerror', (err) => consoleLines.push(`[pageerror] ${err.message}`));
    const logStart = server.readLog().length;
    await page.goto(workbenchUrl(server, workspace, { extensionDevelopmentPath: extensionPath, extensionTestsPath: testsPath }));

    // Done when the report appears; fail fast when the extension host dies first.
    const deadline = started + timeoutMs;
    for (;;) {
      if (fs.existsSync(reportFile)) {
        verdict = 'report';
        break;
      }
      const exit = server.readLog().slice(logStart).match(/Extension Host Process exited with code: (\d+)/);
      if (exit) {
        // run() writes the report before it settles; give the file system a moment.
        await new Promise((r) => setTimeout(r, 1_000));
        if (fs.existsSync(reportFile)) {
          verdict = 'report';
        } else {
          verdict = 'crash';
          crashDetail = `the extension host exited with code ${exit[1]} before the suite reported`;
        }
        break;
      }
      if (Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    fs.writeFileSync(consoleFile, consoleLines.join('\n') + '\n');
    await browser.close().catch(() => undefined);
    await server.close();
    fs.rmSync(workspace, { recursive: true, force: true });
  }

  const seconds = Math.round((Date.now() - started) / 1000);
  if (verdict === 'timeout') {
    console.error(`TIMED OUT: the in-host suite did not report within ${timeoutMs / 1000} s.`);
    console.error(`See ${path.relative(REPO_ROOT, logFile)} and ${path.relative(REPO_ROOT, consoleFile)}.`);
    console.log('0 passed, 1 failed, 0 skipped');
    return 1;
  }
  if (verdict === 'crash') {
    console.error(`CRASHED: ${crashDetail}. See ${path.relative(REPO_ROOT, logFile)} and ${path.relative(REPO_ROOT, consoleFile)}.`);
    console.log('0 passed, 1 failed, 0 skipped');
    return 1;
  }
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf8')) as TestReport;
  printReport(report);
  console.log(`in-host suite finished in ${seconds} s (code-server log: ${path.relative(REPO_ROOT, logFile)})`);
  if (report.pending > 0) console.error(`${report.pending} test(s) skipped: the suite has no intended skips, so the run fails.`);
  console.log(`${report.passed} passed, ${report.failed} failed, ${report.pending} skipped`);
  return report.failed > 0 || report.pending > 0 || report.passed === 0 ? 1 : 0;
}

runHarness(main);
