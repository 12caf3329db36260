/**
 * The in-host test entry: VS Code's extension host calls `run()` (via `extensionTestsPath`)
 * after loading the extension under development. Runner-agnostic: code-server's payload URL
 * and @vscode/test-electron both end up here.
 *
 * Runs every `*.test.js` next to this file with mocha's TDD UI, prints each outcome, and when
 * `NEN_DRIVE_TEST_REPORT` is set writes a JSON report there, because the harness cannot see
 * the extension host's console and needs a result it can trust.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export interface TestResult {
  /** Suite titles and the test title joined by " > ". */
  name: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs?: number;
  error?: string;
}

export interface TestReport {
  passed: number;
  failed: number;
  pending: number;
  tests: TestResult[];
  /** Set when the suite could not run at all (a test file failed to load). */
  error?: string;
  startedAt: string;
  finishedAt: string;
}

export const REPORT_ENV = 'NEN_DRIVE_TEST_REPORT';

function findTestFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findTestFiles(full));
    else if (entry.name.endsWith('.test.js')) found.push(full);
  }
  return found.sort();
}

function nameOf(runnable: Mocha.Runnable): string {
  return runnable.titlePath().join(' > ');
}

function describeError(err: unknown): string {
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`;
  return String(err);
}

function writeReport(report: TestReport): void {
  const target = process.env[REPORT_ENV];
  if (!target) return;
  fs.mkdirSync(path.dirname(target), { recursive: true });
  // Write then rename, so a harness polling for the file never reads half of it.
  fs.writeFileSync(`${target}.partial`, JSON.stringify(report, null, 2));
  fs.renameSync(`${target}.partial`, target);
}

export async function run(): Promise<void> {
  const startedAt = new Date().toISOString();
  const tests: TestResult[] = [];
  const finish = (error?: string): TestReport => {
    const report: TestReport = {
      passed: tests.filter((t) => t.state === 'passed').length,
      failed: tests.filter((t) => t.state === 'failed').length + (error ? 1 : 0),
      pending: tests.filter((t) => t.state === 'pending').length,
      tests,
      error,
      startedAt,
      finishedAt: new Date().toISOString(),
    };
    writeReport(report);
    return report;
  };

  // Generous timeouts: a real extension host is slower than plain Node, and CI has 2 cores.
  const mocha = new Mocha({ ui: 'tdd', timeout: 60_000, slow: 5_000, color: false, reporter: 'spec' });
  // NEN_DRIVE_TEST_GREP runs only the tests whose full title matches (for working on one suite).
  if (process.env.NEN_DRIVE_TEST_GREP) mocha.grep(process.env.NEN_DRIVE_TEST_GREP);
  const report = await new Promise<TestReport>((resolve, reject) => {
    try {
      const files = findTestFiles(__dirname);
      if (files.length === 0) throw new Error(`no *.test.js files under ${__dirname}`);
      for (const file of files) mocha.addFile(file);
      // mocha.run() loads the files with plain require() (not mocha's ESM loader), so the
      // extension host's interception of the `vscode` module applies to every test file.
      // A file that fails to load throws from here.
      const runner = mocha.run(() => resolve(finish()));
      runner.on('pass', (t) => tests.push({ name: nameOf(t), state: 'passed', durationMs: t.duration }));
      runner.on('pending', (t) => tests.push({ name: nameOf(t), state: 'pending' }));
      // Also fires for failing hooks (suiteSetup and friends), which then count as a failure.
      runner.on('fail', (t, err) => tests.push({ name: nameOf(t), state: 'failed', durationMs: t.duration, error: describeError(err) }));
    } catch (err) {
      finish(`the test files could not be loaded: ${describeError(err)}`);
      reject(err);
    }
  });

  console.log(`${report.passed} passed, ${report.failed} failed, ${report.pending} skipped`);
  if (report.failed > 0) throw new Error(`${report.failed} in-host test(s) failed`);
  // A skipped test proves nothing, and a skip that depends on the environment hides itself:
  // the suite has no intended skips, so any pending test fails the run.
  if (report.pending > 0) throw new Error(`${report.pending} in-host test(s) skipped; the suite has no intended skips`);
}
