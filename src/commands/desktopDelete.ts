import * as vscode from 'vscode';
import { displayName } from '../api/display';
import type { Desktop, DriveEntry } from '../api/types';
import { SCHEME } from '../constants';
import { describeError, errorKind } from '../drive/errors';
import { desktopOf, desktopTitle, forgetDesktop, freshDesktop, scriptArgs, withNotification, type DesktopContext } from './desktopManagement';
import { listNames, plural } from './messages';

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
  const target = await desktopOf(ctx, arg, 'Delete which desktop?');
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
    await withNotification(`Deleting desktop ${title}…`, () => ctx.services.clients.get().deleteDesktop(desktop.desktop_id));
  } catch (err) {
    if (errorKind(err) !== 'notFound') throw err;
    // Deleted by someone else between the question and the call: the outcome the user asked for.
    void vscode.window.showWarningMessage(`Desktop ${title} was already gone (the Nen API answered 404): someone else deleted it. It is removed from Nen Drive.`);
    await gone(ctx, desktop.desktop_id, title);
    return true;
  }
  ctx.services.log.info(`deleted desktop ${desktop.desktop_id}`);
  const editors = await gone(ctx, desktop.desktop_id, title);
  const kept = editors > 0 ? ` ${plural(editors, 'open editor')} of it ${editors === 1 ? 'keeps its' : 'keep their'} text but can no longer be saved there (use Save As…).` : '';
  void vscode.window.showInformationMessage(`Deleted desktop ${title}; its drive was wiped.${kept}`);
  return true;
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
  const button = empty ? 'Delete' : 'Delete…';
  const answer = await vscode.window.showWarningMessage(`Delete desktop ${title}?`, { modal: true, detail: deleteDetail(contents) }, button);
  if (answer !== button) return false;
  if (empty) return true;
  const expected = typedName(desktop);
  const typed = await vscode.window.showInputBox({
    title: `Nen Drive: Delete Desktop ${title}`,
    prompt: `Type ${expected} to delete the desktop and wipe its drive. This cannot be undone.`,
    placeHolder: expected,
    ignoreFocusOut: true,
    validateInput: (v) => (v === expected ? undefined : `Type ${expected} exactly, or press Escape to keep the desktop.`),
  });
  return typed === expected;
}

function deleteDetail(contents: DriveContents): string {
  const end = 'This cannot be undone.';
  if ('error' in contents) {
    return `Its shared drive is wiped with everything on it (its files could not be listed: ${contents.error}). ${end} You will be asked to type the desktop's name.`;
  }
  const { entries } = contents;
  if (entries.length === 0) return `Its shared drive is empty. ${end}`;
  const files = entries.filter((e) => !e.isDir).length;
  const folders = entries.length - files;
  const counted = [files > 0 ? plural(files, 'file') : '', folders > 0 ? plural(folders, 'folder') : ''].filter(Boolean).join(' and ');
  return `Its shared drive is wiped with all it holds: ${counted} at its root (${listNames(entries.map((e) => e.name))}). ${end} You will be asked to type the desktop's name.`;
}

/** What must be typed: the desktop's name when it can be typed as shown, else its id. */
function typedName(desktop: Desktop): string {
  const name = typeof desktop.name === 'string' ? desktop.name : '';
  return name && displayName(name) === name ? name : desktop.desktop_id;
}
