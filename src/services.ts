import type * as vscode from 'vscode';
import type { ApiKeyStore } from './auth/ApiKeyStore';
import type { ClientProvider } from './ClientProvider';
import type { DriveFileSystemProvider } from './drive/DriveFileSystemProvider';
import type { LiveRefresh } from './drive/LiveRefresh';
import type { Logger } from './log/Logger';
import type { ViewsApi } from './views';

/** The objects the composition root builds once and hands to views and commands. */
export interface Services {
  context: vscode.ExtensionContext;
  keys: ApiKeyStore;
  clients: ClientProvider;
  fs: DriveFileSystemProvider;
  /** Which folders are live (polled): the tree tells it what it shows. */
  live: LiveRefresh;
  log: Logger;
  /** Set by registerViews: the tree, for commands (at call time) and tests. */
  views?: ViewsApi;
}
