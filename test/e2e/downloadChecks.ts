/**
 * Moving files off the drive as a person does: Download… from a row's context menu through
 * code-server's save dialog (and its question before replacing a local file), a multi-selection
 * downloaded to a folder (also onto a real case-insensitive exFAT disk, where Plan.md is the
 * local PLAN.md), and Copy curl Download Command read back from the clipboard.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { mountExfat } from '../integration/exfatDisk';
import { clearNotifications, contextMenu, poll, rowByLabel, runCommand, shot, sleep, toast, type Check, type Session } from './workbench';

const execFileAsync = promisify(execFile);

/** The folder multi-select downloads land in (created by {@link seedDownloadFolder}). */
export const DOWNLOAD_FOLDER = 'downloads';

export function seedDownloadFolder(workspace: string): void {
  fs.mkdirSync(path.join(workspace, DOWNLOAD_FOLDER));
}

export function downloadChecks(s: Session): Check[] {
  const { page, emu } = s;
  const dialog = page.locator('.quick-input-widget');
  const input = dialog.locator('input.input');
  /** In code-server's folder picker: types `folder` and waits until the picker lists it. */
  const pickFolder = async (folder: string): Promise<void> => {
    await input.waitFor({ timeout: 10_000 });
    // The dialog first lists its default folder; typing before that lands is overwritten.
    await sleep(500);
    await input.fill(`${folder}/`);
    // A folder picker lists folders only.
    const subfolders = fs.readdirSync(folder, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    const expected = ['..', ...subfolders].sort().join('\n');
    let seen = '';
    await poll(`the dialog to list ${folder}`, 10_000, async () => {
      // A dialog that loads its default folder late overwrites what was typed: type it again.
      if ((await input.inputValue()) !== `${folder}/`) await input.fill(`${folder}/`);
      const rows = await dialog.locator('.monaco-list-row').evaluateAll((els) => els.map((e) => (e as unknown as { getAttribute(n: string): string | null }).getAttribute('aria-label') ?? ''));
      seen = rows.sort().join('\n');
      return seen === expected ? true : undefined;
    }).catch((err: Error) => {
      throw new Error(`${err.message}; it lists ${JSON.stringify(seen)}, expected ${JSON.stringify(expected)}`);
    });
    await sleep(200);
  };
  return [
    {
      name: 'Download… from the context menu saves through the save dialog with the exact bytes',
      run: async () => {
        const name = s.names.find((n) => n.endsWith('.png')) ?? s.names[0];
        const target = path.join(s.workspace, name);
        await clearNotifications(page);
        await contextMenu(page, rowByLabel(page, name), 'Download…');
        await input.waitFor({ timeout: 10_000 });
        await poll('the save dialog to propose the file name', 10_000, async () => ((await input.inputValue()).endsWith(name) ? true : undefined));
        await sleep(500);
        await shot(s, 'download-dialog.png');
        await input.fill(target);
        await sleep(300);
        await page.keyboard.press('Enter');
        await dialog.waitFor({ state: 'hidden', timeout: 10_000 });
        const expected = emu.readFile(s.desktop, name)!;
        const got = await poll(`"${target}" on disk`, 20_000, () => (fs.existsSync(target) ? fs.readFileSync(target) : undefined));
        if (!got.equals(expected)) throw new Error(`the local file holds ${got.length} bytes that differ from the drive's ${expected.length}`);
        await toast(page, /Downloaded/).waitFor({ timeout: 10_000 });
      },
    },
    {
      name: 'Download… onto an existing local file asks before replacing it; cancelling leaves the file untouched',
      run: async () => {
        const name = s.names.find((n) => n.endsWith('.png')) ?? s.names[0];
        const target = path.join(s.workspace, name);
        const local = Buffer.from('a local file the download must not replace\n');
        fs.writeFileSync(target, local);
        await clearNotifications(page);
        emu.clearRequests();
        await contextMenu(page, rowByLabel(page, name), 'Download…');
        await input.waitFor({ timeout: 10_000 });
        await poll('the save dialog to propose the file name', 10_000, async () => ((await input.inputValue()).endsWith(name) ? true : undefined));
        await input.fill(target);
        await sleep(300);
        await page.keyboard.press('Enter');
        // The save dialog's own question: the title asks, OK replaces, Cancel does not.
        const question = dialog.locator('.quick-input-title', { hasText: `${name} already exists` }).first();
        await question.waitFor({ timeout: 10_000 });
        await sleep(300);
        await shot(s, 'download-replace.png');
        await dialog.locator('.monaco-button', { hasText: /^\s*Cancel\s*$/ }).first().click();
        // Cancel goes back to the save dialog; Escape closes it without saving.
        await dialog.locator('.quick-input-title', { hasText: `Download '${name}'` }).first().waitFor({ timeout: 5_000 });
        await page.keyboard.press('Escape');
        await dialog.waitFor({ state: 'hidden', timeout: 10_000 });
        await sleep(1_000);
        if (!fs.readFileSync(target).equals(local)) throw new Error('the local file changed although the replace was cancelled');
        const downloads = emu.requests.filter((r) => r.method === 'GET' && r.path.endsWith(`/files/${name}`));
        if (downloads.length > 0) throw new Error(`${downloads.length} download request(s) sent although the replace was cancelled`);
      },
    },
    {
      name: 'two rows picked with Ctrl+click download to a chosen folder with the exact bytes; again, Skip All keeps the local files',
      run: async () => {
        const [first, second] = s.names.filter((n) => !n.endsWith('.png')).slice(-2);
        const folder = path.join(s.workspace, DOWNLOAD_FOLDER);
        await clearNotifications(page);
        await rowByLabel(page, first).click();
        await rowByLabel(page, second).click({ modifiers: ['Control'] });
        for (const n of [first, second]) {
          if (!((await rowByLabel(page, n).getAttribute('class')) ?? '').includes('selected')) throw new Error(`"${n}" is not selected`);
        }
        await contextMenu(page, rowByLabel(page, second), 'Download…');
        await pickFolder(folder);
        await shot(s, 'download-folder-dialog.png');
        await page.keyboard.press('Enter');
        await dialog.waitFor({ state: 'hidden', timeout: 10_000 });
        for (const n of [first, second]) {
          const expected = emu.readFile(s.desktop, n)!;
          const got = await poll(`"${n}" in ${folder}`, 20_000, () => (fs.existsSync(path.join(folder, n)) ? fs.readFileSync(path.join(folder, n)) : undefined));
          if (!got.equals(expected)) throw new Error(`"${n}" holds ${got.length} bytes that differ from the drive's ${expected.length}`);
        }
        await toast(page, /Downloaded 2 files/).waitFor({ timeout: 10_000 });

        // Again into the same folder: Nen Drive's own modal asks per existing file; Skip All keeps both.
        const local = Buffer.from('a local copy the second download must not replace\n');
        fs.writeFileSync(path.join(folder, first), local);
        const before = fs.readFileSync(path.join(folder, second));
        await clearNotifications(page);
        emu.clearRequests();
        await contextMenu(page, rowByLabel(page, second), 'Download…');
        await pickFolder(folder);
        await page.keyboard.press('Enter');
        const modal = page.locator('.monaco-dialog-box', { hasText: `'${first}' already exists` }).first();
        await modal.waitFor({ timeout: 10_000 });
        await sleep(300);
        await shot(s, 'download-folder-replace.png');
        await modal.locator('.monaco-button', { hasText: /^\s*Skip All\s*$/ }).first().click();
        await toast(page, /Not downloaded \(a local file exists\)/).waitFor({ timeout: 10_000 });
        if (!fs.readFileSync(path.join(folder, first)).equals(local)) throw new Error(`"${first}" was replaced although Skip All was chosen`);
        if (!fs.readFileSync(path.join(folder, second)).equals(before)) throw new Error(`"${second}" was replaced although Skip All was chosen`);
        if (emu.requests.some((r) => r.method === 'GET' && /\/files\/[^/]+$/.test(r.path))) throw new Error('a file was downloaded although Skip All was chosen');
      },
    },
    {
      name: 'on a case-insensitive disk (exFAT), Plan.md and plan.md picked together: the modal says Plan.md is the same file as the local PLAN.md, Keep Both keeps all three, and the toast names both renames',
      run: async () => {
        const disk = mountExfat();
        const names = ['Plan.md', 'plan.md'];
        try {
          const folder = path.join(disk.root, 'downloads');
          fs.mkdirSync(folder);
          const local = Buffer.from('# PLAN (the local copy)\n');
          fs.writeFileSync(path.join(folder, 'PLAN.md'), local);
          for (const n of names) emu.putFile(s.desktop, n, `# ${n} on the drive\n`);
          // rowByLabel matches without case; these two differ only in case.
          const row = (n: string) => page.locator('.sidebar .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${n.replace('.', '\\.')}$`) }) }).first();
          await runCommand(page, 'Nen Drive: Refresh');
          for (const n of names) await row(n).waitFor({ timeout: 20_000 });
          await clearNotifications(page);
          await row(names[0]).click();
          await row(names[1]).click({ modifiers: ['Control'] });
          await contextMenu(page, row(names[1]), 'Download…');
          await pickFolder(folder);
          await page.keyboard.press('Enter');
          const modal = page.locator('.monaco-dialog-box', { hasText: "'Plan.md' is the same file as 'PLAN.md' on this disk, which ignores case." }).first();
          await modal.waitFor({ timeout: 10_000 });
          const said = await modal.innerText();
          for (const text of ["Overwrite replaces the local file 'PLAN.md'.", "Keep Both saves this one as 'Plan (2).md'."]) {
            if (!said.includes(text)) throw new Error(`the modal does not say "${text}": ${said}`);
          }
          await sleep(300);
          await shot(s, 'download-same-name.png');
          await modal.locator('.monaco-button', { hasText: /^\s*Keep Both\s*$/ }).first().click();
          const done = toast(page, "Saved 'Plan.md' as 'Plan (2).md' ('Plan.md' is the same file as 'PLAN.md' on this disk, which ignores case); Saved 'plan.md' as 'plan (1).md' ('Plan.md' is the same name on this disk, which ignores case).");
          await done.waitFor({ timeout: 20_000 });
          const want = new Map([
            ['PLAN.md', local],
            ['Plan (2).md', emu.readFile(s.desktop, 'Plan.md')!],
            ['plan (1).md', emu.readFile(s.desktop, 'plan.md')!],
          ]);
          const got = fs.readdirSync(folder).sort();
          if (got.join('|') !== [...want.keys()].sort().join('|')) throw new Error(`the folder holds ${JSON.stringify(got)}, expected ${JSON.stringify([...want.keys()])}`);
          for (const [n, bytes] of want) if (!fs.readFileSync(path.join(folder, n)).equals(bytes)) throw new Error(`"${n}" does not hold the expected bytes`);
        } finally {
          // Clicking the rows opened them; later checks expect neither the tabs nor the rows.
          await runCommand(page, 'View: Close All Editors').catch(() => undefined);
          for (const n of names) emu.removeFile(s.desktop, n);
          disk.dispose();
        }
      },
    },
    {
      name: 'Copy curl Download Command puts a command on the clipboard that reads $NEN_API_KEY, never the key, and downloads the file',
      run: async () => {
        // A name with spaces, which the command must quote for the shell. Right-clicking a row
        // outside the tree's selection acts on that row alone.
        const name = s.names.find((n) => n.includes(' ')) ?? s.names[0];
        await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: s.server.url });
        await page.evaluate('navigator.clipboard.writeText("")');
        await clearNotifications(page);
        await contextMenu(page, rowByLabel(page, name), 'Copy curl Download Command');
        await toast(page, /Copied a curl command/).waitFor({ timeout: 10_000 });
        const text = (await page.evaluate('navigator.clipboard.readText()')) as string;
        if (!text.includes('$NEN_API_KEY')) throw new Error(`the clipboard holds ${JSON.stringify(text)}, without $NEN_API_KEY`);
        if (text.includes(s.apiKey)) throw new Error('the clipboard holds the API key');
        if (!text.startsWith('curl ') || text.includes('\n') || !text.includes(emu.url)) throw new Error(`the clipboard holds ${JSON.stringify(text)}, not a curl command for ${emu.url}`);
        // Run it as a person would paste it into a terminal, with the key exported.
        const dir = fs.mkdtempSync(path.join(path.dirname(s.workspace), 'curl-'));
        try {
          // Asynchronously: the emulator that answers lives in this process.
          await execFileAsync('sh', ['-c', text], { cwd: dir, env: { ...process.env, NEN_API_KEY: s.apiKey }, timeout: 20_000 }).catch((err: { code?: unknown; stderr?: string }) => {
            throw new Error(`the copied command failed (${String(err.code)}): ${err.stderr?.split('\r').pop() ?? ''}`);
          });
          const got = fs.readFileSync(path.join(dir, name));
          if (!got.equals(emu.readFile(s.desktop, name)!)) throw new Error(`the copied command downloaded ${got.length} bytes that differ from the drive's`);
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
        }
      },
    },
  ];
}
