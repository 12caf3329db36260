/**
 * Starts code-server (a real VS Code 1.100.3: workbench in the browser, Node extension host on
 * the server) in a sandbox of fresh folders, and opens its workbench in headless Chromium.
 * Shared by the in-host test runner, the browser checks, the demo and the bench, which is why
 * it lives in tools/ rather than under test/: tooling never depends on the tests.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser } from 'playwright-core';

// Compiled to out/tools/vscode-host/: the repository root is three levels up.
export const REPO_ROOT = path.resolve(__dirname, '../../..');
export const CODE_SERVER_VERSION = '4.100.3';
export const CODE_SERVER_ENTRY = path.join(REPO_ROOT, 'tools/code-server/node_modules/code-server/out/node/entry.js');

export interface CodeServerOptions {
  /** A label used in folder and log names, e.g. "integration". */
  name: string;
  /** Where code-server's stdout/stderr go. */
  logFile: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (a free port). */
  port?: number;
  /** Extra user settings, merged over the quiet defaults below. */
  settings?: Record<string, unknown>;
  /** Extra environment for code-server; the extension host inherits it. */
  env?: Record<string, string | undefined>;
  /** .vsix files installed with --install-extension before the server starts. */
  vsix?: string[];
  /** Folder that holds user-data, extensions and config; a fresh temp folder when omitted. */
  stateDir?: string;
  /** VS Code's display language (`--locale`), e.g. `de` or the pseudo-locale `qps-ploc`, with a stand-in language pack (see writeLanguagePack). Default English. */
  locale?: string;
  /** Give up waiting for the listening line after this long. Default 90 s. */
  startTimeoutMs?: number;
}

export interface CodeServerHandle {
  /** http://127.0.0.1:<port> (no trailing slash). */
  readonly url: string;
  readonly port: number;
  readonly userDataDir: string;
  readonly extensionsDir: string;
  readonly process: ChildProcess;
  /** Resolves with the log text once `pattern` appears in it (after `from` chars), or rejects after `timeoutMs`. */
  waitForLog(pattern: RegExp, timeoutMs: number, from?: number): Promise<RegExpMatchArray>;
  readLog(): string;
  /** Stops code-server and everything it spawned. */
  close(): Promise<void>;
}

/** Settings that keep a throwaway VS Code quiet and offline. */
export const QUIET_SETTINGS: Record<string, unknown> = {
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'npm.autoDetect': 'off',
  'files.hotExit': 'off',
  // A remote window's extension host (code-server's is one) looks for ports to forward: every 2-6 s
  // it lists every process's sockets under /proc through `ls` and `ps` child processes, 40-80 ms of
  // the host's main thread a scan on these machines. Desktop VS Code's local host never does.
  // code-server has a tunnel provider, which keeps the scan on unless its source is `output`.
  'remote.autoForwardPorts': false,
  'remote.autoForwardPortsSource': 'output',
};

export function codeServerInstalled(): boolean {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(path.dirname(CODE_SERVER_ENTRY), '../../package.json'), 'utf8')) as { version?: string };
    return pkg.version === CODE_SERVER_VERSION;
  } catch {
    return false;
  }
}

/** The environment code-server gets: ours, without variables that would make it talk to another VS Code. */
function cleanEnv(extra: Record<string, string | undefined>, configHome: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('VSCODE_') || k === 'ELECTRON_RUN_AS_NODE') continue;
    env[k] = v;
  }
  env.XDG_CONFIG_HOME = configHome;
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/**
 * VS Code honours `--locale` only for a language it has a language pack for; without one the
 * whole window, extensions included, stays English. This registers a stand-in pack the way
 * installing one does (user-data/languagepacks.json): no translation of VS Code's own strings
 * (its UI stays English), but the language is set, so every extension loads its
 * `package.nls.<locale>.json` and `l10n/bundle.l10n.<locale>.json`, as under a real pack.
 */
function writeLanguagePack(stateDir: string, userDataDir: string, locale: string): void {
  const core = path.join(stateDir, `core-${locale}.i18n.json`);
  fs.writeFileSync(core, JSON.stringify({ version: '1.0.0', contents: {} }));
  const pack = { hash: `stand-in-${locale}`, extensions: [{ extensionIdentifier: { id: `nen-test.language-pack-${locale}` }, version: '0.0.1' }], translations: { vscode: core }, label: locale };
  fs.writeFileSync(path.join(userDataDir, 'languagepacks.json'), JSON.stringify({ [locale]: pack }));
}

