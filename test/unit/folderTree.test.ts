/**
 * The vscode-free half of folder transfers: the local walk (links and special files skipped,
 * never followed), the plan (names, depth, 100 MiB before any byte), the drive's collisions,
 * and the depth rule as both the client and the emulator apply it.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MAX_FOLDER_DEPTH, validateFolderPath } from '../../src/api/names';
import { walkLocalFolder } from '../../src/api/localTree';
import { checkAgainstDrive, planTreeUpload } from '../../src/api/treeTransfer';
import { call, filesUrl, start } from '../../tools/emulator/testing';

function scratch(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'nen-tree-'));
}

test('the walk lists regular files in name order with sizes, and skips links, pipes and empty folders with a reason', async () => {
  const dir = scratch();
  try {
    const root = path.join(dir, 'proj');
    fs.mkdirSync(path.join(root, 'b', 'c'), { recursive: true });
    fs.mkdirSync(path.join(root, 'empty'));
    fs.writeFileSync(path.join(root, 'z.txt'), 'zz');
    fs.writeFileSync(path.join(root, 'b', 'c', 'x.bin'), 'xxxx');
    fs.symlinkSync(path.join(root, 'b'), path.join(root, 'loop'));
    execFileSync('mkfifo', [path.join(root, 'b', 'fifo')]);
    const tree = await walkLocalFolder(root);
    assert.deepEqual(tree.files.map((f) => [f.segments.join('/'), f.size]), [['proj/z.txt', 2], ['proj/b/c/x.bin', 4]]);
    assert.deepEqual(tree.skipped.map((s) => s.relative).sort(), ['proj/b/fifo', 'proj/empty', 'proj/loop']);
    assert.match(tree.skipped.find((s) => s.relative === 'proj/loop')!.reason, /symbolic link \(links are not followed\)/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the plan refuses bad folder names, trees deeper than the API allows and files over 100 MiB, by relative path', () => {
  const deep = Array.from({ length: MAX_FOLDER_DEPTH }, (_, i) => `d${i}`);
  const files = [
    { segments: ['proj', 'ok.txt'], path: '/x/ok.txt', size: 1 },
    { segments: ['proj', 'bad\u0001dir', 'f.txt'], path: '/x/f.txt', size: 1 },
    { segments: ['proj', ...deep.slice(1), 'deep.txt'], path: '/x/deep.txt', size: 1 },
    { segments: ['proj', 'big.iso'], path: '/x/big.iso', size: 100 * 1024 * 1024 + 1 },
  ];
  const { jobs, refused } = planTreeUpload(files, 'inbox');
  assert.deepEqual(jobs.map((j) => [j.folder, j.name]), [['inbox/proj', 'ok.txt']]);
  assert.deepEqual(refused.map((r) => r.name), ['proj/bad\u0001dir/f.txt', `proj/${deep.slice(1).join('/')}/deep.txt`, 'proj/big.iso']);
  assert.match(refused[0].reason, /^A folder name cannot contain control characters/);
  assert.match(refused[1].reason, /cannot be more than 32 folders deep \(this one is 33\)/);
  assert.match(refused[2].reason, /100 MiB/);
});

test('against the drive: a folder where a file goes and a file where a folder goes are refused; an existing file is marked', () => {
  const { jobs } = planTreeUpload(
    [
      { segments: ['p', 'a.txt'], path: '/a', size: 1 },
      { segments: ['p', 'sub', 'b.txt'], path: '/b', size: 1 },
      { segments: ['p', 'dir'], path: '/d', size: 1 },
      { segments: ['p', 'new', 'c.txt'], path: '/c', size: 1 },
    ],
    undefined,
  );
  const drive = new Map<string, Map<string, boolean> | 'missing'>([
    ['', new Map([['p', true]])],
    ['p', new Map([['a.txt', false], ['sub', false], ['dir', true]])],
    ['p/new', 'missing'],
  ]);
  const out = checkAgainstDrive(jobs, undefined, drive);
  assert.deepEqual(out.refused, [
    { name: 'p/sub/b.txt', reason: "'p/sub' is a file on the drive, so no folder of that name can be made there." },
    { name: 'p/dir', reason: "'p/dir' is a folder on the drive; a file cannot take its name." },
  ]);
  assert.deepEqual(out.jobs.map((j) => [j.relative, j.exists]), [['p/a.txt', true], ['p/new/c.txt', false]]);
});

test('the depth rule: 32 folders pass, 33 are refused by the client rule and by the emulator (400)', async () => {
  const path32 = Array.from({ length: 32 }, (_, i) => `f${i}`).join('/');
  assert.equal(validateFolderPath(path32), undefined);
  assert.equal(validateFolderPath(`${path32}/one-more`), 'A folder path cannot be more than 32 folders deep (this one is 33).');
  const s = await start();
  try {
    const ok = await call(s.emu.url, `${filesUrl()}/a.txt?path=${encodeURIComponent(path32)}`, { method: 'POST', body: 'a' });
    assert.equal(ok.status, 200);
    const deep = await call(s.emu.url, `${filesUrl()}/a.txt?path=${encodeURIComponent(`${path32}/one-more`)}`, { method: 'POST', body: 'a' });
    assert.equal(deep.status, 400);
    assert.deepEqual(deep.json(), { error: 'bad path: folders nest at most 32 deep' });
    assert.equal((await call(s.emu.url, `${filesUrl()}?path=${encodeURIComponent(`${path32}/one-more`)}`)).status, 400);
  } finally {
    await s.cleanup();
  }
});
