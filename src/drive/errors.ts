import * as vscode from 'vscode';
import { isLocalFailure } from '../api/errors';
import { redact } from '../api/redact';
import type { NenErrorKind, NenResource } from '../api/types';
import { describeUri, parseDriveUri } from './uri';

/** The shape of the client's `NenApiError`, duck-typed so errors from any copy of the module match. */
interface KindedError {
  kind: NenErrorKind;
  status?: number;
  resource?: NenResource;
  message: string;
  code?: string;
}

export function errorKind(err: unknown): NenErrorKind | undefined {
  if (err && typeof err === 'object' && typeof (err as { kind?: unknown }).kind === 'string') {
    return (err as KindedError).kind;
  }
  return undefined;
}

function isKinded(err: unknown): err is KindedError {
  return errorKind(err) !== undefined;
}

/**
 * A plain reason for the user, without the file: "Nen rejected the API key (401). Run 'Nen
 * Drive: Set API Key'." Commands put it into their messages; the provider into FileSystemErrors.
 * The client already strips the key from its messages; this adds nothing that could hold one.
 */
export function describeError(err: unknown, redactText: (text: string) => string = keyShapesOnly): string {
  return redactText(describeErrorRaw(err));
}

/** The default redaction, without the current key: anything shaped like a Nen key or a bearer credential. */
function keyShapesOnly(text: string): string {
  return redact(text, []);
}

function describeErrorRaw(err: unknown): string {
  if (err instanceof vscode.FileSystemError) return err.message;
  if (!isKinded(err)) return err instanceof Error ? err.message : String(err);
  // The error's own words (the server's, or the client's), after the reason: the messages carry them as a placeholder.
  const server = err.message ? ` ${ensurePeriod(err.message)}` : '';
  // A local file that cannot be read or written (it vanished, no permission): its own words, not the API's 404 or 403.
  if ((err.kind === 'notFound' || err.kind === 'forbidden' || err.kind === 'conflict') && isLocalFailure(err)) return ensurePeriod(err.message);
  switch (err.kind) {
    case 'unauthorized':
      return vscode.l10n.t("Nen rejected the API key (401). Run 'Nen Drive: Set API Key'.");
    case 'forbidden':
      return vscode.l10n.t({ message: 'The API key is not allowed to do this (403).{0}', args: [server], comment: ["{0} is the server's own message (not translated) with a leading space, or empty"] });
    case 'notFound':
      return vscode.l10n.t({ message: 'Not found on the Nen drive (404).{0}', args: [server], comment: ["{0} is the server's own message (not translated) with a leading space, or empty"] });
    case 'badRequest':
      // No status: a guard in the client refused it before sending (bad name, bad URL); its message says why.
      return err.status === undefined ? ensurePeriod(err.message) : vscode.l10n.t({ message: 'The Nen API refused the request ({0}).{1}', args: [err.status, server], comment: ["{0} is an HTTP status, {1} the server's own message (not translated) with a leading space, or empty"] });
    case 'tooLarge':
      return err.status === undefined ? ensurePeriod(err.message) : vscode.l10n.t({ message: 'Too large for the Nen drive: files are limited to 100 MiB (413).{0}', args: [server], comment: ["{0} is the server's own message (not translated) with a leading space, or empty"] });
    case 'conflict':
      return vscode.l10n.t({ message: 'The Nen API reported a conflict (409).{0}', args: [server], comment: ["{0} is the server's own message (not translated) with a leading space, or empty"] });
    case 'rateLimited':
      return vscode.l10n.t('The Nen API is rate limiting requests (429). Try again in a moment.');
    case 'unavailable':
      return err.status
        ? vscode.l10n.t({ message: 'The Nen API is unavailable ({0}). Try again in a moment.{1}', args: [err.status, server], comment: ["{0} is an HTTP status, {1} the server's own message (not translated) with a leading space, or empty"] })
        : vscode.l10n.t({ message: 'The Nen API is unavailable. Try again in a moment.{0}', args: [server], comment: ["{0} is the server's own message (not translated) with a leading space, or empty"] });
    case 'network':
      return vscode.l10n.t({ message: 'Cannot reach the Nen API.{0} Check nenDrive.apiUrl and your connection.', args: [server], comment: ["{0} is the server's own message (not translated) with a leading space, or empty"] });
    case 'timeout':
      return vscode.l10n.t('The Nen API did not answer in time. Try again, or raise the timeout in the Nen Drive settings.');
    case 'cancelled':
      return vscode.l10n.t({ message: 'Cancelled.', comment: ['the reason a request failed: the user cancelled it'] });
    case 'protocol':
      return vscode.l10n.t({ message: 'The Nen API sent an unexpected answer.{0}', args: [server], comment: ["{0} is the server's own message (not translated) with a leading space, or empty"] });
    case 'proxy':
      // The client's message says which proxy and what it did (refused, wants credentials, unreachable).
      return ensurePeriod(err.message);
  }
}

