import * as vscode from 'vscode';
import { Commands } from '../constants';
import type { Services } from '../services';
import { isDriveNode, type UploadItem } from '../views/nodes';
import { registerConflictHandling } from './conflicts';
import { downloadFiles, type DownloadCommandOptions } from './download';
import { fileCommands } from './fileCommands';
import { showFailure } from './messages';
import { isNodeArray, pickFiles, selectedNodes, toFileRefs, toFolderRef } from './targets';
import { uploadItems, type UploadCommandOptions } from './upload';
import { desktopCommands, keyCommands } from './settingsCommands';

type Handler = (...args: unknown[]) => unknown;

/**
 * Registers every `nenDrive.*` command. Each handler takes `(node?, selected?)` from a context
 * menu or a multi-selection, its own arguments from a script, or nothing from the palette (then
 * it asks). A failure is logged and shown with an action; it never rejects into VS Code's
 * generic "command failed" toast.
 */
export function registerCommands(services: Services): vscode.Disposable {
  const handlers: Record<string, Handler> = {
    ...keyCommands(services),
    ...desktopCommands(services),
    ...fileCommands(services),
    [Commands.refresh]: (node?: unknown) => services.views?.tree.refresh(isDriveNode(node) ? node : undefined),
    [Commands.retry]: (node?: unknown) => services.views?.tree.refresh(isDriveNode(node) ? node : undefined),
    [Commands.showLog]: () => services.log.show(),
    [Commands.upload]: (target?: unknown, second?: unknown, options?: unknown) => {
      // From a context menu the second argument is the selection; from a script, the files.
      const items = isNodeArray(second) ? undefined : asUploadItems(second);
      return uploadItems(services, toFolderRef(target), items, (options ?? {}) as UploadCommandOptions);
    },
    [Commands.download]: async (target?: unknown, second?: unknown, options?: unknown) => {
      const nodes = selectedNodes(target, second);
      const picked = nodes ?? (target instanceof vscode.Uri ? [target] : Array.isArray(target) ? target : undefined);
      const refs = picked ? toFileRefs(picked) : await pickFiles(services, 'Download which files?', true);
      if (picked && refs.length === 0) {
        void vscode.window.showInformationMessage('Nothing to download: pick one or more files (folders are not downloaded).');
        return undefined;
      }
      const destination = second instanceof vscode.Uri ? second : undefined;
      return downloadFiles(services, refs, destination, (options ?? {}) as DownloadCommandOptions);
    },
  };

  const disposables: vscode.Disposable[] = Object.entries(handlers).map(([id, handler]) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await handler(...args);
      } catch (err) {
        showFailure(services, `Nen Drive: ${titleOf(id)} failed`, err, () => vscode.commands.executeCommand(id, ...args));
        return undefined;
      }
    }),
  );
  disposables.push(registerConflictHandling(services));
  return vscode.Disposable.from(...disposables);
}

function asUploadItems(value: unknown): UploadItem[] | undefined {
  if (value === undefined || value === null) return undefined;
  const list = Array.isArray(value) ? value : [value];
  return list.filter(
    (v): v is UploadItem =>
      v instanceof vscode.Uri || (!!v && typeof v === 'object' && typeof (v as { name?: unknown }).name === 'string' && typeof (v as { data?: unknown }).data === 'function'),
  );
}

function titleOf(id: string): string {
  const name = id.replace(/^nenDrive\./, '');
  return name.replace(/([A-Z])/g, ' $1').replace(/^./, (c) => c.toUpperCase());
}
