/**
 * The transfer sections of `npm run bench` (issue 14): 100 MiB up and down on loopback beside
 * curl, the bare node:http pipe and the fetch + buffers reference; the same over a simulated
 * link (`--bandwidth` and latency on the emulator); and the fsync the download keeps. Runners
 * alternate, rotating their order each round; medians are compared, memory is the worst run.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { WorkerJob, WorkerResult } from './clientWorker';
import type { HostRequest } from './emulatorHost';
import { median, round } from './stats';

export interface Row {
  measurement: string;
  client: string;
  reference: string;
  ratio: string;
  target: string;
  result: 'PASS' | 'MISS' | 'info' | 'n/a';
}

export interface TransferBench {
  emu: { url: string; pid?: number; send(cmd: HostRequest): Promise<void> };
  base: { baseUrl: string; apiKey: string; warmDesktopId: string };
  desktop: string;
  files: string;
  sizeMiB: number;
  warmup: number;
  repeat: number;
  runClient(job: WorkerJob): WorkerResult;
  /** curl's own time_total in ms. */
  runCurl(args: string[]): number;
  rows: Row[];
  results: Record<string, unknown>;
  log(msg: string): void;
}

const MIB = 1024 * 1024;
const maxMiB = (xs: WorkerResult[]): number => Math.max(...xs.map((x) => x.addedKiB)) / 1024;
const verdict = (ok: boolean): 'PASS' | 'MISS' => (ok ? 'PASS' : 'MISS');

/** Runs every runner once per round, rotating the order, `warmup` unrecorded rounds first. */
export function alternateAll<T>(runners: Array<() => T>, warmup: number, repeat: number): T[][] {
  const out: T[][] = runners.map(() => []);
  for (let i = 0; i < warmup + repeat; i++) {
    for (let j = 0; j < runners.length; j++) {
      const k = (j + i) % runners.length;
      const r = runners[k]();
      if (i >= warmup) out[k].push(r);
    }
  }
  return out;
}

export function writeFileOfSize(path: string, bytes: number, sync = false): void {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(MIB);
  for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 2654435761) >>> 24; // not all zeros: no sparse or compressible shortcut
  for (let done = 0; done < bytes; done += chunk.length) writeSync(fd, chunk, 0, Math.min(chunk.length, bytes - done));
  if (sync) fsyncSync(fd);
  closeSync(fd);
}

const postArgs = (path: string, url: string): string[] => ['-o', '/dev/null', '-X', 'POST', '--data-binary', `@${path}`, '-H', 'Content-Type: application/octet-stream', url];

/** Upload of sizeMiB from a file: client, curl, node:http, fetch + readFile. */
export function benchUpload(b: TransferBench): void {
  const label = `${b.sizeMiB} MiB`;
  const sizeBytes = Math.round(b.sizeMiB * MIB);
  b.log(`upload ${label}: client vs curl vs node:http vs fetch(readFile)`);
  const src = join(b.files, 'big-up.bin');
  writeFileOfSize(src, sizeBytes);
  const url = `${b.emu.url}/desktops/${b.desktop}/files/big-up.bin`;
  const common = { ...b.base, desktopId: b.desktop, name: 'big-up.bin', path: src };
  const job: WorkerJob = { op: 'upload', ...common };
  const [client, curl, node, fetchRef] = alternateAll<WorkerResult>(
    [() => b.runClient(job), () => ({ ms: b.runCurl(postArgs(src, url)), rssBeforeKiB: 0, maxRssKiB: 0, addedKiB: 0 }), () => b.runClient({ ...common, op: 'nodeUpload' }), () => b.runClient({ ...common, op: 'fetchUpload' })],
    b.warmup,
    b.repeat,
  );
  const cold = b.runClient({ ...job, warmDesktopId: undefined }).ms;
  const small = join(b.files, 'small-up.bin');
  writeFileOfSize(small, Math.round(sizeBytes / 10));
  const tenth = [0, 1, 2].map(() => b.runClient({ ...job, name: 'small-up.bin', path: small }));
  rmSync(small, { force: true });
  rmSync(src, { force: true });
  report(b, 'upload', label, { client, curl, node, fetchRef, tenth, cold }, 1.3, 'from disk');
}

