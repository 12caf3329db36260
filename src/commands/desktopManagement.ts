import * as vscode from 'vscode';
import { quotedName } from '../api/display';
import { validateDesktopName } from '../api/names';
import type { Desktop } from '../api/types';
import { Commands } from '../constants';
import { describeError, errorKind } from '../drive/errors';
import type { Services } from '../services';
import type { DriveTreeDataProvider } from '../views/DriveTreeDataProvider';
import { isDriveNode, type DesktopNode, type DriveNode } from '../views/nodes';
import { configuredDesktops, updateDesktops } from './desktopCommands';
import { pickDesktop } from './targets';

/**
 * New Desktop… and Rename Desktop…, like `nen desktop create` and `rename`, plus what Delete
 * Desktop… (desktopDelete.ts) shares with them: naming a desktop in messages, finding the one a
 * call means, and keeping `nenDrive.desktops` and the tree in step with the server.
 */

/** What the desktop commands need: the services, the tree, and the view (to select a new row). */
export interface DesktopContext {
  services: Services;
  tree: DriveTreeDataProvider;
  view?: vscode.TreeView<DriveNode>;
}

/** `nenDrive.newDesktop({ type?, name? })` from a script: no dialogs. */
export interface NewDesktopArgs {
  type?: string;
  name?: string;
}

/** `'build box' (dsk_abc123def456)`, or the id alone when the desktop has no other name. */
export function desktopTitle(id: string, name?: unknown): string {
  return typeof name === 'string' && name && name !== id ? `${quotedName(name)} (${id})` : id;
}

/** An object argument from a script (not a tree row, a URI or a list). */
export function scriptArgs(arg: unknown): Record<string, unknown> | undefined {
  if (!arg || typeof arg !== 'object' || Array.isArray(arg) || isDriveNode(arg) || arg instanceof vscode.Uri) return undefined;
  return arg as Record<string, unknown>;
}

/** The desktop a call names: a desktop row, an id, `{ desktopId }`; from the palette, a pick. */
export async function desktopOf(ctx: DesktopContext, arg: unknown, placeHolder: string): Promise<{ id: string; row?: DesktopNode } | undefined> {
  if (isDriveNode(arg)) return arg.kind === 'desktop' ? { id: arg.desktopId, row: arg } : undefined;
  const id = typeof arg === 'string' ? arg : scriptArgs(arg)?.desktopId;
  if (typeof id === 'string' && id.trim()) return { id: id.trim() };
  if (arg !== undefined) throw new Error(vscode.l10n.t('Name a desktop: a desktop row, its id, or { desktopId }.'));
  const picked = await pickDesktop(ctx.tree, placeHolder);
  return picked && { id: picked.desktopId, row: picked };
}

/** The desktop as the server describes it now; undefined (and a message) when it is gone. */
export async function freshDesktop(ctx: DesktopContext, id: string, doing: 'delete' | 'rename'): Promise<Desktop | undefined> {
  try {
    return await ctx.services.clients.get().getDesktop(id);
  } catch (err) {
    if (errorKind(err) !== 'notFound') throw err;
    void vscode.window.showErrorMessage(doing === 'delete' ? goneOnDelete(id) : goneOnRename(id));
    ctx.tree.refresh();
    return undefined;
  }
}

/** A desktop that answered 404 when it was to be deleted or renamed. */
function goneOnDelete(title: string): string {
  return vscode.l10n.t('Cannot delete desktop {0}: it no longer exists (the Nen API answered 404; it may have been deleted elsewhere).', title);
}

function goneOnRename(title: string): string {
  return vscode.l10n.t('Cannot rename desktop {0}: it no longer exists (the Nen API answered 404; it may have been deleted elsewhere).', title);
}

/** A notification with a spinner while `task` runs. */
export function withNotification<T>(title: string, task: () => Promise<T>): Thenable<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title }, task);
}

/** Resolves once `check()` holds after a settings event (the ClientProvider re-reads them), or after 5 s. */
function settingsSettled(services: Services, check: () => boolean): Promise<void> {
  if (check()) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      sub.dispose();
      resolve();
    };
    const timer = setTimeout(done, 5000);
    const sub = services.clients.onDidChange(() => check() && done());
  });
}

/** Puts a desktop into the tree: appended to `nenDrive.desktops` when that lists desktops, then shown. */
export async function showDesktop(ctx: DesktopContext, id: string): Promise<void> {
  const current = configuredDesktops();
  if (current.ids.length > 0 && !current.ids.includes(id)) {
    await updateDesktops([...current.ids, id], current.target);
    await settingsSettled(ctx.services, () => ctx.services.clients.settings.desktops.includes(id));
  } else ctx.tree.refresh();
}

/** Takes a desktop out of the tree and out of `nenDrive.desktops`. */
export async function forgetDesktop(ctx: DesktopContext, id: string): Promise<void> {
  const current = configuredDesktops();
  if (current.ids.includes(id)) {
    await updateDesktops(current.ids.filter((d) => d !== id), current.target);
    await settingsSettled(ctx.services, () => !ctx.services.clients.settings.desktops.includes(id));
  } else ctx.tree.refresh();
}

/**
 * Selects a desktop's row once the tree lists it. A reveal made while the view is still taking
 * in a refresh can be dropped by VS Code, so the selection is checked, and the row revealed again
 * (at most three times) when it has not arrived within a second.
 */
async function selectDesktop(ctx: DesktopContext, id: string): Promise<void> {
  const view = ctx.view;
  if (!view) return;
  const isSelected = (): boolean => view.selection.some((n) => n.kind === 'desktop' && n.desktopId === id);
  for (let attempt = 0; attempt < 3 && !isSelected(); attempt++) {
    const roots = await ctx.tree.getChildren();
    const row = roots.find((n): n is DesktopNode => n.kind === 'desktop' && n.desktopId === id);
    if (!row) return;
    const selected = new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        sub.dispose();
        resolve();
      };
      const timer = setTimeout(done, 1000);
      const sub = view.onDidChangeSelection(() => isSelected() && done());
    });
    await view.reveal(row, { select: true, focus: true });
    await selected;
  }
}

