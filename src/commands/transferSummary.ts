import * as vscode from 'vscode';
import { errorKind } from '../drive/errors';
import type { Services } from '../services';
import { counted, listNames, showFailure } from './messages';

// Functions, not constants: a label is translated when it is shown, never at import.
const RETRY_FAILED = (): string => vscode.l10n.t('Retry Failed');
const OPEN_LOG = (): string => vscode.l10n.t('Open Log');

/** The reason a report gives a file cancelled on its own (a marker scripts compare, shown translated). */
export const CANCELLED = 'cancelled'; // l10n-ignore: a marker in reports scripts and tests compare; shown through reasonText

/** How a batch ended, for its one summary. */
export interface BatchOutcome {
  direction: 'upload' | 'download';
  /** Where the files went ("Work PC/reports", a local folder), when the summary names it. */
  where?: string;
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

/** A report's reason as the user reads it: the cancelled marker translated, without a final full stop. */
function reasonText(reason: string): string {
  return reason === CANCELLED ? vscode.l10n.t({ message: 'cancelled', comment: ['why a file was skipped: the user cancelled it'] }) : reason.replace(/\.$/, '');
}

/** "Uploaded 3 files to Work PC", "Downloaded 'a.txt'", "Nothing uploaded to Work PC": what went, one whole clause. */
function doneClause(o: BatchOutcome): string {
  const n = o.done.length;
  const what = n === 1 ? listNames(o.done) : '';
  const where = o.where ?? '';
  if (o.direction === 'upload') {
    if (o.where === undefined) return n === 0 ? vscode.l10n.t('Nothing uploaded') : n === 1 ? vscode.l10n.t('Uploaded {0}', what) : vscode.l10n.t('Uploaded {0} files', n);
    return n === 0 ? vscode.l10n.t('Nothing uploaded to {0}', where) : n === 1 ? vscode.l10n.t('Uploaded {0} to {1}', what, where) : vscode.l10n.t('Uploaded {0} files to {1}', n, where);
  }
  if (o.where === undefined) return n === 0 ? vscode.l10n.t('Nothing downloaded') : n === 1 ? vscode.l10n.t('Downloaded {0}', what) : vscode.l10n.t('Downloaded {0} files', n);
  return n === 0 ? vscode.l10n.t('Nothing downloaded to {0}', where) : n === 1 ? vscode.l10n.t('Downloaded {0} to {1}', what, where) : vscode.l10n.t('Downloaded {0} files to {1}', n, where);
}

/**
 * "Uploaded 3 files to Work PC; skipped 'a.txt' (a file with this name exists); 'b.txt' failed:
 * <reason>." Every failure names its file and its reason (the first three reasons; the rest
 * are in the log). Each part is a whole clause of its own, joined by "; ".
 */
export function summaryText(o: BatchOutcome): string {
  const parts = [doneClause(o)];
  for (const g of byReason(o.skipped)) parts.push(vscode.l10n.t({ message: 'skipped {0} ({1})', args: [listNames(g.names), reasonText(g.reason)], comment: ['{0} is a list of file names, {1} why they were skipped'] }));
  const failures = byReason(o.failed);
  for (const g of failures.slice(0, 3)) parts.push(vscode.l10n.t({ message: '{0} failed: {1}', args: [listNames(g.names), reasonText(g.reason)], comment: ['{0} is a list of file names, {1} the reason'] }));
  if (failures.length > 3) {
    const more = failures.slice(3).reduce((n, g) => n + g.names.length, 0);
    parts.push(counted(more, vscode.l10n.t('1 more file failed (see the log)'), vscode.l10n.t('{0} more files failed (see the log)', more)));
  }
  return vscode.l10n.t({ message: '{0}.', args: [parts.join(vscode.l10n.t({ message: '; ', comment: ['between the clauses of a transfer summary'] }))], comment: ['a sentence made of the clauses {0}'] });
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
  const [retry, openLog] = [RETRY_FAILED(), OPEN_LOG()];
  void vscode.window.showErrorMessage(summaryText(o), retry, openLog).then((choice) => {
    if (choice === retry) void retryFailed();
    if (choice === openLog) services.log.show();
  });
}