/** Download of sizeMiB to a file: client, curl -o, node:http pipe, fetch + arrayBuffer + writeFile. */
export function benchDownload(b: TransferBench): void {
  const label = `${b.sizeMiB} MiB`;
  const sizeBytes = Math.round(b.sizeMiB * MIB);
  b.log(`download ${label} to disk: client vs curl vs node:http vs fetch(arrayBuffer)`);
  seed(b, 'big-down.bin', sizeBytes);
  seed(b, 'tenth-down.bin', Math.round(sizeBytes / 10));
  const target = join(b.files, 'big-down.out');
  const url = `${b.emu.url}/desktops/${b.desktop}/files/big-down.bin`;
  const common = { ...b.base, desktopId: b.desktop, name: 'big-down.bin', target };
  const job: WorkerJob = { op: 'download', ...common };
  const checked = (bytes: number, run: () => WorkerResult): WorkerResult => downloadChecked(target, bytes, run);
  const [client, curl, node, fetchRef] = alternateAll<WorkerResult>(
    [
      () => checked(sizeBytes, () => b.runClient(job)),
      () => checked(sizeBytes, () => ({ ms: b.runCurl(['-o', target, url]), rssBeforeKiB: 0, maxRssKiB: 0, addedKiB: 0 })),
      () => checked(sizeBytes, () => b.runClient({ ...common, op: 'nodeDownload' })),
      () => checked(sizeBytes, () => b.runClient({ ...common, op: 'fetchDownload' })),
    ],
    b.warmup,
    b.repeat,
  );
  const cold = checked(sizeBytes, () => b.runClient({ ...job, warmDesktopId: undefined })).ms;
  const tenth = [0, 1, 2].map(() => checked(Math.round(sizeBytes / 10), () => b.runClient({ ...job, name: 'tenth-down.bin' })));
  report(b, 'download', label, { client, curl, node, fetchRef, tenth, cold }, 2.0, 'to a file');
  fsyncCost(b, sizeBytes);
  overwriteCost(b, job, sizeBytes);
}

/**
 * The client's download onto an existing file of the same size (synced, as a file kept for a
 * while is), as Overwrite does, against the same download onto no file, alternating: what
 * replacing the old file adds.
 */
function overwriteCost(b: TransferBench, job: WorkerJob & { op: 'download' }, bytes: number): void {
  const once = (existing: boolean): number => downloadChecked(job.target, bytes, () => b.runClient(job), existing).ms;
  const [over, fresh] = alternateAll<number>([() => once(true), () => once(false)], 1, 3);
  b.results.overwriteMs = { overExisting: over.map((x) => round(x)), ontoNoFile: fresh.map((x) => round(x)) };
  b.rows.push({ measurement: `  the same download over an existing ${b.sizeMiB} MiB file (Overwrite; median of 3)`, client: `${round(median(over), 0)} ms`, reference: `onto no file ${round(median(fresh), 0)}`, ratio: `${round(median(over) / median(fresh), 2)}`, target: '', result: 'info' });
}

/**
 * One download run to `target` (first a synced file of `bytes` there when `existing`, else none),
 * started with no dirty pages left by the run before: the client's fsync would otherwise also
 * wait for the writeback of the previous runner's 100 MiB (curl's, fetch's). Throws unless the
 * target then holds `bytes`; removes it.
 */
function downloadChecked(target: string, bytes: number, run: () => WorkerResult, existing = false): WorkerResult {
  rmSync(target, { force: true });
  if (existing) writeFileOfSize(target, bytes, true);
  execFileSync('sync');
  const r = run();
  const got = statSync(target).size;
  if (got !== bytes) throw new Error(`downloaded ${got} bytes, expected ${bytes}`);
  rmSync(target, { force: true });
  return r;
}

function seed(b: TransferBench, name: string, bytes: number): void {
  const src = join(b.files, `seed-${name}`);
  writeFileOfSize(src, bytes);
  b.runCurl(postArgs(src, `${b.emu.url}/desktops/${b.desktop}/files/${name}`));
  rmSync(src, { force: true });
}

