/**
 * A folder dropped on the drive as a person does it: dragged from the Explorer onto the desktop
 * row, it goes up with its structure (shown expanded in the tree, the README's screenshot).
 * A folder dropped straight from the OS could not be produced here: CDP's
 * `Input.dispatchDragEvent` with `files` reached no drop handler in headless Chromium (not even
 * for a plain file), and a page cannot build a DataTransfer holding a folder. What a browser
 * hands over for one (an item whose bytes cannot be read) is tested in-host (folders.test.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { clearNotifications, dragFromExplorerToDesktop, poll, rowByLabel, shot, sleep, toast, type Check, type Session } from './workbench';

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
        await dragFromExplorerToDesktop(s, FOLDER);
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
  ];
}
