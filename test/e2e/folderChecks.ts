/**
 * Folders dropped on the drive as a person does it: a folder dragged from the Explorer onto
 * the desktop row goes up with its structure (shown expanded in the tree, the README's
 * screenshot), and a folder dropped straight from the OS, which a browser hands to extensions
 * as one unreadable item, gets a message that says so and what to do.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { activityIcon, clearNotifications, desktopRow, dropOn, poll, rowByLabel, shot, sleep, toast, type Check, type Session } from './workbench';

export const FOLDER = 'site';
/** The tree under {@link FOLDER}: relative path → bytes. */
const FILES: Record<string, string> = {
  'index.html': '<!doctype html><title>site</title>\n',
  'css/style.css': 'body { margin: 0 }\n',
  'img/logo.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>\n',
  'img/icons/arrow.svg': '<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0"/></svg>\n',
};

export function seedFolderWorkspace(workspace: string): void {
  for (const [rel, text] of Object.entries(FILES)) {
    const p = path.join(workspace, FOLDER, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
  }
}

/** Expands a tree row (by label) if it is collapsed. */
async function expand(page: Page, label: string): Promise<void> {
  const row = rowByLabel(page, label);
  await row.waitFor({ timeout: 20_000 });
  if ((await row.getAttribute('aria-expanded')) !== 'true') await row.click();
  await poll(`"${label}" to be expanded`, 10_000, async () => ((await row.getAttribute('aria-expanded')) === 'true' ? true : undefined));
}

export function folderChecks(s: Session): Check[] {
  const { page, emu } = s;
  return [
    {
      name: 'a folder dragged from the Explorer onto the desktop row lands with its structure and exact bytes',
      run: async () => {
        await clearNotifications(page);
        await activityIcon(page, 'Explorer').click();
        const source = page.locator('.explorer-folders-view .monaco-list-row', { hasText: FOLDER }).first();
        await source.waitFor({ timeout: 20_000 });
        const dt = await page.evaluateHandle('new DataTransfer()');
        await source.dispatchEvent('dragstart', { dataTransfer: dt });
        await activityIcon(page, 'Nen Drive').click();
        await desktopRow(s).waitFor({ timeout: 10_000 });
        await dropOn(desktopRow(s), dt);
        await source.dispatchEvent('dragend', { dataTransfer: dt }, { timeout: 2_000 }).catch(() => undefined);
        for (const [rel, text] of Object.entries(FILES)) {
          const segs = rel.split('/');
          const name = segs.pop() as string;
          const stored = await poll(`"${FOLDER}/${rel}" on the drive`, 20_000, () => emu.readFile(s.desktop, name, { path: [FOLDER, ...segs].join('/') }));
          if (stored.toString('utf8') !== text) throw new Error(`"${FOLDER}/${rel}" holds ${JSON.stringify(stored.toString('utf8'))}`);
        }
        await toast(page, new RegExp(`Uploaded '${FOLDER}' \\(4 files\\)`)).waitFor({ timeout: 20_000 });
        // The structure in the tree, opened the way a person checks it.
        await expand(page, FOLDER);
        await expand(page, 'img');
        await expand(page, 'icons');
        await expand(page, 'css');
        for (const label of ['index.html', 'style.css', 'logo.svg', 'arrow.svg']) await rowByLabel(page, label).waitFor({ timeout: 20_000 });
        await sleep(300);
        await shot(s, 'folder-drop.png');
        // Folded again, so the rows of later checks stay in view.
        await rowByLabel(page, FOLDER).click();
      },
    },
    {
      name: 'a folder dropped straight from the OS gets a message naming it, saying why and what works instead',
      run: async () => {
        await clearNotifications(page);
        // A real drop of an OS folder (Chromium's own drag data, with the path), as a person's mouse makes it.
        const osFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'nen-os-'));
        const dropped = path.join(osFolder, 'holiday photos');
        fs.mkdirSync(path.join(dropped, 'day 1'), { recursive: true });
        fs.writeFileSync(path.join(dropped, 'day 1', 'beach.txt'), 'sand');
        try {
          const row = desktopRow(s);
          const box = await row.boundingBox();
          if (!box) throw new Error('the desktop row has no box');
          const cdp = await page.context().newCDPSession(page);
          const at = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
          const data = { items: [], files: [dropped], dragOperationsMask: 1 };
          for (const type of ['dragEnter', 'dragOver', 'drop']) {
            await cdp.send('Input.dispatchDragEvent', { type: type as 'dragEnter', ...at, data });
            await sleep(100);
          }
          const note = toast(page, /holiday photos/);
          await note.waitFor({ timeout: 20_000 });
          const text = (await note.innerText()).replace(/\s+/g, ' ');
          console.log(`         note: the OS folder drop said: ${text}`);
          if (!/folder/i.test(text) || !/Explorer/.test(text)) throw new Error(`the message does not say it is a folder and what works instead: ${text}`);
          if (emu.requests.some((r) => r.method === 'POST' && r.path.includes('holiday'))) throw new Error('something was uploaded for the unreadable drop');
        } finally {
          fs.rmSync(osFolder, { recursive: true, force: true });
        }
      },
    },
  ];
}
