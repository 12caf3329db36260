import * as nodePath from 'node:path';
import * as vscode from 'vscode';
import { displayName, quotedName } from '../api/display';
import { Commands, SCHEME } from '../constants';
import { errorKind } from '../drive/errors';
import { entryUri, parseDriveUri } from '../drive/uri';
import type { Services } from '../services';
import type { DriveTreeDataProvider } from '../views/DriveTreeDataProvider';
import { formatAge, formatSize } from '../views/format';
import type { DesktopNode } from '../views/nodes';
import { pickDriveFile } from './drivePicker';
import { activeEditorUri } from './navigationCommands';
import { baseName, selectedNodes, toFileRefs } from './targets';

/** What a compare opened: the diff's left (read-only unless local) and right side. */
export interface CompareResult {
  left: vscode.Uri;
  right: vscode.Uri;
}

/**
 * Compare with Local File…, Compare with Nen Drive File… and Compare with Another Desktop…, all in
 * VS Code's diff editor. The drive file a command is run on is the right side and stays the
 * editable `nendrive:` file; a drive file picked to compare against is its read-only remote
 * version (downloaded fresh, never saved to).
 */
export function compareCommands(services: Services, tree: DriveTreeDataProvider): Record<string, (...args: unknown[]) => unknown> {
  const pickFromDrives = async (title: string): Promise<vscode.Uri | undefined> => (await pickDriveFile(services, tree, { title }))?.uri;
  return {
    /** `compareWithLocal(row | nendrive: URI, selected?, file: URI?)`: left the local file, right the drive file. */
    [Commands.compareWithLocal]: async (first?: unknown, second?: unknown, local?: unknown): Promise<CompareResult | undefined> => {
      const drive = driveFileFrom(first, second) ?? driveFileFrom(activeEditorUri()) ?? (await pickFromDrives(vscode.l10n.t('Compare which Nen Drive file with a local file?')));
      if (!drive) return undefined;
      const localUri = local instanceof vscode.Uri ? local : await pickLocalFile(vscode.l10n.t({ message: 'Compare {0} with', args: [displayName(baseName(drive))], comment: ['title and button of the dialog that picks a local file; {0} is a file name'] }));
      if (!localUri) return undefined;
      return openDiff(localUri, drive, vscode.l10n.t({ message: '{0} (local) ↔ {1} ({2})', args: [label(localUri), label(drive), drive.authority], comment: ['diff editor title: {0} a local file name, {1} a drive file name, {2} its desktop id'] }));
    },
    /** `compareWithDriveFile(file: URI, selected?, nendrive: URI?)`: left the drive file (read-only), right the local file. */
    [Commands.compareWithDriveFile]: async (first?: unknown, _selected?: unknown, driveArg?: unknown): Promise<CompareResult | undefined> => {
      const local = localFileFrom(first) ?? localFileFrom(activeEditorUri()) ?? (await pickLocalFile(vscode.l10n.t('Compare with a Nen Drive file')));
      if (!local) return undefined;
      const drive = driveFileFrom(driveArg) ?? (await pickFromDrives(vscode.l10n.t('Compare {0} with which Nen Drive file?', displayName(nodePath.basename(local.fsPath)))));
      if (!drive) return undefined;
      return openDiff(services.fs.remoteVersionUri(drive), local, vscode.l10n.t({ message: '{0} ({1}) ↔ {2} (local)', args: [label(drive), drive.authority, label(local)], comment: ['diff editor title: {0} a drive file name, {1} its desktop id, {2} a local file name'] }));
    },
    /**
     * `compareAcrossDesktops(row | nendrive: URI, selected?, other: desktop id | nendrive: URI?)`: the same
     * path on another desktop (read-only, left) against this file (right). Two selected files are compared
     * with each other. Without `other`, the shown desktops that have the path are found; one is used, several are offered.
     */
    [Commands.compareAcrossDesktops]: async (first?: unknown, second?: unknown, other?: unknown): Promise<CompareResult | undefined> => {
      const selected = toFileRefs(selectedNodes(first, second) ?? []);
      if (selected.length === 2) return openDiff(services.fs.remoteVersionUri(selected[1].uri), selected[0].uri, titleAcross(selected[1].uri, selected[0].uri));
      const here = driveFileFrom(first, second) ?? driveFileFrom(activeEditorUri());
      if (!here) {
        void vscode.window.showInformationMessage(vscode.l10n.t('Compare with Another Desktop works on a file of a Nen drive: pick one in the Desktops view or open one.'));
        return undefined;
      }
      const there = driveFileFrom(other) ?? sameFileOn(here, typeof other === 'string' ? other : undefined) ?? (await pickOtherDesktop(tree, here));
      if (!there) return undefined;
      return openDiff(services.fs.remoteVersionUri(there), here, titleAcross(there, here));
    },
  };
}

