/**
 * The live drive as a person sees it: the desktop writes files (here the emulator writes them
 * straight into its data folder, server side, never through the extension) and the workbench
 * follows without a click. A new file's row appears in the tree marked "N" (the desktop row
 * wears the propagated dot), an open log file grows in its editor, a file that grows shows its
 * new size in its row, a row's age moves on by itself, a removed file's row goes;
 * and after Open Drive as Workspace Folder, the Explorer's nendrive: folder follows too.
 */
import * as path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { activityIcon, desktopRow, poll, rowByLabel, runCommand, shot, sleep, type Check, type Session } from './workbench';
import { driveRootRow, explorerRow, openDriveAsWorkspaceFolder } from './workspaceChecks';

/**
 * The settings give live refresh a 2 s interval; an idle folder slows to 6x that (12 s), and a
 * listing on a 2-core machine busy with code-server and Chromium can take a few seconds more.
 */
const LIVE_TIMEOUT_MS = 30_000;

/** How long a reloaded window has been up before the Explorer check writes its file. */
const SETTLE_MS = 20_000;

/** `nenDrive.newFileForeground` in a dark theme (#73C991; the session runs Default Dark Modern). */
const NEW_COLOR = 'rgb(115, 201, 145)';

/** `nenDrive.changedFileForeground` in a dark theme (#E2C08D). */
const CHANGED_COLOR = 'rgb(226, 192, 141)';

/** A few bytes of PNG: the signature and an IHDR chunk, as the desktop's screenshot tool starts one. */
const PNG_BYTES = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');

/** What the workbench draws for a row's file decoration, read from the DOM (file decorations are CSS). */
interface RowDecoration {
  /** The badge letter (the `::after` content of the label's `monaco-decoration-itemBadge-*` class), or "" if none. */
  badge: string;
  /** The dot of a folder holding decorated files (a codicon in `monaco-decoration-bubbleBadge-*::after`), or "". */
  bubble: string;
  /** The colour of the badge or the dot. */
  badgeColor: string;
  /** The colour of the row's name when `monaco-decoration-itemColor-*` sets one, or "". */
  nameColor: string;
  classes: string;
}

/**
 * Reads the file decoration `row` shows, straight from the DOM. VS Code's ResourceLabel puts
 * the decoration's classes on the row's `.monaco-icon-label`: `monaco-decoration-itemColor-<hash>`
 * colours the name, `monaco-decoration-itemBadge-<hash>` draws the letter as the label's
 * `::after` content, and a folder holding decorated files gets `monaco-decoration-bubbleBadge-<hash>`,
 * whose `::after` is a codicon dot. Undefined when the row is not in the DOM.
 */
export async function rowDecoration(row: Locator): Promise<RowDecoration | undefined> {
  if ((await row.count()) === 0) return undefined;
  // Runs in the page; this project compiles without DOM types, hence the small local ones.
  type El = { className: string };
  type Win = { getComputedStyle(el: El, pseudo?: string): { content: string; color: string } };
  return row.evaluate((el) => {
    const root = el as unknown as { querySelector(selector: string): El | null };
    const win = globalThis as unknown as Win;
    const label = root.querySelector('.monaco-icon-label');
    const name = root.querySelector('.label-name');
    if (!label) return undefined;
    const classes = label.className;
    const after = win.getComputedStyle(label, '::after');
    const content = after.content && after.content !== 'none' && after.content !== 'normal' ? after.content.replace(/^"|"$/g, '') : '';
    return {
      badge: /monaco-decoration-itemBadge-/.test(classes) ? content : '',
      bubble: /monaco-decoration-bubbleBadge-/.test(classes) ? content : '',
      badgeColor: content ? after.color : '',
      nameColor: /monaco-decoration-itemColor-/.test(classes) && name ? win.getComputedStyle(name).color : '',
      classes,
    };
  });
}

/** Polls `row`'s decoration until `ok`; a timeout says what the row showed last. */
async function waitForDecoration(row: Locator, what: string, ok: (d: RowDecoration) => boolean, timeoutMs = 10_000): Promise<RowDecoration> {
  let last: RowDecoration | undefined;
  try {
    return await poll(what, timeoutMs, async () => {
      last = await rowDecoration(row);
      return last && ok(last) ? last : undefined;
    });
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}; the row showed ${JSON.stringify(last ?? 'nothing (not in the DOM)')}`);
  }
}

/** A tree row's description: "20 KB · just now". */
async function rowDescription(row: Locator): Promise<string> {
  return ((await row.locator('.label-description').textContent()) ?? '').trim();
}

/** Polls `row`'s description until `ok`; a timeout says what the row read last. */
async function waitForDescription(row: Locator, what: string, ok: (description: string) => boolean, timeoutMs: number): Promise<string> {
  let last = '';
  try {
    return await poll(what, timeoutMs, async () => (ok((last = await rowDescription(row))) ? last : undefined));
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}; it read "${last}"`);
  }
}

