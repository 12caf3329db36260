/**
 * The parts of the workbench the pseudo-locale checks read that take some walking: the command
 * palette's Nen Drive rows (a virtual list, read row by row), the Settings editor filtered to the
 * extension (scrolled until every setting was seen) and the walkthrough.
 */
import type { Page } from 'playwright-core';
import { manifestText, seen, texts, type Manifest } from './localeText';
import type { Seen } from './untransformed';
import { poll, runCommand, sleep } from './workbench';

/** Commands the palette shows with no editor open: those its `commandPalette` menu does not hide. */
export function paletteCommands(m: Manifest): { command: string; title: string; category?: string }[] {
  const hidden = new Set((m.contributes.menus.commandPalette ?? []).filter((e) => e.when !== undefined).map((e) => e.command));
  return m.contributes.commands.filter((c) => !hidden.has(c.command));
}

/**
 * The label of every palette row that `>Nen Drive:` finds (the palette matches the English
 * original too, and shows it as a second line: that one is VS Code's alias, not read), and a
 * miss for each command the manifest puts in the palette that no row shows.
 */
export async function paletteTexts(page: Page, m: Manifest, locale: string): Promise<Seen[]> {
  await page.keyboard.press('F1');
  const widget = page.locator('.quick-input-widget');
  const input = widget.locator('input.input');
  await input.waitFor({ timeout: 10_000 });
  await input.fill('>Nen Drive: ');
  await widget.locator('.monaco-list-row').first().waitFor({ timeout: 10_000 });
  await sleep(300);
  const labels: string[] = [];
  // A virtual list: walk it with the arrow key, reading the focused row, until it wraps around.
  for (let i = 0; i < 100; i++) {
    const label = ((await widget.locator('.monaco-list-row.focused .label-name').first().textContent({ timeout: 5_000 })) ?? '').replace(/\s+/g, ' ').trim();
    if (labels.includes(label)) break;
    labels.push(label);
    await page.keyboard.press('ArrowDown');
  }
  await page.keyboard.press('Escape');
  const out: Seen[] = [];
  for (const c of paletteCommands(m)) {
    const want = `${c.category ? `${manifestText(c.category, locale)}: ` : ''}${manifestText(c.title, locale)}`;
    const row = labels.find((l) => l === want);
    if (row === undefined) out.push({ where: `command palette, no row for ${c.command} (expected "${want}"; rows: ${labels.length})`, text: want });
    else out.push({ where: `command palette, ${c.command}`, text: row });
  }
  return out;
}

/** Every setting's description in the Settings editor filtered to `@ext:nen.nen-drive`. */
export async function settingsTexts(page: Page, m: Manifest): Promise<Seen[]> {
  await runCommand(page, 'Preferences: Open Settings (UI)');
  const editor = page.locator('.settings-editor').first();
  await editor.waitFor({ timeout: 20_000 });
  await editor.locator('.settings-header .suggest-input-container').first().click();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('@ext:nen.nen-drive');
  const wanted = Object.keys(m.contributes.configuration.properties).length;
  const found = new Map<string, string>();
  const list = editor.locator('.settings-tree-container').first();
  await list.locator('.setting-item-contents').first().waitFor({ timeout: 20_000 });
  await sleep(500);
  for (let round = 0; round < 30 && found.size < wanted; round++) {
    const items = await list.locator('.setting-item-contents').evaluateAll((els) =>
      els.map((el) => {
        type Node = { textContent: string | null; getAttribute(a: string): string | null; querySelectorAll(q: string): Node[]; cloneNode(deep: boolean): Node };
        const e = el as unknown as { querySelector(q: string): Node | null };
        // A `#http.proxy#` link is drawn with VS Code's own name of that setting ("Http: Proxy"):
        // read it as the setting id it stands for.
        const text = (q: string): string => {
          const found = e.querySelector(q);
          if (!found) return '';
          const copy = found.cloneNode(true);
          for (const a of copy.querySelectorAll('a')) {
            const id = (a.getAttribute('title') ?? a.getAttribute('data-href') ?? a.getAttribute('href') ?? '').replace(/^#/, '');
            if (/^[a-z][\w]*(\.[\w]+)+$/i.test(id)) a.textContent = id;
          }
          return (copy.textContent ?? '').replace(/\s+/g, ' ').trim();
        };
        return { key: `${text('.setting-item-category')}${text('.setting-item-label')}`, description: text('.setting-item-description') || text('.setting-item-value-description') };
      }),
    );
    for (const item of items) if (item.key) found.set(item.key, item.description);
    await list.hover();
    await page.mouse.wheel(0, 300);
    await sleep(250);
  }
  const out: Seen[] = [...found].map(([key, description]) => ({ where: `setting ${key}`, text: description }));
  if (found.size < wanted) out.push({ where: `settings editor: saw ${found.size} of ${wanted} settings`, text: 'missing settings' });
  return out;
}

/** Each step's description without its buttons (read on their own). */
async function stepDescriptions(containers: ReturnType<Page['locator']>): Promise<string[]> {
  const found = await containers.evaluateAll((els) =>
    els.map((el) => {
      type Node = { textContent: string | null; remove(): void; querySelectorAll(q: string): Node[]; cloneNode(deep: boolean): Node };
      const copy = (el as unknown as Node).cloneNode(true);
      for (const button of copy.querySelectorAll('.monaco-button, button')) button.remove();
      return (copy.textContent ?? '').replace(/\s+/g, ' ').trim();
    }),
  );
  return found.filter(Boolean);
}

/** The walkthrough: its title and description, each step's title and description (with its buttons). */
export async function walkthroughTexts(page: Page, m: Manifest, locale: string): Promise<Seen[]> {
  const walkthrough = m.contributes.walkthroughs[0];
  const title = manifestText(walkthrough.title, locale);
  await runCommand(page, 'Welcome: Open Walkthrough...');
  const entry = page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first();
  await entry.waitFor({ timeout: 10_000 });
  await entry.click();
  const container = page.locator('.gettingStartedContainer', { hasText: title }).first();
  await container.waitFor({ timeout: 20_000 });
  const steps = container.locator('.getting-started-step');
  await poll('the walkthrough steps', 20_000, async () => ((await steps.count()) >= walkthrough.steps.length ? true : undefined));
  const detail = container.locator('.gettingStartedSlideDetails').first();
  return [
    ...seen('walkthrough title', await texts(detail.locator('.category-title'))),
    ...seen('walkthrough description', await texts(detail.locator('.category-description'))),
    ...seen('walkthrough step title', await texts(steps.locator('.step-title'))),
    ...seen('walkthrough step description', await stepDescriptions(steps.locator('.step-description-container'))),
    ...seen('walkthrough step button', await texts(steps.locator('.step-description-container .monaco-button'))),
  ];
}
