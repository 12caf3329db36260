import * as vscode from 'vscode';
import { validateDesktopId } from '../api/names';
import { Commands, Settings } from '../constants';
import { isDriveNode } from '../views/nodes';
import { selectedNodes, toDesktopIds } from './targets';

/** The client's one rule for desktop ids, on the trimmed input (an input box adds no spaces of its own). */
export function checkDesktopIdInput(id: string): string | undefined {
  return validateDesktopId(id.trim());
}

/** Add Desktop… and Remove Desktop: they edit `nenDrive.desktops` at the level it is set. */
export function desktopCommands(): Record<string, (...args: unknown[]) => unknown> {
  return {
    /** `addDesktop(id?: string)`: appends to `nenDrive.desktops`. */
    [Commands.addDesktop]: async (arg?: unknown) => {
      let id = typeof arg === 'string' ? arg : undefined;
      if (id === undefined) {
        id = await vscode.window.showInputBox({
          title: vscode.l10n.t('Nen Drive: Add Desktop'),
          prompt: vscode.l10n.t('The id of a Nen desktop (see `nen desktop list`).'),
          placeHolder: 'dsk_abc123def456',
          ignoreFocusOut: true,
          validateInput: checkDesktopIdInput,
        });
        if (id === undefined) return false;
      }
      const problem = checkDesktopIdInput(id);
      if (problem) throw new Error(problem);
      const current = configuredDesktops();
      const trimmed = id.trim();
      if (current.ids.includes(trimmed)) return false;
      await updateDesktops([...current.ids, trimmed], current.target);
      return true;
    },
    /** `removeDesktop(node | id | nendrive: URI, selected?)`: removes from `nenDrive.desktops`. */
    [Commands.removeDesktop]: async (arg?: unknown, selected?: unknown) => {
      const current = configuredDesktops();
      let ids = isDriveNode(arg) ? toDesktopIds(selectedNodes(arg, selected) ?? []) : toDesktopIds(Array.isArray(arg) ? arg : arg === undefined ? [] : [arg]);
      if (ids.length === 0) {
        if (current.ids.length === 0) {
          void vscode.window.showInformationMessage(vscode.l10n.t('Nen Drive shows every desktop the key can see: nenDrive.desktops is empty, so there is nothing to remove.'));
          return false;
        }
        const picked = await vscode.window.showQuickPick(current.ids, { placeHolder: vscode.l10n.t('Remove which desktops from Nen Drive?'), canPickMany: true });
        if (!picked || picked.length === 0) return false;
        ids = picked;
      }
      const remaining = current.ids.filter((d) => !ids.includes(d));
      if (remaining.length === current.ids.length) return false;
      await updateDesktops(remaining, current.target);
      return true;
    },
  };
}

/** The configured ids and the settings level they live at (workspace wins over user). */
export function configuredDesktops(): { ids: string[]; target: vscode.ConfigurationTarget } {
  const inspected = vscode.workspace.getConfiguration(Settings.section).inspect<string[]>(Settings.desktops);
  if (inspected?.workspaceValue !== undefined) return { ids: [...inspected.workspaceValue], target: vscode.ConfigurationTarget.Workspace };
  return { ids: [...(inspected?.globalValue ?? [])], target: vscode.ConfigurationTarget.Global };
}

export async function updateDesktops(ids: string[], target: vscode.ConfigurationTarget): Promise<void> {
  await vscode.workspace.getConfiguration(Settings.section).update(Settings.desktops, ids, target);
}
