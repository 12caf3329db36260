import * as l10n from '@vscode/l10n';
import * as vscode from 'vscode';
import { setNumberLocale } from './api/format';
import { ApiKeyStore } from './auth/ApiKeyStore';
import { registerCommands } from './commands';
import { ClientProvider } from './ClientProvider';
import { SCHEME } from './constants';
import { ListingCache, type FetchListing } from './cache/ListingCache';
import { reportDroppedEntries } from './drive/droppedEntries';
import { DriveFileSystemProvider } from './drive/DriveFileSystemProvider';
import { LiveRefresh } from './drive/LiveRefresh';
import { Logger } from './log/Logger';
import { TransferRegistry } from './transfers/TransferRegistry';
import type { Services } from './services';
import { registerViews, type ViewsApi } from './views';
import { trackWalkthrough } from './walkthrough';

/** What activate() returns: the live objects, for the in-host tests. */
export interface NenDriveApi {
  services: Services;
  views: ViewsApi;
}

/** The composition root: builds the objects, registers them, nothing else. No request here. */
export function activate(context: vscode.ExtensionContext): NenDriveApi {
  // The vscode-free code (src/api, src/cache) translates with @vscode/l10n: it gets the bundle
  // VS Code loaded for the display language, before any string is made.
  if (vscode.l10n.bundle) l10n.config({ contents: vscode.l10n.bundle });
  setNumberLocale(vscode.env.language);
  const keys = new ApiKeyStore(context.secrets);
  const channel = vscode.window.createOutputChannel('Nen Drive', { log: true }); // l10n-ignore: the product name
  const log = new Logger(channel, () => keys.secretValues());
  const clients = new ClientProvider(keys, log);
  // A poll retries on its own schedule (LivePoller), so its listing asks the client for no retries.
  const fetchListing: FetchListing = (desktopId, folder, purpose) => clients.get().listFiles(desktopId, { path: folder, maxRetries: purpose === 'poll' ? 0 : undefined });
  const cache = new ListingCache(reportDroppedEntries(fetchListing, log));
  const live = new LiveRefresh(cache, clients, log);
  const fs = new DriveFileSystemProvider(clients, log, cache, live);
  const transfers = new TransferRegistry();
  const services: Services = { context, keys, clients, fs, live, log, transfers };
  context.subscriptions.push(
    channel,
    keys,
    log,
    clients,
    live,
    fs,
    transfers,
    vscode.workspace.registerFileSystemProvider(SCHEME, fs, { isCaseSensitive: true }),
  );
  // The commands need the tree (its desktops for the palette's pickers, and Refresh): handed on, not looked up.
  const { views, disposable: viewRegistrations } = registerViews(services);
  context.subscriptions.push(viewRegistrations, registerCommands(services, views.tree, views.view), trackWalkthrough());
  void keys.refreshContext();
  return { services, views };
}

export function deactivate(): void {
  // Everything is in context.subscriptions.
}
