import * as vscode from 'vscode';
import { Commands } from '../constants';
import type { Services } from '../services';
import { transferRows } from '../transfers/transferRows';
import type { DriveTreeDataProvider } from '../views/DriveTreeDataProvider';
import type { DriveNode } from '../views/nodes';

type TransferItem = vscode.QuickPickItem & { id?: number; cancelAll?: boolean };

/**
 * Show Transfers: every transfer of this window in a quick pick that updates live (name,
 * direction and desktop; bytes, speed and state), a Cancel button on each one that runs or
 * waits, and Cancel All at the end. A quick pick rather than a view: it opens where the status bar
 * was clicked, needs no room in a side bar for something that lasts a minute, and its buttons
 * and keyboard work like every other list in VS Code.
 */
async function showTransfers(services: Services, tree: DriveTreeDataProvider): Promise<void> {
  const registry = services.transfers;
  // A download knows its desktop by id: the tree's desktop rows give the names.
  const names = new Map((await tree.getChildren()).flatMap((n: DriveNode) => (n.kind === 'desktop' ? [[n.desktopId, n.label] as const] : [])));
  const pick = vscode.window.createQuickPick<TransferItem>();
  pick.title = vscode.l10n.t('Nen Drive Transfers');
  // Made when the list opens, never at import: its tooltip is translated.
  const cancel: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('close'), tooltip: vscode.l10n.t({ message: 'Cancel', comment: ['tooltip: cancel this transfer'] }) };
  pick.matchOnDescription = true;
  pick.matchOnDetail = true;
  pick.keepScrollPosition = true;
  const render = (): void => {
    const activeId = pick.activeItems[0]?.id;
    const activeCancelAll = pick.activeItems[0]?.cancelAll === true;
    const rows = transferRows(registry.all(), Date.now(), (id) => names.get(id));
    const running = rows.filter((r) => r.cancellable).length;
    const items: TransferItem[] = rows.map((r) => ({ id: r.id, label: r.label, description: r.description, detail: r.detail, buttons: r.cancellable ? [cancel] : [] }));
    // Last, after a separator: the first row is a transfer, so Enter on a freshly opened list cancels nothing.
    if (running > 0) {
      const cancelAll = { label: `$(close-all) ${vscode.l10n.t('Cancel All')}`, description: vscode.l10n.t('{0} running or queued', running), cancelAll: true, alwaysShow: true };
      items.push({ label: '', kind: vscode.QuickPickItemKind.Separator }, cancelAll);
    }
    pick.items = items;
    pick.placeholder =
      rows.length === 0 ? vscode.l10n.t('No transfers in this window') : running > 0 ? vscode.l10n.t('{0} running or queued · the × on a row cancels that one', running) : vscode.l10n.t('All transfers have finished');
    const keep = items.find((i) => (activeCancelAll ? i.cancelAll : i.id !== undefined && i.id === activeId));
    if (keep) pick.activeItems = [keep];
  };
  const unsubscribe = registry.onDidChange(render);
  // A stalled transfer sends no event: redraw every second so its speed falls to 0.
  const tick = setInterval(() => {
    if (registry.totals().active > 0) render();
  }, 1000);
  pick.onDidTriggerItemButton((e) => {
    if (e.item.id !== undefined) registry.cancel(e.item.id);
  });
  pick.onDidAccept(() => {
    if (pick.activeItems[0]?.cancelAll) registry.cancelAll();
  });
  pick.onDidHide(() => {
    unsubscribe();
    clearInterval(tick);
    pick.dispose();
  });
  render();
  pick.show();
}

/** Show Transfers, and Cancel All Transfers (returns how many it cancelled, for scripts). */
export function transferCommands(services: Services, tree: DriveTreeDataProvider): Record<string, (...args: unknown[]) => unknown> {
  return {
    [Commands.showTransfers]: () => showTransfers(services, tree),
    [Commands.cancelAllTransfers]: () => services.transfers.cancelAll(),
  };
}
