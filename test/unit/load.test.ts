/**
 * Load: 50 uploads and 50 downloads at once through one client against the emulator, mixed
 * sizes up to 20 MiB, several uploads racing on the same names while downloads read them.
 * Afterwards every stored and every downloaded file is byte-for-byte one complete version
 * (sha256 against the candidates), no temporary file is left anywhere, and the process's peak
 * RSS stays bounded (transfers stream; nothing holds a whole file in memory).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { DriveClient } from '../../src/api';
import { startEmulator } from '../../tools/emulator/server';

const KEY = 'sk_nen_load_test_key';
const DESKTOP = 'dsk_load0000001';
const MiB = 1024 * 1024;
const RSS_BOUND_MIB = 300;

const SIZES = [0, 1, 1000, 64 * 1024, 512 * 1024, 1 * MiB, 3 * MiB, 5 * MiB, 8 * MiB, 20 * MiB];
const SHARED = ['shared-0.bin', 'shared-1.bin', 'shared-2.bin', 'shared-3.bin', 'shared-4.bin'];
const STATIC = ['static-0.bin', 'static-1.bin', 'static-2.bin', 'static-3.bin', 'static-4.bin'];

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** Writes `size` random bytes to `file` in 1 MiB chunks (never a whole file in memory); returns its sha256. */
function writeRandomFile(file: string, size: number): string {
  const h = createHash('sha256');
  const fd = fs.openSync(file, 'w');
  try {
    for (let done = 0; done < size; ) {
      const chunk = randomBytes(Math.min(MiB, size - done));
      fs.writeSync(fd, chunk);
      h.update(chunk);
      done += chunk.length;
    }
  } finally {
    fs.closeSync(fd);
  }
  return h.digest('hex');
}

