/**
 * Nen Drive as a new user meets it, in a code-server of its own with an empty profile: the
 * README's own install command puts the packaged .vsix in (run as written, from the README's
 * "Install" block), the walkthrough starts with no step done and ticks each one as the user does
 * it (set the key, add a desktop, open a file, drop a file in), and the tree's N / M badges and
 * its warning row stay legible in High Contrast Dark and High Contrast Light (contrast measured
 * from the computed colours; screenshots for the README).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { seedSamples, startEmulator, type EmulatorHandle } from '../../tools/emulator/server';
import { CODE_SERVER_ENTRY, REPO_ROOT, startCodeServer, workbenchUrl, type CodeServerHandle } from '../../tools/vscode-host/codeServerProcess';
import { rowDecoration } from './liveChecks';
import { activityIcon, dropOn, poll, rowByLabel, runCommand, submitInput, type Check } from './workbench';

const DESKTOP = 'dsk_e2enewuser001';
/** A configured desktop the server does not know: its row is the warning row. */
const GONE_DESKTOP = 'dsk_e2egone000001';
const API_KEY = 'sk_nen_e2e_new_user';
const WALKTHROUGH = 'Get started with Nen Drive';
const STEPS = ['setKey', 'addDesktop', 'openFile', 'dropFile'];
/** WCAG 2: 4.5:1 for text (the N / M letters), 3:1 for icons. */
const TEXT_CONTRAST = 4.5;
const ICON_CONTRAST = 3;

export interface NewUserRun {
  checks: Check[];
  /** The page `check` runs in when it is one of these checks (for its failure screenshot). */
  owns(check: Check): Page | undefined;
  close(): Promise<void>;
}

/** The lines of the README's install block that call code-server, as a user would paste them. */
export function readmeInstallCommands(readme: string): string[] {
  const block = /<!-- install-commands -->\s*```(?:bash|sh)\n([\s\S]*?)```/.exec(readme);
  if (!block) throw new Error('README.md has no "<!-- install-commands -->" block');
  return block[1]
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line.startsWith('code-server '));
}

