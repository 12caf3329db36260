/**
 * The folder probe (on this machine's real disk, and on simulated disks through its injectable
 * fs) and the "same name" decisions of FolderNames: case pairs, NFC/NFD pairs, both at once,
 * names taken by files already in the folder, and free names for Keep Both.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { FolderNames, folderRules, probeFolder, RULES_REUSE_MS, sameNameKey, type FolderRules, type ProbeFs } from '../../src/api/sameName';

const NFC = 'caf\u00e9.txt';
const NFD = 'cafe\u0301.txt';
const CASE: FolderRules = { caseInsensitive: true, normalising: false, probed: true };
const FORM: FolderRules = { caseInsensitive: false, normalising: true, probed: true };
const BOTH: FolderRules = { caseInsensitive: true, normalising: true, probed: true };
const EXACT: FolderRules = { caseInsensitive: false, normalising: false, probed: true };

/** A folder in memory that compares names its own way (lowercase, NFC), written independently of sameNameKey. */
function simulatedDisk(caseInsensitive: boolean, normalising: boolean): ProbeFs & { files: Map<string, string>; created: string[] } {
  const key = (p: string): string => {
    let k = normalising ? p.normalize('NFC') : p;
    if (caseInsensitive) k = k.toLowerCase();
    return k;
  };
  const files = new Map<string, string>();
  const created: string[] = [];
  const enoent = (p: string): Error => Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' });
  return {
    files,
    created,
    async writeFile(p, _data, options) {
      assert.equal(options.flag, 'wx', 'the probe never replaces a file');
      if (files.has(key(p))) throw Object.assign(new Error('EEXIST'), { code: 'EEXIST' });
      files.set(key(p), p);
      created.push(p);
    },
    async lstat(p) {
      if (!files.has(key(p))) throw enoent(p);
      return {};
    },
    async unlink(p) {
      if (!files.delete(key(p))) throw enoent(p);
    },
  };
}

