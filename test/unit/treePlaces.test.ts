/**
 * Where each file of a drive tree lands below a local folder (TreePlanner), on simulated disks:
 * case pairs of files and of folders, NFC/NFD pairs, existing local files and folders spelled
 * differently, file-vs-folder collisions, Keep Both, and whole paths over the platform's limit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nodePath from 'node:path';
import { pathTooLong } from '../../src/api/localName';
import type { FolderRules } from '../../src/api/sameName';
import { TreePlanner, type LocalKind, type PlanFs, type TreePlace } from '../../src/api/treePlaces';

const NFC = 'caf\u00e9.txt';
const NFD = 'cafe\u0301.txt';
const CASE: FolderRules = { caseInsensitive: true, normalising: false, probed: true };
const BOTH: FolderRules = { caseInsensitive: true, normalising: true, probed: true };
const EXACT: FolderRules = { caseInsensitive: false, normalising: false, probed: true };
const INTO = nodePath.resolve('/dest');
const IGNORES_CASE = 'on this disk, which ignores case';

/** A disk in memory holding `entries` (`'TREE/REPORT.md': 'file'`) below INTO, looked up exactly as written. */
function disk(entries: Record<string, LocalKind>): PlanFs & { listed: string[] } {
  const at = new Map(Object.entries(entries).map(([rel, kind]) => [nodePath.join(INTO, ...rel.split('/')), kind]));
  const listed: string[] = [];
  return {
    listed,
    async list(folder) {
      listed.push(folder);
      return new Map([...at].filter(([p]) => nodePath.dirname(p) === folder).map(([p, k]) => [nodePath.basename(p), k]));
    },
    async kind(p) {
      return at.get(p) ?? 'absent';
    },
  };
}

async function planner(rules: FolderRules, entries: Record<string, LocalKind> = {}): Promise<TreePlanner> {
  const fs = disk(entries);
  return new TreePlanner(INTO, rules, fs, await fs.list(INTO));
}

/** Places each drive path (`tree/docs/a.txt`) in order: its local path from INTO, or `refused: reason`. */
async function placeAll(p: TreePlanner, paths: string[]): Promise<(string | { refused: string } | TreePlace)[]> {
  const out = [];
  for (const drive of paths) out.push(await p.placeFile(drive.split('/')));
  return out;
}

const rel = (place: unknown): string => p0.relative((place as TreePlace).path);
const p0 = new TreePlanner(INTO, EXACT, disk({}), new Map());

test('a disk that ignores case: folders Docs and docs keep both as docs (1), files inside say why; A.txt and a.txt keep both too', async () => {
  const p = await planner(CASE);
  const [d1, d2, a1, a2, e1, e2] = (await placeAll(p, ['tree/Docs/readme.md', 'tree/docs/readme.md', 'tree/A.txt', 'tree/a.txt', 'tree/docs/x.txt', 'tree/Docs/x.txt'])) as TreePlace[];
  const sameDocs = `'Docs' is the same name ${IGNORES_CASE}`;
  assert.deepEqual([rel(d1), d1.renamed, d1.existing], ['tree/Docs/readme.md', undefined, undefined]);
  assert.deepEqual([rel(d2), d2.renamed], ['tree/docs (1)/readme.md', { as: 'tree/docs (1)/readme.md', because: [sameDocs] }]);
  assert.deepEqual([rel(a1), a1.renamed], ['tree/A.txt', undefined]);
  assert.deepEqual([rel(a2), a2.renamed], ['tree/a (1).txt', { as: 'tree/a (1).txt', because: [`'A.txt' is the same name ${IGNORES_CASE}`] }]);
  // Each drive folder is claimed once: later files of `docs` go to the same `docs (1)`.
  assert.deepEqual([rel(e1), rel(e2)], ['tree/docs (1)/x.txt', 'tree/Docs/x.txt']);
  assert.deepEqual(p.folderRenames, [{ name: 'tree/docs', as: 'tree/docs (1)', because: [sameDocs] }]);
});

test('a disk where case counts: nothing is renamed', async () => {
  const p = await planner(EXACT);
  const places = (await placeAll(p, ['tree/Docs/readme.md', 'tree/docs/readme.md', 'tree/A.txt', 'tree/a.txt', `tree/${NFC}`, `tree/${NFD}`])) as TreePlace[];
  assert.deepEqual(places.map(rel), ['tree/Docs/readme.md', 'tree/docs/readme.md', 'tree/A.txt', 'tree/a.txt', `tree/${NFC}`, `tree/${NFD}`]);
  assert.ok(places.every((pl) => !pl.renamed && !pl.existing));
  assert.deepEqual(p.folderRenames, []);
});

