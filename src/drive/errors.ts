import * as vscode from 'vscode';
import { redact } from '../api/redact';
import type { NenErrorKind } from '../api/types';
import { describeUri, parseDriveUri } from './uri';

/** The shape of the client's `NenApiError`, duck-typed so errors from any copy of the module match. */
interface KindedError {
  kind: NenErrorKind;
  status?: number;
  message: string;
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
  const server = err.message ? ` ${ensurePeriod(err.message)}` : '';
  switch (err.kind) {
    case 'unauthorized':
      return "Nen rejected the API key (401). Run 'Nen Drive: Set API Key'.";
    case 'forbidden':
      return `The API key is not allowed to do this (403).${server}`;
    case 'notFound':
      return `Not found on the Nen drive (404).${server}`;
    case 'badRequest':
      // No status: a guard in the client refused it before sending (bad name, bad URL); its message says why.
      return err.status === undefined ? ensurePeriod(err.message) : `The Nen API refused the request (${err.status}).${server}`;
    case 'tooLarge':
      return err.status === undefined ? ensurePeriod(err.message) : `Too large for the Nen drive: files are limited to 100 MiB (413).${server}`;
    case 'conflict':
      return `The Nen API reported a conflict (409).${server}`;
    case 'rateLimited':
      return 'The Nen API is rate limiting requests (429). Try again in a moment.';
    case 'unavailable':
      return `The Nen API is unavailable${err.status ? ` (${err.status})` : ''}. Try again in a moment.${server}`;
    case 'network':
      return `Cannot reach the Nen API.${server} Check nenDrive.apiUrl and your connection.`;
    case 'timeout':
      return 'The Nen API did not answer in time. Try again, or raise the timeout in the Nen Drive settings.';
    case 'cancelled':
      return 'Cancelled.';
    case 'protocol':
      return `The Nen API sent an unexpected answer.${server}`;
  }
}

/**
 * THE one mapper from a client error to what VS Code expects of a FileSystemProvider.
 * Factories are always called (never `new FileSystemError`), so VS Code sees the right code.
 * `redactText` (the Logger's, which knows the current key) runs over the reason as a second guard
 * behind the client's own scrubbing: a server that echoes the key must not put it on screen.
 * A missing entry gets the uri itself (VS Code's probes of .vscode, .git and friends must look
 * like any other missing file); every other error gets a message naming the file and the reason,
 * which VS Code shows as "Failed to save 'x': …" while keeping the editor dirty.
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
  switch (kind) {
    case 'notFound': {
      const { name } = safeParse(uri);
      // A 404 on a listing is the desktop (or folder) itself missing: say so, it is not a probe.
      if (name === undefined || /desktop/i.test((err as KindedError).message)) {
        return vscode.FileSystemError.FileNotFound(`${what}: ${reason}`);
      }
      return vscode.FileSystemError.FileNotFound(uri);
    }
    case 'unauthorized':
    case 'forbidden':
      return vscode.FileSystemError.NoPermissions(`${what}: ${reason}`);
    case 'conflict':
      return vscode.FileSystemError.FileExists(`${what}: ${reason}`);
    case 'tooLarge':
    case 'badRequest':
      return vscode.FileSystemError.NoPermissions(`${what}: ${reason}`);
    case 'cancelled':
    case 'network':
    case 'timeout':
    case 'unavailable':
    case 'rateLimited':
    case 'protocol':
    default:
      return vscode.FileSystemError.Unavailable(`${what}: ${reason}`);
  }
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