test('probe: this machine’s temporary folder tells case and NFC/NFD apart, and the probe file is gone', async () => {
  const dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'nen-probe-'));
  try {
    assert.deepEqual(await probeFolder(dir), { caseInsensitive: false, normalising: false, probed: true });
    assert.deepEqual(fs.readdirSync(dir), []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

for (const [caseInsensitive, normalising] of [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
] as const) {
  test(`probe: a disk that ${caseInsensitive ? 'ignores' : 'keeps'} case and ${normalising ? 'normalises' : 'keeps'} NFC/NFD is recognised, with one file created and removed`, async () => {
    const disk = simulatedDisk(caseInsensitive, normalising);
    assert.deepEqual(await probeFolder('/dest', disk, 'linux'), { caseInsensitive, normalising, probed: true });
    assert.equal(disk.created.length, 1);
    assert.match(nodePath.basename(disk.created[0]), /^\.nendrive-probe-[0-9a-f]{8}-Case-\u00e9$/);
    assert.equal(nodePath.dirname(disk.created[0]), '/dest');
    assert.equal(disk.files.size, 0, 'the probe file is removed');
  });
}

test('probe: a folder it cannot write to gets the platform’s usual rules, marked as not probed', async () => {
  const readOnly: ProbeFs = {
    writeFile: async () => {
      throw Object.assign(new Error('EROFS'), { code: 'EROFS' });
    },
    lstat: async () => assert.fail('nothing to look for'),
    unlink: async () => assert.fail('nothing to remove'),
  };
  assert.deepEqual(await probeFolder('/ro', readOnly, 'win32'), { caseInsensitive: true, normalising: false, probed: false });
  assert.deepEqual(await probeFolder('/ro', readOnly, 'darwin'), { caseInsensitive: true, normalising: true, probed: false });
  assert.deepEqual(await probeFolder('/ro', readOnly, 'linux'), { caseInsensitive: false, normalising: false, probed: false });
});

test('key: simple one-to-one case mapping (é/É are one name; ß is not SS), NFC only where the disk normalises', () => {
  assert.equal(sameNameKey('\u00e9.TXT', CASE), sameNameKey('\u00c9.txt', CASE));
  assert.notEqual(sameNameKey('stra\u00dfe', CASE), sameNameKey('STRASSE', CASE));
  assert.notEqual(sameNameKey(NFC, CASE), sameNameKey(NFD, CASE));
  assert.equal(sameNameKey(NFC, FORM), sameNameKey(NFD, FORM));
  assert.notEqual(sameNameKey('A.txt', FORM), sameNameKey('a.txt', FORM));
  assert.equal(sameNameKey('Caf\u00e9.txt', BOTH), sameNameKey('CAFE\u0301.TXT', BOTH));
  assert.equal(sameNameKey('A.txt', EXACT), 'A.txt');
});

test('batch: A.txt and a.txt keep both on a disk that ignores case, with the reason; nothing changes where case counts', () => {
  const names = new FolderNames(CASE, []);
  assert.deepEqual(names.claim('A.txt'), { name: 'A.txt' });
  assert.deepEqual(names.claim('a.txt'), { name: 'a (1).txt', keptBoth: "'A.txt' is the same name on this disk, which ignores case" });
  assert.deepEqual(names.claim('a.TXT'), { name: 'a (2).TXT', keptBoth: "'A.txt' is the same name on this disk, which ignores case" });
  const exact = new FolderNames(EXACT, []);
  assert.deepEqual([exact.claim('A.txt'), exact.claim('a.txt')], [{ name: 'A.txt' }, { name: 'a.txt' }]);
});

test('batch: an NFC and an NFD café.txt keep both on a normalising disk, naming the NFD spelling; apart elsewhere', () => {
  const names = new FolderNames(FORM, []);
  assert.deepEqual(names.claim(NFD), { name: NFD });
  assert.deepEqual(names.claim(NFC), { name: 'caf\u00e9 (1).txt', keptBoth: `'${NFD}' (NFD) is the same name on this disk, which treats NFC and NFD spellings as one name` });
  const caseOnly = new FolderNames(CASE, []);
  assert.deepEqual([caseOnly.claim(NFD), caseOnly.claim(NFC)], [{ name: NFD }, { name: NFC }]);
});

test('batch: Café.txt (NFC) and CAFÉ.TXT (NFD) are one name only where the disk does both', () => {
  const upperNfd = 'CAFE\u0301.TXT';
  const both = new FolderNames(BOTH, []);
  both.claim('Caf\u00e9.txt');
  assert.deepEqual(both.claim(upperNfd), { name: 'CAFE\u0301 (1).TXT', keptBoth: "'Caf\u00e9.txt' is the same name on this disk, which ignores case and treats NFC and NFD spellings as one name" });
  for (const rules of [CASE, FORM, EXACT]) {
    const names = new FolderNames(rules, []);
    names.claim('Caf\u00e9.txt');
    assert.deepEqual(names.claim(upperNfd), { name: upperNfd }, JSON.stringify(rules));
  }
});

test('existing: a file already in the folder is found under the disk’s rule, spelled as the folder lists it, with the reason', () => {
  const names = new FolderNames(BOTH, ['A.txt', NFD, 'same.txt']);
  assert.deepEqual(names.claim('a.txt'), { name: 'a.txt', existing: { as: 'A.txt', because: "'a.txt' is the same file as 'A.txt' on this disk, which ignores case" } });
  assert.deepEqual(names.claim(NFC), { name: NFC, existing: { as: NFD, because: `'${NFC}' is the same file as '${NFD}' (NFD) on this disk, which treats NFC and NFD spellings as one name` } });
  assert.deepEqual(names.claim('same.txt'), { name: 'same.txt', existing: { as: 'same.txt' } });
  assert.deepEqual(names.claim('other.txt'), { name: 'other.txt' });
  const exact = new FolderNames(EXACT, ['A.txt', NFD]);
  assert.deepEqual([exact.claim('a.txt'), exact.claim(NFC)], [{ name: 'a.txt' }, { name: NFC }]);
});

test('free names skip every name the disk treats as taken, by entries and by claims; a peek claims nothing', () => {
  const names = new FolderNames(CASE, ['A (1).txt']);
  assert.equal(names.freeName('a.txt', false), 'a (2).txt');
  assert.equal(names.freeName('a.txt', false), 'a (2).txt', 'a peek does not take it');
  assert.equal(names.freeName('a.txt'), 'a (2).txt');
  assert.equal(names.freeName('a.txt'), 'a (3).txt');
  names.claim('B.md');
  assert.deepEqual(names.claim('b.md'), { name: 'b (1).md', keptBoth: "'B.md' is the same name on this disk, which ignores case" });
});

test('reasons show names through the display rule: a bidi override is escaped, not obeyed', () => {
  const names = new FolderNames(CASE, ['Report\u202Etxt.exe']);
  assert.equal(names.claim('report\u202Etxt.exe').existing?.because, "'report\\u202Etxt.exe' is the same file as 'Report\\u202Etxt.exe' on this disk, which ignores case");
});

test('rules remembered: a folder is probed once a minute by its identity; another inode, another minute, or no inode probes again', async () => {
  const disk = simulatedDisk(true, false);
  let ino = 1234;
  const fsWithStat = Object.assign(disk, { stat: async () => ({ dev: 77, ino }) });
  const t0 = 1_000_000;
  assert.deepEqual(await folderRules('/dl', fsWithStat, t0), CASE);
  assert.equal(disk.created.length, 1, 'probed the first time');
  assert.deepEqual(await folderRules('/dl', fsWithStat, t0 + RULES_REUSE_MS - 1), CASE);
  assert.equal(disk.created.length, 1, 'the same folder within the minute: no probe file');
  assert.deepEqual(await folderRules('/dl', fsWithStat, t0 + RULES_REUSE_MS), CASE);
  assert.equal(disk.created.length, 2, 'a minute later: probed again');
  ino = 999;
  await folderRules('/dl', fsWithStat, t0 + RULES_REUSE_MS + 1);
  assert.equal(disk.created.length, 3, 'the folder was made again (another inode): probed again');
  ino = 0;
  await folderRules('/dl', fsWithStat, t0 + RULES_REUSE_MS + 2);
  await folderRules('/dl', fsWithStat, t0 + RULES_REUSE_MS + 3);
  assert.equal(disk.created.length, 5, 'without inode numbers: probed every time');
});
