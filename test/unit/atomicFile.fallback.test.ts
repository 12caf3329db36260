/**
 * placeFile on file systems without hard links (FAT, exFAT, some shares): link() is forced to
 * fail, and the fallback must still never replace an existing file nor leave anything behind.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { placeFile, type LinkFile } from '../../src/api/atomicFile';
import { NenApiError, type MakeError } from '../../src/api/errors';

const fail: MakeError = (kind, message, extra) => new NenApiError(kind, message, extra);

/** A link() that fails with `code`, counting its calls. */
function failingLink(code: string): LinkFile & { calls: number } {
  const link = Object.assign(
    async (): Promise<void> => {
      link.calls++;
      throw Object.assign(new Error(`${code}: link not supported`), { code });
    },
    { calls: 0 },
  );
  return link;
}

async function folder(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'nen-place-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

for (const code of ['EPERM', 'ENOTSUP', 'EXDEV', 'ENOSYS']) {
  test(`without hard links (${code}) the file arrives with its exact bytes and no temporary file stays`, async (t) => {
    const dir = await folder(t);
    const bytes = randomBytes(256 * 1024 + 7);
    const temp = join(dir, '.report.txt.nendrive-0.part');
    const target = join(dir, 'report.txt');
    await writeFile(temp, bytes);
    const link = failingLink(code);
    await placeFile(temp, target, false, fail, link);
    assert.equal(link.calls, 1, 'link() was tried first');
    assert.deepEqual(await readFile(target), bytes);
    assert.deepEqual(await readdir(dir), ['report.txt']);
  });
}

test('without hard links an existing file is never replaced, and no placeholder is left', async (t) => {
  const dir = await folder(t);
  const temp = join(dir, '.a.txt.nendrive-0.part');
  const target = join(dir, 'a.txt');
  await writeFile(temp, 'new bytes');
  await writeFile(target, 'the user\'s file');
  await assert.rejects(placeFile(temp, target, false, fail, failingLink('EPERM')), (e: unknown) => e instanceof NenApiError && e.kind === 'conflict' && e.message.includes('already exists'));
  assert.equal(await readFile(target, 'utf8'), 'the user\'s file');
  // The temporary file is the caller's to remove (downloadToFile does it in its finally).
  assert.deepEqual((await readdir(dir)).sort(), ['.a.txt.nendrive-0.part', 'a.txt']);
});

test('without hard links a failed rename removes the placeholder it made', async (t) => {
  const dir = await folder(t);
  const target = join(dir, 'b.txt');
  await assert.rejects(placeFile(join(dir, 'missing.part'), target, false, fail, failingLink('ENOTSUP')), (e: unknown) => e instanceof NenApiError && e.kind === 'notFound');
  assert.deepEqual(await readdir(dir), []);
});

test('a link() failure that is not "no hard links here" is reported, with no fallback', async (t) => {
  const dir = await folder(t);
  const temp = join(dir, '.c.txt.nendrive-0.part');
  await writeFile(temp, 'x');
  await assert.rejects(placeFile(temp, join(dir, 'c.txt'), false, fail, failingLink('EIO')), (e: unknown) => e instanceof NenApiError && e.message.includes('EIO'));
  assert.deepEqual(await readdir(dir), ['.c.txt.nendrive-0.part']);
});
