import * as vscode from 'vscode';
import { displayName, quotedName } from '../api/display';
import type { SaveConflict } from '../drive/DriveFileSystemProvider';
import { displayUri } from '../drive/uri';
import type { Services } from '../services';
import { baseName } from './targets';

const COMPARE = 'Compare';
const OVERWRITE = 'Overwrite';

/**
 * A save the file system provider refused because the remote file changed since it was read:
 * VS Code keeps the editor dirty and shows the provider's reason; this adds the way out.
 * Compare opens the remote version (read-only) against the editor; Overwrite lets the next
 * save through once and saves.
 */
export function registerConflictHandling(services: Services): vscode.Disposable {
  // VS Code may write twice for one save (seen when the file changed under a dirty editor):
  // one notification per file while it is open, not one per refused write.
  const open = new Set<string>();
  return services.fs.onDidConflict((conflict) => {
    const key = conflict.uri.toString();
    if (open.has(key)) return;
    open.add(key);
    void offerResolution(services, conflict).finally(() => open.delete(key));
  });
}

async function offerResolution(services: Services, conflict: SaveConflict): Promise<void> {
  const name = baseName(conflict.uri) || conflict.uri.toString(true);
  const choice = await vscode.window.showWarningMessage(
    `${quotedName(name)} changed on the Nen drive since you opened it. Your edits are kept unsaved.`,
    COMPARE,
    OVERWRITE,
  );
  if (choice === COMPARE) await compareWithRemote(services, conflict.uri);
  if (choice === OVERWRITE) await overwriteRemote(services, conflict.uri);
}

/** Opens a diff: the file as it is on the drive now (left) against the editor (right). */
export async function compareWithRemote(services: Services, uri: vscode.Uri): Promise<void> {
  const name = displayName(baseName(uri));
  await vscode.commands.executeCommand('vscode.diff', services.fs.remoteVersionUri(uri), uri, `${name} (Nen drive) ↔ ${name} (yours)`);
}

/** Saves the editor's text over the changed remote file, once, on the user's word. */
export async function overwriteRemote(services: Services, uri: vscode.Uri): Promise<boolean> {
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (!doc) return false;
  const permission = services.fs.allowOverwriteOnce(uri);
  try {
    const saved = await doc.save();
    if (saved) services.log.info(`Overwrote ${displayUri(uri)} on the user's request after a save conflict.`);
    return saved;
  } finally {
    // Used by the save, or withdrawn if the save did not reach the provider.
    permission.dispose();
  }
}