/** Relative luminance and contrast ratio of two CSS rgb()/rgba() colours (WCAG 2). */
export function contrast(a: string, b: string): number {
  const lum = (css: string): number => {
    const m = /rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(css);
    if (!m) throw new Error(`not an rgb colour: "${css}"`);
    const [r, g, bl] = [m[1], m[2], m[3]].map((v) => {
      const c = Number(v) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

export function newUserChecks(browser: Browser, vsix: string, results: string, shots: string): NewUserRun {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'nen-drive-new-user-'));
  const stateDir = path.join(scratch, 'code-server');
  const workspace = path.join(scratch, 'workspace');
  let emu: EmulatorHandle | undefined;
  let server: CodeServerHandle | undefined;
  let page: Page | undefined;
  let names: string[] = [];
  const p = (): Page => {
    if (!page) throw new Error('the new user workbench did not start');
    return page;
  };
  const step = (id: string): Locator => p().locator(`.getting-started-step[data-step-id$="#${id}"]`).first();

  const checks: Check[] = [
    {
      name: "new user: the README's install command installs the .vsix into an empty code-server profile",
      run: async () => {
        const commands = readmeInstallCommands(fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8'));
        if (commands.length === 0) throw new Error('the README\'s install block has no code-server command');
        // The user's download folder holds the .vsix under the README's name; `code-server` on
        // PATH is this repository's code-server, pinned to this run's empty profile.
        const downloads = path.join(scratch, 'downloads');
        const bin = path.join(scratch, 'bin');
        for (const dir of [downloads, bin, workspace]) fs.mkdirSync(dir, { recursive: true });
        fs.copyFileSync(vsix, path.join(downloads, 'nen-drive.vsix'));
        const profile = `--extensions-dir '${path.join(stateDir, 'extensions')}' --user-data-dir '${path.join(stateDir, 'user-data')}'`;
        fs.writeFileSync(path.join(bin, 'code-server'), `#!/bin/sh\nexec '${process.execPath}' '${CODE_SERVER_ENTRY}' ${profile} "$@"\n`, { mode: 0o755 });
        for (const command of commands) {
          const res = spawnSync('bash', ['-c', command], {
            cwd: downloads,
            encoding: 'utf8',
            timeout: 120_000,
            env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, XDG_CONFIG_HOME: path.join(stateDir, 'config') },
          });
          if (res.status !== 0) throw new Error(`"${command}" failed (exit ${res.status}):\n${res.stdout}\n${res.stderr}`);
        }
        const installed = fs.readdirSync(path.join(stateDir, 'extensions')).filter((d) => d.startsWith('nen.nen-drive-'));
        if (installed.length !== 1) throw new Error(`expected nen.nen-drive in the profile's extensions, found ${JSON.stringify(installed)}`);

        const dataDir = path.join(scratch, 'drive');
        names = seedSamples(dataDir, DESKTOP);
        emu = await startEmulator({ port: 0, dataDir, apiKey: API_KEY, desktops: [DESKTOP] });
        // Only what points the extension at the emulator: no desktops, no key, the default theme.
        server = await startCodeServer({
          name: 'e2e-new-user',
          stateDir,
          logFile: path.join(results, 'code-server-e2e-new-user.log'),
          settings: { 'nenDrive.apiUrl': emu.url, 'nenDrive.liveRefreshSeconds': 2 },
          env: { NEN_API_KEY: undefined },
        });
        page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
        await page.goto(workbenchUrl(server, workspace));
        await activityIcon(page, 'Nen Drive').waitFor({ timeout: 60_000 });
      },
    },
    {
      name: 'new user: the walkthrough opens from the command palette with four steps, none done',
      run: async () => {
        await openWalkthrough(p());
        await poll('the four steps', 20_000, async () => ((await p().locator('.getting-started-step[data-step-id*="nenDrive.start#"]').count()) === STEPS.length ? true : undefined));
        for (const id of STEPS) if (await isDone(step(id))) throw new Error(`step "${id}" is done before the user did anything`);
      },
    },
    {
      name: 'new user: each walkthrough step ticks itself when done (key, desktop, open, drop)',
      run: async () => {
        const page = p();
        // 1. Set API Key, from the step's own button.
        await step('setKey').click();
        await stepButton(step('setKey'), 'Set API Key').click();
        await submitInput(page.locator('.quick-input-widget input.input'), API_KEY);
        await waitDone(step('setKey'), 'setKey');
        for (const id of STEPS.slice(1)) if (await isDone(step(id))) throw new Error(`step "${id}" ticked with the key`);
        // 2. Add Desktop, from its button.
        await step('addDesktop').click();
        await stepButton(step('addDesktop'), 'Add Desktop').click();
        await submitInput(page.locator('.quick-input-widget input.input'), DESKTOP);
        await stepButton(step('addDesktop'), 'Show Nen Drive').click();
        const desktop = page.locator('.sidebar .monaco-list-row', { hasText: DESKTOP }).first();
        await desktop.waitFor({ timeout: 30_000 });
        await waitDone(step('addDesktop'), 'addDesktop');
        // 3. Open a file: expand the desktop, click a file.
        if ((await desktop.getAttribute('aria-expanded')) !== 'true') await desktop.click();
        await rowByLabel(page, names[0]).click();
        await page.locator('.tabs-container .tab', { hasText: names[0] }).first().waitFor({ timeout: 20_000 });
        await backToWalkthrough(page);
        await waitDone(step('openFile'), 'openFile');
        if (await isDone(step('dropFile'))) throw new Error('step "dropFile" ticked before a drop');
        // 4. Drop a file from the OS on the desktop row.
        const name = 'dropped by a new user.txt';
        const dt = await page.evaluateHandle(
          `(() => { const dt = new DataTransfer(); dt.items.add(new File(['hello from a new user\\n'], ${JSON.stringify(name)}, { type: 'text/plain' })); return dt; })()`,
        );
        await dropOn(desktop, dt);
        await poll(`"${name}" on the drive`, 20_000, () => emu?.readFile(DESKTOP, name));
        await rowByLabel(page, name).waitFor({ timeout: 20_000 });
        await waitDone(step('dropFile'), 'dropFile');
        // For the README: every step in sight, the last one open, no toasts over them.
        await runCommand(page, 'Notifications: Clear All Notifications');
        await step('dropFile').click();
        for (const id of STEPS) if (!(await isDone(step(id)))) throw new Error(`step "${id}" lost its check mark`);
        await page.mouse.move(1000, 850);
        await page.screenshot({ path: path.join(shots, 'walkthrough.png') });
      },
    },
    ...(['dark', 'light'] as const).map(
      (kind): Check => ({
        name: `new user: in High Contrast ${kind === 'dark' ? 'Dark' : 'Light'} the N and M badges and the warning row keep their contrast`,
        run: async () => {
          const page = p();
          if (kind === 'dark') {
            // Someone else writes a new file and changes another; a desktop that does not exist is added.
            emu!.putFile(DESKTOP, 'written by the desktop.txt', 'new\n');
            emu!.putFile(DESKTOP, names[1], 'changed by the desktop\n');
            // The view's own + button (the walkthrough's step list keeps keys like F1 to itself).
            await page.locator('.sidebar .composite.title .action-label[aria-label^="Add Desktop"]').first().click();
            const input = page.locator('.quick-input-widget input.input[placeholder="dsk_abc123def456"]');
            await submitInput(input, GONE_DESKTOP);
            await page.locator('.sidebar .monaco-list-row', { hasText: GONE_DESKTOP }).first().waitFor({ timeout: 30_000 });
          }
          // The picker's names for the themes `workbench.colorTheme` calls "Default High Contrast" and "Default High Contrast Light".
          const theme = kind === 'dark' ? 'Dark High Contrast' : 'Light High Contrast';
          await pickColorTheme(page, theme);
          await page.locator(`.monaco-workbench.${kind === 'dark' ? 'hc-black' : 'hc-light'}`).waitFor({ timeout: 20_000 });
          await activityIcon(page, 'Nen Drive').waitFor();
          const background = await page.locator('.part.sidebar').first().evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(el).backgroundColor);
          const problems: string[] = [];
          const figures: string[] = [];
          for (const [label, letter] of [['written by the desktop.txt', 'N'], [names[1], 'M']] as const) {
            const d = await poll(`the ${letter} badge on "${label}"`, 30_000, async () => {
              const found = await rowDecoration(rowByLabel(page, label));
              return found?.badge === letter ? found : undefined;
            });
            const ratio = contrast(d.badgeColor, background);
            figures.push(`${letter} ${d.badgeColor} ${ratio.toFixed(1)}:1`);
            if (ratio < TEXT_CONTRAST) problems.push(`the ${letter} badge (${d.badgeColor}) on ${background} has contrast ${ratio.toFixed(2)}:1, under ${TEXT_CONTRAST}:1`);
          }
          const warning = page.locator('.sidebar .monaco-list-row', { hasText: GONE_DESKTOP }).locator('.codicon-warning').first();
          await warning.waitFor({ timeout: 30_000 });
          const warningColor = await warning.evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle(el).color);
          const ratio = contrast(warningColor, background);
          figures.push(`warning ${warningColor} ${ratio.toFixed(1)}:1`);
          if (ratio < ICON_CONTRAST) problems.push(`the warning icon (${warningColor}) on ${background} has contrast ${ratio.toFixed(2)}:1, under ${ICON_CONTRAST}:1`);
          // The desktop row's own icon: the variant the theme picked, and its stroke colour.
          const image = await page
            .locator('.sidebar .monaco-list-row', { hasText: DESKTOP })
            .locator('.custom-view-tree-node-item-icon')
            .first()
            .evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundImage: string } }).getComputedStyle(el).backgroundImage);
          const svg = /(desktop-(?:light|dark)\.svg)/.exec(image)?.[1];
          const stroke = svg && /stroke="#([0-9a-fA-F]{6})"/.exec(fs.readFileSync(path.join(REPO_ROOT, 'media', svg), 'utf8'))?.[1];
          if (!stroke) problems.push(`the desktop row's icon is ${image}`);
          else {
            const rgb = `rgb(${parseInt(stroke.slice(0, 2), 16)}, ${parseInt(stroke.slice(2, 4), 16)}, ${parseInt(stroke.slice(4), 16)})`;
            const iconRatio = contrast(rgb, background);
            figures.push(`desktop icon ${svg} ${iconRatio.toFixed(1)}:1`);
            if (iconRatio < ICON_CONTRAST) problems.push(`the desktop row's icon (${svg}, #${stroke}) on ${background} has contrast ${iconRatio.toFixed(2)}:1, under ${ICON_CONTRAST}:1`);
          }
          if (problems.length) throw new Error(problems.join('\n'));
          console.log(`         ${theme} on ${background}: ${figures.join(', ')}`);
          await page.mouse.move(1000, 850);
          const box = await page.locator('.part.sidebar').first().boundingBox();
          if (!box) throw new Error('no side bar to photograph');
          await page.screenshot({ path: path.join(shots, `high-contrast-${kind}.png`), clip: { x: box.x, y: box.y, width: box.width, height: 260 } });
        },
      }),
    ),
  ];

  const close = async (): Promise<void> => {
    await page?.close().catch(() => undefined);
    await server?.close();
    await emu?.close();
    fs.rmSync(scratch, { recursive: true, force: true });
  };
  return { checks, close, owns: (check) => (checks.includes(check) ? page : undefined) };
}