function hashFile(file: string): string {
  const h = createHash('sha256');
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.allocUnsafe(MiB);
  try {
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
  return h.digest('hex');
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const d of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

test('50 concurrent uploads and 50 downloads leave only complete files, no temp files, bounded memory', { timeout: 120_000 }, async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nen-load-'));
  const dataDir = path.join(root, 'data');
  const srcDir = path.join(root, 'src');
  const dlDir = path.join(root, 'downloads');
  fs.mkdirSync(srcDir);
  fs.mkdirSync(dlDir);
  const emu = await startEmulator({ port: 0, dataDir, apiKey: KEY, desktops: [DESKTOP] });
  const client = new DriveClient({ baseUrl: emu.url, getApiKey: () => KEY });
  try {
    // Candidates: every complete version each name may legitimately hold.
    const candidates = new Map<string, Set<string>>();
    const addCandidate = (name: string, hash: string): void => {
      if (!candidates.has(name)) candidates.set(name, new Set());
      candidates.get(name)!.add(hash);
    };

    // Versions already on the drive before the storm (downloads may see them).
    for (const [i, name] of [...SHARED, ...STATIC].entries()) {
      const data = randomBytes(SIZES[i % 6]);
      emu.putFile(DESKTOP, name, data);
      addCandidate(name, sha(data));
    }

    // 50 uploads: 4 racing on each of the 5 shared names, 30 to names of their own.
    const uploads: Array<{ name: string; file: string; size: number }> = [];
    for (let i = 0; i < 50; i++) {
      const name = i < 20 ? SHARED[i % SHARED.length] : `solo-${i}.bin`;
      const size = SIZES[(i * 7) % SIZES.length];
      const file = path.join(srcDir, `upload-${i}`);
      addCandidate(name, writeRandomFile(file, size));
      uploads.push({ name, file, size });
    }
    const uploadedBytes = uploads.reduce((s, u) => s + u.size, 0);
    // Only uploads change a shared name: the final version is one of the uploads, not the seed.
    const finalCandidates = new Map<string, Set<string>>();
    for (const u of uploads) {
      if (!finalCandidates.has(u.name)) finalCandidates.set(u.name, new Set());
      finalCandidates.get(u.name)!.add(hashFile(u.file));
    }

    // 50 downloads: 40 of the names being overwritten right now, 10 of files nobody touches.
    const downloads: Array<{ name: string; target: string }> = [];
    for (let i = 0; i < 50; i++) {
      const name = i < 40 ? SHARED[i % SHARED.length] : STATIC[i % STATIC.length];
      downloads.push({ name, target: path.join(dlDir, `dl-${i}-${name}`) });
    }

    let peakSampled = process.memoryUsage().rss;
    const baseline = peakSampled;
    const sampler = setInterval(() => {
      peakSampled = Math.max(peakSampled, process.memoryUsage().rss);
    }, 5);
    const started = Date.now();
    const results = await Promise.allSettled([
      ...uploads.map((u) => client.upload(DESKTOP, u.name, { kind: 'file', path: u.file })),
      ...downloads.map((d) => client.downloadToFile(DESKTOP, d.name, d.target)),
    ]);
    const elapsed = (Date.now() - started) / 1000;
    clearInterval(sampler);
    const peakLifetime = process.resourceUsage().maxRSS * 1024; // kilobytes on Linux

    const failures = results.flatMap((r, i) => (r.status === 'rejected' ? [`#${i}: ${String((r.reason as Error)?.message ?? r.reason)}`] : []));
    assert.deepEqual(failures, [], 'every transfer succeeds');

    // Every stored file is exactly one complete upload of its name.
    let filesChecked = 0;
    let bytesVerified = 0;
    for (const [name, hashes] of finalCandidates) {
      const file = path.join(dataDir, DESKTOP, name);
      const h = hashFile(file);
      assert.ok(hashes.has(h), `${name} on the drive is not any complete upload of it (sha256 ${h})`);
      filesChecked++;
      bytesVerified += fs.statSync(file).size;
    }
    for (const name of STATIC) {
      assert.ok(candidates.get(name)!.has(hashFile(path.join(dataDir, DESKTOP, name))), `${name} changed`);
      filesChecked++;
      bytesVerified += fs.statSync(path.join(dataDir, DESKTOP, name)).size;
    }
    // Every downloaded file is exactly one complete version of its name (seed or an upload).
    for (const d of downloads) {
      const h = hashFile(d.target);
      assert.ok(candidates.get(d.name)!.has(h), `download of ${d.name} is not a complete version (sha256 ${h})`);
      filesChecked++;
      bytesVerified += fs.statSync(d.target).size;
    }
    // The listing agrees with the disk.
    const listing = await client.listFiles(DESKTOP);
    for (const name of [...finalCandidates.keys(), ...STATIC]) {
      assert.equal(listing.find((e) => e.name === name)?.size, fs.statSync(path.join(dataDir, DESKTOP, name)).size, `listed size of ${name}`);
    }

    // No temporary files: the drive holds exactly the expected names, the emulator's temp
    // folder is empty, and the download folder holds exactly the targets (no .part files).
    const expectedDrive = new Set([...finalCandidates.keys(), ...STATIC]);
    assert.deepEqual(new Set(fs.readdirSync(path.join(dataDir, DESKTOP))), expectedDrive, 'only the expected files on the drive');
    const stray = walk(dataDir).filter((p) => !p.startsWith(path.join(dataDir, DESKTOP) + path.sep) && !/\.nen-emulator\/(desktops\.json|meta\/[^/]+\.json)$/.test(p));
    assert.deepEqual(stray, [], 'no temporary or stray files under the data folder');
    assert.deepEqual(new Set(fs.readdirSync(dlDir)), new Set(downloads.map((d) => path.basename(d.target))), 'no .part files beside the downloads');

    const mib = (n: number): string => (n / MiB).toFixed(1);
    console.log(
      `load: ${results.length} concurrent transfers (50 uploads, 50 downloads) in ${elapsed.toFixed(1)} s; ` +
        `${filesChecked} files checked, ${bytesVerified} bytes verified (${mib(bytesVerified)} MiB, ${mib(uploadedBytes)} MiB uploaded); ` +
        `RSS baseline ${mib(baseline)} MiB, peak sampled ${mib(peakSampled)} MiB, lifetime max ${mib(peakLifetime)} MiB (bound ${RSS_BOUND_MIB} MiB)`,
    );
    assert.ok(peakSampled < RSS_BOUND_MIB * MiB, `sampled peak RSS ${mib(peakSampled)} MiB over ${RSS_BOUND_MIB} MiB`);
    assert.ok(peakLifetime < RSS_BOUND_MIB * MiB, `lifetime peak RSS ${mib(peakLifetime)} MiB over ${RSS_BOUND_MIB} MiB`);
  } finally {
    await client.close();
    await emu.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
});
