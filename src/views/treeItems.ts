import * as vscode from 'vscode';
import { Commands, ContextValues } from '../constants';
import { displayName } from '../api/display';
import { formatBytesExact } from './format';
import { desktopLabel, fileLabel, folderLabel, messageLabel, statusWord, unreachableLabel, type MarkKind } from './a11yLabels';

/** A tooltip has room for more of a long name than a row. */
const MAX_TOOLTIP_NAME_CHARS = 300;
import type { DriveNode, MessageNode } from './nodes';

/** What a row's screen-reader label needs to know about the N/M marks (DriveDecorationProvider). */
export interface RowMarks {
  markOf(uri: vscode.Uri): MarkKind | undefined;
  /** Some file at or under `uri` is marked. */
  hasMarksUnder(uri: vscode.Uri): boolean;
}

const NO_MARKS: RowMarks = { markOf: () => undefined, hasMarksUnder: () => false };

/** The row VS Code renders for a node, with what a screen reader says for it. */
export function treeItemFor(node: DriveNode, desktopIcon: { light: vscode.Uri; dark: vscode.Uri }, marks: RowMarks = NO_MARKS): vscode.TreeItem {
  const item = bareItemFor(node, desktopIcon);
  item.accessibilityInformation = { label: accessibleLabel(node, marks), role: 'treeitem' };
  return item;
}

/** The screen-reader sentence of a row (a11yLabels.ts words it). */
export function accessibleLabel(node: DriveNode, marks: RowMarks = NO_MARKS): string {
  switch (node.kind) {
    case 'desktop':
      return desktopLabel({ name: node.label, desktopId: node.desktopId, status: node.status, notFound: node.notFound, hasNewFiles: marks.hasMarksUnder(node.uri) });
    case 'folder':
    case 'file': {
      const { entry } = node;
      if (entry.unreachableReason !== undefined) return unreachableLabel(entry.name, node.kind === 'folder', entry.unreachableReason);
      // The age as the description tells it, at the same time.
      const at = node.ageAtMs ?? Date.now();
      if (node.kind === 'folder') return folderLabel({ name: entry.name, modified: entry.modified, hasNewFiles: marks.hasMarksUnder(node.uri) }, at);
      return fileLabel({ name: entry.name, size: entry.size, modified: entry.modified, mark: marks.markOf(node.uri) }, at);
    }
    case 'message':
      return messageLabel(node.label, node.detail, node.isError);
  }
}

