/**
 * Browser-level checks of what only a person sees: the Nen Drive view and its rows, an
 * editor tab opened from the tree, typing and saving with Ctrl+S, a notification.
 *
 * Runs against the packaged nen-drive.vsix installed into code-server with
 * --install-extension (no extensionDevelopmentPath), so a packaging mistake fails here.
 *
 *   node out/test/e2e/browserChecks.js [--update-screenshots]
 *
 * Screenshots go to test-results/screenshots/; --update-screenshots also copies the README's
 * ones to media/screenshots/.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { seedSamples, startEmulator, type EmulatorHandle } from '../emulator/server';
import { REPO_ROOT, launchChromium, startCodeServer, workbenchUrl, type CodeServerHandle } from '../integration/runner/codeServerProcess';

const DESKTOP = 'dsk_e2e0sample01';
const API_KEY = 'sk_nen_e2e_browser_checks';
const RESULTS = path.join(REPO_ROOT, 'test-results');
const SHOTS = path.join(RESULTS, 'screenshots');
/** Screenshots the README shows. */
const README_SHOTS = ['tree.png', 'editor.png'];
/** Sizes like "12.3 KB" or "812 B", then an age like "2m ago" or "just now". */
const DESCRIPTION = /\d+(\.\d+)?\s*(B|KB|MB|GB)\s*·\s*(just now|\d+\s*\w+ ago)/;

interface Check {
  name: string;
  run: () => Promise<void>;
}

async function listNames(emulator: EmulatorHandle): Promise<string[]> {
  const res = await fetch(`${emulator.url}/desktops/${DESKTOP}/files`, { headers: { Authorization: `Bearer ${API_KEY}` } });
  const body = (await res.json()) as { files: { name: string }[] };
  return body.files.map((f) => f.name);
}

