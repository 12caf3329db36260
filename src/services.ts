import type * as vscode from 'vscode';
import type { ApiKeyStore } from './auth/ApiKeyStore';
import type { ClientProvider } from './ClientProvider';
import type { DriveFileSystemProvider } from './drive/DriveFileSystemProvider';
import type { LiveRefresh } from './drive/LiveRefresh';
import type { Logger } from './log/Logger';
import type { TransferRegistry } from './transfers/TransferRegistry';

/**
 * The objects the composition root builds once and hands to views and commands. What the views
 * make is not in here: registerViews returns it and activate() passes it on explicitly.
 */
export interface Services {
  context: vscode.ExtensionContext;
  keys: ApiKeyStore;
  clients: ClientProvider;
  fs: DriveFileSystemProvider;
  /** Which folders are live (polled): the tree tells it what it shows. */
  live: LiveRefresh;
  log: Logger;
  /** Every upload and download of this window (the status bar and Show Transfers read it). */
  transfers: TransferRegistry;
}
