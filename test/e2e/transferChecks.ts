/**
 * Moving files onto the drive as a person does: dropping a file from the OS on a desktop row,
 * dragging a file from VS Code's Explorer onto it, and Upload… from the row's inline action
 * with a slow server, where the progress notification shows and its Cancel stops the upload.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { activityIcon, clearNotifications, desktopRow, dragFromExplorerToDesktop, dropOn, poll, recordToasts, rowByLabel, shot, sleep, toast, toastButton, type Check, type Session } from './workbench';

/** Workspace files the checks drag or upload (written by {@link seedWorkspace}). */
export const EXPLORER_FILE = 'from-the-explorer.txt';
export const SLOW_FILE = 'slow upload.log';
const LATENCY_MS = 4_000;

export function seedWorkspace(workspace: string): void {
  fs.writeFileSync(path.join(workspace, EXPLORER_FILE), 'dragged from the Explorer onto a desktop\n\u00e9\u00e8 \u2713\n');
  // Larger than the loopback socket buffers: while the slow server waits, it cannot have received
  // the whole body, so only a real abort keeps the file off the drive. (At 64 KiB the body was
  // sometimes fully buffered before Cancel, and the emulator then stored it: a flaky failure.)
  fs.writeFileSync(path.join(workspace, SLOW_FILE), Buffer.alloc(16 * 1024 * 1024, 'x'));
}

/** Bytes no text decoder would keep intact: every byte value, in a scrambled order. */
function binarySample(): number[] {
  return Array.from({ length: 4096 }, (_, i) => (i * 151 + 7) & 0xff);
}

export function transferChecks(s: Session): Check[] {
  const { page, emu } = s;
  return [
    {
      name: 'a file dropped from the OS on the desktop row uploads with the exact bytes, shows in the tree, and says so without a progress toast (it took under a second)',
      run: async () => {
        const name = 'dropped from the OS.bin';
        await clearNotifications(page);
        const toasts = await recordToasts(page);
        const bytes = binarySample();
        // In the page (no DOM types here): a DataTransfer holding one File, as the OS hands it over.
        const dt = await page.evaluateHandle(
          `(() => { const dt = new DataTransfer(); dt.items.add(new File([new Uint8Array(${JSON.stringify(bytes)})], ${JSON.stringify(name)}, { type: 'application/octet-stream' })); return dt; })()`,
        );
        await dropOn(desktopRow(s), dt);
        const stored = await poll(`"${name}" on the drive`, 20_000, () => emu.readFile(s.desktop, name));
        if (!stored.equals(Buffer.from(bytes))) throw new Error(`the drive holds ${stored.length} bytes that differ from the ${bytes.length} dropped`);
        await rowByLabel(page, name).waitFor({ timeout: 20_000 });
        // A transfer under a second gets its summary, and no progress toast flashing before it.
        await toast(page, new RegExp(`Uploaded '${name}'`)).waitFor({ timeout: 10_000 });
        const seen = await toasts();
        if (seen.some((t) => /Uploading/.test(t))) throw new Error(`a progress toast showed for a quick upload: ${JSON.stringify(seen)}`);
      },
    },
    {
      name: 'a file dragged from the Explorer onto the desktop row uploads and shows in the tree',
      run: async () => {
        await dragFromExplorerToDesktop(s, EXPLORER_FILE);
        const expected = fs.readFileSync(path.join(s.workspace, EXPLORER_FILE));
        const stored = await poll(`"${EXPLORER_FILE}" on the drive`, 20_000, () => emu.readFile(s.desktop, EXPLORER_FILE));
        if (!stored.equals(expected)) throw new Error(`the drive holds ${JSON.stringify(stored.toString('utf8'))}, expected ${JSON.stringify(expected.toString('utf8'))}`);
        await rowByLabel(page, EXPLORER_FILE).waitFor({ timeout: 20_000 });
      },
    },
    {
      name: 'Upload… on a slow server shows a progress notification whose Cancel stops the upload',
      run: async () => {
        await clearNotifications(page);
        const postsBefore = emu.requests.filter((r) => r.method === 'POST').length;
        emu.setLatency(LATENCY_MS);
        try {
          const row = desktopRow(s);
          await row.hover();
          await row.locator('.actions .action-label[aria-label^="Upload"]').first().click();
          // code-server's own open dialog: a quick input that takes a path.
          const input = page.locator('.quick-input-widget input.input');
          await input.waitFor({ timeout: 10_000 });
          // The dialog fills in the folder and lists it asynchronously: type the path after that.
          await page.locator('.quick-input-widget .monaco-list-row', { hasText: SLOW_FILE }).first().waitFor({ timeout: 10_000 });
          await input.fill(path.join(s.workspace, SLOW_FILE));
          await sleep(300);
          await page.keyboard.press('Enter');
          await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
          const progress = toast(page, new RegExp(`Uploading '${SLOW_FILE}'`));
          await progress.waitFor({ timeout: LATENCY_MS + 15_000 });
          // The bytes already handed to the connection, while the server holds its answer (not
          // the "0 B" of the first report: the last one before a stall must get through).
          await poll('the progress to show the bytes sent', 2_000, async () => !/: 0 B of 16 MB/.test((await progress.innerText())) || undefined).catch(async () => {
            throw new Error(`the notification still says "${((await progress.innerText({ timeout: 1_000 }).catch(() => 'nothing: it closed'))).replace(/\s+/g, ' ').trim()}" after the bytes went out`);
          });
          await sleep(500); // the toast slides in
          await shot(s, 'upload-progress.png');
          await toastButton(progress, 'Cancel').click();
          const cancelledAt = Date.now();
          await toast(page, /cancelled/).waitFor({ timeout: 10_000 });
          // Past the server's delay: a request that was not really aborted would have landed by now.
          await sleep(LATENCY_MS + 1_000);
          // How long the upload request had been waiting at the server when Cancel was clicked:
          // past LATENCY_MS the server had already stored it, and the check proves nothing.
          const post = emu.requests.find((r) => r.method === 'POST' && r.path.endsWith(`/files/${SLOW_FILE}`));
          const waited = post ? `${cancelledAt - post.at} ms` : 'never';
          if (emu.readFile(s.desktop, SLOW_FILE)) throw new Error(`"${SLOW_FILE}" reached the drive although the upload was cancelled (Cancel came ${waited} after the request reached the server, which waits ${LATENCY_MS} ms)`);
          if (emu.requests.filter((r) => r.method === 'POST').length <= postsBefore) throw new Error('no upload request was ever sent: the cancel proved nothing');
        } finally {
          emu.setLatency(0);
        }
      },
    },
  ];
}

