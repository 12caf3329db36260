/**
 * What the browser checks share: the session they run in, and small helpers that drive the
 * workbench the way a person does (rows, toasts, the command palette, drag and drop).
 */
import * as path from 'node:path';
import type { JSHandle, Locator, Page } from 'playwright-core';
import type { EmulatorHandle } from '../../tools/emulator/server';
import type { CodeServerHandle } from '../../tools/vscode-host/codeServerProcess';

export interface Check {
  name: string;
  run: () => Promise<void>;
}

/** One code-server, one page, one emulator: every check runs in it, in order. */
export interface Session {
  page: Page;
  emu: EmulatorHandle;
  server: CodeServerHandle;
  /** The folder the workbench opened (the Explorer shows its files). */
  workspace: string;
  desktop: string;
  apiKey: string;
  /** Names on the drive when the session started. */
  names: string[];
  /** Where screenshots go. */
  shots: string;
}

export async function poll<T>(what: string, timeoutMs: number, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export async function shot(s: Session, name: string, target?: Locator): Promise<void> {
  const file = path.join(s.shots, name);
  if (target) await target.screenshot({ path: file });
  else await s.page.screenshot({ path: file });
}

/** A row of the Nen Drive tree (in the side bar) by its label. */
export function rowByLabel(page: Page, label: string): Locator {
  return page.locator('.sidebar .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: label }) }).first();
}

export function desktopRow(s: Session): Locator {
  return s.page.locator('.sidebar .monaco-list-row', { hasText: s.desktop }).first();
}

/** A visible notification toast whose text matches. */
export function toast(page: Page, text: string | RegExp): Locator {
  return page.locator('.notification-toast', { hasText: text }).first();
}

/** The button of a toast (the primary actions are `.monaco-button`s in the toast's button bar). */
export function toastButton(t: Locator, label: string): Locator {
  return t.locator('.monaco-button', { hasText: new RegExp(`^\\s*${label}\\s*$`) }).first();
}

/** An activity bar entry by the start of its aria-label ("Nen Drive", "Explorer"). */
export function activityIcon(page: Page, label: string): Locator {
  return page.locator('.activitybar .action-item').filter({ has: page.locator(`[aria-label^="${label}"]`) }).first();
}

/** Runs a command from the command palette (F1) by its title, as a person would. */
export async function runCommand(page: Page, title: string): Promise<void> {
  const input = page.locator('.quick-input-widget input.input');
  const entry = page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first();
  // The palette closes when it loses the focus; the workbench settling after the previous step
  // once took it as the palette opened (the input went hidden before it could be typed in, CI
  // at 337fa0c). Open it again then, up to three times; the command itself is chosen once.
  for (let attempt = 1; ; attempt++) {
    try {
      await page.keyboard.press('F1');
      await input.waitFor({ timeout: 10_000 });
      await input.fill(`>${title}`, { timeout: 5_000 });
      await entry.waitFor({ timeout: 10_000 });
      break;
    } catch (err) {
      if (attempt >= 3) throw err;
      await sleep(500);
    }
  }
  await entry.click();
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => undefined);
}

/**
 * Starts recording what the workbench hands screen readers: VS Code writes each announcement
 * into its live regions (`.monaco-aria-container`: `.monaco-alert` role=alert for errors,
 * `.monaco-status` aria-live=polite for the rest). Returns a reader of everything written since,
 * as "alert: …" / "status: …" lines.
 */
export async function recordAnnouncements(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(() => {
    const w = globalThis as unknown as { __nenAnnounced?: string[]; document: { body: unknown } };
    w.__nenAnnounced = [];
    const Observer = (globalThis as unknown as { MutationObserver: new (cb: (records: { target: unknown }[]) => void) => { observe(n: unknown, o: object): void } }).MutationObserver;
    new Observer((records) => {
      for (const r of records) {
        const el = (r.target as { nodeType: number; parentElement: unknown }).nodeType === 3 ? (r.target as { parentElement: unknown }).parentElement : r.target;
        const region = (el as { closest(q: string): { className: string } | null } | null)?.closest('.monaco-alert, .monaco-status');
        const text = ((el as { textContent: string | null } | null)?.textContent ?? '').trim();
        if (region && text) w.__nenAnnounced!.push(`${region.className.includes('alert') ? 'alert' : 'status'}: ${text}`);
      }
    }).observe(w.document.body, { subtree: true, childList: true, characterData: true });
  });
  return async () => page.evaluate(() => (globalThis as unknown as { __nenAnnounced?: string[] }).__nenAnnounced ?? []);
}

/**
 * Starts recording the text of every notification toast that shows from now on, however
 * briefly; the returned function reads what was seen.
 */
export async function recordToasts(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(() => {
    const w = globalThis as unknown as { __nenToasts?: string[]; document: { body: unknown; querySelectorAll(q: string): ArrayLike<{ innerText: string }> } };
    w.__nenToasts = [];
    const Observer = (globalThis as unknown as { MutationObserver: new (cb: () => void) => { observe(n: unknown, o: object): void } }).MutationObserver;
    new Observer(() => {
      for (const t of Array.from(w.document.querySelectorAll('.notification-toast'))) {
        // innerText: what is drawn (a toast also holds a <style> for its list).
        const text = t.innerText.replace(/\s+/g, ' ').trim();
        if (text && !w.__nenToasts!.includes(text)) w.__nenToasts!.push(text);
      }
    }).observe(w.document.body, { subtree: true, childList: true, characterData: true });
  });
  return async () => page.evaluate(() => (globalThis as unknown as { __nenToasts?: string[] }).__nenToasts ?? []);
}

/** Dismisses every notification, so the next check finds only its own. */
export async function clearNotifications(page: Page): Promise<void> {
  await runCommand(page, 'Notifications: Clear All Notifications');
  await page.locator('.notification-toast').first().waitFor({ state: 'detached', timeout: 5_000 }).catch(() => undefined);
}

/**
 * Drops `dataTransfer` on `target` the way the browser does at the end of a drag: dragenter,
 * dragover, drop (real-vscode.md, "Drag and drop in the workbench").
 */
export async function dropOn(target: Locator, dataTransfer: JSHandle): Promise<void> {
  for (const type of ['dragenter', 'dragover', 'drop']) {
    await target.dispatchEvent(type, { dataTransfer });
    await sleep(50);
  }
}

/**
 * Drags the Explorer row labelled `label` onto the desktop row of the Nen Drive view, as a
 * person does: drag start in the Explorer, the Nen Drive icon switches the side bar, drop on the
 * row, and the drag ends at its source (whose row may be gone from the DOM by then).
 */
export async function dragFromExplorerToDesktop(s: Session, label: string): Promise<void> {
  await activityIcon(s.page, 'Explorer').click();
  const source = s.page.locator('.explorer-folders-view .monaco-list-row', { hasText: label }).first();
  await source.waitFor({ timeout: 20_000 });
  const dt = await s.page.evaluateHandle('new DataTransfer()');
  await source.dispatchEvent('dragstart', { dataTransfer: dt });
  await activityIcon(s.page, 'Nen Drive').click();
  await desktopRow(s).waitFor({ timeout: 10_000 });
  await dropOn(desktopRow(s), dt);
  await source.dispatchEvent('dragend', { dataTransfer: dt }, { timeout: 2_000 }).catch(() => undefined);
}

/**
 * Right-clicks `row` and picks `item` from the context menu (VS Code draws it in the page, in a
 * shadow root that Playwright's CSS locators reach).
 */
export async function contextMenu(page: Page, row: Locator, item: string): Promise<void> {
  await row.click({ button: 'right' });
  const entry = page.locator('.monaco-menu .action-item .action-label', { hasText: new RegExp(`^\\s*${item.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`) }).first();
  await entry.waitFor({ timeout: 10_000 });
  // The menu acts on the focused item: hovering focuses it, Enter runs it (a click straight
  // after opening is sometimes taken as the end of the right-click and ignored).
  await entry.hover();
  await sleep(100);
  await page.keyboard.press('Enter');
  await entry.waitFor({ state: 'detached', timeout: 5_000 });
}

/**
 * Types `value` into a quick input box and presses Enter on the box itself, as a person does.
 * On a loaded machine an Enter right after the fill has been lost twice (CI, 2026-12-05: the box
 * stayed open holding the value, and every later step waited on it), so when the same box still
 * holds `value` after 3 s, Enter is pressed once more. A box that closed, or a next box with
 * other text, gets no second Enter.
 */
export async function submitInput(input: Locator, value: string): Promise<void> {
  await input.fill(value);
  await input.press('Enter');
  const stillWaiting = async (): Promise<boolean> => (await input.isVisible()) && (await input.inputValue({ timeout: 1_000 }).catch(() => '')) === value;
  const until = Date.now() + 3_000;
  while (Date.now() < until) {
    if (!(await stillWaiting())) return;
    await sleep(150);
  }
  if (await stillWaiting()) await input.press('Enter', { timeout: 2_000 }).catch(() => undefined);
}
