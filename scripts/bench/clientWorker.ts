/**
 * One client measurement in a fresh Node process, so that its time and its memory high-water
 * mark belong to that one operation. Prints one JSON line on stdout:
 * `{ ms, rssBeforeKiB, maxRssKiB, addedKiB }`, where `addedKiB` is the process's peak RSS
 * (`process.resourceUsage().maxRSS`, its high-water mark restarted right before the operation)
 * minus its RSS right before the operation (after the client was loaded and a GC ran). Run with `--expose-gc` by bench.ts.
 *
 * With `warm`, a separate client first does one small upload, download and listing, then is
 * closed: the measured client still opens its own connection (as curl does), but the process
 * has already compiled undici's parser and the client's code, as in a long-running extension
 * host, and its RSS has settled (see `settled`). Without it, the figure is a cold first request
 * in a fresh process.
 */
import { createReadStream, createWriteStream, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DriveClient } from '../../src/api/DriveClient';
import { runPool } from '../../src/api/pool';
import { walkLocalFolder } from '../../src/api/localTree';
import { checkAgainstDrive, listUploadFolders, planTreeUpload } from '../../src/api/treeTransfer';
import { fetchDownload, fetchUpload } from './fetchReference';

interface JobBase {
  baseUrl: string;
  apiKey: string;
  desktopId: string;
  /** A desktop for the warm-up calls (not the measured one). */
  warmDesktopId?: string;
}

export type WorkerJob = JobBase &
  (
    | { op: 'upload'; name: string; path: string }
    | { op: 'download'; name: string; target: string }
    | { op: 'list'; expect: number }
    | { op: 'many'; dir: string; concurrency: number }
    /** A local folder uploaded recursively the way Upload Folder… does it (walk, plan, list the drive's folders, upload). */
    | { op: 'folders'; dir: string; concurrency: number; expect: number }
    /** The Node floor, no client: node:http piped to or from the file, for reference. */
    | { op: 'nodeUpload'; name: string; path: string }
    | { op: 'nodeDownload'; name: string; target: string }
    /**
     * The way most JS clients of this API do it, for reference: global fetch, the whole body
     * through arrayBuffer() then fs.writeFile; uploads from fs.readFile (scripts/bench/fetchReference.ts).
     */
    | { op: 'fetchUpload'; name: string; path: string }
    | { op: 'fetchDownload'; name: string; target: string }
  );

export interface WorkerResult {
  ms: number;
  /** CPU time (user + system) the process spent on the operation: steadier than `ms` on a loaded machine. */
  cpuMs?: number;
  rssBeforeKiB: number;
  maxRssKiB: number;
  addedKiB: number;
  /** The high-water mark was restarted before the operation; false where the OS has no way (then the warm-up's peak may count). */
  peakReset?: boolean;
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? '{}') as WorkerJob;
  if (job.warmDesktopId) await warmUp(job.baseUrl, job.apiKey, job.warmDesktopId);
  const client = new DriveClient({ baseUrl: job.baseUrl, getApiKey: () => job.apiKey, maxRetries: 0 });
  if (job.op === 'fetchUpload' || job.op === 'fetchDownload') {
    // Warmed the same way: one small exchange through fetch first.
    if (job.warmDesktopId) await fetchDownload({ ...job, desktopId: job.warmDesktopId }, 'warm-up.bin', undefined).catch(() => undefined);
  }
  if (job.op === 'nodeUpload' || job.op === 'nodeDownload') {
    // The floor warms the same way: one small exchange through node:http first.
    if (job.warmDesktopId) await nodeHttp({ ...job, desktopId: job.warmDesktopId }, 'GET', 'warm-up.bin', async (req) => void req.end()).catch(() => undefined);
  }
  const many = job.op === 'many' ? readdirSync(job.dir).sort() : [];
  if (job.warmDesktopId) await settled();
  (globalThis as { gc?: () => void }).gc?.();
  // The process's peak so far (the warm-up's) is not this operation's: start the high-water mark
  // again from the RSS of now (Linux resets it on "5" to clear_refs; ru_maxrss follows it).
  const peakReset = resetPeak();
  const rssBeforeKiB = Math.round(process.memoryUsage.rss() / 1024);
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  switch (job.op) {
    case 'upload':
      await client.upload(job.desktopId, job.name, { kind: 'file', path: job.path });
      break;
    case 'download':
      await client.downloadToFile(job.desktopId, job.name, job.target, { overwrite: true });
      break;
    case 'list': {
      const entries = await client.listFiles(job.desktopId);
      if (entries.length !== job.expect) throw new Error(`listed ${entries.length} entries, expected ${job.expect}`);
      break;
    }
    case 'nodeUpload':
      await nodeHttp(job, 'POST', job.name, async (req) => {
        await pipeline(createReadStream(job.path), req);
      }, statSync(job.path).size);
      break;
    case 'nodeDownload':
      await nodeHttp(job, 'GET', job.name, async (req) => {
        req.end();
      }, undefined, job.target);
      break;
    case 'fetchUpload':
      await fetchUpload(job, job.name, job.path);
      break;
    case 'fetchDownload':
      await fetchDownload(job, job.name, job.target);
      break;
    case 'many': {
      const upload = (name: string): Promise<unknown> => client.upload(job.desktopId, name, { kind: 'file', path: join(job.dir, name) });
      if (job.concurrency <= 1) {
        for (const name of many) await upload(name);
      } else {
        const settled = await runPool(many, job.concurrency, upload);
        const failed = settled.filter((s) => s.status === 'rejected');
        if (failed.length) throw new Error(`${failed.length} uploads failed: ${String((failed[0] as PromiseRejectedResult).reason)}`);
      }
      break;
    }
    case 'folders':
      await uploadTree(client, job.desktopId, job.dir, job.concurrency, job.expect);
      break;
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  const maxRssKiB = process.resourceUsage().maxRSS;
  await client.close();
  const result: WorkerResult = { ms, cpuMs: (cpu.user + cpu.system) / 1000, rssBeforeKiB, maxRssKiB, addedKiB: maxRssKiB - rssBeforeKiB, peakReset };
  process.stdout.write(JSON.stringify(result) + '\n');
}