async function poll<T>(what: string, timeoutMs: number, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function rowByLabel(page: Page, label: string): Locator {
  return page.locator('.sidebar .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: label }) }).first();
}

async function main(): Promise<number> {
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
  seedSamples(dataDir, DESKTOP);

  let emulator: EmulatorHandle | undefined;
  let server: CodeServerHandle | undefined;
  const browser = await launchChromium();
  const consoleLines: string[] = [];
  let passed = 0;
  let failed = 0;
  try {
    emulator = await startEmulator({ port: 0, dataDir, apiKey: API_KEY, desktops: [DESKTOP] });
    const emu = emulator;
    const names = await listNames(emu);
    const textFile = names.find((n) => /\.(md|txt|json|csv)$/.test(n));
    server = await startCodeServer({
      name: 'e2e',
      logFile: path.join(RESULTS, 'code-server-e2e.log'),
      vsix: [vsix],
      settings: { 'nenDrive.apiUrl': emu.url, 'nenDrive.desktops': [DESKTOP], 'workbench.colorTheme': 'Default Dark Modern' },
      env: { NEN_API_KEY: API_KEY },
    });
    const srv = server;
    const page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
    page.on('console', (msg) => consoleLines.push(`[${msg.type()}] ${msg.text()}`));
    page.on('pageerror', (err) => consoleLines.push(`[pageerror] ${err.message}`));
    const marker = `edited in the browser ${Date.now()}`;

    const checks: Check[] = [
      {
        name: 'the workbench loads with the packaged extension installed',
        run: async () => {
          await page.goto(workbenchUrl(srv, workspace));
          await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
          // The extension host is up once the activity bar shows our container.
        },
      },
      {
        name: 'the Nen Drive activity bar icon opens the view',
        run: async () => {
          const icon = page.locator('.activitybar .action-item').filter({ has: page.locator('[aria-label^="Nen Drive"]') }).first();
          await icon.waitFor({ timeout: 60_000 });
          await icon.click();
          // A container with one view hides the view's own header; its title shows in the side bar.
          await page.locator('.sidebar .composite.title', { hasText: /nen drive/i }).first().waitFor({ timeout: 20_000 });
        },
      },
      {
        name: `the tree lists the desktop ${DESKTOP}`,
        run: async () => {
          await page.locator('.sidebar .monaco-list-row', { hasText: DESKTOP }).first().waitFor({ timeout: 30_000 });
        },
      },
      {
        name: 'expanded, the desktop shows every sample file with size and age',
        run: async () => {
          const desktopRow = page.locator('.sidebar .monaco-list-row', { hasText: DESKTOP }).first();
          if ((await desktopRow.getAttribute('aria-expanded')) !== 'true') await desktopRow.click();
          for (const name of names) {
            const row = rowByLabel(page, name);
            await row.waitFor({ timeout: 20_000 });
            const description = (await row.locator('.label-description').first().textContent({ timeout: 5_000 })) ?? '';
            if (!DESCRIPTION.test(description)) throw new Error(`row "${name}" has description "${description}", expected size · age`);
          }
          await page.screenshot({ path: path.join(SHOTS, 'tree.png') });
        },
      },
      {
        name: 'clicking a text file opens an editor tab with its content',
        run: async () => {
          if (!textFile) throw new Error(`no text file among the samples: ${names.join(', ')}`);
          await rowByLabel(page, textFile).click();
          await page.locator('.tabs-container .tab', { hasText: textFile }).first().waitFor({ timeout: 20_000 });
          const firstLine = (emu.readFile(DESKTOP, textFile)?.toString('utf8') ?? '').split('\n')[0].trim();
          // Monaco renders spaces as non-breaking spaces.
          await poll(`the editor to show "${firstLine}"`, 20_000, async () => {
            const text = ((await page.locator('.editor-instance .view-lines').first().textContent()) ?? '').replace(/\u00a0/g, ' ');
            return text.includes(firstLine.slice(0, 20)) ? true : undefined;
          });
          await page.screenshot({ path: path.join(SHOTS, 'editor.png') });
        },
      },
      {
        name: 'typing and Ctrl+S saves the change to the drive',
        run: async () => {
          await page.locator('.editor-instance .view-lines').first().click();
          await page.keyboard.press('Control+End');
          await page.keyboard.press('Enter');
          await page.keyboard.type(marker);
          await page.keyboard.press('Control+S');
          await poll('the emulator copy to change', 20_000, () => (emu.readFile(DESKTOP, textFile!)?.toString('utf8').includes(marker) ? true : undefined));
          await page.locator('.tabs-container .tab.dirty').first().waitFor({ state: 'detached', timeout: 10_000 });
          await page.screenshot({ path: path.join(SHOTS, 'saved.png') });
        },
      },
      {
        name: 'a failed save shows a notification',
        run: async () => {
          emu.injectFault({ type: 'status', status: 403, body: '{"error":"forbidden by the e2e check"}' }, { method: 'POST' }, 20);
          await page.keyboard.type(' and again');
          await page.keyboard.press('Control+S');
          await page.locator('.notification-toast').first().waitFor({ timeout: 30_000 });
          await page.screenshot({ path: path.join(SHOTS, 'notification.png') });
          emu.reset();
        },
      },
    ];

    let broken: string | undefined;
    for (const check of checks) {
      if (broken) {
        failed++;
        console.log(`  FAIL ${check.name} (not reached: "${broken}" failed)`);
        continue;
      }
      const t0 = Date.now();
      try {
        await check.run();
        passed++;
        console.log(`  ok   ${check.name} (${Date.now() - t0} ms)`);
      } catch (err) {
        failed++;
        broken = check.name;
        console.log(`  FAIL ${check.name}\n         ${(err instanceof Error ? err.message : String(err)).split('\n').join('\n         ')}`);
        await page.screenshot({ path: path.join(SHOTS, 'failure.png') }).catch(() => undefined);
      }
    }
  } finally {
    fs.writeFileSync(path.join(RESULTS, 'browser-console-e2e.log'), consoleLines.join('\n') + '\n');
    await browser.close().catch(() => undefined);
    await server?.close();
    await emulator?.close();
    fs.rmSync(scratch, { recursive: true, force: true });
  }

  if (update && failed === 0) {
    const target = path.join(REPO_ROOT, 'media', 'screenshots');
    fs.mkdirSync(target, { recursive: true });
    for (const shot of README_SHOTS) fs.copyFileSync(path.join(SHOTS, shot), path.join(target, shot));
    console.log(`copied ${README_SHOTS.join(', ')} to media/screenshots/`);
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    console.log('0 passed, 1 failed');
    process.exit(1);
  },
);
