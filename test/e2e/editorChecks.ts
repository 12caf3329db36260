/**
 * Editing drive files in tabs: open from the tree, type and Ctrl+S, a failed save, and a save
 * conflict (the remote file changed, same size) resolved with Compare and Overwrite.
 */
import type { Page } from 'playwright-core';
import { clearNotifications, poll, runCommand, rowByLabel, shot, sleep, toast, toastButton, type Check, type Session } from './workbench';

const TEXT = /\.(md|txt|json|csv)$/;

/** Monaco renders spaces as non-breaking spaces. */
async function editorText(page: Page, scope = '.editor-instance'): Promise<string> {
  return ((await page.locator(`${scope} .view-lines`).first().textContent()) ?? '').replace(/\u00a0/g, ' ');
}

async function waitForEditorText(page: Page, snippet: string, scope?: string): Promise<void> {
  await poll(`the editor to show "${snippet}"`, 20_000, async () => ((await editorText(page, scope)).includes(snippet) ? true : undefined));
}

function activeTab(page: Page) {
  return page.locator('.tabs-container .tab.active').first();
}

async function isDirty(page: Page): Promise<boolean> {
  return ((await activeTab(page).getAttribute('class')) ?? '').split(/\s+/).includes('dirty');
}

export function editorChecks(s: Session): Check[] {
  const { page, emu } = s;
  // Markdown for editing; the JSON config (two machines editing an agent's settings) for the conflict.
  const textFiles = s.names.filter((n) => TEXT.test(n));
  const textFile = textFiles.find((n) => n.endsWith('.md')) ?? textFiles[0];
  const conflictFile = textFiles.find((n) => n.endsWith('.json')) ?? textFiles.find((n) => n !== textFile);
  const marker = `edited in the browser ${Date.now()}`;

  return [
    {
      name: 'clicking a text file opens an editor tab titled with its name and showing its content',
      run: async () => {
        if (!textFile) throw new Error(`no text file among the samples: ${s.names.join(', ')}`);
        await rowByLabel(page, textFile).click();
        await page.locator('.tabs-container .tab', { hasText: textFile }).first().waitFor({ timeout: 20_000 });
        const title = ((await activeTab(page).locator('.label-name').first().textContent()) ?? '').trim();
        if (title !== textFile) throw new Error(`the tab is titled "${title}", expected "${textFile}"`);
        const firstLine = (emu.readFile(s.desktop, textFile)?.toString('utf8') ?? '').split('\n')[0].trim();
        await waitForEditorText(page, firstLine.slice(0, 20));
        await shot(s, 'editor.png');
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
        await poll('the emulator copy to change', 20_000, () => (emu.readFile(s.desktop, textFile)?.toString('utf8').includes(marker) ? true : undefined));
        await page.locator('.tabs-container .tab.dirty').first().waitFor({ state: 'detached', timeout: 10_000 });
        await shot(s, 'saved.png');
      },
    },
    {
      name: 'a failed save shows a notification and keeps the edit; saving after the fault clears succeeds',
      run: async () => {
        const before = emu.readFile(s.desktop, textFile);
        emu.injectFault({ type: 'status', status: 403, body: '{"error":"forbidden by the e2e check"}' }, { method: 'POST' }, 20);
        await page.keyboard.type(' and again');
        await page.keyboard.press('Control+S');
        await toast(page, /forbidden by the e2e check|not allowed/).waitFor({ timeout: 30_000 });
        await sleep(600);
        await shot(s, 'notification.png');
        if (!(await isDirty(page))) throw new Error('the tab is clean after a failed save');
        if (!emu.readFile(s.desktop, textFile)?.equals(before!)) throw new Error("the emulator's copy changed although the upload failed");
        emu.reset();
        await clearNotifications(page);
        await page.locator('.editor-instance .view-lines').first().click();
        await page.keyboard.press('Control+S');
        await poll('the retried save to reach the drive', 20_000, () => (emu.readFile(s.desktop, textFile)?.toString('utf8').includes(`${marker} and again`) ? true : undefined));
        await page.locator('.tabs-container .tab.dirty').first().waitFor({ state: 'detached', timeout: 10_000 });
      },
    },
    ...conflictChecks(s, conflictFile),
  ];
}

