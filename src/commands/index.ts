import * as vscode from 'vscode';
import { Commands } from '../constants';
import type { Services } from '../services';
import type { DriveTreeDataProvider } from '../views/DriveTreeDataProvider';
import { isDriveNode, type DriveNode } from '../views/nodes';
import { registerConflictHandling } from './conflicts';
import { downloadFiles, downloadUnlessFolder, type DownloadCommandOptions } from './download';
import { fileCommands } from './fileCommands';
import { downloadFolders, isDriveFolder, splitDriveFolders } from './folderDownload';
import { showFailure } from './messages';
import { folderOrPick, isNodeArray, namedItems, pickFiles, toFileRefs, toFolderRef, toUploadItems } from './targets';
import { uploadItems, type UploadCommandOptions } from './upload';
import { desktopCommands } from './desktopCommands';
import { deleteDesktop } from './desktopDelete';
import { newDesktop, renameDesktop, type DesktopContext } from './desktopManagement';
import { keyCommands } from './keyCommands';
import { transferCommands } from './transferCommands';
import { navigationCommands } from './navigationCommands';
import { compareCommands } from './compareCommands';

type Handler = (...args: unknown[]) => unknown;

/**
 * Registers every `nenDrive.*` command. Each handler takes `(node?, selected?)` from a context
 * menu or a multi-selection, its own arguments from a script, or nothing from the palette (then
 * it asks). A failure is logged and shown with an action; it never rejects into VS Code's
 * generic "command failed" toast. `tree` is the Desktops view: its desktops for the palette's
 * pickers, and what Refresh reloads; `view` is its TreeView: New Desktop… selects the row it
 * made, Reveal in Nen Drive selects in it.
 */
export function registerCommands(services: Services, tree: DriveTreeDataProvider, view?: vscode.TreeView<DriveNode>): vscode.Disposable {
  const desktops: DesktopContext = { services, tree, view };
  const refresh = (node?: unknown): void => tree.refresh(isDriveNode(node) ? node : undefined);
  const titles = paletteTitles(services.context.extension.packageJSON);
  const handlers: Record<string, Handler> = {
    ...keyCommands(services),
    ...desktopCommands(),
    [Commands.newDesktop]: (arg?: unknown) => newDesktop(desktops, arg),
    [Commands.renameDesktop]: (arg?: unknown) => renameDesktop(desktops, arg),
    [Commands.deleteDesktop]: (arg?: unknown) => deleteDesktop(desktops, arg),
    ...fileCommands(services, tree),
    ...transferCommands(services, tree),
    ...navigationCommands(services, tree, view),
    ...compareCommands(services, tree),
    [Commands.refresh]: refresh,
    [Commands.retry]: refresh,
    [Commands.showMoreRows]: (node?: unknown) => {
      if (isDriveNode(node) && node.kind === 'message' && node.parent) tree.showMore(node.parent);
    },
    [Commands.showLog]: () => services.log.show(),
    [Commands.upload]: async (target?: unknown, second?: unknown, options?: unknown) => {
      // From a context menu the second argument is the selection; from a script, the files.
      const items = isNodeArray(second) ? undefined : toUploadItems(second);
      const folder = await folderOrPick(tree, target, vscode.l10n.t('Upload to which desktop?'));
      return folder && uploadItems(services, folder, items, (options ?? {}) as UploadCommandOptions);
    },
    /** `uploadFolder(target?, folders?: file: URIs, options?)`: without folders, a folder picker (several allowed). */
    [Commands.uploadFolder]: async (target?: unknown, second?: unknown, options?: unknown) => {
      const folder = await folderOrPick(tree, target, vscode.l10n.t('Upload to which desktop?'));
      if (!folder) return undefined;
      const given = isNodeArray(second) ? undefined : toUploadItems(second);
      const items = given ?? (await vscode.window.showOpenDialog({ canSelectFiles: false, canSelectFolders: true, canSelectMany: true, openLabel: vscode.l10n.t({ message: 'Upload', comment: ['button of the dialog that picks folders to upload'] }) }));
      if (!items || items.length === 0) return undefined;
      return uploadItems(services, folder, items, { ...(given ? {} : { conflict: 'ask' as const }), ...((options ?? {}) as UploadCommandOptions) });
    },
    [Commands.download]: async (target?: unknown, second?: unknown, options?: unknown) => {
      const named = namedItems(target, second);
      const destination = second instanceof vscode.Uri ? second : undefined;
      const opts = (options ?? {}) as DownloadCommandOptions;
      // One URI to a given destination (a script's call): the file's download starts while the stat says whether it is one.
      const sole = destination && named?.length === 1 ? toFileRefs(named.filter((n) => n instanceof vscode.Uri))[0] : undefined;
      if (destination && sole) {
        const outcome = await downloadUnlessFolder(services, sole, destination, opts, isDriveFolder(services, sole.uri));
        if (outcome !== 'folder') return outcome;
        return downloadFolders(services, [toFolderRef(sole.uri)!], destination, opts);
      }
      // Folder rows, desktop rows and nendrive: folder URIs download recursively (folderDownload.ts).
      const { folders, files } = named ? await splitDriveFolders(services, named) : { folders: [], files: [] };
      const refs = named ? toFileRefs(files) : await pickFiles(services, tree, vscode.l10n.t('Download which files?'), true);
      if (folders.length > 0) {
        const report = await downloadFolders(services, folders, destination, opts);
        if (!report || refs.length === 0 || report.cancelled) return report;
        return downloadFiles(services, refs, destination ?? vscode.Uri.file(report.into), opts);
      }
      if (named && refs.length === 0) {
        void vscode.window.showInformationMessage(vscode.l10n.t('Nothing to download: pick one or more files or folders.'));
        return undefined;
      }
      return downloadFiles(services, refs, destination, opts);
    },
  };

  const disposables: vscode.Disposable[] = Object.entries(handlers).map(([id, handler]) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await handler(...args);
      } catch (err) {
        showFailure(services, vscode.l10n.t({ message: '{0} failed', args: [titles.get(id) ?? id], comment: ['{0} is a command title, e.g. "Nen Drive: Upload…"'] }), err, () => vscode.commands.executeCommand(id, ...args));
        return undefined;
      }
    }),
  );
  disposables.push(registerConflictHandling(services));
  return vscode.Disposable.from(...disposables);
}

interface ContributedCommand {
  command: string;
  title: string;
  category?: string;
}

/**
 * Each command's title as the palette shows it ("Nen Drive: Set API Key…"), read from the
 * manifest's `contributes.commands`: the one table of titles, so a failure message names the
 * command exactly as the user picked it.
 */
function paletteTitles(packageJSON: { contributes?: { commands?: ContributedCommand[] } }): ReadonlyMap<string, string> {
  const contributed = packageJSON.contributes?.commands ?? [];
  return new Map(contributed.map((c) => [c.command, c.category ? `${c.category}: ${c.title}` : c.title]));
}
