import * as vscode from 'vscode';
import { displayName } from '../api/display';
import { describeError } from '../drive/errors';
import { entryUri } from '../drive/uri';
import type { Services } from '../services';
import type { DriveTreeDataProvider } from '../views/DriveTreeDataProvider';
import { formatAge, formatSize } from '../views/format';
import type { DesktopNode } from '../views/nodes';
import { GO_TO_FILE_LIMITS, walkDrives, type FoundFile, type WalkReport } from './driveWalk';
import { counted, showNote } from './messages';
import { formatCount } from '../api/format';
import { forEachSliced, Slicer } from '../api/slices';

/** One drive file in the pick: its name, "desktop › folder", and "size · age". */
export interface DriveFileItem extends vscode.QuickPickItem {
  readonly uri: vscode.Uri;
  readonly desktopId: string;
}

export interface DrivePickOptions {
  title: string;
  /** Called with the quick pick once it shows (scripts and tests read its items and accept one). */
  onShow?: (picker: vscode.QuickPick<DriveFileItem>) => void;
  /** A button on each item (Reveal in Nen Drive), and what it does. */
  itemButton?: { button: vscode.QuickInputButton; run: (item: DriveFileItem) => unknown };
}

/** How often, at most, newly listed files are added to the open pick. */
const FLUSH_MS = 100;

/**
 * A quick pick of every file of every desktop the tree shows, nested folders included, filled
 * in as the listings arrive (busy while listing; closing it stops the listing). Every folder is
 * listed anew through the provider's cache (which then updates the tree too), never answered
 * from an older listing: the desktop writes to its drive all the time.
 * Resolves to the picked file, or undefined when dismissed.
 */