interface Runs {
  client: WorkerResult[];
  curl: WorkerResult[];
  node: WorkerResult[];
  fetchRef: WorkerResult[];
  tenth: WorkerResult[];
  cold: number;
}

function report(b: TransferBench, what: 'upload' | 'download', label: string, r: Runs, target: number, where: string): void {
  const ms = (xs: WorkerResult[]): number => median(xs.map((x) => x.ms));
  const [c, k, n, f] = [ms(r.client), ms(r.curl), ms(r.node), ms(r.fetchRef)];
  const list = (xs: WorkerResult[]): number[] => xs.map((x) => round(x.ms));
  const kib = (xs: WorkerResult[]): number[] => xs.map((x) => x.addedKiB);
  b.results[what] = {
    clientMs: list(r.client), curlMs: list(r.curl), nodeHttpMs: list(r.node), fetchMs: list(r.fetchRef), coldClientMs: round(r.cold),
    addedRssKiB: kib(r.client), nodeHttpAddedRssKiB: kib(r.node), fetchAddedRssKiB: kib(r.fetchRef), addedRssKiBTenthSize: kib(r.tenth),
    medianClientMs: round(c), medianCurlMs: round(k), medianNodeHttpMs: round(n), medianFetchMs: round(f), ratio: round(c / k, 2),
  };
  b.rows.push({ measurement: `${what} ${label} ${where} (median ms)`, client: `${round(c, 0)} (cold ${round(r.cold, 0)})`, reference: `curl ${round(k, 0)}`, ratio: `${round(c / k, 2)}`, target: `≤ ${target.toFixed(2)}`, result: verdict(c / k <= target) });
  b.rows.push({ measurement: `  bare node:http pipe, same ${what}`, client: `${round(n, 0)}`, reference: `curl ${round(k, 0)}`, ratio: `${round(n / k, 2)}`, target: 'client below it', result: verdict(c < n) });
  b.rows.push({ measurement: `  fetch + whole-body buffers, same ${what}`, client: `${round(f, 0)}; peak +${round(maxMiB(r.fetchRef))} MiB`, reference: `curl ${round(k, 0)}`, ratio: `${round(f / k, 2)}`, target: '', result: 'info' });
  const peak = maxMiB(r.client);
  const tenth = maxMiB(r.tenth);
  b.rows.push({ measurement: `peak RSS added, ${what} ${label} ${where} (worst of ${r.client.length})`, client: `${round(peak)} MiB`, reference: `median ${round(median(kib(r.client)) / 1024)}; node:http worst ${round(maxMiB(r.node))} MiB`, ratio: '', target: '< 48 MiB', result: verdict(peak < 48) });
  // Streaming shows as a peak that does not grow with the file: the same transfer at a tenth of the size.
  b.rows.push({ measurement: `  the same at ${round(b.sizeMiB / 10)} MiB (worst of ${r.tenth.length})`, client: `${round(tenth)} MiB`, reference: `flat: within 8 MiB of the ${label} peak`, ratio: '', target: 'flat', result: verdict(peak - tenth <= 8) });
}

/** What the fsync before the rename costs: the same bytes written with and without it. */
function fsyncCost(b: TransferBench, bytes: number): void {
  const path = join(b.files, 'fsync-probe.bin');
  const [synced, plain] = alternateAll<number>(
    [true, false].map((sync) => () => {
      const t0 = performance.now();
      writeFileOfSize(path, bytes, sync);
      const ms = performance.now() - t0;
      rmSync(path, { force: true });
      return ms;
    }),
    1,
    3,
  );
  const cost = median(synced) - median(plain);
  b.results.fsyncCostMs = { synced: synced.map((x) => round(x)), plain: plain.map((x) => round(x)), medianCostMs: round(cost) };
  b.rows.push({ measurement: `  fsync before the rename (kept): cost at ${b.sizeMiB} MiB`, client: `${round(cost, 0)} ms`, reference: `write+fsync ${round(median(synced), 0)}, write ${round(median(plain), 0)}`, ratio: '', target: '', result: 'info' });
}

/**
 * A real network, simulated: the emulator at `mbPerSec` each way and `latencyMs` per request.
 * 100 MiB up and down against curl on the same link, then 200 × 64 KiB uploads, four at a time
 * against one at a time.
 */
