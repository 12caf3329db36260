/**
 * The Nen Drive view as a person first meets it: the workbench and the activity bar icon, the
 * Set API Key welcome (no stored key, no NEN_API_KEY), the desktop and its files with size and
 * age, the icon theme's file icons; and, at the end, a failing listing shown as an error row.
 */
import { activityIcon, clearNotifications, desktopRow, poll, rowByLabel, runCommand, shot, toast, submitInput, type Check, type Session } from './workbench';
import { workbenchUrl } from '../../tools/vscode-host/codeServerProcess';

/** Sizes like "12.3 KB" or "812 B", then an age like "2m ago" or "just now". */
const DESCRIPTION = /\d+(\.\d+)?\s*(B|KB|MB|GB)\s*·\s*(just now|\d+\s*\w+ ago)/;

export function startChecks(s: Session): Check[] {
  const { page } = s;
  return [
    {
      name: 'the workbench loads with the packaged extension installed',
      run: async () => {
        await page.goto(workbenchUrl(s.server, s.workspace));
        await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
      },
    },
    {
      name: 'the Nen Drive activity bar icon opens the view',
      run: async () => {
        const icon = activityIcon(page, 'Nen Drive');
        await icon.waitFor({ timeout: 60_000 });
        await icon.click();
        // A container with one view hides the view's own header; its title shows in the side bar.
        await page.locator('.sidebar .composite.title', { hasText: /nen drive/i }).first().waitFor({ timeout: 20_000 });
      },
    },
    {
      name: 'with no stored key and no NEN_API_KEY the view shows the Set API Key welcome',
      run: async () => {
        const button = page.locator('.sidebar .welcome-view-content .monaco-button', { hasText: 'Set API Key' }).first();
        await button.waitFor({ timeout: 30_000 });
        const text = (await page.locator('.sidebar .welcome-view-content').first().textContent()) ?? '';
        if (!text.includes('NEN_API_KEY')) throw new Error(`the welcome does not mention NEN_API_KEY: "${text}"`);
        if ((await page.locator('.sidebar .monaco-list-row', { hasText: s.desktop }).count()) > 0) throw new Error('desktop rows show without a key');
        await shot(s, 'welcome.png', page.locator('.sidebar'));
      },
    },
    {
      name: 'Set API Key asks for the key in a password box, and the tree then lists the desktop',
      run: async () => {
        await page.locator('.sidebar .welcome-view-content .monaco-button', { hasText: 'Set API Key' }).first().click();
        const input = page.locator('.quick-input-widget input.input');
        await input.waitFor({ timeout: 10_000 });
        const type = await input.getAttribute('type');
        if (type !== 'password') throw new Error(`the key input has type "${type}", expected password`);
        await submitInput(input, s.apiKey);
        await toast(page, /API key stored in VS Code's secret storage/).waitFor({ timeout: 10_000 });
        await desktopRow(s).waitFor({ timeout: 30_000 });
        await clearNotifications(page);
      },
    },
    {
      name: 'expanded, the desktop shows every sample file with size and age',
      run: async () => {
        const row = desktopRow(s);
        if ((await row.getAttribute('aria-expanded')) !== 'true') await row.click();
        for (const name of s.names) {
          const fileRow = rowByLabel(page, name);
          await fileRow.waitFor({ timeout: 20_000 });
          const description = (await fileRow.locator('.label-description').first().textContent({ timeout: 5_000 })) ?? '';
          if (!DESCRIPTION.test(description)) throw new Error(`row "${name}" has description "${description}", expected size · age`);
        }
        await shot(s, 'tree.png');
      },
    },
    {
      name: "file rows wear the icon theme's icon for their type, the desktop row its own icon",
      run: async () => {
        // Evaluated in the page (this project compiles without DOM types).
        const icons = (await page.evaluate(`(() => {
          const names = ${JSON.stringify(s.names)};
          const out = [];
          for (const row of document.querySelectorAll('.sidebar .monaco-list-row')) {
            const name = row.querySelector('.label-name')?.textContent?.trim() ?? '';
            const label = row.querySelector('.monaco-icon-label');
            if (!names.includes(name) || !label) continue;
            const before = getComputedStyle(label, '::before');
            out.push({ name, classes: label.className, glyph: before.content, color: before.color });
          }
          return out;
        })()`)) as { name: string; classes: string; glyph: string; color: string }[];
        const problems: string[] = [];
        for (const name of s.names) {
          const icon = icons.find((i) => i.name === name);
          const ext = name.slice(name.lastIndexOf('.') + 1).toLowerCase();
          if (!icon) problems.push(`${name}: no row`);
          else if (!icon.classes.includes('file-icon') || !icon.classes.includes(`${ext}-ext-file-icon`)) problems.push(`${name}: classes "${icon.classes}"`);
          else if (!icon.glyph || icon.glyph === 'none' || icon.glyph === 'normal' || icon.glyph === '""') problems.push(`${name}: no icon glyph`);
        }
        const distinct = new Set(icons.map((i) => `${i.glyph} ${i.color}`)).size;
        if (distinct < Math.min(3, s.names.length)) problems.push(`only ${distinct} distinct icons for ${s.names.length} file types`);
        const desktopIcon = await desktopRow(s)
          .locator('.custom-view-tree-node-item-icon')
          .first()
          .evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundImage: string } }).getComputedStyle(el).backgroundImage);
        // Default Dark Modern is a dark theme: the dark variant.
        if (!/desktop-dark\.svg/.test(desktopIcon)) problems.push(`desktop row icon is ${desktopIcon}`);
        if (problems.length) throw new Error(problems.join('\n'));
        await shot(s, 'tree-icons.png', page.locator('.sidebar'));
      },
    },
  ];
}

