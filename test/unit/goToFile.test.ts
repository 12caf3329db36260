/** Go to File's bounded walk over the drives, and the tree's three sort orders (both vscode-free). */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DriveEntry } from '../../src/api/types';
import { walkDrives, type FoundFile, type WalkLimits } from '../../src/commands/driveWalk';
import { sortEntries } from '../../src/views/sortOrder';

const file = (name: string, size = 1, modified = 1000): DriveEntry => ({ name, size, modified, isDir: false });
const dir = (name: string, modified = 1000): DriveEntry => ({ name, size: 0, modified, isDir: true });
const WIDE: WalkLimits = { maxDepth: 8, maxFiles: 10_000, maxListings: 500, concurrency: 4 };

/** A drive as folder path → entries ('' is the root), with the listings asked of it and the most in flight at once. */
function fakeDrives(folders: Record<string, DriveEntry[]>, opts: { failing?: string; delayMs?: number } = {}) {
  const asked: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const list = async (desktopId: string, folder: string | undefined): Promise<readonly DriveEntry[]> => {
    const key = `${desktopId}:${folder ?? ''}`;
    asked.push(key);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      await new Promise((r) => setTimeout(r, opts.delayMs ?? 1));
      if (key === opts.failing) throw new Error(`listing ${key} failed`);
      const entries = folders[key];
      if (!entries) throw new Error(`no folder ${key}`);
      return entries;
    } finally {
      inFlight--;
    }
  };
  return { list, asked, get maxInFlight() { return maxInFlight; } };
}

const paths = (found: FoundFile[]): string[] => found.map((f) => `${f.desktopId}:${f.folder ? `${f.folder}/` : ''}${f.entry.name}`).sort();

test('every folder of every drive is listed once; files keep their folder; unreachable entries are left out', async () => {
  const drives = fakeDrives({
    'a:': [file('readme.md'), dir('docs'), { ...file('bad..name'), unreachableReason: 'A name cannot contain ".."' }],
    'a:docs': [file('guide.md'), dir('deep')],
    'a:docs/deep': [file('notes.txt')],
    'b:': [file('readme.md'), dir('empty')],
    'b:empty': [],
  });
  const found: FoundFile[] = [];
  const report = await walkDrives(['a', 'b'], drives.list, (files) => found.push(...files), { isCancellationRequested: false }, WIDE);
  assert.deepEqual(paths(found), ['a:docs/deep/notes.txt', 'a:docs/guide.md', 'a:readme.md', 'b:readme.md']);
  assert.deepEqual([...drives.asked].sort(), ['a:', 'a:docs', 'a:docs/deep', 'b:', 'b:empty']);
  assert.deepEqual(
    { files: report.files, listings: report.listings, cut: report.cut, failed: report.failed.length, cancelled: report.cancelled },
    { files: 4, listings: 5, cut: undefined, failed: 0, cancelled: false },
  );
});

/** A root with `n` folders of `perFolder` files each. */
function wideDrive(n: number, perFolder: number): Record<string, DriveEntry[]> {
  const folders: Record<string, DriveEntry[]> = { 'a:': Array.from({ length: n }, (_, i) => dir(`f${i}`)) };
  for (let i = 0; i < n; i++) folders[`a:f${i}`] = Array.from({ length: perFolder }, (_, j) => file(`file${j}.txt`));
  return folders;
}

test('the file cap stops the walk: exactly maxFiles files, and no folder listed after it is reached', async () => {
  const drives = fakeDrives(wideDrive(20, 10));
  const found: FoundFile[] = [];
  const report = await walkDrives(['a'], drives.list, (files) => found.push(...files), { isCancellationRequested: false }, { ...WIDE, maxFiles: 35, concurrency: 1 });
  assert.equal(found.length, 35);
  assert.equal(report.files, 35);
  assert.equal(report.cut, 'files');
  assert.equal(drives.asked.length, 5, 'the root, then four folders (the fourth filled the cap)');
});

test('the listing cap and the depth cap each stop the walk and say so', async () => {
  const wide = fakeDrives(wideDrive(20, 1));
  const byListings = await walkDrives(['a'], wide.list, () => undefined, { isCancellationRequested: false }, { ...WIDE, maxListings: 6 });
  assert.equal(byListings.cut, 'listings');
  assert.equal(wide.asked.length, 6);

  const deep: Record<string, DriveEntry[]> = {};
  let path = '';
  for (let i = 1; i <= 5; i++) {
    deep[`a:${path}`] = [dir(`d${i}`), file(`at${i - 1}.txt`)];
    path = path ? `${path}/d${i}` : `d${i}`;
  }
  deep[`a:${path}`] = [file('at5.txt')];
  const found: FoundFile[] = [];
  const deepDrive = fakeDrives(deep);
  const byDepth = await walkDrives(['a'], deepDrive.list, (files) => found.push(...files), { isCancellationRequested: false }, { ...WIDE, maxDepth: 2 });
  assert.equal(byDepth.cut, 'depth');
  assert.deepEqual(found.map((f) => f.entry.name).sort(), ['at0.txt', 'at1.txt', 'at2.txt']);
  assert.deepEqual(deepDrive.asked, ['a:', 'a:d1', 'a:d1/d2']);
});

test('at most `concurrency` listings are in flight; cancelling asks for no new folder', async () => {
  const drives = fakeDrives(wideDrive(30, 1), { delayMs: 5 });
  const token = { isCancellationRequested: false };
  let batches = 0;
  const report = await walkDrives(['a'], drives.list, () => {
    if (++batches === 6) token.isCancellationRequested = true;
  }, token, { ...WIDE, concurrency: 3 });
  assert.equal(drives.maxInFlight, 3);
  assert.equal(report.cancelled, true);
  assert.ok(drives.asked.length <= 6 + 3, `listings stop at the cancel, but for those in flight (${drives.asked.length})`);
});

test('a folder that fails to list is reported and the others are still listed', async () => {
  const drives = fakeDrives({ 'a:': [dir('ok'), dir('broken'), file('top.txt')], 'a:ok': [file('in-ok.txt')], 'a:broken': [] }, { failing: 'a:broken' });
  const found: FoundFile[] = [];
  const report = await walkDrives(['a'], drives.list, (files) => found.push(...files), { isCancellationRequested: false }, WIDE);
  assert.deepEqual(paths(found), ['a:ok/in-ok.txt', 'a:top.txt']);
  assert.deepEqual(report.failed.map((f) => f.folder), ['broken']);
});

test('sort orders: folders first always; name is natural order, size largest first, modified newest first', async () => {
  const entries = [file('file10.txt', 30, 200), dir('zeta', 900), file('file2.txt', 5000, 300), dir('Alpha', 100), file('big.bin', 10, 100), file('same.txt', 30, 200)];
  const names = async (order: 'name' | 'size' | 'modified') => (await sortEntries(entries, order)).map((e) => e.name);
  assert.deepEqual(await names('name'), ['Alpha', 'zeta', 'big.bin', 'file2.txt', 'file10.txt', 'same.txt']);
  assert.deepEqual(await names('size'), ['Alpha', 'zeta', 'file2.txt', 'file10.txt', 'same.txt', 'big.bin'], 'folders by name; equal sizes by name');
  assert.deepEqual(await names('modified'), ['zeta', 'Alpha', 'file2.txt', 'file10.txt', 'same.txt', 'big.bin'], 'folders newest first too; equal times by name');
});
