import * as vscode from 'vscode';
import { errorKind } from '../drive/errors';
import type { Services } from '../services';
import type { DriveFolderRef } from './targets';
import type { UploadCandidate } from './uploadSources';
import { quotedName } from '../api/display';
import { nextFreeName } from '../api/names';
import { conflictButtons, ConflictRun, type Choice } from './conflicts';

/** What to do when a name already exists on the drive. `ask` shows Overwrite / Keep Both / Skip. */
export type ConflictPolicy = 'ask' | 'overwrite' | 'keepBoth' | 'skip';
type Resolution = Choice;

/** A candidate with the remote name it will be written under. */
export interface Plan extends UploadCandidate {
  /** The remote name, after conflict resolution. */
  name: string;
}

/**
 * Names that exist already at the target (or twice in this batch): each one is overwritten,
 * kept under a free name or skipped (into `skipped`), by `policy` or by asking. Undefined when
 * the user cancelled the question.
 */
export async function planNames(
  services: Services,
  target: DriveFolderRef,
  candidates: readonly UploadCandidate[],
  policy: ConflictPolicy,
  skipped: { name: string; reason: string }[],
): Promise<Plan[] | undefined> {
  // Overwrite keeps every name whatever exists: no listing to wait for (7-10 ms in the host).
  if (policy === 'overwrite') return candidates.map((c) => ({ ...c, name: c.label }));
  const existing = new Set((await remoteNames(services, target)).map((e) => e.name));
  const taken = new Set(existing);
  const answers = new ConflictRun(policy, candidates.filter((c, i) => existing.has(c.label) || candidates.findIndex((o) => o.label === c.label) !== i).length);
  const plans: Plan[] = [];
  for (const c of candidates) {
    if (!taken.has(c.label)) {
      taken.add(c.label);
      plans.push({ ...c, name: c.label });
      continue;
    }
    const choice = await answers.next((remaining) => askConflict(c.label, target.label, remaining));
    if (!choice) return undefined;
    if (choice === 'skip') {
      skipped.push({ name: c.label, reason: nameExists() });
    } else if (choice === 'overwrite') {
      plans.push({ ...c, name: c.label });
    } else {
      const name = nextFreeName(c.label, taken);
      taken.add(name);
      plans.push({ ...c, name });
    }
  }
  return plans;
}

/** The entries already at the target; a folder that does not exist yet is empty (uploading creates it). */
async function remoteNames(services: Services, target: DriveFolderRef): Promise<readonly { name: string }[]> {
  try {
    return await services.fs.list(target.desktopId, target.folder, { fresh: true });
  } catch (err) {
    if (target.folder !== undefined && errorKind(err) === 'notFound') return [];
    throw err;
  }
}

/** The reason of a file skipped because its name exists on the drive (compared by the folder upload's summary). */
export function nameExists(): string {
  return vscode.l10n.t({ message: 'a file with this name exists', comment: ['why a file was not uploaded'] });
}

/** The modal Overwrite / Keep Both / Skip (and … All when `remaining` > 1) for one existing name; undefined when dismissed. */
export async function askConflict(name: string, where: string, remaining: number): Promise<{ choice: Resolution; all: boolean } | undefined> {
  const free = quotedName(nextFreeName(name, new Set([name])));
  const detail =
    remaining > 1
      ? vscode.l10n.t('Overwrite replaces the file on the drive. Keep Both uploads this one as {0}. {1} more names also exist.', free, remaining - 1)
      : vscode.l10n.t('Overwrite replaces the file on the drive. Keep Both uploads this one as {0}.', free);
  const buttons = conflictButtons().filter((b) => remaining > 1 || !b.all);
  const answer = await vscode.window.showWarningMessage(vscode.l10n.t('{0} already exists on {1}.', quotedName(name), where), { modal: true, detail }, ...buttons.map((b) => b.label));
  const picked = buttons.find((b) => b.label === answer);
  return picked && { choice: picked.choice, all: picked.all };
}