async function openWalkthrough(page: Page): Promise<void> {
  await runCommand(page, 'Welcome: Open Walkthrough...');
  const entry = page.locator('.quick-input-widget .monaco-list-row', { hasText: WALKTHROUGH }).first();
  await entry.waitFor({ timeout: 10_000 });
  await entry.click();
  await page.locator('.gettingStartedContainer', { hasText: WALKTHROUGH }).first().waitFor({ timeout: 20_000 });
}

/** Brings the walkthrough's tab to the front again. */
async function backToWalkthrough(page: Page): Promise<void> {
  await page.locator('.tabs-container .tab', { hasText: /Welcome|Walkthrough|Nen Drive/ }).first().click();
  await page.locator('.getting-started-step').first().waitFor({ timeout: 10_000 });
}

/** A link in a step's description, drawn as a button. */
function stepButton(step: Locator, label: string): Locator {
  return step.locator('.monaco-button, a', { hasText: label }).first();
}

/** What the workbench shows for a done step: the checked circle (and aria-checked). */
async function isDone(step: Locator): Promise<boolean> {
  return (await step.locator('.codicon-getting-started-step-checked').count()) > 0;
}

async function waitDone(step: Locator, id: string): Promise<void> {
  await poll(`the check mark on step "${id}"`, 20_000, async () => ((await isDone(step)) ? true : undefined));
}

/** Preferences: Color Theme, then the theme by its name, as a person switches themes. */
async function pickColorTheme(page: Page, theme: string): Promise<void> {
  await runCommand(page, 'Preferences: Color Theme');
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ timeout: 10_000 });
  await input.fill(theme);
  // By the name the picker shows (a row's whole text also holds its group's name and stale parts).
  const entry = page
    .locator('.quick-input-widget .monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${theme}\\s*$`) }) })
    .first();
  await entry.waitFor({ timeout: 10_000 }).catch(async (err: unknown) => {
    const rows = await page.locator('.quick-input-widget .monaco-list-row').evaluateAll((els) =>
      els.map((el) => {
        const e = el as unknown as { getAttribute(n: string): string | null; querySelector(q: string): { textContent: string | null } | null };
        return `${e.getAttribute('aria-label')} | ${e.querySelector('.label-name')?.textContent}`;
      }),
    );
    throw new Error(`no "${theme}" in the theme picker, which shows ${JSON.stringify(rows)}: ${String(err)}`);
  });
  await entry.click();
}
