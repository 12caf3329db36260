/**
 * Browser-level checks of what only a person sees, in a real workbench (code-server + headless
 * Chromium): the Set API Key welcome, the Nen Drive view and its rows and icons, editor tabs
 * opened from the tree, typing and saving with Ctrl+S, a failed save, a save conflict resolved
 * with Compare and Overwrite, drops from the OS and from the Explorer, an upload's progress
 * notification and its Cancel, a drop onto an existing name answered Keep Both in the modal
 * question, Download… through the save dialog (and its question before
 * replacing a local file), a Ctrl+click multi-selection downloaded to a folder (and Skip All on
 * the second try), Copy curl Download Command read back from the clipboard and run, an error row
 * for a failing listing, New / Rename / Delete Desktop… (the context menu, the delete modal), the live drive (a file the desktop writes appears in the tree by itself
 * marked N, an open log grows on screen, a growing file's row shows its new size, a row's age moves on by itself, a removed file's row goes), the main flow with the keyboard only (a11yChecks.ts), and last (it reloads the
 * window) Open Drive as Workspace Folder, then the Explorer's nendrive: folder following the drive.
 * After those, in a code-server of their own, a new user (newUserChecks.ts): the README's install
 * command, the walkthrough, and both high-contrast themes. Last, in code-servers of their own,
 * the UI in the pseudo-locale (localeChecks.ts: any English on screen is a string not through
 * l10n) and in German (germanChecks.ts: the shipped translation on screen).
 *
 * Runs against the packaged nen-drive.vsix installed into code-server with
 * --install-extension (no extensionDevelopmentPath), so a packaging mistake fails here. One
 * code-server, one page: code-server starts without NEN_API_KEY so the welcome shows, and the
 * key is then typed into Set API Key like a new user would.
 *
 *   node out/test/e2e/browserChecks.js [--update-screenshots] [--only <regex>]
 *
 * `--only 'live drive'` runs the live checks alone (the Explorer one then opens the workspace
 * folder itself).
 *
 * Screenshots go to test-results/screenshots/ (or $NEN_DRIVE_TEST_RESULTS/screenshots/); --update-screenshots also copies the README's
 * ones to media/screenshots/. Prints "N passed, N failed" last (scripts/test.sh parses it).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { seedSamples, startEmulator, type EmulatorHandle } from '../../tools/emulator/server';
import { REPO_ROOT, launchChromium, startCodeServer, type CodeServerHandle, runHarness } from '../../tools/vscode-host/codeServerProcess';
import { desktopChecks } from './desktopChecks';
import { downloadChecks, seedDownloadFolder } from './downloadChecks';
import { editorChecks } from './editorChecks';
import { seedWorkspace, transferChecks, uploadConflictChecks } from './transferChecks';
import { transfersViewChecks } from './transfersViewChecks';
import { liveChecks, liveExplorerChecks } from './liveChecks';
import { navigationChecks, seedNavigationWorkspace } from './navigationChecks';
import { a11yChecks } from './a11yChecks';
import { newUserChecks, type NewUserRun } from './newUserChecks';
import { localeChecks } from './localeChecks';
import type { LocaleRun } from './localeSession';
import { germanChecks } from './germanChecks';
import { folderChecks, seedFolderWorkspace } from './folderChecks';
import { errorRowChecks, startChecks } from './viewChecks';
import { workspaceFolderChecks } from './workspaceChecks';
import type { Check, Session } from './workbench';

const DESKTOP = 'dsk_e2e0sample01';
const API_KEY = 'sk_nen_e2e_browser_checks';
/** NEN_DRIVE_TEST_RESULTS moves logs and screenshots elsewhere (two runs at once on one machine). */
const RESULTS = path.resolve(process.env.NEN_DRIVE_TEST_RESULTS ?? path.join(REPO_ROOT, 'test-results'));
const SHOTS = path.join(RESULTS, 'screenshots');
/** Screenshots the README shows. */
const README_SHOTS = ['editor.png', 'conflict.png', 'live-tree.png', 'live-grows.png', 'download-same-name.png', 'desktop-menu.png', 'delete-desktop.png', 'transfers-status.png', 'transfers-list.png', 'transfers-summary.png', 'go-to-file.png', 'compare-drive.png', 'tree.png', 'upload-conflict.png', 'walkthrough.png', 'high-contrast-dark.png', 'high-contrast-light.png', 'folder-drop.png', 'pseudo-locale.png', 'german-tree.png', 'german-message.png'];

async function listNames(emulator: EmulatorHandle): Promise<string[]> {
  const res = await fetch(`${emulator.url}/desktops/${DESKTOP}/files`, { headers: { Authorization: `Bearer ${API_KEY}` } });
  const body = (await res.json()) as { files: { name: string }[] };
  return body.files.map((f) => f.name);
}

