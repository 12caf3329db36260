import { promises as fsp } from 'node:fs';
import * as vscode from 'vscode';
import { driveFileSource } from '../api/copySource';
import type { DriveClient } from '../api/DriveClient';
import { validateName } from '../api/names';
import { checkUploadSize } from '../api/uploadLimit';
import { MAX_UPLOAD_BYTES, type UploadSource } from '../api/types';
import { SCHEME } from '../constants';
import { parseDriveUri } from '../drive/uri';
import type { DroppedFile, UploadItem } from '../views/nodes';
import { baseName } from './targets';
import { quotedName } from '../api/display';

/** One item to upload, known before a byte is sent: its name, its size and where its body comes from. */
export interface UploadCandidate {
  /** The local (source) name, for messages. */
  label: string;
  size: number;
  /** The body: a local file, or bytes. Absent for a copy between drives (see `copyFrom`) and for a file refused by size. */
  source?: UploadSource;
  /** A copy between drives: the body is a download of this drive file, opened at send time. */
  copyFrom?: { desktopId: string; name: string; folder: string | undefined };
  /** What it was made from (Retry Failed sends it again from there). */
  item?: UploadItem;
}

/** An item that cannot be read or is not a file, with the reason. */
export interface Unreadable {
  label: string;
  reason: string;
}

/** Why the drive would refuse a file, checked before a byte is sent: its name, then its size (the client's rules). */
export function uploadProblem(label: string, size: number): string | undefined {
  const nameProblem = validateName(label);
  if (nameProblem) return nameProblem;
  try {
    checkUploadSize(label, size);
  } catch (err) {
    return (err as Error).message;
  }
  return undefined;
}

export function labelOf(item: UploadItem): string {
  if (item instanceof vscode.Uri) return baseName(item);
  return item.name;
}

/** The name, size and body source of an item, or why it cannot be read. */
export async function resolveSource(item: UploadItem): Promise<UploadCandidate | Unreadable> {
  if (!(item instanceof vscode.Uri)) return resolveDropped(item);
  const label = baseName(item);
  if (item.scheme === 'file') {
    const st = await fsp.stat(item.fsPath).catch(() => undefined);
    if (!st) return { label, reason: vscode.l10n.t({ message: "'{0}' cannot be read.", args: [item.fsPath], comment: ['{0} is a local path'] }) };
    if (st.isDirectory()) return { label, reason: isFolderText(label) };
    // Streamed from disk with its exact size; the client reopens it for a retry.
    return { label, size: st.size, source: { kind: 'file', path: item.fsPath } };
  }
  if (item.scheme === SCHEME) {
    // A copy between drives: stream the download straight into the upload.
    const { desktopId, folder, name } = parseDriveUri(item);
    if (name === undefined) return { label: item.authority, reason: vscode.l10n.t('A whole drive cannot be copied; pick its files.') };
    const st = await vscode.workspace.fs.stat(item);
    if (st.type & vscode.FileType.Directory) return { label, reason: vscode.l10n.t('{0} is a folder; copy the files in it instead.', quotedName(label)) };
    return { label, size: st.size, copyFrom: { desktopId, name, folder } };
  }
  // Anything else VS Code can read (e.g. a remote or virtual file): read through its provider.
  const st = await vscode.workspace.fs.stat(item);
  if (st.type & vscode.FileType.Directory) return { label, reason: isFolderText(label) };
  // Too large to go: not read at all; uploadProblem refuses it by its size.
  if (st.size > MAX_UPLOAD_BYTES) return { label, size: st.size };
  const data = await vscode.workspace.fs.readFile(item);
  return { label, size: data.byteLength, source: { kind: 'bytes', data } };
}

function isFolderText(label: string): string {
  return vscode.l10n.t('{0} is a folder; upload the files in it instead.', quotedName(label));
}

async function resolveDropped(file: DroppedFile): Promise<UploadCandidate | Unreadable> {
  if (file.uri && file.uri.scheme === 'file') {
    const st = await fsp.stat(file.uri.fsPath).catch(() => undefined);
    if (st?.isFile()) return { label: file.name, size: st.size, source: { kind: 'file', path: file.uri.fsPath } };
  }
  // A browser drop: the bytes are all there is. A folder from the OS arrives as one item whose
  // bytes cannot be read (seen in code-server 1.100.3): say so, and what works instead.
  const data = await file.data().then(
    (d) => d,
    () => undefined,
  );
  if (!data) {
    const reason = vscode.l10n.t(
      '{0} could not be read from the drop. If it is a folder: in a browser, VS Code hands extensions a dropped folder as one unreadable item. Drop it on the Explorer first, then drag it from there onto the drive.',
      quotedName(file.name),
    );
    return { label: file.name, reason };
  }
  return { label: file.name, size: data.byteLength, source: { kind: 'bytes', data } };
}

/** The body to send for a candidate: its own source, or for a copy a fresh download stream per attempt. */
export function bodyOf(client: DriveClient, candidate: UploadCandidate, signal: AbortSignal): UploadSource {
  const from = candidate.copyFrom;
  return from ? driveFileSource(client, from, candidate.size, signal) : (candidate.source as UploadSource);
}
