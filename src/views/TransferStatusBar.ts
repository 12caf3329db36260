import * as vscode from 'vscode';
import { Commands, SHOW_PROGRESS_AFTER_MS } from '../constants';
import type { TransferRegistry } from '../transfers/TransferRegistry';
import { statusText } from '../transfers/transferRows';

/**
 * The status bar item shown while transfers run or wait: how many, and the overall percent.
 * A click runs Show Transfers (by id: views never import commands). It shows once transfers have
 * been active for {@link SHOW_PROGRESS_AFTER_MS} (a quicker batch ends with its summary alone),
 * and hides when none is active.
 */
export class TransferStatusBar implements vscode.Disposable {
  readonly item: vscode.StatusBarItem;
  /** Whether the item is on the status bar (VS Code's item does not say). */
  shown = false;
  private readonly unsubscribe: () => void;
  /** Since when some transfer has been active (undefined while none is). */
  private busySince: number | undefined;
  private showTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly registry: TransferRegistry) {
    this.item = vscode.window.createStatusBarItem('nenDrive.transfers', vscode.StatusBarAlignment.Left, 50);
    this.item.name = vscode.l10n.t('Nen Drive Transfers');
    this.item.command = Commands.showTransfers;
    this.unsubscribe = registry.onDidChange(() => this.update());
    this.update();
  }

  private update(): void {
    const totals = this.registry.totals();
    if (totals.active === 0) {
      this.busySince = undefined;
      this.clearTimer();
      this.item.hide();
      this.shown = false;
      return;
    }
    const now = Date.now();
    this.busySince ??= now;
    const wait = this.busySince + SHOW_PROGRESS_AFTER_MS - now;
    if (!this.shown && wait > 0) {
      this.showTimer ??= setTimeout(() => {
        this.showTimer = undefined;
        this.update();
      }, wait);
      return;
    }
    const { text, tooltip, accessible } = statusText(totals, this.registry.all());
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.item.accessibilityInformation = { label: accessible, role: 'button' };
    this.item.show();
    this.shown = true;
  }

  private clearTimer(): void {
    if (this.showTimer) clearTimeout(this.showTimer);
    this.showTimer = undefined;
  }

  dispose(): void {
    this.clearTimer();
    this.unsubscribe();
    this.item.dispose();
  }
}