async function main(): Promise<number> {
  const t0 = Date.now();
  const update = process.argv.includes('--update-screenshots');
  const vsix = path.resolve(process.env.NEN_DRIVE_VSIX ?? path.join(REPO_ROOT, 'nen-drive.vsix'));
  if (!fs.existsSync(vsix)) {
    console.error(`missing ${vsix}: run npm run package first`);
    return 1;
  }
  fs.rmSync(SHOTS, { recursive: true, force: true });
  fs.mkdirSync(SHOTS, { recursive: true });
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'nen-drive-e2e-'));
  const dataDir = path.join(scratch, 'drive');
  const workspace = path.join(scratch, 'workspace');
  fs.mkdirSync(workspace);
  seedWorkspace(workspace);
  seedDownloadFolder(workspace);
  seedNavigationWorkspace(workspace);
  seedFolderWorkspace(workspace);
  seedSamples(dataDir, DESKTOP);

  let emulator: EmulatorHandle | undefined;
  let server: CodeServerHandle | undefined;
  let newUser: NewUserRun | undefined;
  let locale: LocaleRun | undefined;
  let german: LocaleRun | undefined;
  const browser = await launchChromium();
  const consoleLines: string[] = [];
  let passed = 0;
  let failed = 0;
  try {
    emulator = await startEmulator({ port: 0, dataDir, apiKey: API_KEY, desktops: [DESKTOP] });
    const names = await listNames(emulator);
    server = await startCodeServer({
      name: 'e2e',
      // Inside the scratch folder, so its user data goes with it at the end.
      stateDir: path.join(scratch, 'code-server'),
      logFile: path.join(RESULTS, 'code-server-e2e.log'),
      vsix: [vsix],
      // Live refresh every 2 s instead of the default 5 (an idle folder slows to 6x that, 30 s at
      // the default): the live checks then wait seconds, not half a minute, for the drive to show.
      settings: { 'nenDrive.apiUrl': emulator.url, 'nenDrive.desktops': [DESKTOP], 'workbench.colorTheme': 'Default Dark Modern', 'nenDrive.liveRefreshSeconds': 2 },
      // No key in the environment: the welcome must show, and the key is typed in the UI.
      env: { NEN_API_KEY: undefined },
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
    page.on('console', (msg) => consoleLines.push(`[${msg.type()}] ${msg.text()}`));
    page.on('pageerror', (err) => consoleLines.push(`[pageerror] ${err.message}`));
    const session: Session = { page, emu: emulator, server, workspace, desktop: DESKTOP, apiKey: API_KEY, names, shots: SHOTS };

    // Last, in a code-server of their own: a new user installing from the README's command.
    newUser = newUserChecks(browser, vsix, RESULTS, SHOTS);
    // After them, each in a code-server of its own: the pseudo-locale and the German UI.
    locale = localeChecks(browser, RESULTS, SHOTS);
    german = germanChecks(browser, vsix, RESULTS, SHOTS);
    const checks: Check[] = [...startChecks(session), ...editorChecks(session), ...transferChecks(session), ...folderChecks(session), ...downloadChecks(session), ...errorRowChecks(session), ...uploadConflictChecks(session), ...desktopChecks(session), ...transfersViewChecks(session), ...liveChecks(session), ...navigationChecks(session), ...a11yChecks(session), ...workspaceFolderChecks(session), ...liveExplorerChecks(session), ...newUser.checks, ...locale.checks, ...german.checks];
    const onlyAt = process.argv.indexOf('--only');
    const only = onlyAt > 0 ? process.argv[onlyAt + 1] : undefined;

    // The first checks set the stage (workbench, key, tree); past them a failure is recorded and
    // the next check still runs, so one broken claim does not hide the others.
    const stage = 5;
    let broken: string | undefined;
    for (const [i, check] of checks.entries()) {
      if (broken) {
        failed++;
        console.log(`  FAIL ${check.name} (not reached: "${broken}" failed)`);
        continue;
      }
      if (only && i >= stage && !new RegExp(only, 'i').test(check.name)) continue;
      const started = Date.now();
      try {
        await check.run();
        passed++;
        console.log(`  ok   ${check.name} (${Date.now() - started} ms)`);
      } catch (err) {
        failed++;
        if (i < stage) broken = check.name;
        console.log(`  FAIL ${check.name}\n         ${(err instanceof Error ? err.message : String(err)).split('\n').join('\n         ')}`);
        await (newUser.owns(check) ?? locale.owns(check) ?? german.owns(check) ?? page).screenshot({ path: path.join(SHOTS, `failure-${i + 1}.png`) }).catch(() => undefined);
        emulator.reset();
        // Twice: a quick pick, then a find box or menu behind it.
        await page.keyboard.press('Escape').catch(() => undefined);
        await page.keyboard.press('Escape').catch(() => undefined);
      }
    }
  } finally {
    fs.writeFileSync(path.join(RESULTS, 'browser-console-e2e.log'), consoleLines.join('\n') + '\n');
    await newUser?.close();
    await locale?.close();
    await german?.close();
    await browser.close().catch(() => undefined);
    await server?.close();
    await emulator?.close();
    fs.rmSync(scratch, { recursive: true, force: true });
  }

  if (update && failed === 0) {
    const target = path.join(REPO_ROOT, 'media', 'screenshots');
    fs.mkdirSync(target, { recursive: true });
    // With --only, the checks that did not run took no screenshot: the README keeps its old one.
    const taken = README_SHOTS.filter((shot) => fs.existsSync(path.join(SHOTS, shot)));
    for (const shot of taken) fs.copyFileSync(path.join(SHOTS, shot), path.join(target, shot));
    console.log(`copied ${taken.join(', ')} to media/screenshots/`);
    const missing = README_SHOTS.filter((shot) => !taken.includes(shot));
    if (missing.length) console.log(`not taken in this run (kept as they were): ${missing.join(', ')}`);
  }
  console.log(`browser checks took ${((Date.now() - t0) / 1000).toFixed(1)} s; screenshots in ${path.relative(REPO_ROOT, SHOTS)}/`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

runHarness(main);