/** Monaco renders spaces as non-breaking spaces. */
async function editorText(page: Page): Promise<string> {
  return ((await page.locator('.editor-instance .view-lines').first().textContent()) ?? '').replace(/\u00a0/g, ' ');
}

async function isDirty(tab: Locator): Promise<boolean> {
  return ((await tab.getAttribute('class')) ?? '').split(/\s+/).includes('dirty');
}

/** The Nen Drive view shown with the desktop row expanded (what makes the desktop's root live). */
async function showExpandedDesktop(s: Session): Promise<Locator> {
  const { page } = s;
  const row = desktopRow(s);
  if (!(await row.isVisible())) {
    await activityIcon(page, 'Nen Drive').click();
    await row.waitFor({ timeout: 20_000 });
  }
  if ((await row.getAttribute('aria-expanded')) !== 'true') await row.click();
  await poll('the desktop row to be expanded', 10_000, async () => ((await row.getAttribute('aria-expanded')) === 'true' ? true : undefined));
  await rowByLabel(page, s.names[0]).waitFor({ timeout: 20_000 });
  return row;
}

export function liveChecks(s: Session): Check[] {
  const { page, emu } = s;
  const newFile = 'screenshot-live.png';
  const logFile = 'agent.log';
  const growFile = 'agent-steps.csv';
  const ageFile = 'agent-heartbeat.txt';
  const logLines = (n: number) => Array.from({ length: n }, (_, i) => `[agent] step ${i + 1}: ${i % 2 ? 'clicked Submit' : 'filled the invoice form'}`).join('\n') + '\n';

  return [
    {
      name: 'live drive: a file the desktop writes appears in the tree by itself, marked N',
      run: async () => {
        const desktop = await showExpandedDesktop(s);
        if ((await rowByLabel(page, newFile).count()) > 0) throw new Error(`"${newFile}" is listed before the desktop wrote it`);
        // Focus the (empty) editor area, off the tree: nothing a person does there refreshes the
        // tree, and the desktop row, selected by the click that expanded it, shows the dot in
        // its own colour rather than the focused selection's white.
        await page.mouse.click(900, 600);
        const wroteAt = Date.now();
        emu.putFile(s.desktop, newFile, PNG_BYTES);
        const row = rowByLabel(page, newFile);
        await poll(`a "${newFile}" row to appear without a click`, LIVE_TIMEOUT_MS, async () => ((await row.count()) > 0 ? true : undefined));
        const appearedMs = Date.now() - wroteAt;
        // The badge follows the row within the same listing; give the decoration a moment.
        const deco = await waitForDecoration(row, `the "${newFile}" row to show the N badge`, (d) => d.badge === 'N');
        if (deco.nameColor !== NEW_COLOR || deco.badgeColor !== NEW_COLOR) throw new Error(`"${newFile}" shows N, but its name is ${deco.nameColor || 'not coloured'} and its badge ${deco.badgeColor}, expected nenDrive.newFileForeground ${NEW_COLOR} (classes "${deco.classes}")`);
        const desktopDeco = await waitForDecoration(desktop, 'the desktop row to show the propagated dot', (d) => d.bubble !== '');
        // The dot takes the colour of one of the marked files below: the new file's, or the
        // changed-file colour when earlier checks left an "M" in the folder too.
        if (desktopDeco.badgeColor !== NEW_COLOR && desktopDeco.badgeColor !== CHANGED_COLOR) {
          throw new Error(`the desktop row's dot is ${desktopDeco.badgeColor}, expected nenDrive.newFileForeground ${NEW_COLOR} (or nenDrive.changedFileForeground ${CHANGED_COLOR})`);
        }
        if ((await desktop.getAttribute('aria-expanded')) !== 'true') throw new Error('the desktop row collapsed while the tree repainted');
        console.log(`         note: the row appeared ${appearedMs} ms after the write`);
        // (Hovering the row shows the item's own tooltip, size, modified and type: a tree item's
        // tooltip wins over its decoration's, so "New on the drive…" is checked in the Explorer.)
        await sleep(300);
        // For the README: the top of the side bar, down a little past the last row.
        const bar = await page.locator('.sidebar').boundingBox();
        const last = await row.boundingBox();
        if (!bar || !last) throw new Error('the side bar or the new row has no box');
        await page.screenshot({ path: path.join(s.shots, 'live-tree.png'), clip: { x: bar.x, y: bar.y, width: bar.width, height: Math.min(bar.height, last.y + last.height + 40 - bar.y) } });
      },
    },
    {
      name: 'live drive: an open log file grows on screen, and its tab stays clean',
      run: async () => {
        await showExpandedDesktop(s);
        emu.putFile(s.desktop, logFile, logLines(3));
        const row = rowByLabel(page, logFile);
        await row.waitFor({ timeout: LIVE_TIMEOUT_MS });
        await waitForDecoration(row, `the new "${logFile}" row to show N`, (d) => d.badge === 'N');
        await row.click();
        const tab = page.locator('.tabs-container .tab.active', { hasText: logFile }).first();
        await tab.waitFor({ timeout: 20_000 });
        await poll('the editor to show the third line', 20_000, async () => ((await editorText(page)).includes('step 3:') ? true : undefined));
        // Opening the file cleared its mark.
        await waitForDecoration(row, `the "${logFile}" row to lose its N once opened`, (d) => d.badge === '');
        await page.mouse.move(900, 400);
        for (const n of [5, 8]) {
          emu.putFile(s.desktop, logFile, logLines(n));
          const line = `step ${n}:`;
          await poll(`the editor to show "${line}" without a click`, LIVE_TIMEOUT_MS, async () => ((await editorText(page)).includes(line) ? true : undefined));
          if (await isDirty(tab)) throw new Error(`the "${logFile}" tab is dirty after the drive changed under it`);
        }
        await shot(s, 'live-editor.png');
      },
    },
    {
      name: 'live drive: a file the desktop keeps writing shows its new size in its row, without a click',
      run: async () => {
        const desktop = await showExpandedDesktop(s);
        // Exactly `n` bytes of a CSV the agent appends to: the row's size text is then known.
        const csv = (n: number): Buffer => Buffer.from('step,field,value,result\n'.repeat(Math.ceil(n / 24) + 1).slice(0, n));
        emu.putFile(s.desktop, growFile, csv(61));
        const row = rowByLabel(page, growFile);
        await row.waitFor({ timeout: LIVE_TIMEOUT_MS });
        await page.mouse.move(900, 400);
        await waitForDescription(row, `the new "${growFile}" row to read 61 B`, (d) => d.startsWith('61 B'), 10_000);
        for (const [bytes, size] of [
          [1536, '1.5 KB'],
          [20480, '20 KB'],
        ] as const) {
          emu.putFile(s.desktop, growFile, csv(bytes));
          await waitForDescription(row, `the "${growFile}" row to read ${size} without a click`, (d) => d.startsWith(`${size} ·`), LIVE_TIMEOUT_MS);
          // Still marked (a file the desktop wrote and nobody opened yet), in the tree as it was.
          await waitForDecoration(row, `the "${growFile}" row to keep its mark`, (d) => d.badge === 'N' || d.badge === 'M');
          if ((await desktop.getAttribute('aria-expanded')) !== 'true') throw new Error('the desktop row collapsed while the row changed');
          for (const name of s.names) if ((await rowByLabel(page, name).count()) === 0) throw new Error(`"${name}" went while "${growFile}" grew`);
        }
        await sleep(300);
        const bar = await page.locator('.sidebar').boundingBox();
        const last = await row.boundingBox();
        if (!bar || !last) throw new Error('the side bar or the row has no box');
        await page.screenshot({ path: path.join(s.shots, 'live-grows.png'), clip: { x: bar.x, y: bar.y, width: bar.width, height: Math.min(bar.height, last.y + last.height + 40 - bar.y) } });
      },
    },
    {
      name: 'live drive: a row\'s age moves on by itself ("just now" becomes "1m ago") with nothing changing on the drive',
      run: async () => {
        await showExpandedDesktop(s);
        // Written 40 s ago: "just now" for 20 s more, then "1m ago" by the tree's next age tick (every 30 s).
        emu.putFile(s.desktop, ageFile, 'alive\n', { mtime: Math.floor(Date.now() / 1000) - 40 });
        try {
          const row = rowByLabel(page, ageFile);
          await row.waitFor({ timeout: LIVE_TIMEOUT_MS });
          await page.mouse.move(900, 400);
          const age = (description: string): string => description.split(' · ')[1]?.trim() ?? '';
          const first = await rowDescription(row);
          if (age(first) !== 'just now') throw new Error(`the new "${ageFile}" row reads "${first}", expected its age "just now"`);
          await waitForDescription(row, `the "${ageFile}" row to read "1m ago" without a click`, (d) => age(d) === '1m ago', 60_000);
        } finally {
          // Leave the drive's root as the later checks expect it: one more file there pushed a
          // sample file out of the Explorer's rendered rows in "Open Drive as Workspace Folder".
          emu.removeFile(s.desktop, ageFile);
        }
      },
    },
    {
      name: 'live drive: a file removed from the drive loses its row in the tree without a click',
      run: async () => {
        await showExpandedDesktop(s);
        const row = rowByLabel(page, newFile);
        await row.waitFor({ timeout: 10_000 });
        await page.mouse.move(900, 400);
        if (!emu.removeFile(s.desktop, newFile)) throw new Error(`could not remove "${newFile}" from the emulator's data folder`);
        await poll(`the "${newFile}" row to go`, LIVE_TIMEOUT_MS, async () => ((await row.count()) === 0 ? true : undefined));
        // The other rows stay.
        for (const name of s.names) if ((await rowByLabel(page, name).count()) === 0) throw new Error(`"${name}" went too`);
        await shot(s, 'live-removed.png', page.locator('.sidebar'));
      },
    },
  ];
}

