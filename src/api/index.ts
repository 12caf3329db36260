/** The Nen API client: no `vscode` import anywhere below this folder. */
export * from './types';
export { DriveClient } from './DriveClient';
export type { DownloadStream } from './downloadBody';
export { NenApiError, isNenApiError, messageFromBody, kindForStatus } from './errors';
export { redact } from './redact';
export { formatSize, formatBytesExact } from './format';
export { checkUploadSize } from './uploadLimit';
export { exists } from './atomicFile';
export { validateDesktopId, validateDesktopName, DESKTOP_ID_PATTERN, validateName, validateFolderPath, normalizeFolderPath, folderSegments, contentTypeFor, MAX_NAME_BYTES, MAX_FOLDER_DEPTH } from './names';
export { validateBaseUrl, isLoopbackHost } from './baseUrl';
export { runPool } from './pool';
export { displayName, quotedName, MAX_DISPLAY_CHARS } from './display';