/**
 * `newDesktop(args?: { type?, name? })`. The palette asks for an optional name (Escape creates
 * nothing); the API documents no list of desktop types, so no type is asked: the server's
 * default (`sandbox`) applies unless a script passes `type`. A name is set with a rename after
 * the create (the create call documents no name): if the API refuses it, the new desktop stays,
 * with the name Nen gave it, and the message says so. Returns the Desktop.
 */
export async function newDesktop(ctx: DesktopContext, arg?: unknown): Promise<Desktop | undefined> {
  const args = scriptArgs(arg) as NewDesktopArgs | undefined;
  if (args?.type !== undefined && (typeof args.type !== 'string' || !args.type.trim())) throw new Error(vscode.l10n.t('"type" must be a desktop type such as "sandbox".'));
  let name = args?.name;
  if (name !== undefined) {
    const problem = validateDesktopName(name);
    if (problem) throw new Error(problem);
  }
  if (!args) {
    const typed = await vscode.window.showInputBox({
      title: vscode.l10n.t('Nen Drive: New Desktop'),
      prompt: vscode.l10n.t('A name for the new desktop, or leave it empty and Nen names it. Enter creates the desktop; Escape cancels.'),
      placeHolder: vscode.l10n.t({ message: 'build box', comment: ['an example desktop name'] }),
      ignoreFocusOut: true,
    });
    if (typed === undefined) return undefined;
    name = typed.trim() || undefined;
  }
  const client = ctx.services.clients.get();
  let desktop = await withNotification(vscode.l10n.t('Creating a Nen desktop…'), () => client.createDesktop(args?.type ? { desktop_type: args.type.trim() } : {}));
  ctx.services.log.info(`created desktop ${desktop.desktop_id} (${String(desktop.status ?? 'no status')})`);
  let refused: unknown;
  if (name !== undefined && name !== desktop.name) {
    try {
      desktop = await client.renameDesktop(desktop.desktop_id, name);
    } catch (err) {
      refused = err;
    }
  }
  await showDesktop(ctx, desktop.desktop_id);
  await selectDesktop(ctx, desktop.desktop_id);
  if (refused !== undefined) {
    ctx.services.log.error(`naming the new desktop ${desktop.desktop_id}`, refused);
    void vscode.window.showErrorMessage(
      vscode.l10n.t({
        message: 'Created desktop {0}, but could not name it {1}: {2} The desktop is kept; use Rename Desktop… to try another name.',
        args: [desktopTitle(desktop.desktop_id, desktop.name), quotedName(name ?? ''), describeError(refused, ctx.services.log.redact)],
        comment: ['{0} is the new desktop, {1} the refused name, {2} the reason (a sentence)'],
      }),
    );
  }
  return desktop;
}

/**
 * `renameDesktop(row | id | { desktopId, name })`. With `{ desktopId, name }` no box is shown.
 * The name's rules are the server's (the client refuses only an empty one): a 400 is shown
 * naming the desktop, the name and the server's reason, with Try Another Name.
 */
export async function renameDesktop(ctx: DesktopContext, arg?: unknown): Promise<Desktop | undefined> {
  const target = await desktopOf(ctx, arg, vscode.l10n.t('Rename which desktop?'));
  if (!target) return undefined;
  const given = scriptArgs(arg)?.name;
  if (given !== undefined && typeof given !== 'string') throw new Error(vscode.l10n.t('"name" must be a string.'));
  let name = given;
  let title = desktopTitle(target.id);
  if (name === undefined) {
    const current = await freshDesktop(ctx, target.id, 'rename');
    if (!current) return undefined;
    title = desktopTitle(target.id, current.name);
    name = await vscode.window.showInputBox({
      title: vscode.l10n.t('Nen Drive: Rename Desktop {0}', title),
      prompt: vscode.l10n.t('The new name of the desktop (the Nen API decides which names it accepts).'),
      value: typeof current.name === 'string' ? current.name : '',
      ignoreFocusOut: true,
      validateInput: validateDesktopName,
    });
    if (name === undefined) return undefined;
    if (name === current.name) return current;
  }
  const problem = validateDesktopName(name);
  if (problem) throw new Error(problem);
  let renamed: Desktop;
  try {
    renamed = await ctx.services.clients.get().renameDesktop(target.id, name);
  } catch (err) {
    return renameFailed(ctx, target, title, name, err);
  }
  if (!ctx.tree.updateDesktop(renamed)) ctx.tree.refresh();
  return renamed;
}

/** A refused name (400) or a desktop gone (404) said plainly; anything else to the generic failure. */
function renameFailed(ctx: DesktopContext, target: { id: string; row?: DesktopNode }, title: string, name: string, err: unknown): undefined {
  const kind = errorKind(err);
  if (kind === 'notFound') {
    void vscode.window.showErrorMessage(goneOnRename(title));
    ctx.tree.refresh();
    return undefined;
  }
  if (kind !== 'badRequest') throw err;
  ctx.services.log.error(`renaming desktop ${target.id}`, err);
  const again = vscode.l10n.t('Try Another Name');
  void vscode.window
    .showErrorMessage(vscode.l10n.t('Could not rename desktop {0} to {1}: {2}', title, quotedName(name), describeError(err, ctx.services.log.redact)), again)
    .then((choice) => choice === again && vscode.commands.executeCommand(Commands.renameDesktop, target.row ?? target.id));
  return undefined;
}
