import * as vscode from 'vscode';
import { DriveClient } from './api/DriveClient';
import type { NetworkOptions } from './api/proxy';
import { TRANSFER_WORKER_SCRIPT } from './api/transferThread';
import { DEFAULT_API_URL } from './api/types';
import type { ApiKeyStore } from './auth/ApiKeyStore';
import { HttpSettings, Settings } from './constants';
import type { Logger } from './log/Logger';

export interface NenDriveSettings {
  apiUrl: string;
  /** Desktop ids to show; empty means "the desktops the key can see" (GET /desktops). */
  desktops: string[];
  metadataTimeoutMs: number;
  transferTimeoutMs: number;
  transferConcurrency: number;
  confirmOverwrite: boolean;
  /** How often live folders are listed again, in seconds; 0 turns live refresh off. */
  liveRefreshSeconds: number;
  /** Proxy and certificates, from VS Code's `http.*` settings (the environment fills in the rest). */
  network: NetworkOptions;
}

const MIN_CONCURRENCY = 1;
const MAX_CONCURRENCY = 16;

/**
 * Reads `nenDrive.*`, falling back to the defaults on missing or nonsensical values.
 * When the user has not set `nenDrive.apiUrl`, the `NEN_API_URL` environment variable (beside
 * the docs' `NEN_API_KEY`) is used: a launch configuration can point a development host at the
 * emulator without touching user settings, which an `extensionHost` launch cannot preset.
 */
function readSettings(env: NodeJS.ProcessEnv = process.env): NenDriveSettings {
  const c = vscode.workspace.getConfiguration(Settings.section);
  const userSet = c.inspect<string>(Settings.apiUrl)?.globalValue;
  const configured = userSet ?? env.NEN_API_URL ?? c.get<string>(Settings.apiUrl) ?? '';
  const apiUrl = configured.trim().replace(/\/+$/, '') || DEFAULT_API_URL;
  const desktops = c.get<unknown>(Settings.desktops) ?? [];
  return {
    apiUrl,
    desktops: Array.isArray(desktops)
      ? [...new Set(desktops.filter((d): d is string => typeof d === 'string').map((d) => d.trim()).filter(Boolean))]
      : [],
    metadataTimeoutMs: seconds(c.get(Settings.metadataTimeoutSeconds), 30) * 1000,
    transferTimeoutMs: seconds(c.get(Settings.transferTimeoutSeconds), 120) * 1000,
    transferConcurrency: clampInt(c.get(Settings.transferConcurrency), 4, MIN_CONCURRENCY, MAX_CONCURRENCY),
    confirmOverwrite: c.get<boolean>(Settings.confirmOverwrite) ?? true,
    liveRefreshSeconds: liveSeconds(c.get(Settings.liveRefreshSeconds)),
    network: readNetwork(c.get<boolean>(Settings.proxyLoopback) === true),
  };
}

/**
 * VS Code's `http.proxy`, `http.noProxy`, `http.proxyStrictSSL`, `http.proxyAuthorization` and
 * `http.systemCertificates`. With `http.proxySupport: "off"` the user told VS Code to leave
 * extensions' connections alone: the `http.*` proxy settings are ignored (the environment's
 * HTTPS_PROXY still counts, as it does for any other program).
 */
function readNetwork(proxyLoopback: boolean): NetworkOptions {
  const h = vscode.workspace.getConfiguration(HttpSettings.section);
  const off = h.get<string>(HttpSettings.proxySupport) === 'off';
  const noProxy = h.get<unknown>(HttpSettings.noProxy);
  const auth = h.get<unknown>(HttpSettings.proxyAuthorization);
  const proxy = h.get<unknown>(HttpSettings.proxy);
  return {
    proxy: !off && typeof proxy === 'string' ? proxy : undefined,
    noProxy: Array.isArray(noProxy) ? noProxy.filter((n): n is string => typeof n === 'string') : [],
    proxyStrictSSL: h.get<boolean>(HttpSettings.proxyStrictSSL) !== false,
    proxyAuthorization: !off && typeof auth === 'string' ? auth : undefined,
    systemCertificates: h.get<boolean>(HttpSettings.systemCertificates) !== false,
    proxyLoopback,
  };
}

