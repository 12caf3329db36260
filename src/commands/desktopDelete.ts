import * as vscode from 'vscode';
import { displayName } from '../api/display';
import type { Desktop, DriveEntry } from '../api/types';
import { SCHEME } from '../constants';
import { describeError, errorKind } from '../drive/errors';
import { desktopOf, desktopTitle, forgetDesktop, freshDesktop, scriptArgs, withNotification, type DesktopContext } from './desktopManagement';
import { counted, filesText, listNames } from './messages';

/** What the delete question knows of the drive: its root entries, or why they could not be listed. */
type DriveContents = { entries: readonly DriveEntry[] } | { error: string };

/**
 * `deleteDesktop(row | id | { desktopId, confirm? })`, like `nen desktop delete`: it asks unless
 * a script passes `confirm: true`. The question is a modal that names the desktop and says its
 * drive is wiped; when the drive holds anything (or could not be listed) the desktop's name must
 * be typed too. The desktop's name and drive are read from the server at that moment, never from
 * a cache. Afterwards the desktop leaves the tree and `nenDrive.desktops`, and its open editors
 * keep their text while a save says the desktop was deleted. A desktop already gone (404) is
 * said so, and leaves the tree the same way. Returns true when the desktop is gone.
 */
export async function deleteDesktop(ctx: DesktopContext, arg?: unknown): Promise<boolean | undefined> {
  const target = await desktopOf(ctx, arg, vscode.l10n.t('Delete which desktop?'));
  if (!target) return undefined;
  const confirmed = scriptArgs(arg)?.confirm === true;
  const desktop = await freshDesktop(ctx, target.id, 'delete');
  if (!desktop) {
    // Gone already (said by freshDesktop): it leaves the tree too, and its editors' saves say why.
    await gone(ctx, target.id, target.id);
    return true;
  }
  const title = desktopTitle(desktop.desktop_id, desktop.name);
  if (!confirmed) {
    const contents = await driveContents(ctx, desktop.desktop_id);
    if (!(await confirmDelete(desktop, title, contents))) return false;
  }
  try {
    await withNotification(vscode.l10n.t('Deleting desktop {0}…', title), () => ctx.services.clients.get().deleteDesktop(desktop.desktop_id));
  } catch (err) {
    if (errorKind(err) !== 'notFound') throw err;
    // Deleted by someone else between the question and the call: the outcome the user asked for.
    void vscode.window.showWarningMessage(vscode.l10n.t('Desktop {0} was already gone (the Nen API answered 404): someone else deleted it. It is removed from Nen Drive.', title));
    await gone(ctx, desktop.desktop_id, title);
    return true;
  }
  ctx.services.log.info(`deleted desktop ${desktop.desktop_id}`);
  const editors = await gone(ctx, desktop.desktop_id, title);
  void vscode.window.showInformationMessage(deletedMessage(title, editors));
  return true;
}

/** "Deleted desktop …; its drive was wiped.", and what happens to its open editors when it had any. */
function deletedMessage(title: string, editors: number): string {
  if (editors === 0) return vscode.l10n.t('Deleted desktop {0}; its drive was wiped.', title);
  return counted(
    editors,
    vscode.l10n.t('Deleted desktop {0}; its drive was wiped. 1 open editor of it keeps its text but can no longer be saved there (use Save As…).', title),
    vscode.l10n.t('Deleted desktop {0}; its drive was wiped. {1} open editors of it keep their text but can no longer be saved there (use Save As…).', title, editors),
  );
}

/** After a delete: out of the tree and the setting; its editors' saves say why. Returns how many editors it had open. */
async function gone(ctx: DesktopContext, id: string, title: string): Promise<number> {
  ctx.services.fs.markDesktopDeleted(id, title);
  await forgetDesktop(ctx, id);
  return vscode.workspace.textDocuments.filter((d) => d.uri.scheme === SCHEME && d.uri.authority === id && !d.isClosed).length;
}

/** A fresh listing of the drive's root (what the question counts). */
async function driveContents(ctx: DesktopContext, id: string): Promise<DriveContents> {
  try {
    return { entries: await ctx.services.fs.list(id, undefined, { fresh: true }) };
  } catch (err) {
    return { error: describeError(err, ctx.services.log.redact) };
  }
}

/** The modal, then (for a drive that is not known to be empty) the typed name. */
async function confirmDelete(desktop: Desktop, title: string, contents: DriveContents): Promise<boolean> {
  const empty = 'entries' in contents && contents.entries.length === 0;
  const button = empty
    ? vscode.l10n.t({ message: 'Delete', comment: ['button: delete the desktop now'] })
    : vscode.l10n.t({ message: 'Delete…', comment: ['button: go on to typing the desktop name, then delete'] });
  const answer = await vscode.window.showWarningMessage(vscode.l10n.t('Delete desktop {0}?', title), { modal: true, detail: deleteDetail(contents) }, button);
  if (answer !== button) return false;
  if (empty) return true;
  const expected = typedName(desktop);
  const mismatch = vscode.l10n.t('Type {0} exactly, or press Escape to keep the desktop.', expected);
  const typed = await vscode.window.showInputBox({
    title: vscode.l10n.t('Nen Drive: Delete Desktop {0}', title),
    prompt: vscode.l10n.t('Type {0} to delete the desktop and wipe its drive. This cannot be undone.', expected),
    placeHolder: expected,
    ignoreFocusOut: true,
    validateInput: (v) => (v === expected ? undefined : mismatch),
  });
  return typed === expected;
}

function deleteDetail(contents: DriveContents): string {
  if ('error' in contents) {
    return vscode.l10n.t(
      "Its shared drive is wiped with everything on it (its files could not be listed: {0}). This cannot be undone. You will be asked to type the desktop's name.",
      contents.error,
    );
  }
  const { entries } = contents;
  if (entries.length === 0) return vscode.l10n.t('Its shared drive is empty. This cannot be undone.');
  return vscode.l10n.t(
    "Its shared drive is wiped with all it holds: {0} at its root ({1}). This cannot be undone. You will be asked to type the desktop's name.",
    fileAndFolderCount(entries),
    listNames(entries.map((e) => e.name)),
  );
}

/** "3 files", "1 folder", "3 files and 1 folder": what a list of entries holds. */
function fileAndFolderCount(entries: readonly DriveEntry[]): string {
  const files = entries.filter((e) => !e.isDir).length;
  const folders = entries.length - files;
  const fileCount = filesText(files);
  const folderCount = counted(folders, vscode.l10n.t('1 folder'), vscode.l10n.t('{0} folders', folders));
  if (folders === 0) return fileCount;
  if (files === 0) return folderCount;
  return vscode.l10n.t({ message: '{0} and {1}', args: [fileCount, folderCount], comment: ['{0} is a number of files, {1} of folders: "3 files and 1 folder"'] });
}

/** What must be typed: the desktop's name when it can be typed as shown, else its id. */
function typedName(desktop: Desktop): string {
  const name = typeof desktop.name === 'string' ? desktop.name : '';
  return name && displayName(name) === name ? name : desktop.desktop_id;
}
