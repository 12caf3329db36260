/**
 * The API's paths, built only from checked parts: every desktop id and name is one encoded path
 * segment, every folder one `?path=` value, so nothing a caller passes can reach another route.
 */
import type { MakeError } from './errors';
import { normalizeFolderPath, validateDesktopId, validateFolderPath, validateName } from './names';
import type { NenResource } from './types';

/** `/desktops/<id>`, the id checked (one rule: validateDesktopId) and encoded as one segment. */
export function desktopPath(id: string, fail: MakeError): string {
  const reason = validateDesktopId(id);
  if (reason) throw fail('badRequest', reason);
  return `/desktops/${encodeURIComponent(id)}`;
}

/** `/desktops/<id>/files[?path=<folder>]`: the listing route. */
export function filesPath(desktopId: string, folder: string | undefined, fail: MakeError): string {
  return `${desktopPath(desktopId, fail)}/files${folderQuery(folder, fail)}`;
}

/** `/desktops/<id>/files/<name>[?path=<folder>]`, each part checked and encoded as one segment. */
export function filePath(desktopId: string, name: string, folder: string | undefined, fail: MakeError): string {
  return `${desktopPath(desktopId, fail)}/files/${nameSegment(name, fail)}${folderQuery(folder, fail)}`;
}

/** What a listing asks for: a folder's listing, or the drive's root, which stands for its desktop. */
export function listingResource(folder: string | undefined): NenResource {
  return normalizeFolderPath(folder) ? 'folder' : 'desktop';
}

/** Refuses a name the drive cannot hold, as `badRequest`, before any request. */
export function checkName(name: string, fail: MakeError): void {
  const reason = validateName(name);
  if (reason) throw fail('badRequest', reason);
}

function nameSegment(name: string, fail: MakeError): string {
  checkName(name, fail);
  return encodeURIComponent(name);
}

function folderQuery(path: string | undefined, fail: MakeError): string {
  if (path === undefined) return '';
  const reason = validateFolderPath(path);
  if (reason) throw fail('badRequest', reason);
  const normal = normalizeFolderPath(path);
  return normal ? `?path=${encodeURIComponent(normal)}` : '';
}
