/**
 * Runs the same in-host suite in desktop VS Code with @vscode/test-electron.
 *
 *   npm run test:electron                     # downloads VS Code into .vscode-test/
 *   VSCODE_EXECUTABLE_PATH=/usr/share/code/code npm run test:electron   # an installed one
 *   xvfb-run -a npm run test:electron         # Linux without a display
 *
 * The report lands in test-results/integration-report.json, as with the code-server runner.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';

const REPO_ROOT = path.resolve(__dirname, '../../../..');

async function main(): Promise<void> {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'nen-drive-electron-workspace-'));
  const reportFile = path.join(REPO_ROOT, 'test-results', 'integration-report.json');
  fs.rmSync(reportFile, { force: true });
  try {
    await runTests({
      extensionDevelopmentPath: REPO_ROOT,
      extensionTestsPath: path.join(REPO_ROOT, 'out/test/integration/index.js'),
      vscodeExecutablePath: process.env.VSCODE_EXECUTABLE_PATH || undefined,
      version: process.env.VSCODE_VERSION || undefined,
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
      // NEN_API_KEY: undefined keeps a key exported in the developer's shell out of the
      // extension host (spawn drops undefined variables), as the code-server runner does.
      extensionTestsEnv: { NEN_DRIVE_TEST_REPORT: reportFile, NEN_API_KEY: undefined },
    });
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
