/**
 * Go to File across the drive (its keybinding, nested folders, typing filters, Enter opens),
 * Reveal in Nen Drive, and Compare with Nen Drive File… from the Explorer's context menu
 * (the drive side read-only on the left).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { activityIcon, clearNotifications, contextMenu, desktopRow, poll, runCommand, shot, sleep, type Check, type Session } from './workbench';

const REPORT = 'q3-summary.md';
const DRIVE_REPORT = '# Q3 summary\n\nRevenue: 1.2M (from the desktop)\nChurn: 2.1%\n';
const LOCAL_REPORT = '# Q3 summary\n\nRevenue: 1.3M (my local draft)\nChurn: 2.1%\n';

/** The local copy of the report, in the workspace the Explorer shows. */
export function seedNavigationWorkspace(workspace: string): void {
  fs.writeFileSync(path.join(workspace, REPORT), LOCAL_REPORT);
}

function quickInput(page: Page) {
  return page.locator('.quick-input-widget');
}

function pickRow(page: Page, label: string) {
  return quickInput(page).locator('.monaco-list-row').filter({ has: page.locator('.label-name', { hasText: label }) }).first();
}

async function placeholder(page: Page): Promise<string> {
  return (await quickInput(page).locator('input.input').getAttribute('placeholder')) ?? '';
}

async function text(page: Page, scope: string): Promise<string> {
  return ((await page.locator(`${scope} .view-lines`).first().textContent()) ?? '').replace(/\u00a0/g, ' ');
}

/** Files (not folders) at the drive's root, as the emulator lists them. */
async function driveFileCount(s: Session, folder?: string): Promise<number> {
  const query = folder ? `?path=${encodeURIComponent(folder)}` : '';
  const res = await fetch(`${s.emu.url}/desktops/${s.desktop}/files${query}`, { headers: { Authorization: `Bearer ${s.apiKey}` } });
  const body = (await res.json()) as { files: { name: string; is_dir?: boolean }[] };
  let count = body.files.filter((f) => !f.is_dir).length;
  for (const f of body.files.filter((e) => e.is_dir)) count += await driveFileCount(s, folder ? `${folder}/${f.name}` : f.name);
  return count;
}

/** The biggest file at the drive's root, as the emulator lists it. */
async function largestRootFile(s: Session): Promise<string> {
  const res = await fetch(`${s.emu.url}/desktops/${s.desktop}/files`, { headers: { Authorization: `Bearer ${s.apiKey}` } });
  const body = (await res.json()) as { files: { name: string; size: number; is_dir?: boolean }[] };
  return body.files.filter((f) => !f.is_dir).sort((a, b) => b.size - a.size)[0].name;
}

/** The label of the first file row (after the folders) directly under the desktop row. */
async function firstFileRow(page: Page): Promise<string | undefined> {
  const rows = page.locator('.sidebar .monaco-list-row[aria-level="2"]');
  const labels = await rows.evaluateAll((els) =>
    els.map((e) => {
      const row = e as unknown as { querySelector(q: string): { textContent: string | null } | null };
      return { label: row.querySelector('.label-name')?.textContent ?? '', folder: row.querySelector('.monaco-tl-twistie.collapsible') !== null };
    }),
  );
  return labels.find((l) => !l.folder)?.label.trim();
}

/** Opens the view's "…" menu and its Sort By submenu. */
async function openSortMenu(page: Page): Promise<void> {
  // The view's title actions show while the pointer is over the side bar.
  await page.locator('.sidebar .monaco-list-row').first().hover();
  await page.locator('.sidebar .action-label[aria-label*="More Actions"]').filter({ visible: true }).first().click();
  const sortBy = page.locator('.monaco-menu .action-label', { hasText: /^\s*Sort By\s*$/ }).first();
  await sortBy.waitFor({ timeout: 5_000 });
  await sortBy.hover();
}

/** Picks an entry of the view's Sort By submenu. */
async function viewMenuItem(page: Page, label: string): Promise<void> {
  await openSortMenu(page);
  const item = page.locator('.monaco-menu .action-label', { hasText: new RegExp(`^\\s*${label}\\s*$`) }).first();
  await item.waitFor({ timeout: 5_000 });
  await item.hover();
  await sleep(100);
  await page.keyboard.press('Enter');
  await item.waitFor({ state: 'detached', timeout: 5_000 });
}

