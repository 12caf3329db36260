import * as vscode from 'vscode';
import { Commands, SCHEME } from '../constants';
import { describeUri } from '../drive/uri';
import type { Services } from '../services';
import type { DriveTreeDataProvider } from '../views/DriveTreeDataProvider';
import type { DriveNode } from '../views/nodes';
import { revealRow } from '../views/reveal';
import type { SortOrder } from '../views/sortOrder';
import { pickDriveFile, type DriveFileItem } from './drivePicker';

/** `goToFile(options?)`: what a script or test may pass. */
export interface GoToFileOptions {
  /** Receives the quick pick once shown: read its items, make one active and accept it. */
  onShow?: (picker: vscode.QuickPick<DriveFileItem>) => void;
}

/** The row commands the view's keybindings may run through onSelectedRows. */
const ROW_COMMANDS: ReadonlySet<string> = new Set([Commands.download, Commands.upload, Commands.copyName, Commands.renameDesktop]);

/** A function, not a constant: its tooltip is translated when the pick shows, never at import. */
const revealButton = (): vscode.QuickInputButton => ({ iconPath: new vscode.ThemeIcon('list-selection'), tooltip: vscode.l10n.t('Reveal in Nen Drive') });

/** Go to File…, Reveal in Nen Drive, and the tree's Sort By entries. */
export function navigationCommands(services: Services, tree: DriveTreeDataProvider, view: vscode.TreeView<DriveNode> | undefined): Record<string, (...args: unknown[]) => unknown> {
  const reveal = async (target?: unknown): Promise<boolean> => {
    const uri = driveTarget(target);
    if (!uri) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Reveal in Nen Drive works on a file from a Nen drive: open one first.'));
      return false;
    }
    const row = view && (await revealRow(tree, view, uri));
    if (!row) void vscode.window.showWarningMessage(vscode.l10n.t('{0} is not in the Desktops view (is its desktop shown?).', describeUri(uri)));
    return !!row;
  };
  const sortBy = (order: SortOrder) => () => tree.setSortOrder(order).then(() => order);
  return {
    /**
     * A keybinding calls its command with no row (unlike a context menu), so the Desktops view's
     * keys go through here: the command runs on the view's selection, which follows the keyboard focus.
     */
    [Commands.onSelectedRows]: (args?: unknown) => {
      const command = (args as { command?: unknown } | undefined)?.command;
      if (typeof command !== 'string' || !ROW_COMMANDS.has(command)) throw new Error(vscode.l10n.t('"command" must be one of {0}.', [...ROW_COMMANDS].join(', ')));
      const selection = view?.selection ?? [];
      return vscode.commands.executeCommand(command, ...(selection.length > 0 ? [selection[0], [...selection]] : []));
    },
    /** Opens the picked file and returns its URI (undefined when dismissed). */
    [Commands.goToFile]: async (options?: unknown) => {
      const picked = await pickDriveFile(services, tree, {
        title: vscode.l10n.t('Nen Drive: Go to File'),
        onShow: (options as GoToFileOptions | undefined)?.onShow,
        itemButton: { button: revealButton(), run: (item) => reveal(item.uri) },
      });
      if (!picked) return undefined;
      await vscode.commands.executeCommand('vscode.open', picked.uri);
      return picked.uri;
    },
    /** `revealInTree(nendrive: URI?)`: the active editor's file when no URI is given. */
    [Commands.revealInTree]: reveal,
    [Commands.sortByName]: sortBy('name'),
    [Commands.sortBySize]: sortBy('size'),
    [Commands.sortByModified]: sortBy('modified'),
    [Commands.sortByNameChecked]: sortBy('name'),
    [Commands.sortBySizeChecked]: sortBy('size'),
    [Commands.sortByModifiedChecked]: sortBy('modified'),
  };
}

/** A `nendrive:` URI from the argument or the active editor (a read-only remote version counts as its file). */
function driveTarget(target: unknown): vscode.Uri | undefined {
  const uri = target instanceof vscode.Uri ? target : activeEditorUri();
  return uri?.scheme === SCHEME ? uri.with({ query: '' }) : undefined;
}

/** The active tab's resource: a text editor's, or a diff's right side. */
export function activeEditorUri(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputText) return input.uri;
  if (input instanceof vscode.TabInputTextDiff) return input.modified;
  if (input instanceof vscode.TabInputCustom) return input.uri;
  return vscode.window.activeTextEditor?.document.uri;
}