export async function pickDriveFile(services: Services, tree: DriveTreeDataProvider, options: DrivePickOptions): Promise<DriveFileItem | undefined> {
  const desktops = (await tree.getChildren()).filter((n): n is DesktopNode => n.kind === 'desktop' && !n.notFound);
  if (desktops.length === 0) {
    void vscode.window.showWarningMessage(vscode.l10n.t('Nen Drive has no desktops to list. Add one with "Nen Drive: Add Desktop".'));
    return undefined;
  }
  const labels = new Map(desktops.map((d) => [d.desktopId, d.label]));
  const picker = vscode.window.createQuickPick<DriveFileItem>();
  picker.title = options.title;
  picker.matchOnDescription = true;
  picker.keepScrollPosition = true;
  picker.ignoreFocusOut = true;
  picker.busy = true;
  picker.placeholder = counted(desktops.length, vscode.l10n.t('Listing the drives of 1 desktop…'), vscode.l10n.t('Listing the drives of {0} desktops…', desktops.length));
  const cancel = new vscode.CancellationTokenSource();
  const items: DriveFileItem[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** Items the picker has: VS Code sends every item to the window at each assignment (10,000 at once for a long folder). */
  let given = 0;
  const flush = (): void => {
    timer = undefined;
    if (items.length === given) return;
    given = items.length;
    picker.items = items.slice();
  };
  // Items are made in slices of the event loop (10,000 take 25-100 ms), a listing's files all
  // before the next flush is planned, so a long folder reaches the pick in one assignment.
  const arrived: FoundFile[][] = [];
  let building: Promise<void> | undefined;
  const build = async (): Promise<void> => {
    const slicer = new Slicer();
    for (let files = arrived.shift(); files; files = arrived.shift()) {
      const nowMs = Date.now();
      await forEachSliced(files, (f) => items.push(fileItem(f, labels.get(f.desktopId) ?? f.desktopId, nowMs, options.itemButton?.button)), slicer);
      if (cancel.token.isCancellationRequested) break; // the pick closed meanwhile
      timer ??= setTimeout(flush, FLUSH_MS);
    }
    building = undefined;
  };
  const onFiles = (files: FoundFile[]): void => {
    arrived.push(files);
    building ??= build();
  };
  try {
    return await new Promise<DriveFileItem | undefined>((resolve) => {
      picker.onDidAccept(() => {
        const [chosen] = picker.selectedItems;
        if (chosen) resolve(chosen);
      });
      picker.onDidHide(() => resolve(undefined));
      if (options.itemButton) {
        const { run } = options.itemButton;
        picker.onDidTriggerItemButton((e) => {
          resolve(undefined);
          void run(e.item);
        });
      }
      picker.show();
      options.onShow?.(picker);
      // Fresh listings (shared with any already in flight): the pick shows the drive as it is now.
      const list = (desktopId: string, folder: string | undefined) => services.fs.list(desktopId, folder, { fresh: true });
      void walkDrives(desktops.map((d) => d.desktopId), list, onFiles, cancel.token, GO_TO_FILE_LIMITS).then(async (report) => {
        await building;
        if (timer) clearTimeout(timer);
        flush();
        picker.busy = false;
        picker.placeholder = donePlaceholder(report, desktops.length);
        if (report.failed.length > 0 && !report.cancelled) reportFailures(services, report);
      });
    });
  } finally {
    cancel.cancel();
    cancel.dispose();
    if (timer) clearTimeout(timer);
    picker.dispose();
  }
}

function fileItem(f: FoundFile, desktopLabel: string, nowMs: number, button: vscode.QuickInputButton | undefined): DriveFileItem {
  const where = f.folder ? `${displayName(desktopLabel)} › ${displayName(f.folder)}` : displayName(desktopLabel);
  return {
    label: displayName(f.entry.name),
    description: where,
    detail: `${formatSize(f.entry.size)} · ${formatAge(f.entry.modified, nowMs)}`,
    uri: entryUri(f.desktopId, f.folder, f.entry.name),
    desktopId: f.desktopId,
    buttons: button ? [button] : undefined,
  };
}

function donePlaceholder(report: WalkReport, desktops: number): string {
  const files = counted(report.files, vscode.l10n.t('1 file'), vscode.l10n.t('{0} files', formatCount(report.files)));
  const on = counted(desktops, vscode.l10n.t('1 desktop'), vscode.l10n.t('{0} desktops', desktops));
  if (report.cut === 'files') {
    const max = formatCount(GO_TO_FILE_LIMITS.maxFiles);
    return vscode.l10n.t({ message: 'Type to filter the first {0} on {1} (Go to File lists at most {2})', args: [files, on, max], comment: ['{0} is a number of files ("3 files"), {1} of desktops ("2 desktops")'] });
  }
  if (report.cut === 'listings') {
    return vscode.l10n.t({ message: 'Type to filter {0} on {1} (the first {2} folders listed)', args: [files, on, GO_TO_FILE_LIMITS.maxListings], comment: ['{0} is a number of files ("3 files"), {1} of desktops ("2 desktops")'] });
  }
  if (report.cut === 'depth') {
    return vscode.l10n.t({ message: 'Type to filter {0} on {1} (folders deeper than {2} levels not listed)', args: [files, on, GO_TO_FILE_LIMITS.maxDepth], comment: ['{0} is a number of files ("3 files"), {1} of desktops ("2 desktops")'] });
  }
  return vscode.l10n.t({ message: 'Type to filter {0} on {1}', args: [files, on], comment: ['{0} is a number of files ("3 files"), {1} of desktops ("2 desktops")'] });
}

function reportFailures(services: Services, report: WalkReport): void {
  for (const f of report.failed) {
    services.log.warn(`Go to File: listing ${f.desktopId}${f.folder ? `/${f.folder}` : ''} failed: ${describeError(f.error, services.log.redact)}`);
  }
  const first = report.failed[0];
  const folders = counted(report.failed.length, vscode.l10n.t('1 folder'), vscode.l10n.t('{0} folders', report.failed.length));
  const reason = describeError(first.error, services.log.redact);
  showNote(services, 'warning', vscode.l10n.t({ message: 'Go to File could not list {0} ({1}); their files are missing from the list.', args: [folders, reason], comment: ['{0} is "1 folder" or "3 folders", {1} the reason'] }));
}
