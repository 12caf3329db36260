import * as vscode from 'vscode';
import { quotedName } from '../api/display';
import { Commands } from '../constants';
import { describeError, errorKind } from '../drive/errors';
import type { Services } from '../services';

// Functions, not constants: a string is translated when it is shown, never at import.
const SET_KEY = (): string => vscode.l10n.t('Set API Key');
const OPEN_LOG = (): string => vscode.l10n.t('Open Log');
const RETRY = (): string => vscode.l10n.t('Retry');

/**
 * Shows a failure with the action that helps, and logs it. Never awaited by the commands: a
 * notification's promise settles only when the user dismisses it.
 *
 * - a rejected key (401): "Nen rejected the API key." [Set API Key] [Open Log]
 * - an unreachable or struggling host: the reason, [Retry] [Open Log]
 * - a proxy that refused the tunnel or wants credentials: "The proxy host:port refused …" [Open Log]
 * - anything else: the reason, [Open Log]
 */
export function showFailure(services: Services, what: string, err: unknown, retry?: () => unknown): void {
  const kind = errorKind(err);
  services.log.error(what, err);
  if (kind === 'cancelled') return;
  if (kind === 'unauthorized') {
    const [setKey, openLog] = [SET_KEY(), OPEN_LOG()];
    void vscode.window.showErrorMessage(vscode.l10n.t({ message: '{0}: Nen rejected the API key.', args: [what], comment: ['{0} is what failed, e.g. "Upload of notes.txt failed"'] }), setKey, openLog).then((choice) => {
      if (choice === setKey) void vscode.commands.executeCommand(Commands.setApiKey);
      if (choice === openLog) services.log.show();
    });
    return;
  }
  const transient = kind === 'network' || kind === 'timeout' || kind === 'unavailable' || kind === 'rateLimited';
  const [retryLabel, openLog] = [RETRY(), OPEN_LOG()];
  const actions = transient && retry ? [retryLabel, openLog] : [openLog];
  const text = vscode.l10n.t({ message: '{0}: {1}', args: [what, describeError(err, services.log.redact)], comment: ['{0} is what failed, {1} the reason'] });
  void vscode.window.showErrorMessage(text, ...actions).then((choice) => {
    if (choice === retryLabel && retry) void retry();
    if (choice === openLog) services.log.show();
  });
}

/** A non-blocking note with an Open Log action (partial failures, skipped files). */
export function showNote(services: Services, level: 'info' | 'warning' | 'error', text: string): void {
  const show = level === 'info' ? vscode.window.showInformationMessage : level === 'warning' ? vscode.window.showWarningMessage : vscode.window.showErrorMessage;
  const openLog = OPEN_LOG();
  void show(text, ...(level === 'info' ? [] : [openLog])).then((choice) => {
    if (choice === openLog) services.log.show();
  });
}

/** "a.txt", "a.txt and b.txt", "a.txt, b.txt and 3 more", each name through displayName. */
export function listNames(names: readonly string[], max = 3): string {
  if (names.length <= 1) return names.map((n) => quotedName(n)).join('');
  const list = (some: readonly string[]): string => some.map((n) => quotedName(n)).join(vscode.l10n.t({ message: ', ', comment: ['between names in a list'] }));
  if (names.length <= max) return vscode.l10n.t({ message: '{0} and {1}', args: [list(names.slice(0, -1)), quotedName(names[names.length - 1])], comment: ['a list of names: {0} is "a", "b", {1} the last name'] });
  return vscode.l10n.t({ message: '{0} and {1} more', args: [list(names.slice(0, max)), names.length - max], comment: ['{0} is a list of names, {1} how many more'] });
}

/**
 * "1 file" or "3 files", both phrases already translated, the count as {0} of the second:
 * `counted(n, vscode.l10n.t('1 file'), vscode.l10n.t('{0} files', n))`. Languages differ in
 * plural rules; two forms cover English and German.
 */
export function counted(n: number, one: string, many: string): string {
  return n === 1 ? one : many;
}

/** A count of files: "1 file", "3 files". */
export function filesText(n: number): string {
  return counted(n, vscode.l10n.t('1 file'), vscode.l10n.t('{0} files', n));
}
