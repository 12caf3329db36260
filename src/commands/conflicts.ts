import * as vscode from 'vscode';
import { displayName, quotedName } from '../api/display';
import type { SaveConflict } from '../drive/DriveFileSystemProvider';
import { displayUri } from '../drive/uri';
import type { Services } from '../services';
import { baseName } from './targets';

// Functions, not constants: a label is translated when it is shown, never at import.
const COMPARE = (): string => vscode.l10n.t({ message: 'Compare', comment: ['button: compare the drive version with yours'] });
const OVERWRITE = (): string => vscode.l10n.t({ message: 'Overwrite', comment: ['button: replace the existing file'] });

/** What to do with a file whose name exists where it goes. */
export type Choice = 'overwrite' | 'keepBoth' | 'skip';

/**
 * The answers to a run of existing names, in order: the policy a script gave, else the "… All"
 * the user picked earlier in the run, else the question (told how many remain, for its … All
 * buttons). One home for the rule the downloads into a folder, the folder downloads, and both
 * upload paths follow.
 */
export class ConflictRun {
  private all: Choice | undefined;

  constructor(policy: Choice | 'ask', private remaining: number) {
    this.all = policy === 'ask' ? undefined : policy;
  }

  /** The choice for the next existing name; undefined when the question was dismissed (the run stops). */
  async next(ask: (remaining: number) => Promise<{ choice: Choice; all: boolean } | undefined>): Promise<Choice | undefined> {
    let choice = this.all;
    if (!choice) {
      const answer = await ask(this.remaining);
      if (!answer) return undefined;
      choice = answer.choice;
      if (answer.all) this.all = choice;
    }
    this.remaining--;
    return choice;
  }
}

/**
 * The buttons of an Overwrite / Keep Both / Skip question, translated when asked (the answer is
 * compared with these same labels). Uploads ask with them too.
 */
export function conflictButtons(): { label: string; choice: Choice; all: boolean }[] {
  return [
    { label: OVERWRITE(), choice: 'overwrite', all: false },
    { label: vscode.l10n.t({ message: 'Keep Both', comment: ['button: keep the existing file and save this one under a free name'] }), choice: 'keepBoth', all: false },
    { label: vscode.l10n.t({ message: 'Skip', comment: ['button: skip this file'] }), choice: 'skip', all: false },
    { label: vscode.l10n.t({ message: 'Overwrite All', comment: ['button: Overwrite for this and every later existing file'] }), choice: 'overwrite', all: true },
    { label: vscode.l10n.t({ message: 'Keep Both for All', comment: ['button: Keep Both for this and every later existing file'] }), choice: 'keepBoth', all: true },
    { label: vscode.l10n.t({ message: 'Skip All', comment: ['button: Skip this and every later existing file'] }), choice: 'skip', all: true },
  ];
}

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
  const [compare, overwrite] = [COMPARE(), OVERWRITE()];
  const choice = await vscode.window.showWarningMessage(vscode.l10n.t('{0} changed on the Nen drive since you opened it. Your edits are kept unsaved.', quotedName(name)), compare, overwrite);
  if (choice === compare) await compareWithRemote(services, conflict.uri);
  if (choice === overwrite) await overwriteRemote(services, conflict.uri);
}

/** Opens a diff: the file as it is on the drive now (left) against the editor (right). */
export async function compareWithRemote(services: Services, uri: vscode.Uri): Promise<void> {
  const name = displayName(baseName(uri));
  await vscode.commands.executeCommand('vscode.diff', services.fs.remoteVersionUri(uri), uri, vscode.l10n.t({ message: '{0} (Nen drive) ↔ {0} (yours)', args: [name], comment: ['the title of a diff editor: the drive version of file {0} on the left, the editor on the right'] }));
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