function bareItemFor(node: DriveNode, desktopIcon: { light: vscode.Uri; dark: vscode.Uri }): vscode.TreeItem {
  switch (node.kind) {
    case 'desktop': {
      const item = new vscode.TreeItem(node.label, node.notFound ? vscode.TreeItemCollapsibleState.None : vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `desktop:${node.desktopId}`;
      item.description = node.description;
      item.resourceUri = node.uri;
      item.iconPath = node.notFound ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground')) : statusIcon(node.status) ?? desktopIcon;
      item.contextValue = node.notFound ? ContextValues.desktopNotFound : node.configured ? ContextValues.desktopConfigured : ContextValues.desktop;
      item.tooltip = desktopTooltip(node);
      return item;
    }
    case 'folder':
    case 'file': {
      const isDir = node.kind === 'folder';
      if (node.entry.unreachableReason !== undefined) return unreachableItem(node.uri, node.entry.name, isDir, node.description);
      const item = new vscode.TreeItem(node.uri, isDir ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
      item.label = displayName(node.entry.name);
      item.description = node.description;
      item.contextValue = isDir ? ContextValues.folder : ContextValues.file;
      // The theme's own icon for the resourceUri: ThemeIcon.File/Folder ask for exactly that.
      item.iconPath = isDir ? vscode.ThemeIcon.Folder : vscode.ThemeIcon.File;
      if (!isDir) item.command = { command: 'vscode.open', title: vscode.l10n.t({ message: 'Open', comment: ['the click command of a file row'] }), arguments: [node.uri] };
      return item;
    }
    case 'message': {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
      item.contextValue = node.isError ? ContextValues.error : ContextValues.message;
      item.iconPath = new vscode.ThemeIcon(node.isError ? 'error' : node.action === 'more' ? 'ellipsis' : 'info', node.isError ? new vscode.ThemeColor('errorForeground') : undefined);
      if (node.detail) item.description = node.detail;
      item.tooltip = [node.label, node.detail].filter(Boolean).join('\n');
      const command = node.action && actionCommand(node.action);
      if (command) item.command = { command, title: node.label, arguments: [node] };
      return item;
    }
  }
}

/** The hover tooltip of a file or folder row (built only when hovered). */
export function withTooltip(item: vscode.TreeItem, node: DriveNode, mark?: string): vscode.TreeItem {
  if (node.kind === 'file' || node.kind === 'folder') {
    const { entry } = node;
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown('**');
    md.appendText(displayName(entry.name, MAX_TOOLTIP_NAME_CHARS));
    md.appendMarkdown('**\n\n');
    if (entry.unreachableReason !== undefined) {
      md.appendMarkdown('$(warning) ');
      md.appendText(vscode.l10n.t('Not reachable through the Nen API: {0} It cannot be opened, downloaded or replaced from VS Code.', entry.unreachableReason));
      md.appendMarkdown('\n\n');
    }
    // The lines are markdown (the translations hold no markdown); what varies is escaped.
    const lineBreak = '  \n';
    if (node.kind === 'file') md.appendMarkdown(vscode.l10n.t({ message: 'Size: {0}', args: [formatBytesExact(entry.size)], comment: ['a file row tooltip line, {0} like "102,400 bytes"'] }) + lineBreak);
    const modified = new Date(entry.modified * 1000).toLocaleString(vscode.env.language);
    md.appendMarkdown(vscode.l10n.t({ message: 'Modified: {0}', args: [modified], comment: ['a row tooltip line, {0} a date and time'] }) + lineBreak);
    const type = node.kind === 'folder' ? vscode.l10n.t({ message: 'folder', comment: ['the type of a folder row in its tooltip'] }) : displayName(typeOf(entry.name), 40);
    md.appendMarkdown(vscode.l10n.t({ message: 'Type: {0}', args: [escapedText(type)], comment: ['a row tooltip line, {0} like "PDF file" or "folder"'] }));
    if (mark) {
      md.appendMarkdown('\n\n_');
      md.appendText(mark);
      md.appendMarkdown('_');
    }
    item.tooltip = md;
  }
  return item;
}

/**
 * A row for an entry the API cannot reach: a warning icon, no click command, never expandable, and
 * a context value that offers no open, download or upload (only Copy Name); the tooltip says why.
 */
function unreachableItem(uri: vscode.Uri, name: string, isDir: boolean, description: string): vscode.TreeItem {
  const item = new vscode.TreeItem(uri, vscode.TreeItemCollapsibleState.None);
  item.label = displayName(name);
  item.description = description;
  item.contextValue = isDir ? ContextValues.folderUnreachable : ContextValues.fileUnreachable;
  item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
  return item;
}

/** The icon of a desktop that is not simply running: a spinner while it changes, a stop, an error; else the desktop icon. */
function statusIcon(status: string | undefined): vscode.ThemeIcon | undefined {
  switch (status) {
    case 'starting':
    case 'pending':
    case 'provisioning':
    case 'stopping':
      return new vscode.ThemeIcon('loading~spin');
    case 'stopped':
      return new vscode.ThemeIcon('debug-stop');
    case 'error':
    case 'failed':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
    default:
      return undefined;
  }
}

function actionCommand(action: NonNullable<MessageNode['action']>): string | undefined {
  switch (action) {
    case 'retry':
      return Commands.retry;
    case 'setApiKey':
      return Commands.setApiKey;
    case 'upload':
      return Commands.upload;
    case 'more':
      return Commands.showMoreRows;
  }
}

/** `text` as markdown that shows it as written. */
function escapedText(text: string): string {
  return new vscode.MarkdownString(undefined, true).appendText(text).value;
}

function typeOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0
    ? vscode.l10n.t({ message: '{0} file', args: [name.slice(dot + 1).toUpperCase()], comment: ['a file type in a row tooltip, {0} the extension like "PDF"'] })
    : vscode.l10n.t({ message: 'file', comment: ['the type of a file without an extension, in its row tooltip'] });
}

/** A desktop row's hover: why a missing one is shown, or its name, id, status and when the status is asked again. */
function desktopTooltip(node: DriveNode & { kind: 'desktop' }): string {
  if (node.notFound) return vscode.l10n.t('Desktop {0} was not found (it may have been deleted). Remove it from nenDrive.desktops or retry.', node.desktopId);
  const head = `${node.label}\n${node.desktopId}${node.status ? ` · ${statusWord(node.status)}` : ''}`;
  if (!node.status || node.status === 'running') return head;
  return `${head}\n${vscode.l10n.t('The status is checked again while the view shows it (up to 10 minutes); Refresh to check now.')}`;
}
