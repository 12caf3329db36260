import * as vscode from 'vscode';
import { curlCommand, KEY_VARIABLES, SHELL_LABELS, shellFor, type CurlShell, type TerminalProfile } from '../api/curlCommand';
import { quotedName } from '../api/display';
import { Commands } from '../constants';
import { driveUri } from '../drive/uri';
import type { Services } from '../services';
import type { DriveTreeDataProvider } from '../views/DriveTreeDataProvider';
import { desktopIdOf, isDriveNode } from '../views/nodes';
import { namedItems, pickDesktop, pickFiles, selectedNodes, toFileRefs, type DriveFileRef } from './targets';

/** The shell of the default terminal profile (`terminal.integrated.defaultProfile.<os>`), else the platform's. */
function terminalShell(): CurlShell {
  const os = process.platform === 'win32' ? 'windows' : process.platform === 'darwin' ? 'osx' : 'linux';
  const config = vscode.workspace.getConfiguration('terminal.integrated');
  const name = config.get<string | null>(`defaultProfile.${os}`) ?? undefined;
  const profiles = config.get<Record<string, TerminalProfile | null>>(`profiles.${os}`) ?? {};
  const profile = name ? (profiles[name] ?? {}) : {};
  return shellFor(process.platform, { ...profile, name });
}

export function fileCommands(services: Services, tree: DriveTreeDataProvider): Record<string, (...args: unknown[]) => unknown> {
  /** Files named by `(node, selected)`, a URI or a list of URIs; the palette asks. */
  const filesFrom = async (first: unknown, second: unknown, placeHolder: string, many: boolean): Promise<DriveFileRef[]> => {
    const named = namedItems(first, second);
    return named ? toFileRefs(named) : pickFiles(services, tree, placeHolder, many);
  };
  return {
    /** `open(node | nendrive: URI, selected?)`: opens each file in an editor tab. */
    [Commands.open]: async (first?: unknown, second?: unknown) => {
      const refs = await filesFrom(first, second, vscode.l10n.t('Open which files?'), true);
      for (const ref of refs) await vscode.commands.executeCommand('vscode.open', ref.uri, { preview: refs.length === 1 });
      return refs.length;
    },
    [Commands.openToSide]: async (first?: unknown, second?: unknown) => {
      const refs = await filesFrom(first, second, vscode.l10n.t('Open which file to the side?'), false);
      for (const ref of refs) await vscode.commands.executeCommand('vscode.open', ref.uri, { viewColumn: vscode.ViewColumn.Beside, preview: false });
      return refs.length;
    },
    /** Copies the names (one per line) and returns them. */
    [Commands.copyName]: async (first?: unknown, second?: unknown) => {
      const nodes = selectedNodes(first, second);
      const names = nodes
        ? nodes.flatMap((n) => (n.kind === 'file' || n.kind === 'folder' ? [n.entry.name] : n.kind === 'desktop' ? [n.desktopId] : []))
        : (await filesFrom(first, second, vscode.l10n.t('Copy the name of which files?'), true)).map((r) => r.name);
      if (names.length === 0) return undefined;
      const text = names.join('\n');
      await vscode.env.clipboard.writeText(text);
      return text;
    },
    /** Copies `curl … -o '<name>' '<apiUrl>/desktops/<id>/files/<name>'` (one line per file, in the terminal's shell syntax) and returns it. */
    [Commands.copyCurlCommand]: async (first?: unknown, second?: unknown) => {
      const refs = await filesFrom(first, second, vscode.l10n.t('Copy a curl command for which files?'), true);
      if (refs.length === 0) return undefined;
      const apiUrl = services.clients.settings.apiUrl;
      const shell = terminalShell();
      const text = refs.map((r) => curlCommand(apiUrl, r, shell, process.platform === 'win32')).join('\n');
      await vscode.env.clipboard.writeText(text);
      const [shellLabel, key] = [SHELL_LABELS[shell], KEY_VARIABLES[shell]];
      void vscode.window.showInformationMessage(
        refs.length === 1
          ? vscode.l10n.t({ message: 'Copied a curl command for {0} for {1}. It reads the key from {2}.', args: [shellLabel, quotedName(refs[0].name), key], comment: ['{0} is a shell, e.g. "POSIX shells (bash, zsh, sh)", {1} a file name, {2} a variable such as $NEN_API_KEY'] })
          : vscode.l10n.t({ message: 'Copied {0} curl commands for {1}. They read the key from {2}.', args: [refs.length, shellLabel, key], comment: ['{0} is a number, {1} a shell, e.g. "POSIX shells (bash, zsh, sh)", {2} a variable such as $NEN_API_KEY'] }),
      );
      return text;
    },
    [Commands.openAsWorkspaceFolder]: (first?: unknown) => openAsWorkspaceFolder(tree, first),
  };
}

/** `openAsWorkspaceFolder(desktop node | id | nendrive: URI)`: adds `nendrive://<id>/` to the workspace. */
async function openAsWorkspaceFolder(tree: DriveTreeDataProvider, first: unknown): Promise<boolean> {
  let desktopId: string | undefined;
  let label: string | undefined;
  if (isDriveNode(first)) {
    desktopId = desktopIdOf(first);
    label = first.kind === 'desktop' ? first.label : undefined;
  } else if (first instanceof vscode.Uri) desktopId = first.authority;
  else if (typeof first === 'string') desktopId = first;
  else {
    const picked = await pickDesktop(tree, vscode.l10n.t('Open which drive as a workspace folder?'));
    desktopId = picked?.desktopId;
    label = picked?.label;
  }
  if (!desktopId) return false;
  const uri = driveUri(desktopId);
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.some((f) => f.uri.toString() === uri.toString())) return false;
  return vscode.workspace.updateWorkspaceFolders(folders.length, 0, { uri, name: vscode.l10n.t({ message: 'Nen Drive: {0}', args: [label ?? desktopId], comment: ['a workspace folder name; {0} is a desktop'] }) });
}
