/** Ids used by the manifest, the code and the tests. Defined once, here. */
export const EXTENSION_ID = 'nen.nen-drive';
export const SCHEME = 'nendrive';
export const VIEW_ID = 'nenDrive.desktops';
export const SECRET_KEY_NAME = 'nenDrive.apiKey';
export const ENV_KEY_NAME = 'NEN_API_KEY';
/** The query that marks the read-only "remote version" of a file (the left side of Compare). */
export const REMOTE_VERSION_QUERY = 'nen-remote-version';

/**
 * How long transfers run before the workbench shows them (the progress notification, the status
 * bar item). Under a second needs no progress, and drawing it is not free: on a 2-core machine
 * the workbench spent 150-200 ms of CPU on the toast of a 300 ms upload, time the transfer itself
 * lost (issue 14, item 6; `npm run bench`). Show Transfers lists every transfer at once.
 */
export const SHOW_PROGRESS_AFTER_MS = 1000;

export const Settings = {
  section: 'nenDrive',
  apiUrl: 'apiUrl',
  desktops: 'desktops',
  metadataTimeoutSeconds: 'metadataTimeoutSeconds',
  transferTimeoutSeconds: 'transferTimeoutSeconds',
  transferConcurrency: 'transferConcurrency',
  confirmOverwrite: 'confirmOverwrite',
  liveRefreshSeconds: 'liveRefreshSeconds',
  proxyLoopback: 'proxyLoopback',
} as const;

/** VS Code's own network settings (section `http`) that Nen Drive honours; see src/api/proxy.ts. */
export const HttpSettings = {
  section: 'http',
  proxy: 'proxy',
  noProxy: 'noProxy',
  proxyStrictSSL: 'proxyStrictSSL',
  proxyAuthorization: 'proxyAuthorization',
  proxySupport: 'proxySupport',
  systemCertificates: 'systemCertificates',
} as const;

export const Commands = {
  setApiKey: 'nenDrive.setApiKey',
  clearApiKey: 'nenDrive.clearApiKey',
  addDesktop: 'nenDrive.addDesktop',
  removeDesktop: 'nenDrive.removeDesktop',
  newDesktop: 'nenDrive.newDesktop',
  renameDesktop: 'nenDrive.renameDesktop',
  deleteDesktop: 'nenDrive.deleteDesktop',
  refresh: 'nenDrive.refresh',
  upload: 'nenDrive.upload',
  uploadFolder: 'nenDrive.uploadFolder',
  download: 'nenDrive.download',
  open: 'nenDrive.open',
  openToSide: 'nenDrive.openToSide',
  copyName: 'nenDrive.copyName',
  copyCurlCommand: 'nenDrive.copyCurlCommand',
  openAsWorkspaceFolder: 'nenDrive.openAsWorkspaceFolder',
  showLog: 'nenDrive.showLog',
  retry: 'nenDrive.retry',
  /** The click of a folder's "Show more" row: more of its rows in the Desktops view. */
  showMoreRows: 'nenDrive.showMoreRows',
  showTransfers: 'nenDrive.showTransfers',
  cancelAllTransfers: 'nenDrive.cancelAllTransfers',
  goToFile: 'nenDrive.goToFile',
  revealInTree: 'nenDrive.revealInTree',
  /** `onSelectedRows({ command })`: the Desktops view's keybindings run a row command on the selected rows. */
  onSelectedRows: 'nenDrive.onSelectedRows',
  sortByName: 'nenDrive.sortByName',
  sortBySize: 'nenDrive.sortBySize',
  sortByModified: 'nenDrive.sortByModified',
  /** The same three, shown with a check mark for the current order (menus cannot mark a command as checked). */
  sortByNameChecked: 'nenDrive.sortByName.checked',
  sortBySizeChecked: 'nenDrive.sortBySize.checked',
  sortByModifiedChecked: 'nenDrive.sortByModified.checked',
  compareWithLocal: 'nenDrive.compareWithLocal',
  compareWithDriveFile: 'nenDrive.compareWithDriveFile',
  compareAcrossDesktops: 'nenDrive.compareAcrossDesktops',
} as const;

/** Context keys for `when` clauses. */
export const ContextKeys = {
  keySource: 'nenDrive.keySource', // 'secretStorage' | 'environment' | 'none'
  hasDesktops: 'nenDrive.hasDesktops',
  /** The tree's order: 'name' | 'size' | 'modified' (the Sort By menu shows a check on it). */
  sortOrder: 'nenDrive.sortOrder',
  /** Set once a `nendrive:` file is open in an editor (the walkthrough's "Open a file" step). */
  openedDriveFile: 'nenDrive.openedDriveFile',
  /** Set once an upload or a drop has written a file (the walkthrough's "Drop a file in" step). */
  uploadedFile: 'nenDrive.uploadedFile',
  /** Exactly one desktop row is selected in the tree (F2 then renames it). */
  desktopSelected: 'nenDrive.desktopSelected',
} as const;

/** contextValue strings of the tree's rows, matched by `viewItem` in package.json menus. */
export const ContextValues = {
  desktop: 'desktop',
  desktopConfigured: 'desktop.configured',
  desktopNotFound: 'desktop.notFound',
  file: 'file',
  folder: 'folder',
  /** A listed entry the API cannot reach (a name validateName refuses): no open, download or upload entries. */
  fileUnreachable: 'file.unreachable',
  folderUnreachable: 'folder.unreachable',
  error: 'error',
  message: 'message',
} as const;
