import * as vscode from 'vscode';
import type { ApiKeyStore } from '../auth/ApiKeyStore';
import { ContextKeys, ENV_KEY_NAME, VIEW_ID } from '../constants';
import type { Services } from '../services';
import { DriveDecorationProvider } from './DriveDecorationProvider';
import { DriveDragAndDropController } from './DriveDragAndDropController';
import { DriveTreeDataProvider } from './DriveTreeDataProvider';
import { TransferStatusBar } from './TransferStatusBar';
import type { DriveNode } from './nodes';

/** What the views made: activate() hands the tree to the commands and all of it to the in-host tests. */
export interface ViewsApi {
  readonly tree: DriveTreeDataProvider;
  readonly dragAndDrop: DriveDragAndDropController;
  readonly view: vscode.TreeView<DriveNode>;
  readonly decorations: DriveDecorationProvider;
  readonly transfersStatus: TransferStatusBar;
}

/** What registerViews returns: the views, and the one disposable that owns them. */
export interface RegisteredViews {
  readonly views: ViewsApi;
  readonly disposable: vscode.Disposable;
}

/**
 * Creates the Nen Drive tree. Nothing here fetches: the tree asks for data only when VS Code
 * calls `getChildren`, which it does only while the view is visible.
 */
export function registerViews(services: Services): RegisteredViews {
  const decorations = new DriveDecorationProvider(services.fs.cache, services.fs.onDidRead, services.clients.onDidChangeServer);
  const tree = new DriveTreeDataProvider(services, (uri) => decorations.describe(uri), { markOf: (uri) => decorations.kindOf(uri), hasMarksUnder: (uri) => decorations.hasMarksUnder(uri) });
  const dragAndDrop = new DriveDragAndDropController();
  const view = vscode.window.createTreeView(VIEW_ID, {
    treeDataProvider: tree,
    dragAndDropController: dragAndDrop,
    canSelectMany: true,
    showCollapseAll: true,
  });
  // Only what the view shows expanded is live (polled); a hidden view polls nothing.
  tree.setVisible(view.visible);
  // Marks change in bursts (a poll marks many files at once): their rows are repainted once per burst.
  let relabel: NodeJS.Timeout | undefined;
  let marked: vscode.Uri[] = [];
  const marksWatch = decorations.onDidChangeFileDecorations((uris) => {
    marked.push(...uris);
    clearTimeout(relabel);
    relabel = setTimeout(() => {
      const burst = marked;
      marked = [];
      tree.relabel(burst);
    }, 100);
  });
  const viewState = vscode.Disposable.from(
    marksWatch,
    new vscode.Disposable(() => clearTimeout(relabel)),
    view.onDidChangeVisibility((e) => tree.setVisible(e.visible)),
    view.onDidExpandElement((e) => tree.setExpanded(e.element, true)),
    view.onDidCollapseElement((e) => tree.setExpanded(e.element, false)),
    // F2 renames a desktop only while one desktop row is selected (keybindings cannot read `viewItem`).
    view.onDidChangeSelection((e) => void vscode.commands.executeCommand('setContext', ContextKeys.desktopSelected, e.selection.length === 1 && e.selection[0].kind === 'desktop')),
  );
  const decorationRegistration = vscode.window.registerFileDecorationProvider(decorations);
  void showKeySource(view, services.keys);
  const keyWatch = services.keys.onDidChange(() => void showKeySource(view, services.keys));

  const transfersStatus = new TransferStatusBar(services.transfers);

  return {
    views: { tree, dragAndDrop, view, decorations, transfersStatus },
    disposable: vscode.Disposable.from(keyWatch, viewState, decorationRegistration, decorations, view, tree, transfersStatus),
  };
}

/** The view's title and message say when the key comes from the environment. */
async function showKeySource(view: vscode.TreeView<DriveNode>, keys: ApiKeyStore): Promise<void> {
  const source = await keys.source();
  view.description = source === 'environment' ? vscode.l10n.t({ message: 'key from {0}', args: [ENV_KEY_NAME], comment: ['the view title description: the API key comes from the environment variable {0}'] }) : undefined;
  view.message =
    source === 'environment'
      ? vscode.l10n.t('Using the API key from the {0} environment variable. Run "Nen Drive: Set API Key" to store one in VS Code instead.', ENV_KEY_NAME)
      : undefined;
}
