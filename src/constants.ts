/** Ids used by the manifest, the code and the tests. Defined once, here. */
export const EXTENSION_ID = 'nen.nen-drive';
export const SCHEME = 'nendrive';
export const VIEW_ID = 'nenDrive.desktops';
export const SECRET_KEY_NAME = 'nenDrive.apiKey';
export const ENV_KEY_NAME = 'NEN_API_KEY';
/** The query that marks the read-only "remote version" of a file (the left side of Compare). */
export const REMOTE_VERSION_QUERY = 'nen-remote-version';

export const Settings = {
  section: 'nenDrive',
  apiUrl: 'apiUrl',
  desktops: 'desktops',
  metadataTimeoutSeconds: 'metadataTimeoutSeconds',
  transferTimeoutSeconds: 'transferTimeoutSeconds',
  transferConcurrency: 'transferConcurrency',
  confirmOverwrite: 'confirmOverwrite',
  liveRefreshSeconds: 'liveRefreshSeconds',
} as const;

export const Commands = {
  setApiKey: 'nenDrive.setApiKey',
  clearApiKey: 'nenDrive.clearApiKey',
  addDesktop: 'nenDrive.addDesktop',
  removeDesktop: 'nenDrive.removeDesktop',
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
} as const;

/** Context keys for `when` clauses. */
export const ContextKeys = {
  keySource: 'nenDrive.keySource', // 'secretStorage' | 'environment' | 'none'
  hasDesktops: 'nenDrive.hasDesktops',
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