export async function benchNetwork(b: TransferBench, mbPerSec: number, latencyMs: number): Promise<void> {
  const label = `${b.sizeMiB} MiB`;
  const sizeBytes = Math.round(b.sizeMiB * MIB);
  const link = `${mbPerSec} MB/s, ${latencyMs} ms`;
  b.log(`simulated link ${link}: ${label} up and down vs curl, 200 × 64 KiB concurrent vs sequential`);
  seed(b, 'net-down.bin', sizeBytes);
  const manyDir = join(b.files, 'net-many');
  mkdirSync(manyDir, { recursive: true });
  for (let i = 0; i < 200; i++) writeFileOfSize(join(manyDir, `small-${String(i).padStart(3, '0')}.bin`), 64 * 1024);
  await b.emu.send({ cmd: 'bandwidth', mbPerSec });
  await b.emu.send({ cmd: 'latency', ms: latencyMs });
  const rounds = Math.min(b.repeat, 3);
  try {
    const src = join(b.files, 'net-up.bin');
    writeFileOfSize(src, sizeBytes);
    const upUrl = `${b.emu.url}/desktops/${b.desktop}/files/net-up.bin`;
    const [cu, ku] = alternateAll<number>([() => b.runClient({ op: 'upload', ...b.base, desktopId: b.desktop, name: 'net-up.bin', path: src }).ms, () => b.runCurl(postArgs(src, upUrl))], b.warmup, rounds);
    rmSync(src, { force: true });
    const target = join(b.files, 'net-down.out');
    const downUrl = `${b.emu.url}/desktops/${b.desktop}/files/net-down.bin`;
    const once = (run: () => number): number => {
      rmSync(target, { force: true });
      const ms = run();
      if (statSync(target).size !== sizeBytes) throw new Error('short download on the simulated link');
      rmSync(target, { force: true });
      return ms;
    };
    const [cd, kd] = alternateAll<number>(
      [() => once(() => b.runClient({ op: 'download', ...b.base, desktopId: b.desktop, name: 'net-down.bin', target }).ms), () => once(() => b.runCurl(['-o', target, downUrl]))],
      b.warmup,
      rounds,
    );
    const [conc, seq] = alternateAll<number>(
      [4, 1].map((concurrency) => () => b.runClient({ op: 'many', ...b.base, desktopId: b.desktop, dir: manyDir, concurrency }).ms),
      b.warmup,
      rounds,
    );
    const [mu, ku2, md, kd2, mc, ms] = [cu, ku, cd, kd, conc, seq].map(median);
    b.results.network = { mbPerSec, latencyMs, uploadClientMs: cu.map((x) => round(x)), uploadCurlMs: ku.map((x) => round(x)), downloadClientMs: cd.map((x) => round(x)), downloadCurlMs: kd.map((x) => round(x)), manyConcurrentMs: conc.map((x) => round(x)), manySequentialMs: seq.map((x) => round(x)) };
    b.rows.push({ measurement: `upload ${label}, link ${link} (median of ${rounds})`, client: `${round(mu, 0)}`, reference: `curl ${round(ku2, 0)}`, ratio: `${round(mu / ku2, 2)}`, target: '≤ 1.05', result: verdict(mu / ku2 <= 1.05) });
    b.rows.push({ measurement: `download ${label}, link ${link} (median of ${rounds})`, client: `${round(md, 0)}`, reference: `curl ${round(kd2, 0)}`, ratio: `${round(md / kd2, 2)}`, target: '≤ 1.05', result: verdict(md / kd2 <= 1.05) });
    b.rows.push({ measurement: `200 × 64 KiB uploads, link ${link} (median of ${rounds})`, client: `concurrent(4) ${round(mc, 0)}`, reference: `sequential ${round(ms, 0)}`, ratio: `${round(ms / mc, 2)}× faster`, target: '≥ 3.5×', result: verdict(ms / mc >= 3.5) });
  } finally {
    await b.emu.send({ cmd: 'bandwidth', mbPerSec: 0 });
    await b.emu.send({ cmd: 'latency', ms: 0 });
    await b.emu.send({ cmd: 'clear' });
  }
}
