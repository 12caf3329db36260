/**
 * What the locale checks expect and what they read off the screen: the manifest's texts in a
 * language (package.json's `%key%` through package.nls.<locale>.json), a message of the l10n
 * bundle in a language, and the visible texts of the workbench's parts (a part's text, a row's
 * description, tooltip and aria-label, a menu's items, a toast, a modal, the palette's rows).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { REPO_ROOT } from '../../tools/vscode-host/codeServerProcess';
import { englishLeft, type Seen } from './untransformed';
import { poll, sleep } from './workbench';

export interface Manifest {
  contributes: {
    commands: { command: string; title: string; category?: string }[];
    submenus: { id: string; label: string }[];
    menus: Record<string, { command?: string; when?: string }[]>;
    viewsContainers: { activitybar: { title: string }[] };
    views: Record<string, { id: string; name: string }[]>;
    viewsWelcome: { view: string; when?: string; contents: string }[];
    configuration: { title: string; properties: Record<string, unknown> };
    walkthroughs: { title: string; description: string; steps: { title: string; description: string; media?: { markdown?: string } }[] }[];
  };
}

export function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(path.join(REPO_ROOT, file), 'utf8')) as T;
}

export const manifest = (): Manifest => readJson<Manifest>('package.json');

/**
 * A manifest text as VS Code shows it in `locale`: `%key%` through package.nls.<locale>.json,
 * falling back to package.nls.json; anything else as written. `missing` collects what the
 * locale's file lacks (a `%key%` with no translation there, or a text not through a key at all).
 */
export function manifestText(raw: string, locale: string, missing?: string[]): string {
  const key = /^%(.+)%$/.exec(raw)?.[1];
  if (!key) {
    missing?.push(`${JSON.stringify(raw)} is written in package.json, not a %key% of package.nls.json`);
    return raw;
  }
  const local = readJson<Record<string, string | { message: string }>>(`package.nls.${locale}.json`)[key];
  const text = local ?? readJson<Record<string, string | { message: string }>>('package.nls.json')[key];
  if (local === undefined) missing?.push(`package.nls.${locale}.json has no "${key}"`);
  return typeof text === 'string' ? text : (text?.message ?? raw);
}

/**
 * The message of the l10n bundle in `locale` whose English is `english` (the key itself, or the
 * key with a translator comment after "/"); undefined when the bundle has none.
 */
export function bundleText(english: string, locale: string): string | undefined {
  const bundle = readJson<Record<string, string | { message: string }>>(`l10n/bundle.l10n.${locale}.json`);
  const key = Object.keys(bundle).find((k) => k === english || k.startsWith(`${english}/`));
  const value = key === undefined ? undefined : bundle[key];
  return typeof value === 'string' ? value : value?.message;
}

/** "[Set API Key](command:…)" links of a welcome or walkthrough text, as the buttons VS Code draws. */
export function linkLabels(markdown: string): string[] {
  return [...markdown.matchAll(/\[([^\]]+)\]\((?:command|https?):[^)]*\)/g)].map((m) => m[1]);
}

/** The text of each element `locator` matches (textContent: what is there, not its CSS case). */
export async function texts(locator: Locator): Promise<string[]> {
  return (await locator.allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim()).filter(Boolean);
}

/** An attribute of each element `locator` matches. */
export async function attributes(locator: Locator, name: string): Promise<string[]> {
  const values = await locator.evaluateAll((els, n) => els.map((el) => (el as unknown as { getAttribute(a: string): string | null }).getAttribute(n) ?? ''), name);
  return values.filter(Boolean);
}

/** Labels VS Code gives its own actions in a view's title bar (English under the stand-in language pack). */
export const VSCODE_OWN_ACTIONS = /^(More Actions\.\.\.|Views and More Actions\.\.\.|Collapse All)$/;

/** `where` for each text, as englishLeft() reports it. */
export function seen(where: string, found: string[]): Seen[] {
  return found.map((text) => ({ where, text }));
}

/** Fails listing every English piece of `all`, or when a part showed nothing at all. */
export function assertTransformed(all: Seen[], data: readonly string[], expectParts: string[] = []): void {
  const problems = expectParts.filter((part) => !all.some((s) => s.where.startsWith(part))).map((part) => `${part}: nothing found on screen to check`);
  problems.push(...englishLeft(all, data));
  if (problems.length) throw new Error(`${problems.length} untransformed (English) on screen:\n${problems.join('\n')}`);
}

/** A tree row's description, aria-label and tooltip (the hover VS Code shows over it). */
export async function rowTexts(page: Page, row: Locator, name: string): Promise<Seen[]> {
  const out: Seen[] = [];
  out.push(...seen(`row "${name}" description`, await texts(row.locator('.label-description'))));
  out.push(...seen(`row "${name}" aria-label`, await attributes(row, 'aria-label')));
  await page.mouse.move(5, 5);
  await page.locator('.workbench-hover, .monaco-hover').first().waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => undefined);
  await row.locator('.label-name').first().hover();
  // The hover of this row (it names the row), once resolved (VS Code says "Loading..." first);
  // innerText keeps the hover's lines apart.
  const hover = page.locator('.workbench-hover, .monaco-hover:not(.hidden)').filter({ hasText: name }).first();
  const tip = await poll(`the tooltip of row "${name}"`, 10_000, async () => {
    const text = (await hover.isVisible()) ? (await hover.innerText()).trim() : '';
    return text && !/^Loading\.\.\.$/.test(text) ? text : undefined;
  });
  out.push({ where: `row "${name}" tooltip`, text: tip });
  await page.keyboard.press('Escape');
  await page.mouse.move(5, 5);
  return out;
}

/** Every item of the context menu of `row` (the labels, not the keybindings VS Code adds). */
export async function menuTexts(page: Page, row: Locator, name: string): Promise<Seen[]> {
  await row.click({ button: 'right' });
  const menu = page.locator('.monaco-menu').first();
  await menu.waitFor({ timeout: 10_000 });
  await sleep(200);
  const items = await texts(menu.locator('.action-item .action-label'));
  await page.keyboard.press('Escape');
  await menu.waitFor({ state: 'detached', timeout: 5_000 }).catch(() => undefined);
  if (items.length === 0) throw new Error(`the context menu of "${name}" has no items`);
  return seen(`context menu of "${name}"`, items);
}

/** A toast's message and its buttons. */
export async function toastTexts(toast: Locator, what: string): Promise<Seen[]> {
  return [...seen(`${what} message`, await texts(toast.locator('.notification-list-item-message'))), ...seen(`${what} button`, await texts(toast.locator('.notification-list-item-buttons-container .monaco-button')))];
}

/**
 * A modal's message, detail and buttons. VS Code adds its own Cancel button to a modal; under the
 * stand-in language pack VS Code's own words stay English, so that one is not the extension's.
 */
export async function modalTexts(dialog: Locator, what: string): Promise<Seen[]> {
  const buttons = (await texts(dialog.locator('.dialog-buttons .monaco-button'))).filter((b) => b !== 'Cancel');
  return [...seen(`${what} message`, await texts(dialog.locator('.dialog-message-text'))), ...seen(`${what} detail`, await texts(dialog.locator('.dialog-message-detail'))), ...seen(`${what} button`, buttons)];
}