function seconds(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : fallback;
}

/** 0 (off) or at least 1 s; nonsense falls back to the default 5. */
function liveSeconds(v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) return 5;
  return v === 0 ? 0 : Math.max(1, v);
}

function clampInt(v: unknown, fallback: number, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) return fallback;
  return Math.min(max, Math.max(min, Math.round(v)));
}

/**
 * Hands out the one `DriveClient` for the current settings. The client is rebuilt (lazily, on
 * the next `get()`) when the URL or timeouts change; the key is not baked in but read per
 * request through `getApiKey`, so a new key applies to the next request.
 */
export class ClientProvider implements vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  /** Fires when `nenDrive.*` settings or the key changed: views refetch. */
  readonly onDidChange: vscode.Event<void> = this.changeEmitter.event;
  private readonly serverEmitter = new vscode.EventEmitter<void>();
  /**
   * Fires when the API URL or the key changed: listings, seen versions and "new" marks made
   * against the old server or key no longer hold. Other settings (the interval, timeouts, the
   * desktops shown) keep them.
   */
  readonly onDidChangeServer: vscode.Event<void> = this.serverEmitter.event;
  private readonly subscriptions: vscode.Disposable[] = [];
  private serverUrl: string;
  private client: DriveClient | undefined;
  private clientSignature = '';
  private current: NenDriveSettings | undefined;

  constructor(
    private readonly keys: ApiKeyStore,
    private readonly log: Logger,
  ) {
    this.serverUrl = this.settings.apiUrl;
    this.subscriptions.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration(Settings.section) && !e.affectsConfiguration(HttpSettings.section)) return;
        this.current = undefined;
        if (this.settings.apiUrl !== this.serverUrl) {
          this.serverUrl = this.settings.apiUrl;
          this.serverEmitter.fire();
        }
        this.changeEmitter.fire();
      }),
      keys.onDidChange(() => {
        this.serverEmitter.fire();
        this.changeEmitter.fire();
      }),
    );
  }

  /** The current settings (cached until the next configuration change). */
  get settings(): NenDriveSettings {
    return (this.current ??= readSettings());
  }

  /** The base URL the current client talks to. */
  get baseUrl(): string {
    return this.settings.apiUrl;
  }

  /**
   * The client for the current settings. Never throws: a client for an unusable URL is still
   * built, and each of its requests fails with a `NenApiError` (badRequest) saying why.
   */
  get(): DriveClient {
    const s = this.settings;
    const signature = JSON.stringify([s.apiUrl, s.metadataTimeoutMs, s.transferTimeoutMs, s.network]);
    if (!this.client || signature !== this.clientSignature) {
      const previous = this.client;
      this.client = new DriveClient({
        baseUrl: s.apiUrl,
        getApiKey: () => this.keys.get(),
        metadataTimeoutMs: s.metadataTimeoutMs,
        transferTimeoutMs: s.transferTimeoutMs,
        network: s.network,
        onRequest: (entry) => this.log.request(entry),
        // Large transfers run on a worker thread: the host's event loop stays free for the
        // workbench and every other extension meanwhile.
        offThread: { script: TRANSFER_WORKER_SCRIPT, l10nBundle: vscode.l10n.bundle, onLog: (m) => this.log.info(m) },
      });
      this.log.info(`Requests to ${s.apiUrl} go ${this.client.networkRoute}.`);
      this.clientSignature = signature;
      if (previous) this.closeLater(previous);
    }
    return this.client;
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
    this.changeEmitter.dispose();
    this.serverEmitter.dispose();
    if (this.client) this.closeLater(this.client);
    this.client = undefined;
  }

  /** In-flight transfers on an old client finish on their own; its idle sockets close after. */
  private closeLater(client: DriveClient): void {
    void Promise.resolve()
      .then(() => client.close())
      .catch((err) => this.log.debug(`closing a previous client: ${String(err)}`));
  }
}
