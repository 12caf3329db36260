/**
 * Shared helpers for the in-host suite. The emulator setup (setupEmulator and friends) lives in
 * tools/vscode-host/inHost.ts, which the bench's activation probe uses too; it is re-exported
 * here so the tests keep one import. What only tests need (request filters, closing editors,
 * expecting a rejection) stays here.
 */
import * as vscode from 'vscode';
import type { EmulatorHandle, RecordedRequest } from '../../tools/emulator/types';

export {
  countDriveRequests,
  driveUriForTest,
  getApi,
  randomDesktopId,
  setupEmulator,
  waitFor,
  type EmulatorSetup,
  type ExtensionApi,
  type SetupOptions,
} from '../../tools/vscode-host/inHost';

/** Requests in the emulator's log matching a method and a decoded-path test. */
export function requestsOf(emu: EmulatorHandle, method: string, pathTest?: string | RegExp): RecordedRequest[] {
  return emu.requests.filter(
    (r) =>
      r.method === method &&
      (pathTest === undefined || (typeof pathTest === 'string' ? r.path.includes(pathTest) : pathTest.test(r.path))),
  );
}

/** Reverts every dirty document and closes every editor, so no "Save changes?" dialog can block a test. */
export async function closeAllEditors(): Promise<void> {
  for (const doc of vscode.workspace.textDocuments) {
    if (!doc.isDirty) continue;
    await vscode.window.showTextDocument(doc, { preview: false });
    await vscode.commands.executeCommand('workbench.action.files.revert');
  }
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

/** Expects `promise` to reject; returns the error. */
export async function rejects(promise: Thenable<unknown>, what = 'the call'): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error(`${what} was expected to fail but succeeded`);
}
