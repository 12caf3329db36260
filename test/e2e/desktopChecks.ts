/**
 * Desktops as a person manages them: New Desktop… from the view's title bar menu (typed name, the
 * new row selected and "starting", then "running" by itself), the desktop's context menu with
 * Rename Desktop… and Delete Desktop…, and the delete modal that names the desktop, says its
 * drive is wiped and then wants the name typed; the row then leaves the tree. The sample desktop
 * of the other checks is never touched: these checks make and delete their own.
 */
import { activityIcon, clearNotifications, poll, rowByLabel, runCommand, shot, sleep, toast, submitInput, type Check, type Session } from './workbench';

const NAME = 'design review box';
const RENAMED = 'release box';

export function desktopChecks(s: Session): Check[] {
  const { page, emu } = s;
  /** The id of the desktop these checks created, found on the emulator by its name. */
  const createdId = async (name: string): Promise<string | undefined> => {
    const res = await fetch(`${emu.url}/desktops`, { headers: { Authorization: `Bearer ${s.apiKey}` } });
    return ((await res.json()) as { desktop_id: string; name: string }[]).find((d) => d.name === name)?.desktop_id;
  };
  return [
    {
      name: 'New Desktop… asks for a name and shows the new desktop selected, "starting", then "running" without a Refresh',
      run: async () => {
        await clearNotifications(page);
        if (!(await page.locator('.sidebar .monaco-list-row', { hasText: s.desktop }).first().isVisible())) await activityIcon(page, 'Nen Drive').click();
        emu.setStartingMs(4000);
        await runCommand(page, 'Nen Drive: New Desktop…');
        const input = page.locator('.quick-input-widget input.input');
        await input.waitFor({ timeout: 10_000 });
        await submitInput(input, NAME);
        const row = rowByLabel(page, NAME);
        await row.waitFor({ timeout: 20_000 });
        const text = async (): Promise<string> => ((await row.textContent()) ?? '').replace(/\s+/g, ' ');
        if (!/· starting/.test(await text())) throw new Error(`the new row says "${await text()}", expected "… · starting"`);
        // The row can be drawn before the extension's reveal lands (it retries up to 3 s, see selectDesktop).
        await poll('the new desktop row to be selected', 5_000, async () => ((await row.getAttribute('aria-selected')) === 'true' ? true : undefined));
        await poll('the row to say running', 30_000, async () => (/· running/.test(await text()) ? true : undefined));
        emu.setStartingMs(0);
      },
    },
    {
      name: "a desktop's context menu offers Rename Desktop… and Delete Desktop…; Rename renames it",
      run: async () => {
        const row = rowByLabel(page, NAME);
        await row.click({ button: 'right' });
        const menu = page.locator('.monaco-menu').first();
        await menu.waitFor({ timeout: 10_000 });
        const items = (await menu.locator('.action-item .action-label').allTextContents()).map((t) => t.trim()).filter(Boolean);
        for (const wanted of ['Rename Desktop…', 'Delete Desktop…', 'Upload Files…', 'Refresh']) {
          if (!items.includes(wanted)) throw new Error(`the menu offers [${items.join(', ')}], no "${wanted}"`);
        }
        await sleep(300);
        await shot(s, 'desktop-menu.png');
        const rename = menu.locator('.action-item .action-label', { hasText: /^\s*Rename Desktop…\s*$/ }).first();
        await rename.hover();
        await sleep(100);
        await page.keyboard.press('Enter');
        const input = page.locator('.quick-input-widget input.input');
        await input.waitFor({ timeout: 10_000 });
        if ((await input.inputValue()) !== NAME) throw new Error(`the rename box starts with "${await input.inputValue()}", expected "${NAME}"`);
        await submitInput(input, RENAMED);
        await rowByLabel(page, RENAMED).waitFor({ timeout: 20_000 });
        const id = await createdId(RENAMED);
        if (!id || emu.desktop(id)?.name !== RENAMED) throw new Error(`the emulator holds the name "${id && emu.desktop(id)?.name}"`);
      },
    },
    {
      name: 'Delete Desktop… shows a modal naming the desktop and saying its drive is wiped, then wants the name typed; the row leaves the tree',
      run: async () => {
        const id = await createdId(RENAMED);
        if (!id) throw new Error('no desktop made by the previous checks');
        emu.putFile(id, 'handover notes.md', '# to keep?\n');
        emu.putFile(id, 'build.log', 'ok\n');
        const row = rowByLabel(page, RENAMED);
        await row.click({ button: 'right' });
        const entry = page.locator('.monaco-menu .action-item .action-label', { hasText: /^\s*Delete Desktop…\s*$/ }).first();
        await entry.waitFor({ timeout: 10_000 });
        await entry.hover();
        await sleep(100);
        await page.keyboard.press('Enter');
        const dialog = page.locator('.monaco-dialog-box').first();
        await dialog.waitFor({ timeout: 20_000 });
        const said = ((await dialog.textContent()) ?? '').replace(/\s+/g, ' ');
        for (const part of [`Delete desktop '${RENAMED}' (${id})?`, 'Its shared drive is wiped', "'build.log' and 'handover notes.md'", 'This cannot be undone']) {
          if (!said.includes(part)) throw new Error(`the dialog says "${said}", without "${part}"`);
        }
        await sleep(300); // the dialog fades in
        await shot(s, 'delete-desktop.png');
        await dialog.locator('.dialog-buttons .monaco-button', { hasText: /^\s*Delete…\s*$/ }).first().click();
        const input = page.locator('.quick-input-widget input.input');
        await input.waitFor({ timeout: 10_000 });
        await input.fill(RENAMED.toUpperCase());
        await page.locator('.quick-input-widget', { hasText: `Type ${RENAMED} exactly` }).first().waitFor({ timeout: 10_000 });
        if (!emu.desktop(id)) throw new Error('deleted before the name was typed');
        await submitInput(input, RENAMED);
        await toast(page, `Deleted desktop '${RENAMED}' (${id}); its drive was wiped.`).waitFor({ timeout: 20_000 });
        await row.waitFor({ state: 'detached', timeout: 20_000 });
        if (emu.desktop(id)) throw new Error('the emulator still has the desktop');
        await clearNotifications(page);
      },
    },
  ];
}
