import * as vscode from 'vscode';
import { quotedName } from '../api/display';
import { Commands } from '../constants';
import { describeError, errorKind } from '../drive/errors';
import type { Services } from '../services';

const SET_KEY = 'Set API Key';
const OPEN_LOG = 'Open Log';
const RETRY = 'Retry';

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
    void vscode.window.showErrorMessage(`${what}: Nen rejected the API key.`, SET_KEY, OPEN_LOG).then((choice) => {
      if (choice === SET_KEY) void vscode.commands.executeCommand(Commands.setApiKey);
      if (choice === OPEN_LOG) services.log.show();
    });
    return;
  }
  const transient = kind === 'network' || kind === 'timeout' || kind === 'unavailable' || kind === 'rateLimited';
  const actions = transient && retry ? [RETRY, OPEN_LOG] : [OPEN_LOG];
  void vscode.window.showErrorMessage(`${what}: ${describeError(err, services.log.redact)}`, ...actions).then((choice) => {
    if (choice === RETRY && retry) void retry();
    if (choice === OPEN_LOG) services.log.show();
  });
}

/** A non-blocking note with an Open Log action (partial failures, skipped files). */
export function showNote(services: Services, level: 'info' | 'warning' | 'error', text: string): void {
  const show = level === 'info' ? vscode.window.showInformationMessage : level === 'warning' ? vscode.window.showWarningMessage : vscode.window.showErrorMessage;
  void show(text, ...(level === 'info' ? [] : [OPEN_LOG])).then((choice) => {
    if (choice === OPEN_LOG) services.log.show();
  });
}

/** "a.txt", "a.txt and b.txt", "a.txt, b.txt and 3 more", each name through displayName. */
export function listNames(names: readonly string[], max = 3): string {
  if (names.length <= 1) return names.map((n) => quotedName(n)).join('');
  if (names.length <= max) return `${names.slice(0, -1).map((n) => quotedName(n)).join(', ')} and ${quotedName(names[names.length - 1])}`;
  return `${names.slice(0, max).map((n) => quotedName(n)).join(', ')} and ${names.length - max} more`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
