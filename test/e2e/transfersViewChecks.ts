/**
 * The transfers view as a person sees it: while files upload, the status bar item says how many
 * and the overall percent; a click lists each transfer (name, direction, desktop, bytes, speed,
 * state) with a Cancel button per row and Cancel All; a batch in which one file fails ends with
 * one summary whose Retry Failed sends that file again.
 */
import { recordAnnouncements, activityIcon, clearNotifications, desktopRow, dropOn, poll, runCommand, shot, sleep, toast, toastButton, type Check, type Session } from './workbench';

const MiB = 1024 * 1024;

/** Drops OS files of the given sizes (bytes made in the page) on the desktop row. */
async function dropFiles(s: Session, files: { name: string; size: number }[]): Promise<void> {
  const row = desktopRow(s);
  if (!(await row.isVisible())) {
    await activityIcon(s.page, 'Nen Drive').click();
    await row.waitFor({ timeout: 20_000 });
  }
  const dt = await s.page.evaluateHandle(
    `(() => { const dt = new DataTransfer(); for (const f of ${JSON.stringify(files)}) dt.items.add(new File([new Uint8Array(f.size).fill(120)], f.name, { type: 'application/octet-stream' })); return dt; })()`,
  );
  await dropOn(row, dt);
}

export function transfersViewChecks(s: Session): Check[] {
  const { page, emu } = s;
  const statusItem = page.locator('.statusbar-item', { hasText: /\d+ transfers?/ }).first();
  const list = page.locator('.quick-input-widget');
  const listRow = (name: string) => list.locator('.monaco-list-row', { hasText: name }).first();
  const rowText = async (name: string): Promise<string> => ((await listRow(name).textContent()) ?? '').replace(/\s+/g, ' ');
  return [
    {
      name: 'while uploads run the status bar shows how many and the percent; its list shows each with Cancel, and Cancel All stops the rest',
      run: async () => {
        await clearNotifications(page);
        // Editors the earlier checks opened would fill the screenshots.
        await runCommand(page, 'View: Close All Editors');
        const [small, stuckA, stuckB] = ['meeting notes.txt', 'dataset-2024.bin', 'dataset-2025.bin'];
        // The two datasets get no answer: they stay running until cancelled.
        for (const n of [stuckA, stuckB]) emu.injectFault({ type: 'hang' }, { method: 'POST', path: `/files/${n}` });
        try {
          await dropFiles(s, [
            { name: small, size: 20 * 1024 },
            { name: stuckA, size: 8 * MiB },
            { name: stuckB, size: 8 * MiB },
          ]);
          await poll(`"${small}" on the drive`, 20_000, () => emu.readFile(s.desktop, small));
          await statusItem.waitFor({ timeout: 20_000 });
          // The file is on the drive a moment before its answer reaches the extension, and the
          // status bar hears ends with the progress (at most every 200 ms): wait for the count.
          let text = '';
          await poll('the status bar to count the two running uploads', 10_000, async () => {
            text = ((await statusItem.textContent()) ?? '').trim();
            return /^2 transfers · \d+%$/.test(text) ? true : undefined;
          }).catch(() => {
            throw new Error(`the status bar says "${text}", expected "2 transfers · N%"`);
          });
          const label = (await statusItem.locator('[aria-label]').first().getAttribute('aria-label')) ?? '';
          if (!/^Nen Drive: 2 transfers, 2 running, \d+ percent done/.test(label)) throw new Error(`a screen reader hears "${label}"`);
          await sleep(500);
          await shot(s, 'transfers-status.png');

          await statusItem.click();
          await list.waitFor({ timeout: 10_000 });
          await listRow(stuckA).waitFor({ timeout: 10_000 });
          const running = await rowText(stuckA);
          if (!/upload · [^ ]+ *[\d.]+ [KM]?B of 8 MB · [\d.]+ [KM]?B\/s · running/.test(running)) throw new Error(`the row of ${stuckA} says "${running}"`);
          const done = await rowText(small);
          if (!/20 KB · done/.test(done)) throw new Error(`the row of ${small} says "${done}"`);
          if (!(await listRow('Cancel All').isVisible())) throw new Error('no Cancel All row');
          const first = ((await list.locator('.monaco-list-row').first().textContent()) ?? '').trim();
          if (first.includes('Cancel All')) throw new Error('Cancel All is the first row: Enter on the opened list would cancel everything');
          // The × on one row cancels that one (shown on the hovered row); the other keeps running.
          await listRow(stuckA).hover();
          await sleep(300);
          await shot(s, 'transfers-list.png');
          await listRow(stuckA).locator('.action-label[aria-label="Cancel"]').click();
          await poll(`"${stuckA}" cancelled in the list`, 10_000, async () => ((await rowText(stuckA)).includes('cancelled') ? true : undefined));
          if (!(await rowText(stuckB)).includes('running')) throw new Error(`${stuckB} stopped too: "${await rowText(stuckB)}"`);

          await listRow('Cancel All').click();
          await poll(`"${stuckB}" cancelled in the list`, 10_000, async () => ((await rowText(stuckB)).includes('cancelled') ? true : undefined));
          await page.keyboard.press('Escape');
          await statusItem.waitFor({ state: 'hidden', timeout: 10_000 });
          for (const n of [stuckA, stuckB]) if (emu.readFile(s.desktop, n)) throw new Error(`"${n}" reached the drive although it was cancelled`);
          await toast(page, new RegExp(`Uploaded '${small}' to .*\\(2 files skipped\\)`)).waitFor({ timeout: 10_000 });
        } finally {
          emu.reset();
        }
      },
    },
    {
      name: 'a batch in which one upload fails ends with one summary naming it and why, read out to screen readers; Retry Failed sends it again',
      run: async () => {
        await clearNotifications(page);
        const names = ['invoice-1.pdf', 'invoice-2.pdf', 'invoice-3.pdf'];
        emu.injectFault({ type: 'status', status: 500, body: '{"error":"desktop disk full"}' }, { method: 'POST', path: `/files/${names[1]}` });
        // Slow enough for the batch's progress notification, which waits a second before showing.
        emu.setLatency(1_500);
        try {
          const announced = await recordAnnouncements(page);
          await dropFiles(s, names.map((name) => ({ name, size: 4096 })));
          const summary = toast(page, /Retry Failed/);
          await summary.waitFor({ timeout: 20_000 });
          const text = ((await summary.textContent()) ?? '').replace(/\s+/g, ' ');
          if (!new RegExp(`Uploaded 2 files to [^;]+; '${names[1]}' failed: .*desktop disk full \\(HTTP 500\\)\\.`).test(text)) throw new Error(`the summary says "${text}"`);
          // A screen reader hears the progress start and the summary with its failure, not only sees them.
          const heard = await poll('the summary to be announced', 10_000, async () => {
            const lines = await announced();
            return lines.some((l) => l.includes(`'${names[1]}' failed`)) ? lines : undefined;
          }).catch(async () => {
            throw new Error(`the summary was not announced; announcements: ${JSON.stringify(await announced())}`);
          });
          // From its first words with its bytes: what was reported before the notification showed
          // (it waits a second) is handed on to it.
          const progressHeard = heard.find((l) => /Uploading 3 files/.test(l));
          if (!progressHeard) throw new Error(`the upload's progress was not announced; announcements: ${JSON.stringify(heard)}`);
          if (!/ of 12 KB/.test(progressHeard)) throw new Error(`the upload's progress was first announced without its bytes: "${progressHeard}"`);
          console.log(`         announced: ${heard.map((l) => l.slice(0, 90)).join(' | ')}`);
          if (emu.readFile(s.desktop, names[1])) throw new Error(`${names[1]} is on the drive before the retry`);
          // The batch's progress notification closes once it ends: only the summary remains.
          await toast(page, /Uploading 3 files/).waitFor({ state: 'hidden', timeout: 10_000 });
          await sleep(300);
          await shot(s, 'transfers-summary.png');
          await toastButton(summary, 'Retry Failed').click();
          await poll(`"${names[1]}" on the drive after Retry Failed`, 20_000, () => emu.readFile(s.desktop, names[1]));
          const posts = names.map((n) => emu.requests.filter((r) => r.method === 'POST' && r.path.endsWith(`/files/${n}`)).length);
          if (posts.join() !== '1,2,1') throw new Error(`uploads per file ${posts.join()}, expected 1,2,1 (only the failed one again)`);
        } finally {
          emu.reset();
        }
      },
    },
  ];
}