/**
 * THE one mapper from a client error to what VS Code expects of a FileSystemProvider.
 * Factories are always called (never `new FileSystemError`), so VS Code sees the right code.
 * `redactText` (the Logger's, which knows the current key) runs over the reason as a second guard
 * behind the client's own scrubbing: a server that echoes the key must not put it on screen.
 * A missing entry gets the uri itself (VS Code's probes of .vscode, .git and friends must look
 * like any other missing file); every other error, and a 404 for a desktop or a file (see
 * {@link namesWhatIsMissing}), gets a message naming the file and the reason, which VS Code shows
 * as "Failed to save 'x': …" while keeping the editor dirty.
 */
export function toFileSystemError(
  err: unknown,
  uri: vscode.Uri,
  redactText: (text: string) => string = keyShapesOnly,
): vscode.FileSystemError {
  if (err instanceof vscode.FileSystemError) return err;
  const kind = errorKind(err);
  const what = safeDescribe(uri);
  const reason = describeError(err, redactText);
  const message = vscode.l10n.t({ message: '{0}: {1}', args: [what, reason], comment: ['{0} is a file or drive, e.g. "a.txt" on dsk_1, {1} the reason'] });
  switch (kind) {
    case 'notFound':
      if (namesWhatIsMissing(err as KindedError, uri)) return vscode.FileSystemError.FileNotFound(message);
      return vscode.FileSystemError.FileNotFound(uri);
    case 'unauthorized':
    case 'forbidden':
      return vscode.FileSystemError.NoPermissions(message);
    case 'conflict':
      return vscode.FileSystemError.FileExists(message);
    case 'tooLarge':
    case 'badRequest':
      return vscode.FileSystemError.NoPermissions(message);
    case 'cancelled':
    case 'network':
    case 'timeout':
    case 'unavailable':
    case 'rateLimited':
    case 'protocol':
    case 'proxy':
    default:
      return vscode.FileSystemError.Unavailable(message);
  }
}

/**
 * Whether a 404 deserves a message, decided from what the request asked for (the client's
 * `resource`), never from the server's wording. A name missing from a listing never reaches the
 * mapper: the provider answers it silently itself. So a 404 for a desktop (a desktop call, or its
 * drive's listing; the drive's root stands for its desktop when the error says nothing) or for a
 * file (the provider downloads only a name it has just seen listed, and an upload cannot miss
 * its own file) is news, not a probe: say what and why. A folder whose listing answers 404 is a
 * missing entry like any other: the uri alone.
 */
function namesWhatIsMissing(err: KindedError, uri: vscode.Uri): boolean {
  const resource = err.resource ?? (safeParse(uri).name === undefined ? 'desktop' : undefined);
  return resource === 'desktop' || resource === 'file';
}

function ensurePeriod(s: string): string {
  const t = s.trim();
  return /[.!?…]$/.test(t) ? t : `${t}.`;
}

function safeParse(uri: vscode.Uri): { name?: string } {
  try {
    return parseDriveUri(uri);
  } catch {
    return { name: uri.path };
  }
}

function safeDescribe(uri: vscode.Uri): string {
  try {
    return describeUri(uri);
  } catch {
    return uri.toString(true);
  }
}
