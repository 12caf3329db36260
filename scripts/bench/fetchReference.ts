/**
 * The reference row "fetch + buffers" (issue 14 item 5): how most JavaScript clients of this API
 * move a file, including Nen's own JS SDK. Global fetch; a download's whole body through
 * `arrayBuffer()` then `fs.writeFile`; an upload's whole file from `fs.readFile` as the body.
 * Written plainly, as such a client would be, so its time and peak memory stand beside ours.
 */
import { readFile, writeFile } from 'node:fs/promises';

interface Endpoint {
  baseUrl: string;
  apiKey: string;
  desktopId: string;
}

const fileUrl = (e: Endpoint, name: string): string => `${e.baseUrl}/desktops/${e.desktopId}/files/${encodeURIComponent(name)}`;

export async function fetchUpload(e: Endpoint, name: string, path: string): Promise<void> {
  const body = await readFile(path);
  const res = await fetch(fileUrl(e, name), {
    method: 'POST',
    headers: { authorization: `Bearer ${e.apiKey}`, 'content-type': 'application/octet-stream' },
    body,
  });
  if (!res.ok) throw new Error(`fetch upload: HTTP ${res.status}`);
  await res.json();
}

/** Without a target the body is read and dropped (the warm-up). */
export async function fetchDownload(e: Endpoint, name: string, target: string | undefined): Promise<void> {
  const res = await fetch(fileUrl(e, name), { headers: { authorization: `Bearer ${e.apiKey}` } });
  if (!res.ok) throw new Error(`fetch download: HTTP ${res.status}`);
  const data = Buffer.from(await res.arrayBuffer());
  if (target !== undefined) await writeFile(target, data);
}