function conflictChecks(s: Session, file: string | undefined): Check[] {
  const { page, emu } = s;
  const local = 'my local edit';
  /** The line typed as the first entry of the JSON object (VS Code closes the quotes itself). */
  const localLine = `"note": "${local}",`;
  let remote: Buffer | undefined;
  let original: Buffer | undefined;
  let remoteWord = '';
  const conflictToast = () => toast(page, /changed on the Nen drive/);

  return [
    {
      name: 'a save after a same-size remote change shows Compare and Overwrite, keeps the editor dirty and the remote intact',
      run: async () => {
        if (!file) throw new Error(`need a second text file among the samples: ${s.names.join(', ')}`);
        await clearNotifications(page);
        // Let the cached listing expire, so opening the file reads a fresh one; the remote
        // change below then falls inside the listing's lifetime, the gap VS Code's own
        // mtime/size check cannot see and the provider's recheck must catch.
        await sleep(3_200);
        await rowByLabel(page, file).click();
        await page.locator('.tabs-container .tab.active', { hasText: file }).first().waitFor({ timeout: 20_000 });
        original = emu.readFile(s.desktop, file)!;
        await waitForEditorText(page, original.toString('utf8').split('\n')[0].trim().slice(0, 12));
        // Another machine's edit of the same size: the first word of 6+ letters upper-cased.
        const text = original.toString('latin1');
        const word = /[a-z]{6,}/.exec(text);
        if (!word) throw new Error(`no word to change in ${file}`);
        remoteWord = word[0].toUpperCase();
        remote = Buffer.from(text.slice(0, word.index) + remoteWord + text.slice(word.index + remoteWord.length), 'latin1');
        if (remote.length !== original.length || remote.equals(original)) throw new Error('could not build a same-size change');
        emu.putFile(s.desktop, file, remote);
        await page.locator('.editor-instance .view-lines').first().click();
        // A new first entry, so the diff shows both changes side by side at the top.
        await page.keyboard.press('Control+Home');
        await page.keyboard.press('End');
        await page.keyboard.press('Enter');
        await page.keyboard.type(localLine);
        await page.keyboard.press('Escape');
        await page.keyboard.press('Control+S');
        const t = conflictToast();
        await t.waitFor({ timeout: 20_000 });
        await toastButton(t, 'Compare').waitFor({ timeout: 5_000 });
        await toastButton(t, 'Overwrite').waitFor({ timeout: 5_000 });
        await sleep(600); // the toast slides in
        await shot(s, 'conflict.png');
        if (!(await isDirty(page))) throw new Error('the tab is clean after the refused save');
        if (!emu.readFile(s.desktop, file)?.equals(remote)) throw new Error('the remote file changed although the save was refused');
      },
    },
    {
      name: 'Compare opens a diff of the remote version against the editor',
      run: async () => {
        await toastButton(conflictToast(), 'Compare').click();
        const diff = page.locator('.monaco-diff-editor').first();
        await diff.waitFor({ timeout: 20_000 });
        await waitForEditorText(page, remoteWord, '.monaco-diff-editor .editor.original');
        await waitForEditorText(page, local, '.monaco-diff-editor .editor.modified');
        await sleep(300);
        await shot(s, 'compare.png');
      },
    },
    {
      name: "Overwrite saves the editor's text over the remote file and leaves the tab clean",
      run: async () => {
        await clearNotifications(page);
        await page.locator('.monaco-diff-editor .editor.modified .view-lines').first().click();
        await page.keyboard.press('Control+S');
        const t = conflictToast();
        await t.waitFor({ timeout: 20_000 });
        await toastButton(t, 'Overwrite').click();
        await poll("the editor's text to reach the drive", 20_000, () => (emu.readFile(s.desktop, file!)?.toString('utf8').includes(local) ? true : undefined));
        const saved = emu.readFile(s.desktop, file!)!.toString('utf8');
        // The editor held the version it opened plus the local entry: that, not the remote text, wins.
        const expected = original!.toString('utf8').replace('{', `{${localLine}`);
        if (saved.replace(/\s+/g, '') !== expected.replace(/\s+/g, '')) throw new Error(`the drive holds ${JSON.stringify(saved.slice(0, 80))}…, not the editor's text`);
        await page.locator('.tabs-container .tab.dirty').first().waitFor({ state: 'detached', timeout: 10_000 });
        await clearNotifications(page);
        await runCommand(page, 'View: Close All Editors');
      },
    },
  ];
}
