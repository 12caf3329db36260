import * as vscode from 'vscode';
import { displayName, quotedName } from '../api/display';
import { SCHEME } from '../constants';

/**
 * `nendrive://<desktopId>/<segment>/<segment>`. `vscode.Uri.from` keeps the raw segments and
 * escapes them only when the URI is printed, so unicode, spaces, `%`, `#` and `?` survive a
 * round trip unchanged.
 */
export function driveUri(desktopId: string, ...segments: string[]): vscode.Uri {
  return vscode.Uri.from({ scheme: SCHEME, authority: desktopId, path: '/' + segments.join('/') });
}

/** `nendrive://<desktopId>/<folder>/` for a folder path (`a/b`), or the drive's root. */
export function folderUri(desktopId: string, folder: string | undefined): vscode.Uri {
  return folder ? driveUri(desktopId, ...folder.split('/')) : driveUri(desktopId);
}

/** `nendrive://<desktopId>/<folder>/<name>`: an entry of a folder (or of the root). */
export function entryUri(desktopId: string, folder: string | undefined, name: string): vscode.Uri {
  return folder ? driveUri(desktopId, ...folder.split('/'), name) : driveUri(desktopId, name);
}

export interface DriveLocation {
  desktopId: string;
  /** The `?path=` folder for nested entries (`a` or `a/b`); undefined at the drive's root. */
  folder?: string;
  /** The entry's name; undefined for the drive's root. */
  name?: string;
}

export function parseDriveUri(uri: vscode.Uri): DriveLocation {
  if (uri.scheme !== SCHEME) throw new Error(`not a ${SCHEME}: URI: ${uri.toString(true)}`);
  const segments = uri.path.split('/').filter((s) => s.length > 0);
  const desktopId = uri.authority;
  if (segments.length === 0) return { desktopId };
  const name = segments[segments.length - 1];
  const folder = segments.length > 1 ? segments.slice(0, -1).join('/') : undefined;
  return folder === undefined ? { desktopId, name } : { desktopId, folder, name };
}

/** The URI of the folder holding `uri` (the desktop root for top-level entries). */
export function parentUri(uri: vscode.Uri): vscode.Uri {
  const { desktopId, folder } = parseDriveUri(uri);
  return folderUri(desktopId, folder);
}

/** A short label for messages: `name` on `dsk_…`, the path through {@link displayName}. */
export function describeUri(uri: vscode.Uri): string {
  const { desktopId, folder, name } = parseDriveUri(uri);
  if (name === undefined) return vscode.l10n.t({ message: 'the drive of {0}', args: [desktopId], comment: ['{0} is a desktop id; used inside sentences'] });
  return vscode.l10n.t({ message: '{0} on {1}', args: [quotedName(folder ? `${folder}/${name}` : name), desktopId], comment: ['{0} is a file name, {1} a desktop id: "a.txt" on dsk_1; used inside sentences'] });
}

/** A URI for the log: readable (not percent-encoded), clipped, hidden characters escaped. */
export function displayUri(uri: vscode.Uri): string {
  return displayName(uri.toString(true), MAX_LOGGED_URI_CHARS);
}

const MAX_LOGGED_URI_CHARS = 300;
