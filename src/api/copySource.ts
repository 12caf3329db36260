/**
 * A drive file as the body of an upload: the copy between desktops streams one drive's download
 * straight into the other's upload, without a local copy.
 */
import { PassThrough, pipeline } from 'node:stream';
import type { DriveClient } from './DriveClient';
import type { UploadSource } from './types';

/** Where a copied file comes from. */
export interface DriveFileRef {
  desktopId: string;
  name: string;
  folder: string | undefined;
}

/**
 * An upload source that is a fresh download of `from` for every attempt (the upload reopens it
 * for a retry); `signal` aborts both sides. The download is bounded by `size`, the listed size.
 */
export function driveFileSource(client: DriveClient, from: DriveFileRef, size: number, signal: AbortSignal): UploadSource {
  return { kind: 'stream', size, open: () => openDriveStream(client, from, size, signal) };
}

/** `out` is handed to the upload at once; the download fills it once it has started. */
function openDriveStream(client: DriveClient, from: DriveFileRef, size: number, signal: AbortSignal): NodeJS.ReadableStream {
  const out = new PassThrough();
  client.downloadStream(from.desktopId, from.name, { path: from.folder, signal, expectedSize: size }).then(
    ({ body }) => {
      // pipeline, not pipe: when the upload gives up on `out` (a failed or retried attempt
      // destroys it), the download is destroyed too and its connection released at once.
      pipeline(body, out, () => undefined);
    },
    (err: unknown) => out.destroy(err instanceof Error ? err : new Error(String(err))),
  );
  return out;
}