export function errorRowChecks(s: Session): Check[] {
  const { page } = s;
  const reason = 'desktop is suspended (e2e check)';
  return [
    {
      name: 'a failing listing shows an error row with the reason, and clicking it retries',
      run: async () => {
        // Until reset below: live refresh lists the shown folders (and open editors' folders) on
        // its own schedule, and each of those listings would use up a counted fault.
        s.emu.injectFault({ type: 'status', status: 403, body: JSON.stringify({ error: reason }) }, { method: 'GET', path: /\/files$/ }, 1000);
        await runCommand(page, 'Nen Drive: Refresh');
        const errorRow = page.locator('.sidebar .monaco-list-row').filter({ has: page.locator('.codicon-error') }).first();
        await errorRow.waitFor({ timeout: 20_000 });
        const text = ((await errorRow.textContent()) ?? '').replace(/\s+/g, ' ');
        if (!text.includes(reason) || !/403|not allowed/.test(text)) throw new Error(`error row says "${text}", expected the 403 and "${reason}"`);
        for (const name of s.names) {
          if ((await rowByLabel(page, name).count()) > 0) throw new Error(`"${name}" still listed beside the error row`);
        }
        // The side bar cuts a long reason; hovering shows all of it.
        // A row that re-renders under the mouse (the tree repaints while live refresh works)
        // drops a pending hover: move away and hover again, up to three times.
        const hover = page.locator('.monaco-hover, .workbench-hover', { hasText: reason }).first();
        for (let attempt = 1; ; attempt++) {
          await errorRow.hover();
          try {
            await hover.waitFor({ timeout: 5_000 });
            break;
          } catch (err) {
            if (attempt === 3) throw err;
            await page.mouse.move(700, 400);
          }
        }
        await shot(s, 'error-row.png');
        await page.mouse.move(700, 400);
        s.emu.reset();
        await errorRow.click();
        await poll('the files to come back after the retry', 20_000, async () => ((await rowByLabel(page, s.names[0]).count()) > 0 ? true : undefined));
      },
    },
  ];
}
