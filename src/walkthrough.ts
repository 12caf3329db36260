import * as vscode from 'vscode';
import { ContextKeys, SCHEME } from './constants';

/**
 * The context keys that tick the walkthrough's "Open a file" and "Drop a file in" steps
 * (package.json `walkthroughs`; the first two steps use `keySource` and `hasDesktops`).
 * A step, once ticked, stays ticked: VS Code remembers it, so the keys are only ever set to true.
 */
export function trackWalkthrough(): vscode.Disposable {
  let opened = false;
  const check = (): void => {
    if (opened || !vscode.window.tabGroups.all.some((group) => group.tabs.some(isDriveTab))) return;
    opened = true;
    void vscode.commands.executeCommand('setContext', ContextKeys.openedDriveFile, true);
  };
  check();
  return vscode.window.tabGroups.onDidChangeTabs(check);
}

/** Called when an upload or a drop has written at least one file. */
export function markUploaded(): void {
  void vscode.commands.executeCommand('setContext', ContextKeys.uploadedFile, true);
}

/** A tab showing a file of the drive: a text editor, an image or other custom editor, a notebook. */
function isDriveTab(tab: vscode.Tab): boolean {
  const { input } = tab;
  const uri =
    input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom || input instanceof vscode.TabInputNotebook
      ? input.uri
      : input instanceof vscode.TabInputTextDiff
        ? input.modified
        : undefined;
  return uri?.scheme === SCHEME;
}