export async function startCodeServer(opts: CodeServerOptions): Promise<CodeServerHandle> {
  if (!codeServerInstalled()) {
    throw new Error(`code-server ${CODE_SERVER_VERSION} is not installed: run bash scripts/ensure-code-server.sh`);
  }
  const stateDir = opts.stateDir ?? fs.mkdtempSync(path.join(os.tmpdir(), `nen-drive-${opts.name}-`));
  const userDataDir = path.join(stateDir, 'user-data');
  const extensionsDir = path.join(stateDir, 'extensions');
  const configHome = path.join(stateDir, 'config');
  for (const dir of [userDataDir, extensionsDir, configHome, path.join(userDataDir, 'User')]) fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...QUIET_SETTINGS, ...opts.settings }, null, 2));
  if (opts.locale) writeLanguagePack(stateDir, userDataDir, opts.locale);
  const env = cleanEnv(opts.env ?? {}, configHome);
  const common = ['--disable-telemetry', '--disable-update-check', '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir];

  for (const vsix of opts.vsix ?? []) {
    const res = spawnSync(process.execPath, [CODE_SERVER_ENTRY, ...common, '--install-extension', vsix, '--force'], { env, encoding: 'utf8', timeout: 120_000 });
    if (res.status !== 0) throw new Error(`installing ${vsix} into code-server failed (exit ${res.status}):\n${res.stdout}\n${res.stderr}`);
  }

  fs.mkdirSync(path.dirname(opts.logFile), { recursive: true });
  const logFd = fs.openSync(opts.logFile, 'w');
  const host = opts.host ?? '127.0.0.1';
  const args = [CODE_SERVER_ENTRY, '--auth', 'none', '--bind-addr', `${host}:${opts.port ?? 0}`, '--disable-workspace-trust', '--disable-getting-started-override', ...common];
  if (opts.locale) args.push('--locale', opts.locale);
  // Own process group, so close() can take down the extension host and every helper with it.
  const child = spawn(process.execPath, args, { env, detached: true, stdio: ['ignore', logFd, logFd] });
  fs.closeSync(logFd);
  let exited = false;
  child.on('exit', () => (exited = true));

  const readLog = (): string => {
    try {
      return fs.readFileSync(opts.logFile, 'utf8');
    } catch {
      return '';
    }
  };
  const waitForLog = async (pattern: RegExp, timeoutMs: number, from = 0): Promise<RegExpMatchArray> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = readLog().slice(from).match(pattern);
      if (match) return match;
      if (exited) throw new Error(`code-server exited before logging ${pattern}; see ${opts.logFile}`);
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for code-server to log ${pattern}; see ${opts.logFile}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const close = async (): Promise<void> => {
    if (exited || child.pid === undefined) return;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    const signal = (sig: NodeJS.Signals): void => {
      try {
        process.kill(-child.pid!, sig);
      } catch {
        /* already gone */
      }
    };
    signal('SIGTERM');
    const timer = setTimeout(() => signal('SIGKILL'), 5_000);
    await gone;
    clearTimeout(timer);
    // Stragglers in the group (the extension host) get no grace period once the server is gone.
    signal('SIGKILL');
  };

  try {
    const match = await waitForLog(/HTTP server listening on http:\/\/[^:\s]+:(\d+)\//, opts.startTimeoutMs ?? 90_000);
    const port = Number(match[1]);
    return { url: `http://${host}:${port}`, port, userDataDir, extensionsDir, process: child, waitForLog, readLog, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Headless Debian Chromium, driven by playwright-core. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
  });
}

/** The workbench URL that opens `folder`, optionally running extension tests in the extension host. */
export function workbenchUrl(server: CodeServerHandle, folder: string, dev?: { extensionDevelopmentPath: string; extensionTestsPath?: string }): string {
  let url = `${server.url}/?folder=${encodeURIComponent(folder)}`;
  if (dev) {
    const authority = `vscode-remote://${new URL(server.url).host}`;
    const payload: [string, string][] = [['extensionDevelopmentPath', authority + dev.extensionDevelopmentPath]];
    if (dev.extensionTestsPath) payload.push(['extensionTestsPath', authority + dev.extensionTestsPath]);
    url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  }
  return url;
}

/**
 * Runs a harness entry point and exits with its code. A crash before the closing line still
 * prints `0 passed, 1 failed`, so scripts/test.sh never reads a crashed stage as "no tests".
 */
export function runHarness(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? (err.stack ?? err.message) : err);
      console.log('0 passed, 1 failed');
      process.exit(1);
    },
  );
}
