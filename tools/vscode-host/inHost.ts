/**
 * Emulator setup for code that runs inside a VS Code extension host with Nen Drive under
 * development: start an emulator, point the extension's settings at it, set the key through
 * the extension's own services, and count what the extension asked of it. The in-host suite
 * (through test/integration/helpers.ts) and the bench's activation probe share it, so the
 * bench never imports test/.
 *
 * Only types and vscode-free values are imported from src/: the running extension is the
 * bundled dist/extension.js, so its objects must be reached through its exported API,
 * never by importing a second copy of its modules.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
// eslint-disable-next-line no-restricted-imports -- the one tools module that runs inside the extension host
import * as vscode from 'vscode';
import type { Services } from '../../src/services';
import type { ViewsApi } from '../../src/views';
import { EXTENSION_ID, SCHEME, Settings } from '../../src/constants';
import { startEmulator } from '../emulator/server';
import type { EmulatorHandle } from '../emulator/types';

/** What activate() returns; the views helper may add more fields. */
export interface ExtensionApi {
  services: Services;
  views: ViewsApi;
  [extra: string]: unknown;
}

export interface SetupOptions {
  /** The key the emulator accepts. Default: a fresh `sk_nen_test_…` value. */
  apiKey?: string;
  /** Store the key in SecretStorage through the extension (default true). */
  setKey?: boolean;
  /** Desktops the emulator knows; the first is `desktopId`. Default one random id. */
  desktops?: string[];
  /** Write `nenDrive.desktops` (default: the emulator's desktops). Pass [] to rely on GET /desktops. */
  configuredDesktops?: string[];
  /** Support `?path=` folders (default true). */
  folders?: boolean;
  latencyMs?: number;
  /**
   * `nenDrive.liveRefreshSeconds` for this test (default 0: off, so that the request budgets of
   * other suites are exact; the live suite turns it on).
   */
  liveRefreshSeconds?: number;
}

export interface EmulatorSetup {
  emu: EmulatorHandle;
  desktopId: string;
  services: Services;
  api: ExtensionApi;
  /** `nendrive://<desktopId>/<segments…>` */
  uri(...segments: string[]): vscode.Uri;
  /** Close the emulator, clear the key it set, restore the settings, delete its data. */
  dispose(): Promise<void>;
}

let counter = 0;

/** Activates the extension (idempotent) and returns its test API. */
export async function getApi(): Promise<ExtensionApi> {
  const ext = vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not installed in this host`);
  const api = ext.isActive ? ext.exports : await ext.activate();
  if (!api?.services || !api.views) throw new Error('the extension did not return { services, views } from activate()');
  return api;
}

export function randomDesktopId(): string {
  const hex = Math.random().toString(16).slice(2, 14).padEnd(12, '0');
  return `dsk_${hex}`;
}

/** Polls `predicate` until it is truthy or `timeoutMs` passes (then throws with `what`). */
export async function waitFor<T>(predicate: () => T | Promise<T>, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function setupEmulator(opts: SetupOptions = {}): Promise<EmulatorSetup> {
  const api = await getApi();
  const services = api.services;
  const desktops = opts.desktops ?? [randomDesktopId()];
  const apiKey = opts.apiKey ?? `sk_nen_test_${process.pid}_${++counter}_${Math.random().toString(36).slice(2)}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nen-drive-it-'));
  const emu = await startEmulator({
    port: 0,
    host: '127.0.0.1',
    dataDir,
    apiKey,
    desktops,
    folders: opts.folders ?? true,
    latencyMs: opts.latencyMs,
  });

  const config = vscode.workspace.getConfiguration(Settings.section);
  await config.update(Settings.apiUrl, emu.url, vscode.ConfigurationTarget.Global);
  await config.update(Settings.desktops, opts.configuredDesktops ?? desktops, vscode.ConfigurationTarget.Global);
  await config.update(Settings.liveRefreshSeconds, opts.liveRefreshSeconds ?? 0, vscode.ConfigurationTarget.Global);
  if (opts.setKey ?? true) await services.keys.set(apiKey);
  else await services.keys.clear();

  // The ClientProvider rebuilds on configuration events; wait until it points at this emulator.
  await waitFor(() => services.clients.baseUrl === emu.url, `the client to use ${emu.url}`);
  await waitFor(() => services.clients.settings.liveRefreshSeconds === (opts.liveRefreshSeconds ?? 0), 'the live refresh setting to apply');
  if (opts.setKey ?? true) await waitFor(async () => (await services.keys.get()) === apiKey, 'the key to be stored');
  // A listing cached for a previous emulator must not leak into this one.
  services.fs.invalidateAll();
  emu.clearRequests();

  const desktopId = desktops[0];
  return {
    emu,
    desktopId,
    services,
    api,
    uri: (...segments: string[]) => driveUriForTest(desktopId, ...segments),
    async dispose() {
      await emu.close();
      if (opts.setKey ?? true) await services.keys.clear();
      const c = vscode.workspace.getConfiguration(Settings.section);
      await c.update(Settings.apiUrl, undefined, vscode.ConfigurationTarget.Global);
      await c.update(Settings.desktops, undefined, vscode.ConfigurationTarget.Global);
      await c.update(Settings.liveRefreshSeconds, undefined, vscode.ConfigurationTarget.Global);
      services.fs.invalidateAll();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Builds `nendrive://<desktopId>/<seg>/<seg>` the same way src/drive/uri.ts does. */
export function driveUriForTest(desktopId: string, ...segments: string[]): vscode.Uri {
  return vscode.Uri.from({ scheme: SCHEME, authority: desktopId, path: '/' + segments.join('/') });
}

/** Counts the drive calls of one desktop in the emulator's log. */
export function countDriveRequests(emu: EmulatorHandle, desktopId: string): { listings: number; downloads: number; uploads: number } {
  const filesRoot = `/desktops/${desktopId}/files`;
  let listings = 0;
  let downloads = 0;
  let uploads = 0;
  for (const r of emu.requests) {
    if (!r.path.startsWith(filesRoot)) continue;
    const isList = r.path === filesRoot || r.path === filesRoot + '/';
    if (r.method === 'GET' && isList) listings++;
    else if (r.method === 'GET') downloads++;
    else if (r.method === 'POST') uploads++;
  }
  return { listings, downloads, uploads };
}
