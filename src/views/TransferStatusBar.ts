import * as vscode from 'vscode';
import { Commands } from '../constants';
import type { TransferRegistry } from '../transfers/TransferRegistry';
import { statusText } from '../transfers/transferRows';

/**
 * The status bar item shown while transfers run or wait: how many, and the overall percent.
 * A click runs Show Transfers (by id: views never import commands). Hidden when none is active.
 */
export class TransferStatusBar implements vscode.Disposable {
  readonly item: vscode.StatusBarItem;
  /** Whether the item is on the status bar (VS Code's item does not say). */
  shown = false;
  private readonly unsubscribe: () => void;

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
      this.item.hide();
      this.shown = false;
      return;
    }
    const { text, tooltip, accessible } = statusText(totals, this.registry.all());
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.item.accessibilityInformation = { label: accessible, role: 'button' };
    this.item.show();
    this.shown = true;
  }

  dispose(): void {
    this.unsubscribe();
    this.item.dispose();
  }
}