test('a disk that normalises: NFC and NFD folders café keep both, the second as café (1) with the reason', async () => {
  const p = await planner(BOTH);
  const [a, b] = (await placeAll(p, ['tree/caf\u00e9/x', 'tree/cafe\u0301/x'])) as TreePlace[];
  assert.equal(rel(a), 'tree/caf\u00e9/x');
  assert.equal(rel(b), 'tree/cafe\u0301 (1)/x');
  assert.deepEqual(b.renamed?.because, ["'caf\u00e9' is the same name on this disk, which treats NFC and NFD spellings as one name"]);
});

test('existing local folders spelled differently are merged into; a file there the disk treats as the same is `existing` with the reason, and Keep Both frees a name', async () => {
  const p = await planner(CASE, { TREE: 'folder', 'TREE/REPORT.md': 'file', 'TREE/Sub': 'folder', 'TREE/Sub/a.txt': 'file' });
  const [report, sub, fresh] = (await placeAll(p, ['tree/Report.md', 'tree/sub/A.txt', 'tree/new.txt'])) as TreePlace[];
  assert.equal(rel(report), 'TREE/Report.md');
  assert.deepEqual(report.existing, { as: 'REPORT.md', because: `'Report.md' is the same file as 'REPORT.md' ${IGNORES_CASE}` });
  assert.equal(report.renamed, undefined, 'merging into TREE is no rename');
  assert.equal(rel(sub), 'TREE/Sub/A.txt');
  assert.deepEqual(sub.existing, { as: 'a.txt', because: `'A.txt' is the same file as 'a.txt' ${IGNORES_CASE}` });
  assert.deepEqual([rel(fresh), fresh.existing], ['TREE/new.txt', undefined]);
  const kept = p.keepBoth(report);
  assert.deepEqual([rel(kept), kept.renamed], ['TREE/Report (1).md', { as: 'TREE/Report (1).md', because: [`'Report.md' is the same file as 'REPORT.md' ${IGNORES_CASE}`] }]);
  assert.deepEqual(p.folderRenames, []);
});

test('a local file where a drive folder goes (spelled differently), and a local folder where a drive file goes, are refused with the reason', async () => {
  const p = await planner(CASE, { tree: 'folder', 'tree/DOCS': 'file', 'tree/README.md': 'folder' });
  const [inDocs, readme] = await placeAll(p, ['tree/docs/a.txt', 'tree/readme.md']);
  assert.deepEqual(inDocs, { refused: `'${nodePath.join(INTO, 'tree', 'DOCS')}' is a file on this computer, so the folder cannot be made there ('docs' is the same file as 'DOCS' ${IGNORES_CASE})` });
  assert.deepEqual(readme, { refused: `'${nodePath.join(INTO, 'tree', 'readme.md')}' is a folder on this computer; a file cannot replace it ('readme.md' is the same file as 'README.md' ${IGNORES_CASE})` });
});

test('whole paths: over 4,095 bytes on Linux (with the temporary name) and 32,767 characters on Windows are refused with the limit; 300 characters on Windows are fine (\\\\?\\ form)', () => {
  const deep = `${`/${'d'.repeat(254)}`.repeat(15)}/${'x'.repeat(254)}`; // 4,080 bytes
  assert.equal(Buffer.byteLength(deep), 4080);
  assert.equal(pathTooLong(deep, 0, 'linux'), undefined, '4,080 bytes fit');
  assert.equal(pathTooLong(deep, 28, 'linux'), 'the local path is 4,108 bytes with its temporary name while downloading; Linux allows 4,095');
  assert.equal(pathTooLong(`C:\\${'a\\'.repeat(150)}x.txt`, 28, 'win32'), undefined);
  const huge = `C:\\${'d'.repeat(200).concat('\\').repeat(165)}x.txt`;
  assert.match(pathTooLong(huge, 0, 'win32') ?? '', /^the local path is 33,\d{3} characters; Windows allows 32,767$/);
  assert.match(pathTooLong(`/Users/u/${'n'.repeat(1100)}`, 0, 'darwin') ?? '', /; macOS allows 1,023$/);
});

test('a drive tree deeper than the local path limit: the files too deep are refused by name, nothing is planned for them', async () => {
  const p = await planner(EXACT);
  const folders = Array.from({ length: 17 }, (_, i) => `${i}`.padEnd(240, 'f'));
  const [shallow, tooDeep] = await placeAll(p, [`tree/${folders.slice(0, 3).join('/')}/a.txt`, `tree/${folders.join('/')}/b.txt`]);
  assert.ok(!('refused' in (shallow as object)));
  assert.match((tooDeep as { refused: string }).refused, /^folder 'tree\/.*': the local path is [\d,]+ (bytes|characters); (Linux|macOS|Windows) allows [\d,]+$/);
});
