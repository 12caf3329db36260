import { promises as fsp } from 'node:fs';
import * as nodePath from 'node:path';
import * as vscode from 'vscode';
import { exists } from '../api/atomicFile';
import { localName } from '../api/localName';
import { FolderNames, folderRules, spelled } from '../api/sameName';
import type { DriveFileRef } from './targets';

/** A drive name the local disk cannot hold as it is, and the name it was saved under instead. */
export interface Renamed {
  /** The local file name used. */
  as: string;
  /** Why, one short phrase each ("':' is not allowed on Windows"). */
  because: string[];
}

/** Where one drive file goes in a local folder. */
export interface Place {
  ref: DriveFileRef;
  path: string;
  renamed?: Renamed;
  /** A file already in the folder that writing `path` would replace (the disk may spell it differently). */
  existing?: {
    /** Its name as the folder lists it. */
    as: string;
    /** Set when spelled differently: "'a.txt' is the same file as 'A.txt' on this disk, which ignores case". */
    because?: string;
  };
}

/** The places of a batch in one folder, and the folder's names (for Keep Both). */
export interface FolderPlan {
  folder: string;
  places: Place[];
  names: FolderNames;
}

/**
 * Where each drive file goes in the existing local folder `folder`, in order: under its local
 * name (`localName`), checked against the folder's own rule for "same name" (probed here, or
 * remembered from a probe of the last minute) and the entries already there. A later file whose name is the same as an earlier one's on this
 * disk is placed under a free name (`a (1).txt`) with the reason in `renamed`. Names no local
 * file can hold go to `refused`. The one call a download into a folder makes per folder.
 */
export async function placeInFolder(folder: string, refs: readonly DriveFileRef[], refused: { name: string; reason: string }[]): Promise<FolderPlan> {
  const rules = await folderRules(folder);
  const names = new FolderNames(rules, await fsp.readdir(folder));
  const places: Place[] = [];
  for (const ref of refs) {
    const local = localName(ref.name);
    if (!local.storable) {
      refused.push({ name: ref.name, reason: local.reasons.join('; ') });
      continue;
    }
    const claim = names.claim(local.local);
    const because = [...(local.changed ? local.reasons : []), ...(claim.keptBoth ? [claim.keptBoth] : [])];
    const path = nodePath.join(folder, claim.name);
    const place: Place = { ref, path, renamed: claim.name !== ref.name ? { as: claim.name, because } : undefined };
    // The listing is the rule; a name the disk matches by a rule finer than ours still shows up here.
    if (claim.existing) place.existing = claim.existing;
    else if (await exists(path)) place.existing = { as: claim.name };
    places.push(place);
  }
  return { folder, places, names };
}

/** The place for Keep Both: a free name in the folder, with why it differs from the drive name. */
export function keepBoth(plan: FolderPlan, place: Place): Place {
  const name = plan.names.freeName(nodePath.basename(place.path));
  const why = place.existing?.because ?? vscode.l10n.t({ message: '{0} exists', args: [spelled(place.existing?.as ?? nodePath.basename(place.path))], comment: ['{0} is a quoted local file name: why a download was saved under another name'] });
  return { ref: place.ref, path: nodePath.join(plan.folder, name), renamed: { as: name, because: [...(place.renamed?.because ?? []), why] } };
}
