/**
 * Run by downloadDisk.test.ts in a child process whose file size limit (`ulimit -f`) is lower
 * than the file it downloads: the disk refuses a write with EFBIG, as a full disk refuses one
 * with ENOSPC. Prints what the client threw, as JSON, on its last line.
 */
import { DriveClient, isNenApiError } from '../../src/api';

async function main(): Promise<void> {
  const { url, key, desk, name, target, rawMinBytes } = JSON.parse(process.argv[2]) as {
    url: string;
    key: string;
    desk: string;
    name: string;
    target: string;
    rawMinBytes?: number;
  };
  const requests: string[] = [];
  const client = new DriveClient({ baseUrl: url, getApiKey: () => key, baseRetryDelayMs: 5, rawTransferMinBytes: rawMinBytes ?? Infinity, onRequest: (e) => requests.push(`${e.method} ${e.path}`) });
  try {
    await client.downloadToFile(desk, name, target);
    console.log(JSON.stringify({ ok: true, requests }));
  } catch (e) {
    console.log(JSON.stringify({ ok: false, isNen: isNenApiError(e), kind: isNenApiError(e) ? e.kind : undefined, code: isNenApiError(e) ? e.code : undefined, message: e instanceof Error ? e.message : String(e), requests }));
  } finally {
    await client.close();
  }
}

void main();
