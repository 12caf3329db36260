import * as vscode from 'vscode';
import { errorKind } from '../drive/errors';
import type { Services } from '../services';
import { listNames, plural, showFailure } from './messages';

export const RETRY_FAILED = 'Retry Failed';
const OPEN_LOG = 'Open Log';

/** How a batch ended, for its one summary. */
export interface BatchOutcome {
  /** "Uploaded", "Downloaded". */
  verb: string;
  /** " to Work PC", or '' */
  where: string;
  /** Names that went. */
  done: readonly string[];
  skipped: readonly { name: string; reason: string }[];
  failed: readonly { name: string; reason: string }[];
}

/** Names grouped by their reason, in first-seen order: one phrase per reason. */
function byReason(list: readonly { name: string; reason: string }[]): { names: string[]; reason: string }[] {
  const groups = new Map<string, string[]>();
  for (const { name, reason } of list) groups.set(reason, [...(groups.get(reason) ?? []), name]);
  return [...groups].map(([reason, names]) => ({ reason, names }));
}

/**
 * "Uploaded 3 files to Work PC; skipped 'a.txt' (a file with this name exists); 'b.txt' failed:
 * <reason>." Every failure names its file and its reason (the first three reasons; the rest
 * are in the log).
 */
export function summaryText(o: BatchOutcome): string {
  const parts = [o.done.length === 0 ? `Nothing ${o.verb.toLowerCase()}${o.where}` : o.done.length === 1 ? `${o.verb} ${listNames(o.done)}${o.where}` : `${o.verb} ${plural(o.done.length, 'file')}${o.where}`];
  for (const g of byReason(o.skipped)) parts.push(`skipped ${listNames(g.names)} (${g.reason.replace(/\.$/, '')})`);
  const failures = byReason(o.failed);
  for (const g of failures.slice(0, 3)) parts.push(`${listNames(g.names)} failed: ${g.reason.replace(/\.$/, '')}`);
  if (failures.length > 3) parts.push(`${plural(failures.slice(3).reduce((n, g) => n + g.names.length, 0), 'more file')} failed (see the log)`);
  return `${parts.join('; ')}.`;
}

/**
 * The end of a batch in which something failed: one summary (what went, what was skipped, what
 * failed and why) with **Retry Failed**, which runs again only the failed items. A single
 * transfer that failed, or a batch that failed only because of the key, gets the failure's own
 * notification instead (its Retry / Set API Key).
 */
export function showBatchFailures(services: Services, o: BatchOutcome, errors: readonly unknown[], what: string, retryFailed: () => unknown): void {
  if (o.failed.length === 0) return;
  const batchOfOne = o.done.length + o.skipped.length + o.failed.length === 1;
  if (batchOfOne || (o.done.length === 0 && errors.every((e) => errorKind(e) === 'unauthorized'))) {
    showFailure(services, what, errors[0], retryFailed);
    return;
  }
  void vscode.window.showErrorMessage(summaryText(o), RETRY_FAILED, OPEN_LOG).then((choice) => {
    if (choice === RETRY_FAILED) void retryFailed();
    if (choice === OPEN_LOG) services.log.show();
  });
}