async function openDiff(left: vscode.Uri, right: vscode.Uri, title: string): Promise<CompareResult> {
  await vscode.commands.executeCommand('vscode.diff', left, right, title);
  return { left, right };
}

function label(uri: vscode.Uri): string {
  return displayName(uri.scheme === SCHEME ? baseName(uri) : nodePath.basename(uri.fsPath));
}

function titleAcross(left: vscode.Uri, right: vscode.Uri): string {
  return `${label(left)} (${left.authority}) ↔ ${label(right)} (${right.authority})`;
}

/** The one drive file a row, a selection or a `nendrive:` URI names (its editable URI). */
function driveFileFrom(first: unknown, second?: unknown): vscode.Uri | undefined {
  const nodes = selectedNodes(first, second);
  const [ref] = toFileRefs(nodes ? [nodes[0]] : [first]);
  return ref?.uri.with({ query: '' });
}

function localFileFrom(value: unknown): vscode.Uri | undefined {
  return value instanceof vscode.Uri && value.scheme === 'file' ? value : undefined;
}

function sameFileOn(here: vscode.Uri, desktopId: string | undefined): vscode.Uri | undefined {
  if (!desktopId) return undefined;
  const { folder, name } = parseDriveUri(here);
  return entryUri(desktopId, folder, name!);
}

async function pickLocalFile(openLabel: string): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({ canSelectFiles: true, canSelectFolders: false, canSelectMany: false, openLabel, title: openLabel });
  return picked?.[0];
}

/**
 * The other shown desktops that have a file at the same path (asked of the server through the
 * provider, so "not there" is never a stale cache's answer): none → a note, one → it, several → a pick.
 */
async function pickOtherDesktop(tree: DriveTreeDataProvider, here: vscode.Uri): Promise<vscode.Uri | undefined> {
  const { desktopId, folder, name } = parseDriveUri(here);
  const desktops = (await tree.getChildren()).filter((n): n is DesktopNode => n.kind === 'desktop' && !n.notFound && n.desktopId !== desktopId);
  const found = await Promise.all(
    desktops.map(async (d) => {
      const uri = entryUri(d.desktopId, folder, name!);
      try {
        const stat = await vscode.workspace.fs.stat(uri);
        return stat.type === vscode.FileType.File ? { desktop: d, uri, stat } : undefined;
      } catch (err) {
        if (errorKind(err) === 'notFound' || (err instanceof vscode.FileSystemError && err.code === 'FileNotFound')) return undefined;
        throw err;
      }
    }),
  );
  const candidates = found.filter((f) => f !== undefined);
  if (candidates.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('No other desktop in the Desktops view has {0}.', quotedName(folder ? `${folder}/${name}` : name!)));
    return undefined;
  }
  if (candidates.length === 1) return candidates[0].uri;
  const picked = await vscode.window.showQuickPick(
    candidates.map((c) => ({ label: c.desktop.label, description: c.desktop.desktopId, detail: `${formatSize(c.stat.size)} · ${formatAge(c.stat.mtime / 1000)}`, uri: c.uri })),
    { title: vscode.l10n.t('Compare {0} with the one on which desktop?', displayName(name!)), ignoreFocusOut: true },
  );
  return picked?.uri;
}
