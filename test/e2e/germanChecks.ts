/**
 * Nen Drive in German, as a German user gets it: the packaged .vsix (which ships only German)
 * installed into a code-server of its own started with `--locale de`. The expected texts are read
 * from package.nls.de.json and l10n/bundle.l10n.de.json, never written here: the view's welcome
 * and its button, the view's title actions, the note after the key is set, and a failed upload's
 * notification with its button. Screenshots of the tree and of the message for the README.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { REPO_ROOT } from '../../tools/vscode-host/codeServerProcess';
import { attributes, bundleText, linkLabels, manifest, manifestText, texts } from './localeText';
import { LocaleSession, type LocaleRun } from './localeSession';
import { dropOn, poll, rowByLabel, runCommand, sleep, submitInput, type Check } from './workbench';

const LOCALE = 'de';
const DESKTOP = 'dsk_e2egerman001';
const API_KEY = 'sk_nen_e2e_german';

const squash = (s: string): string => s.replace(/\s+/g, ' ').trim();

/** Markdown of a welcome text as VS Code draws it: links become buttons, `code` loses its backticks. */
function welcomeParagraphs(markdown: string): string[] {
  return markdown
    .split('\n')
    .filter((line) => !/^\s*\[[^\]]+\]\([^)]*\)\s*$/.test(line))
    .map((line) => squash(line.replace(/`([^`]*)`/g, '$1').replace(/\*\*([^*]*)\*\*/g, '$1')))
    .filter(Boolean);
}

/** True when `text` holds every fixed part of `template` ("Upload nach {0} fehlgeschlagen"), in order. */
export function fitsTemplate(text: string, template: string): boolean {
  let at = 0;
  for (const part of template.split(/\{\d+\}/).map(squash).filter(Boolean)) {
    const found = text.indexOf(part, at);
    if (found < 0) return false;
    at = found + part.length;
  }
  return true;
}

/** The German of an English bundle message, or an Error naming what the German file lacks. */
function german(english: string): string {
  const text = bundleText(english, LOCALE);
  if (text === undefined) throw new Error(`l10n/bundle.l10n.de.json has no German for ${JSON.stringify(english)}`);
  return text;
}

export function germanChecks(browser: Browser, vsix: string, results: string, shots: string): LocaleRun {
  const session = new LocaleSession('German');
  const p = (): Page => session.p();
  const check = (name: string, run: () => Promise<void>): Check => session.check(name, run);
  let names: string[] = [];
  const m = manifest();
  const desktopRow = (): ReturnType<Page['locator']> => p().locator('.sidebar .monaco-list-row', { hasText: DESKTOP }).first();
  const command = (id: string): { title: string; category?: string } => m.contributes.commands.find((c) => c.command === id)!;

  const checks: Check[] = [
    check('the packaged .vsix starts in a German code-server', async () => {
      names = await session.start(browser, { locale: LOCALE, desktop: DESKTOP, apiKey: API_KEY, results, name: 'german', viewportHeight: 760, vsix });
      const title = manifestText(m.contributes.viewsContainers.activitybar[0].title, LOCALE);
      const icon = p().locator(`.activitybar .action-item [aria-label^="${title}"]`).first();
      await icon.waitFor({ timeout: 90_000 });
      await icon.click();
    }),
    check('with no key, the welcome says the German of package.nls.de.json, with its German button', async () => {
      const page = p();
      const missing: string[] = [];
      const noKey = m.contributes.viewsWelcome.find((w) => /keySource == none/.test(w.when ?? ''))!;
      const markdown = manifestText(noKey.contents, LOCALE, missing);
      if (missing.length) throw new Error(`the welcome has no German: ${missing.join('; ')}`);
      const welcome = page.locator('.sidebar .welcome-view-content').first();
      // Until the extension has activated, the view shows its other welcome (no desktops): wait
      // for the German button, then read everything.
      await welcome.locator('.monaco-button', { hasText: linkLabels(markdown)[0] }).first().waitFor({ timeout: 30_000 }).catch(() => undefined);
      const shown = squash((await welcome.textContent()) ?? '');
      const buttons = await texts(welcome.locator('.monaco-button'));
      const problems = welcomeParagraphs(markdown).filter((line) => !shown.includes(line)).map((line) => `no ${JSON.stringify(line)}`);
      problems.push(...linkLabels(markdown).filter((b) => !buttons.includes(b)).map((b) => `no button ${JSON.stringify(b)} (buttons: ${JSON.stringify(buttons)})`));
      if (problems.length) throw new Error(`the welcome shows ${JSON.stringify(shown)}:\n${problems.join('\n')}`);
    }),
    check("the key set, the note, the view's actions and the tree's rows are German (german-tree.png)", async () => {
      const page = p();
      const problems: string[] = [];
      await runCommand(page, 'Nen Drive: Set API Key');
      const input = page.locator('.quick-input-widget input.input');
      await input.waitFor({ timeout: 10_000 });
      await submitInput(input, API_KEY);
      const note = page.locator('.notification-toast').first();
      await note.waitFor({ timeout: 10_000 });
      const said = squash((await note.locator('.notification-list-item-message').textContent()) ?? '');
      try {
        const want = german("Nen Drive: API key stored in VS Code's secret storage.");
        if (said !== want) problems.push(`the note after Set API Key says ${JSON.stringify(said)}, not ${JSON.stringify(want)}`);
      } catch (err) {
        problems.push(`${(err as Error).message} (the note says ${JSON.stringify(said)})`);
      }
      await runCommand(page, 'Notifications: Clear All Notifications');
      const row = desktopRow();
      await row.waitFor({ timeout: 30_000 });
      if ((await row.getAttribute('aria-expanded')) !== 'true') await row.click();
      for (const name of names) await rowByLabel(page, name).waitFor({ timeout: 20_000 });
      const actions = await attributes(page.locator('.sidebar .composite.title .action-label'), 'aria-label');
      for (const id of ['nenDrive.upload', 'nenDrive.addDesktop', 'nenDrive.refresh']) {
        const missing: string[] = [];
        const want = manifestText(command(id).title, LOCALE, missing);
        if (missing.length) problems.push(`the title of ${id} has no German: ${missing.join('; ')}`);
        else if (!actions.some((a) => a.startsWith(want))) problems.push(`no view action "${want}" (${id}); the actions are ${JSON.stringify(actions)}`);
      }
      // The rows, with a file's context menu open on them: German command titles.
      await rowByLabel(page, names[0]).click({ button: 'right' });
      await page.locator('.monaco-menu').first().waitFor({ timeout: 10_000 });
      await sleep(300);
      await page.screenshot({ path: path.join(shots, 'german-tree.png') });
      await page.keyboard.press('Escape');
      if (problems.length) throw new Error(problems.join('\n'));
    }),
    check('a failed upload says so in German, with its German button (german-message.png)', async () => {
      const page = p();
      const name = 'abgelehnt.txt';
      session.emu!.injectFault({ type: 'status', status: 403 }, { method: 'POST' }, 5);
      const dt = await page.evaluateHandle(`(() => { const dt = new DataTransfer(); dt.items.add(new File(['nie gespeichert\\n'], ${JSON.stringify(name)}, { type: 'text/plain' })); return dt; })()`);
      await dropOn(desktopRow(), dt);
      const failed = page.locator('.notification-toast', { has: page.locator('.codicon-error') }).first();
      await failed.waitFor({ timeout: 30_000 });
      session.emu!.reset();
      // The upload's own progress note closes when the upload settles: the message alone on screen.
      const progress = page.locator('.notification-toast', { hasText: name }).filter({ hasNot: page.locator('.codicon-error') });
      const settled = await poll("the upload's progress note to close", 15_000, async () => ((await progress.count()) === 0 ? true : undefined)).catch(() => false);
      if (!settled) console.log(`         note: the progress note of the failed upload of "${name}" was still on screen after 15 s`);
      await page.mouse.move(700, 300);
      await sleep(600); // the toast slides in, a row's hover goes
      await page.screenshot({ path: path.join(shots, 'german-message.png') });
      const buttons = await texts(failed.locator('.notification-list-item-buttons-container .monaco-button'));
      const said = squash((await failed.locator('.notification-list-item-message').textContent()) ?? '');
      const problems: string[] = [];
      const openLog = german('Open Log');
      if (!buttons.includes(openLog)) problems.push(`the buttons are ${JSON.stringify(buttons)}, without ${JSON.stringify(openLog)}`);
      // "Upload to <desktop> failed" (what failed), in German: every fixed part of the German message.
      try {
        const what = german('Upload to {0} failed');
        if (!fitsTemplate(said, what)) problems.push(`the message is ${JSON.stringify(said)}, not ${JSON.stringify(what)} with {0} filled in`);
      } catch (err) {
        problems.push(`${(err as Error).message} (the message says ${JSON.stringify(said)})`);
      }
      await runCommand(page, 'Notifications: Clear All Notifications');
      if (problems.length) throw new Error(problems.join('\n'));
    }),
    check("the walkthrough opens in German, its first step's page the German one (media/walkthrough/set-key.de.md)", async () => {
      const page = p();
      const walkthrough = m.contributes.walkthroughs[0];
      const title = manifestText(walkthrough.title, LOCALE);
      const missing: string[] = [];
      const pagePath = manifestText(walkthrough.steps[0].media?.markdown ?? '', LOCALE, missing);
      if (missing.length) throw new Error(`the first step's page is not per language: ${missing.join('; ')}`);
      const heading = (fs.readFileSync(path.join(REPO_ROOT, pagePath), 'utf8').match(/^# (.+)$/m) ?? [])[1];
      if (!heading) throw new Error(`${pagePath} has no heading`);
      await runCommand(page, 'Welcome: Open Walkthrough...');
      const entry = page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first();
      await entry.waitFor({ timeout: 10_000 });
      await entry.click();
      await page.locator('.gettingStartedContainer', { hasText: title }).first().waitFor({ timeout: 20_000 });
      // The page is markdown in a webview: its text lives in a frame of its own.
      await poll(`the step's page to say "${heading}"`, 20_000, async () => {
        for (const frame of page.frames()) {
          const text = await frame.evaluate(() => (globalThis as unknown as { document?: { body?: { innerText?: string } } }).document?.body?.innerText ?? '').catch(() => '');
          if (text.includes(heading)) return true;
        }
        return undefined;
      });
      await runCommand(page, 'View: Close All Editors');
    }),
  ];

  return session.run(checks);
}
