/**
 * The transfers' shared 1 MiB buffers (src/api/bufferPool.ts). A buffer handed to a second
 * transfer while the first still reads into it or writes from it would corrupt bytes, so the
 * transfer tests compare every byte: downloads and uploads at once on reused buffers, and a
 * transfer after one that was cancelled in the middle.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BufferPool, POOL_MAX_BUFFERS, transferBuffers } from '../../src/api/bufferPool';
import { clientFixture, DESK } from './clientFixture';

const KEY = 'sk_nen_bufpool_H7c2Vq9LmX4pRt0e';
const { setup, expectKind } = clientFixture(KEY);
const MIB = 1024 * 1024;
const sha = (b: Buffer | undefined): string => createHash('sha256').update(b ?? Buffer.alloc(0)).digest('hex');

test('the pool hands back what was given, keeps a buffer once, refuses other sizes and more than its limit, and empties when idle', async () => {
  const pool = new BufferPool(1024, 3, 40);
  const a = pool.take();
  const b = pool.take();
  assert.equal(a.length, 1024);
  assert.deepEqual(pool.counts, { made: 2, reused: 0 });
  pool.give(a);
  pool.give(a);
  assert.equal(pool.size, 1, 'a buffer given twice is kept once');
  assert.equal(pool.take(), a);
  assert.equal(pool.take() === a, false, 'the kept one went out once');
  pool.give(Buffer.alloc(512));
  pool.give(Buffer.alloc(2048).subarray(0, 1024));
  assert.equal(pool.size, 0, 'another size, or a view of a larger buffer, is not kept');
  for (let i = 0; i < 5; i++) pool.give(Buffer.alloc(1024));
  assert.equal(pool.size, 3, 'no more than the limit');
  pool.give(b);
  assert.equal(pool.size, 3);
  await new Promise((r) => setTimeout(r, 120));
  assert.equal(pool.size, 0, 'freed after the idle time');
});

test('downloads and uploads at once over their own connections reuse the pool\'s buffers and move every byte exactly', async (t) => {
  const { emu, client, work } = await setup(t, { rawTransferMinBytes: 0 });
  transferBuffers.clear();
  const files = [0, 1, 2].map((i) => ({ name: `down-${i}.bin`, data: randomBytes(6 * MIB + 7919 * (i + 1)) }));
  for (const f of files) emu.putFile(DESK, f.name, f.data);
  const ups = [0, 1].map((i) => ({ name: `up-${i}.bin`, path: join(work, `up-${i}.bin`), data: randomBytes(5 * MIB + 104_729 * (i + 1)) }));
  for (const u of ups) await writeFile(u.path, u.data);
  // A first round fills the pool; the second and third run on its buffers, all at once.
  for (let round = 0; round < 3; round++) {
    const made = transferBuffers.counts.made;
    await Promise.all([
      ...files.map((f) => client.downloadToFile(DESK, f.name, join(work, `${round}-${f.name}`))),
      ...ups.map((u) => client.upload(DESK, u.name, { kind: 'file', path: u.path })),
    ]);
    for (const f of files) assert.equal(sha(await readFile(join(work, `${round}-${f.name}`))), sha(f.data), `${f.name}, round ${round}`);
    for (const u of ups) assert.equal(sha(emu.readFile(DESK, u.name)), sha(u.data), `${u.name} on the server, round ${round}`);
    if (round > 0) assert.ok(transferBuffers.counts.made - made <= 4, `round ${round} made ${transferBuffers.counts.made - made} new buffers, the pool holding ${transferBuffers.size}`);
    assert.ok(transferBuffers.size <= POOL_MAX_BUFFERS);
  }
  assert.ok(transferBuffers.counts.reused >= 20, `reused ${transferBuffers.counts.reused} buffers`);
});

test('a download cancelled in the middle gives its buffers back only when done with them: the next transfers on them are exact', async (t) => {
  const { emu, client, work } = await setup(t, { rawTransferMinBytes: 0, maxRetries: 0 });
  transferBuffers.clear();
  const big = randomBytes(24 * MIB);
  emu.putFile(DESK, 'big.bin', big);
  const ctl = new AbortController();
  const cancelled = client.downloadToFile(DESK, 'big.bin', join(work, 'cancelled.bin'), {
    signal: ctl.signal,
    onProgress: (p) => {
      if (p.done >= 3 * MIB) ctl.abort();
    },
  });
  // Meanwhile and after, others read into and write from the pool's buffers.
  const other = randomBytes(7 * MIB + 1);
  emu.putFile(DESK, 'other.bin', other);
  const during = client.downloadToFile(DESK, 'other.bin', join(work, 'during.bin'));
  await expectKind(cancelled, 'cancelled');
  await during;
  const after = [0, 1, 2].map((i) => client.downloadToFile(DESK, 'big.bin', join(work, `after-${i}.bin`)));
  await Promise.all(after);
  assert.equal(sha(await readFile(join(work, 'during.bin'))), sha(other));
  for (let i = 0; i < 3; i++) assert.equal(sha(await readFile(join(work, `after-${i}.bin`))), sha(big), `after-${i}.bin`);
  assert.ok(transferBuffers.counts.reused > 0, 'the later downloads reused buffers');
});

test('a download over its own connection reads its body straight into its slabs: almost nothing is copied', async (t) => {
  const { emu, client, work } = await setup(t, { rawTransferMinBytes: 0 });
  const big = randomBytes(24 * MIB + 12345);
  emu.putFile(DESK, 'big.bin', big);
  // Every copy into a slab-sized buffer is a body byte the socket did not read in place.
  let copiedIntoSlabs = 0;
  const copy = Buffer.prototype.copy;
  Buffer.prototype.copy = function (this: Buffer, target: Uint8Array, ...rest: number[]): number {
    const n = copy.call(this, target, ...rest);
    if (target.length === transferBuffers.bytes) copiedIntoSlabs += n;
    return n;
  } as typeof Buffer.prototype.copy;
  t.after(() => {
    Buffer.prototype.copy = copy;
  });
  await client.downloadToFile(DESK, 'big.bin', join(work, 'big.bin'));
  Buffer.prototype.copy = copy;
  assert.equal(sha(await readFile(join(work, 'big.bin'))), sha(big));
  assert.ok(copiedIntoSlabs < 256 * 1024, `${copiedIntoSlabs} bytes of ${big.length} were copied into the slabs`);
});