/**
 * After Open Drive as Workspace Folder (which reloads the window, so this runs after it): the
 * Explorer's nendrive: root follows the drive like the tree does.
 */
export function liveExplorerChecks(s: Session): Check[] {
  const { page, emu } = s;
  const newFile = 'agent-report.md';
  return [
    {
      name: "live drive: the Explorer's nendrive: folder shows a file the desktop writes by itself, marked N",
      run: async () => {
        if (/[?&]workspace=/.test(page.url())) {
          // Open Drive as Workspace Folder ran just before (the usual order): its root is there.
          await runCommand(page, 'View: Show Explorer');
          const root = driveRootRow(s);
          await root.waitFor({ timeout: 20_000 });
          if ((await root.getAttribute('aria-expanded')) !== 'true') await root.click();
        } else {
          // Run on its own (--only live): add the folder first, from the Nen Drive view.
          await showExpandedDesktop(s);
          await openDriveAsWorkspaceFolder(s);
        }
        // A freshly loaded window reads the folder again by itself a few seconds in (VS Code's
        // start-up work: seen ~5 s after the Explorer first showed the root), which would show
        // a new file even with live refresh off. Write it only once that is past, so only
        // live refresh can be what shows it (with nenDrive.liveRefreshSeconds 0 this check fails).
        const upMs = (await page.evaluate('performance.now()')) as number;
        if (upMs < SETTLE_MS) await sleep(SETTLE_MS - upMs);
        const row = (label: string) => explorerRow(s, label);
        await row(s.names[0]).waitFor({ timeout: 20_000 });
        if ((await row(newFile).count()) > 0) throw new Error(`"${newFile}" is listed before the desktop wrote it`);
        await page.mouse.move(900, 400);
        const wroteAt = Date.now();
        emu.putFile(s.desktop, newFile, '# Agent report\n\nInvoices filed: 12\n');
        await poll(`an Explorer row "${newFile}" to appear without a click`, LIVE_TIMEOUT_MS, async () => ((await row(newFile).count()) > 0 ? true : undefined));
        console.log(`         note: the Explorer row appeared ${Date.now() - wroteAt} ms after the write`);
        const deco = await waitForDecoration(row(newFile), `the Explorer's "${newFile}" row to show the N badge`, (d) => d.badge === 'N');
        if (deco.nameColor !== NEW_COLOR) throw new Error(`"${newFile}" shows N, but its name is ${deco.nameColor || 'not coloured'}, expected nenDrive.newFileForeground ${NEW_COLOR} (classes "${deco.classes}")`);
        // The Explorer's hover shows the decoration's tooltip.
        await row(newFile).hover();
        await page.locator('.monaco-hover, .workbench-hover', { hasText: 'New on the drive since you last looked' }).first().waitFor({ timeout: 10_000 });
        await sleep(300);
        await shot(s, 'live-explorer.png');
      },
    },
  ];
}
