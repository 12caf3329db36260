import type { DriveEntry } from '../api/types';

/** How far Go to File lists: deep trees and huge drives are cut, and the pick says so. */
export interface WalkLimits {
  /** Folder levels below a drive's root that are listed (the root is depth 0). */
  maxDepth: number;
  /** Files collected over every drive; listing stops when reached. */
  maxFiles: number;
  /** Listings (folders, roots included) requested over every drive. */
  maxListings: number;
  /** Listings in flight at once. */
  concurrency: number;
}

export const GO_TO_FILE_LIMITS: WalkLimits = { maxDepth: 8, maxFiles: 10_000, maxListings: 500, concurrency: 4 };

/** One file found, with the folder it is in (`a/b`; undefined at the root). */
export interface FoundFile {
  desktopId: string;
  folder: string | undefined;
  entry: DriveEntry;
}

export interface WalkReport {
  files: number;
  listings: number;
  /** Which limit cut the walk short, if any. */
  cut?: 'depth' | 'files' | 'listings';
  /** Folders whose listing failed (the walk goes on without them). */
  failed: { desktopId: string; folder: string | undefined; error: unknown }[];
  cancelled: boolean;
}

interface Job {
  desktopId: string;
  folder: string | undefined;
  depth: number;
}

/**
 * Lists every drive's folders breadth first, a few listings at a time, handing each folder's
 * files to `onFiles` as soon as it arrives. Stops at the limits (the report says which) and
 * when `token` is cancelled (nothing new is requested; listings in flight are let finish).
 * Entries the API cannot reach are left out: nothing could open them.
 */
export async function walkDrives(
  desktopIds: readonly string[],
  list: (desktopId: string, folder: string | undefined) => Promise<readonly DriveEntry[]>,
  onFiles: (files: FoundFile[]) => void,
  token: { readonly isCancellationRequested: boolean },
  limits: WalkLimits = GO_TO_FILE_LIMITS,
): Promise<WalkReport> {
  const report: WalkReport = { files: 0, listings: 0, failed: [], cancelled: false };
  const queue: Job[] = desktopIds.map((desktopId) => ({ desktopId, folder: undefined, depth: 0 }));
  const stop = (): boolean => token.isCancellationRequested || report.cut === 'files';

  const visit = async (job: Job): Promise<void> => {
    let entries: readonly DriveEntry[];
    try {
      entries = await list(job.desktopId, job.folder);
    } catch (error) {
      report.failed.push({ desktopId: job.desktopId, folder: job.folder, error });
      return;
    }
    if (token.isCancellationRequested) return;
    const files: FoundFile[] = [];
    for (const entry of entries) {
      if (entry.unreachableReason !== undefined) continue;
      if (entry.isDir) {
        const folder = job.folder ? `${job.folder}/${entry.name}` : entry.name;
        if (job.depth + 1 > limits.maxDepth) report.cut ??= 'depth';
        else queue.push({ desktopId: job.desktopId, folder, depth: job.depth + 1 });
      } else if (report.files + files.length < limits.maxFiles) {
        files.push({ desktopId: job.desktopId, folder: job.folder, entry });
      } else report.cut = 'files';
    }
    report.files += files.length;
    if (files.length > 0) onFiles(files);
  };

  // Start listings while there is room; each one that ends makes room (its folders joined the queue).
  await new Promise<void>((resolve) => {
    let active = 0;
    const pump = (): void => {
      while (!stop() && active < limits.concurrency && queue.length > 0) {
        if (report.listings >= limits.maxListings) {
          report.cut ??= 'listings';
          break;
        }
        const job = queue.shift()!;
        report.listings++;
        active++;
        void visit(job).finally(() => {
          active--;
          pump();
        });
      }
      if (active === 0) resolve();
    };
    pump();
  });
  report.cancelled = token.isCancellationRequested;
  return report;
}