/** Restarts the process's peak RSS (VmHWM, and with it `resourceUsage().maxRSS`) from its current RSS; Linux 4.0+. */
function resetPeak(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

/**
 * Waits until the process's RSS stops growing: no more than 1 MiB over 250 ms, 3 s at most.
 * After its first requests a fresh Node process keeps growing for 100-300 ms on its own (about
 * 30 MiB of native memory on this machine: measured with nothing running, not V8's heap, not
 * undici's parser), which a long-running extension host did long ago. Taking the baseline before
 * that settled charged it to the transfer: +35-41 MiB against +6 MiB for the same 100 MiB
 * download, whichever client it was.
 */
async function settled(): Promise<void> {
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
  const until = Date.now() + 3000;
  let last = process.memoryUsage.rss();
  while (Date.now() < until) {
    await sleep(250);
    const now = process.memoryUsage.rss();
    if (now - last <= 1024 * 1024) return;
    last = now;
  }
}

/** The vscode-free steps of Upload Folder… (src/commands/folderUpload.ts), existing names overwritten. */
async function uploadTree(client: DriveClient, desktopId: string, dir: string, concurrency: number, expect: number): Promise<void> {
  const tree = await walkLocalFolder(dir);
  const planned = planTreeUpload(tree.files, undefined);
  const checked = checkAgainstDrive(planned.jobs, undefined, await listUploadFolders(client, desktopId, undefined, planned.jobs, concurrency));
  if (checked.jobs.length !== expect) throw new Error(`planned ${checked.jobs.length} uploads, expected ${expect}`);
  const settled = await runPool(checked.jobs, concurrency, (j) => client.upload(desktopId, j.name, { kind: 'file', path: j.path }, { path: j.folder }));
  const failed = settled.filter((s) => s.status === 'rejected');
  if (failed.length) throw new Error(`${failed.length} uploads failed: ${String((failed[0] as PromiseRejectedResult).reason)}`);
}

/**
 * The floor's file writes: WriteStream's default 16 KiB highWaterMark (below a 64 KiB socket
 * chunk) makes every chunk wait for its own write, which measured the pipe, not the floor.
 */
const FLOOR_WRITE_HWM = 1024 * 1024;

/** One plain node:http exchange; the response body goes to `target` or is drained. */
function nodeHttp(
  job: JobBase,
  method: string,
  name: string,
  send: (req: ReturnType<typeof httpRequest>) => Promise<void>,
  length?: number,
  target?: string,
): Promise<void> {
  const url = new URL(`${job.baseUrl}/desktops/${job.desktopId}/files/${encodeURIComponent(name)}`);
  const headers: Record<string, string | number> = { authorization: `Bearer ${job.apiKey}` };
  if (length !== undefined) {
    headers['content-length'] = length;
    headers['content-type'] = 'application/octet-stream';
  }
  return new Promise((ok, fail) => {
    const req = httpRequest(url, { method, headers }, (res: IncomingMessage) => {
      if (res.statusCode !== 200) fail(new Error(`HTTP ${res.statusCode}`));
      const done = target ? pipeline(res, createWriteStream(target, { highWaterMark: FLOOR_WRITE_HWM })) : (res.resume(), new Promise<void>((r) => res.on('end', () => r())));
      done.then(ok, fail);
    });
    req.on('error', fail);
    send(req).catch(fail);
  });
}

async function warmUp(baseUrl: string, apiKey: string, desktopId: string): Promise<void> {
  const warm = new DriveClient({ baseUrl, getApiKey: () => apiKey, maxRetries: 0 });
  const dir = mkdtempSync(join(tmpdir(), 'nen-bench-warm-'));
  try {
    await warm.upload(desktopId, 'warm-up.bin', { kind: 'bytes', data: new Uint8Array(256 * 1024) });
    await warm.downloadToFile(desktopId, 'warm-up.bin', join(dir, 'warm-up.bin'), { overwrite: true });
    await warm.listFiles(desktopId);
  } finally {
    await warm.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.stack ?? err.message : String(err));
  process.exit(1);
});