export function navigationChecks(s: Session): Check[] {
  const { page, emu } = s;
  return [
    {
      name: 'Go to File (Ctrl+Alt+D) lists the files of nested folders with folder, size and age; typing filters, Enter opens',
      run: async () => {
        emu.reset();
        await clearNotifications(page);
        emu.putFile(s.desktop, REPORT, DRIVE_REPORT, { path: 'reports/2026' });
        emu.putFile(s.desktop, 'q2-summary.md', '# Q2 summary\n', { path: 'reports/2026', mtime: Date.now() / 1000 - 80 * 86400 });
        emu.putFile(s.desktop, 'run-42.log', 'agent run 42\n', { path: 'logs/agent' });
        // The tree stays in view (a click on the icon of a shown view would hide the side bar).
        if (!(await desktopRow(s).isVisible())) await activityIcon(page, 'Nen Drive').click();
        await page.keyboard.press('Escape');
        await page.keyboard.press('Control+Alt+KeyD');
        await quickInput(page).locator('.quick-input-title', { hasText: 'Nen Drive: Go to File' }).waitFor({ timeout: 10_000 });
        // Every file of the drive now, nested ones included (earlier checks add files and folders).
        const count = `Type to filter ${await driveFileCount(s)} files on 1 desktop`;
        await poll(`the listing to finish ("${count}")`, 20_000, async () => ((await placeholder(page)) === count ? true : undefined));
        // Typing filters on names and on "desktop › folder": "2026" keeps two root files and the reports.
        await page.keyboard.type('2026');
        await pickRow(page, 'run-42.log').waitFor({ state: 'detached', timeout: 5_000 });
        await pickRow(page, 'q2-summary.md').waitFor({ timeout: 5_000 });
        // The pointer off the pick, so no hover covers it in the screenshot.
        await page.mouse.move(640, 700);
        const row = pickRow(page, REPORT);
        const description = ((await row.locator('.label-description').textContent()) ?? '').trim();
        if (!description.endsWith('› reports/2026')) throw new Error(`the row says where the file is as "${description}"`);
        const detail = ((await row.textContent()) ?? '').replace(/\u00a0/g, ' ');
        if (!/\d+ B · just now/.test(detail)) throw new Error(`the row shows no size and age: "${detail}"`);
        await sleep(300);
        await shot(s, 'go-to-file.png');
        await page.keyboard.press('Control+A');
        await page.keyboard.type('q3-summary');
        await pickRow(page, 'q2-summary.md').waitFor({ state: 'detached', timeout: 5_000 });
        await page.keyboard.press('Enter');
        await page.locator('.tabs-container .tab.active', { hasText: REPORT }).waitFor({ timeout: 20_000 });
        await poll('the report to show', 20_000, async () => ((await text(page, '.editor-instance')).includes('from the desktop') ? true : undefined));
      },
    },
    {
      name: 'Reveal in Nen Drive (the command, and a Go to File row\'s button) selects the file\'s row in the tree, its folders expanded',
      run: async () => {
        await runCommand(page, 'Nen Drive: Reveal in Nen Drive');
        const selected = page.locator('.sidebar .monaco-list-row.selected').filter({ has: page.locator('.label-name', { hasText: REPORT }) });
        await selected.waitFor({ timeout: 20_000 });
        // The same from a Go to File row's button, with the tree collapsed first.
        await page.locator('.sidebar .monaco-list-row').first().hover();
        await page.locator('.sidebar .action-label[aria-label^="Collapse All"]').filter({ visible: true }).first().click();
        await selected.waitFor({ state: 'detached', timeout: 10_000 });
        await page.keyboard.press('Control+Alt+KeyD');
        // Typed before the pick shows, the text goes to the tree's find box and filters the tree.
        await quickInput(page).locator('.quick-input-title', { hasText: 'Nen Drive: Go to File' }).waitFor({ timeout: 10_000 });
        await page.keyboard.type('q3-summary');
        const row = pickRow(page, REPORT);
        await row.waitFor({ timeout: 20_000 });
        await row.hover();
        await row.locator('.action-label[aria-label="Reveal in Nen Drive"]').click();
        await quickInput(page).waitFor({ state: 'hidden', timeout: 10_000 });
        await selected.waitFor({ timeout: 20_000 });
      },
    },
    {
      name: "Sort By in the view's menu re-sorts the tree (largest first under Size), the current order checked",
      run: async () => {
        if (!(await desktopRow(s).isVisible())) await activityIcon(page, 'Nen Drive').click();
        const largest = await largestRootFile(s);
        await viewMenuItem(page, 'Sort by Size');
        await poll(`${largest} to be the first file row`, 10_000, async () => ((await firstFileRow(page)) === largest ? true : undefined));
        await openSortMenu(page);
        await page.locator('.monaco-menu .action-label', { hasText: '✓ Sort by Size' }).first().waitFor({ timeout: 5_000 });
        await sleep(300);
        await shot(s, 'sort-by.png');
        await page.keyboard.press('Escape');
        await page.keyboard.press('Escape');
        await viewMenuItem(page, 'Sort by Name');
        await poll('name order back', 10_000, async () => ((await firstFileRow(page)) === largest ? undefined : true));
      },
    },
    {
      name: 'A folder of 520 files shows 500 rows and a last "Show 20 more" row (of 520 shown, Go to File finds any); a click shows the rest',
      run: async () => {
        const folder = 'many-files';
        for (let i = 1; i <= 520; i++) emu.putFile(s.desktop, `scan ${i}.png`, 'x', { path: folder });
        try {
          if (!(await desktopRow(s).isVisible())) await activityIcon(page, 'Nen Drive').click();
          await runCommand(page, 'Nen Drive: Refresh');
          const folderRow = page.locator('.sidebar .monaco-list-row[aria-level="2"]').filter({ has: page.locator('.label-name', { hasText: folder }) }).first();
          await folderRow.waitFor({ timeout: 20_000 });
          await folderRow.click();
          await page.locator('.sidebar .monaco-list-row', { hasText: 'scan 1.png' }).first().waitFor({ timeout: 20_000 });
          // The tree draws only the rows in sight: page down (the folder row has the focus) to its last row.
          const more = page.locator('.sidebar .monaco-list-row', { hasText: 'Show 20 more' }).first();
          await page.mouse.move(640, 700);
          await poll('the "Show 20 more" row', 30_000, async () => {
            if (await more.isVisible()) return true;
            await page.keyboard.press('PageDown');
            await sleep(50);
            return undefined;
          });
          const rowText = ((await more.textContent()) ?? '').replace(/\u00a0/g, ' ');
          if (!rowText.includes('500 of 520 shown · Go to File… finds any')) throw new Error(`the row reads "${rowText}"`);
          const before = page.locator('.sidebar .monaco-list-row', { hasText: 'scan 500.png' }).first();
          if (!(await before.isVisible())) throw new Error('"scan 500.png" is not the row above it');
          await sleep(300);
          await shot(s, 'show-more.png', page.locator('.sidebar'));
          await more.click();
          await page.locator('.sidebar .monaco-list-row', { hasText: 'scan 501.png' }).first().waitFor({ timeout: 10_000 });
          await more.waitFor({ state: 'detached', timeout: 10_000 });
          await folderRow.scrollIntoViewIfNeeded().catch(() => undefined);
        } finally {
          for (let i = 1; i <= 520; i++) emu.removeFile(s.desktop, `scan ${i}.png`, { path: folder });
          fs.rmSync(path.join(emu.dataDir, s.desktop, folder), { recursive: true, force: true });
          await runCommand(page, 'Nen Drive: Refresh');
        }
      },
    },
    {
      name: 'Compare with Nen Drive File… on an Explorer file opens a diff: the drive file read-only on the left, the local file on the right',
      run: async () => {
        await runCommand(page, 'View: Close All Editors');
        await activityIcon(page, 'Explorer').click();
        const local = page.locator('.explorer-folders-view .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: REPORT }) }).first();
        await local.waitFor({ timeout: 10_000 });
        await contextMenu(page, local, 'Compare with Nen Drive File…');
        await quickInput(page).locator('.quick-input-title', { hasText: `Compare ${REPORT} with which Nen Drive file?` }).waitFor({ timeout: 10_000 });
        await page.keyboard.type('q3-summary');
        await pickRow(page, REPORT).waitFor({ timeout: 20_000 });
        await pickRow(page, 'q2-summary.md').waitFor({ state: 'detached', timeout: 5_000 });
        await page.keyboard.press('Enter');
        await page.locator('.monaco-diff-editor').first().waitFor({ timeout: 20_000 });
        await poll('the drive side to show', 20_000, async () => ((await text(page, '.monaco-diff-editor .editor.original')).includes('from the desktop') ? true : undefined));
        await poll('the local side to show', 20_000, async () => ((await text(page, '.monaco-diff-editor .editor.modified')).includes('my local draft') ? true : undefined));
        // Typing into the drive side changes nothing: it is read-only.
        await page.locator('.monaco-diff-editor .editor.original .view-lines').first().click();
        await page.keyboard.type('XYZ');
        await sleep(300);
        if ((await text(page, '.monaco-diff-editor .editor.original')).includes('XYZ')) throw new Error('the drive side took typing');
        await page.keyboard.press('Escape');
        await sleep(300);
        await shot(s, 'compare-drive.png');
        if (emu.readFile(s.desktop, REPORT, { path: 'reports/2026' })?.toString('utf8') !== DRIVE_REPORT) throw new Error('the drive file changed');
        // Leave the workbench as the next checks expect it: no editors, the Nen Drive view shown.
        await runCommand(page, 'View: Close All Editors');
        await activityIcon(page, 'Nen Drive').click();
        await desktopRow(s).waitFor({ timeout: 10_000 });
      },
    },
  ];
}
