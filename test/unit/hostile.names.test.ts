/**
 * Long non-ASCII names end to end against the emulator: the temporary file of downloadToFile
 * is cut by UTF-8 bytes (a file system limit is 255 bytes, not 255 UTF-16 units).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cutUtf8 } from '../../src/api/atomicFile';
import { clientFixture, DESK } from './clientFixture';
import { hostileTally } from './hostileTally';

const { setup } = clientFixture('sk_nen_names_key_0123456789abcdef');

/** Kept: bytes of temporary files left beside the targets. */
const tally = hostileTally('long non-ASCII names (228 to 255 UTF-8 bytes)', 'uploaded and downloaded whole', 'bytes of temporary files kept');

/** Names of 228 to 255 UTF-8 bytes: 76 to 85 × 中 (3 bytes each), 4-byte emoji, plain ASCII. */
const NAMES = [
  ...Array.from({ length: 10 }, (_, i) => '中'.repeat(76 + i)),
  '😀'.repeat(63) + 'abc',
  'a'.repeat(255),
  'é'.repeat(127) + 'x',
];

test('names of 228 to 255 UTF-8 bytes upload, download to a file and leave no temporary file', async (t) => {
  const { client, work } = await setup(t);
  for (const name of NAMES) {
    tally.tried++;
    assert.ok(Buffer.byteLength(name) >= 228 && Buffer.byteLength(name) <= 255, `${Buffer.byteLength(name)} bytes`);
    const data = Buffer.from(`content of ${name.length}`);
    await client.upload(DESK, name, { kind: 'bytes', data });
    const res = await client.downloadToFile(DESK, name, join(work, name));
    assert.equal(res.size, data.length);
    assert.ok((await readFile(join(work, name))).equals(data), `${Buffer.byteLength(name)} bytes: the file is exact`);
    tally.handled++;
  }
  for (const left of (await readdir(work)).filter((n) => !NAMES.includes(n))) tally.kept += (await readFile(join(work, left))).length;
  assert.deepEqual((await readdir(work)).sort(), [...NAMES].sort(), 'only the targets, no temporary file');
});

test('the temporary name keeps at most 200 UTF-8 bytes of the name and never splits a character', () => {
  assert.equal(cutUtf8('中'.repeat(85), 200), '中'.repeat(66));
  assert.equal(cutUtf8('😀'.repeat(63), 200), '😀'.repeat(50));
  assert.equal(cutUtf8('a'.repeat(255), 200), 'a'.repeat(200));
  assert.equal(cutUtf8('short', 200), 'short');
});
