/**
 * Upload read sizes: 1 MiB at a time (half the CPU time of 64 KiB reads for 100 MiB, README
 * Performance), but never more than a link moving 64 KiB/s sends within the inactivity timeout,
 * since the clock restarts per chunk: a short `transferTimeoutSeconds` keeps small reads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Progress } from '../../src/api';
import { uploadChunkBytes } from '../../src/api/uploadSource';
import { clientFixture, DESK } from './clientFixture';

const KEY = 'sk_nen_chunks_Qw81vXk2LmPp03aZ';
const { setup } = clientFixture(KEY);
const KIB = 1024;
const MIB = 1024 * KIB;

test('reads are 1 MiB with the default timeout and shrink with a short one, never under 64 KiB', () => {
  assert.equal(uploadChunkBytes(120_000), MIB);
  assert.equal(uploadChunkBytes(16_000), MIB);
  assert.equal(uploadChunkBytes(4_000), 256 * KIB);
  assert.equal(uploadChunkBytes(1_000), 64 * KIB);
  assert.equal(uploadChunkBytes(500), 64 * KIB);
  assert.equal(uploadChunkBytes(0), MIB, 'no timeout: nothing to keep alive');
});

/** The steps between progress reports of a file upload: how much was read at a time. */
async function uploadSteps(t: Parameters<typeof setup>[0], transferTimeoutMs?: number): Promise<number[]> {
  const { client, work, emu } = await setup(t, transferTimeoutMs ? { transferTimeoutMs } : {});
  const data = randomBytes(3 * MIB + 17);
  const local = join(work, 'steps.bin');
  await writeFile(local, data);
  const progress: Progress[] = [];
  await client.upload(DESK, 'steps.bin', { kind: 'file', path: local }, { onProgress: (p) => progress.push(p) });
  assert.ok(emu.readFile(DESK, 'steps.bin')?.equals(data), 'the bytes arrived whole');
  return progress.slice(1).map((p, i) => p.done - progress[i].done);
}

test('a file goes up in 1 MiB reads with the default timeout', async (t) => {
  assert.deepEqual(await uploadSteps(t), [MIB, MIB, MIB, 17]);
});

test('with a 1 s transfer timeout a file goes up in 64 KiB reads, as a slow link needs', async (t) => {
  const steps = await uploadSteps(t, 1_000);
  assert.equal(steps.length, 49);
  assert.ok(steps.slice(0, 48).every((s) => s === 64 * KIB));
});
