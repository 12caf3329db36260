/**
 * What the pseudo-locale and German sessions share: a scratch folder, an emulator with the
 * sample files, a code-server started in the locale, one page, checks that build on each other
 * and leave no menu or quick input open, and how the session ends.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { seedSamples, startEmulator, type EmulatorHandle } from '../../tools/emulator/server';
import { startCodeServer, workbenchUrl, type CodeServerHandle } from '../../tools/vscode-host/codeServerProcess';
import type { Check } from './workbench';

export interface LocaleRun {
  checks: Check[];
  /** The page `check` runs in when it is one of these checks (for its failure screenshot). */
  owns(check: Check): Page | undefined;
  close(): Promise<void>;
}

export interface LocaleStart {
  locale: string;
  desktop: string;
  apiKey: string;
  /** Where code-server's log goes (`code-server-e2e-<name>.log`). */
  results: string;
  name: string;
  viewportHeight: number;
  /** The packaged extension to install; without it the extension loads from `devPath`. */
  vsix?: string;
  devPath?: string;
}

export class LocaleSession {
  readonly scratch: string;
  readonly workspace: string;
  emu?: EmulatorHandle;
  server?: CodeServerHandle;
  page?: Page;

  /** `label` names the checks ("German: …") and the `--only` that runs them together. */
  constructor(private readonly label: string) {
    this.scratch = fs.mkdtempSync(path.join(os.tmpdir(), `nen-drive-${label.toLowerCase()}-`));
    this.workspace = path.join(this.scratch, 'workspace');
  }

  /** The session's page, or why there is none. */
  p(): Page {
    if (!this.page) throw new Error(`the ${this.label} workbench did not start (these checks build on each other: run them all, --only '${this.label}')`);
    return this.page;
  }

  /** A check named "<label>: <name>"; whatever it leaves open (a menu, quick input, hover) is closed after it. */
  check(name: string, run: () => Promise<void>): Check {
    return {
      name: `${this.label}: ${name}`,
      run: async () => {
        try {
          await run();
        } finally {
          await this.page?.keyboard.press('Escape').catch(() => undefined);
          await this.page?.keyboard.press('Escape').catch(() => undefined);
        }
      },
    };
  }

  /** Seeds the sample files, starts the emulator and code-server in the locale with no key, and opens the workbench. Returns the sample names. */
  async start(browser: Browser, o: LocaleStart): Promise<string[]> {
    fs.mkdirSync(this.workspace, { recursive: true });
    const dataDir = path.join(this.scratch, 'drive');
    const names = seedSamples(dataDir, o.desktop);
    this.emu = await startEmulator({ port: 0, dataDir, apiKey: o.apiKey, desktops: [o.desktop] });
    this.server = await startCodeServer({
      name: `e2e-${o.name}`,
      stateDir: path.join(this.scratch, 'code-server'),
      logFile: path.join(o.results, `code-server-e2e-${o.name}.log`),
      locale: o.locale,
      ...(o.vsix ? { vsix: [o.vsix] } : {}),
      settings: { 'nenDrive.apiUrl': this.emu.url, 'nenDrive.desktops': [o.desktop], 'nenDrive.liveRefreshSeconds': 0, 'workbench.colorTheme': 'Default Dark Modern' },
      env: { NEN_API_KEY: undefined },
    });
    this.page = await browser.newPage({ viewport: { width: 1280, height: o.viewportHeight } });
    await this.page.goto(workbenchUrl(this.server, this.workspace, o.devPath ? { extensionDevelopmentPath: o.devPath } : undefined));
    return names;
  }

  /** The checks, and how the session ends: page, code-server, emulator, scratch folder. */
  run(checks: Check[]): LocaleRun {
    const close = async (): Promise<void> => {
      await this.page?.close().catch(() => undefined);
      await this.server?.close();
      await this.emu?.close();
      fs.rmSync(this.scratch, { recursive: true, force: true });
    };
    return { checks, close, owns: (c) => (checks.includes(c) ? this.page : undefined) };
  }
}