/**
 * A drop onto a name the drive already has: the modal question (code-server draws it in the
 * page as `.monaco-dialog-box`) with its buttons, answered Keep Both, which uploads the dropped
 * bytes as `name (1).ext` and leaves the drive's file as it was.
 */
export function uploadConflictChecks(s: Session): Check[] {
  const { page, emu } = s;
  return [
    {
      name: 'a file dropped on a name the drive has asks Overwrite / Keep Both / Skip in a modal; Keep Both uploads it as "name (1).ext"',
      run: async () => {
        const name = 'quarterly figures.csv';
        const kept = 'quarterly figures (1).csv';
        const original = Buffer.from('quarter,total\nQ1,100\n');
        emu.putFile(s.desktop, name, original);
        if (emu.readFile(s.desktop, kept)) throw new Error(`"${kept}" is on the drive before the drop`);
        await clearNotifications(page);
        const row = desktopRow(s);
        if (!(await row.isVisible())) {
          await activityIcon(page, 'Nen Drive').click();
          await row.waitFor({ timeout: 20_000 });
        }
        const bytes = binarySample().reverse();
        const dt = await page.evaluateHandle(
          `(() => { const dt = new DataTransfer(); dt.items.add(new File([new Uint8Array(${JSON.stringify(bytes)})], ${JSON.stringify(name)}, { type: 'text/csv' })); return dt; })()`,
        );
        const postsBefore = emu.requests.filter((r) => r.method === 'POST').length;
        await dropOn(row, dt);

        const dialog = page.locator('.monaco-dialog-box').first();
        await dialog.waitFor({ timeout: 20_000 });
        const text = ((await dialog.textContent()) ?? '').replace(/\s+/g, ' ');
        if (!text.includes(`'${name}' already exists on`)) throw new Error(`the dialog says "${text}", expected "'${name}' already exists on …"`);
        if (!text.includes(`Keep Both uploads this one as '${kept}'`)) throw new Error(`the dialog's detail says "${text}", expected it to name '${kept}'`);
        const buttons = (await dialog.locator('.dialog-buttons .monaco-button').allTextContents()).map((b) => b.trim());
        const wanted = ['Overwrite', 'Keep Both', 'Skip'];
        if (wanted.some((b) => !buttons.includes(b)) || buttons.some((b) => / All$/.test(b))) throw new Error(`the dialog offers [${buttons.join(', ')}], expected ${wanted.join(', ')} and no "… All" for one file`);
        if (emu.requests.filter((r) => r.method === 'POST').length !== postsBefore) throw new Error('an upload was sent before the question was answered');
        await sleep(300); // the dialog fades in
        await shot(s, 'upload-conflict.png');

        await dialog.locator('.dialog-buttons .monaco-button', { hasText: /^\s*Keep Both\s*$/ }).first().click();
        await dialog.waitFor({ state: 'hidden', timeout: 10_000 });
        const stored = await poll(`"${kept}" on the drive`, 20_000, () => emu.readFile(s.desktop, kept));
        if (!stored.equals(Buffer.from(bytes))) throw new Error(`"${kept}" holds ${stored.length} bytes that differ from the ${bytes.length} dropped`);
        const left = emu.readFile(s.desktop, name);
        if (!left?.equals(original)) throw new Error(`Keep Both changed "${name}" on the drive: ${JSON.stringify(left?.toString('utf8'))}`);
        await toast(page, `Uploaded '${kept}'`).waitFor({ timeout: 10_000 });
      },
    },
  ];
}
