/**
 * Transfers over a connection of their own (rawGet): a large file upload reads into two reused
 * buffers, each reused only once the socket let go of it, so a wrong reuse would corrupt the
 * bytes the server stores. These tests compare every byte on the server, with small chunks (many
 * reuses) and large ones, and check which connection each size takes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Progress } from '../../src/api';
import { clientFixture, DESK } from './clientFixture';
import { hostileServer } from './hostileServer';

const KEY = 'sk_nen_ownconn_Qw81LmZp0TxV3n5R';
const { texts, setup, expectKind } = clientFixture(KEY);
const MIB = 1024 * 1024;
const sha = (b: Buffer | undefined): string => createHash('sha256').update(b ?? Buffer.alloc(0)).digest('hex');

test('a file upload over its own connection stores every byte, with 64 KiB chunks and with 1 MiB chunks', async (t) => {
  // transferTimeoutMs 1 s reads 64 KiB at a time (uploadChunkBytes): ~150 reuses of each buffer.
  for (const transferTimeoutMs of [1000, 120_000]) {
    const { emu, client, work } = await setup(t, { rawTransferMinBytes: 0, transferTimeoutMs });
    const data = randomBytes(9 * MIB + 12345);
    const path = join(work, 'big.bin');
    await writeFile(path, data);
    const seen: Progress[] = [];
    const result = await client.upload(DESK, 'big.bin', { kind: 'file', path }, { onProgress: (p) => seen.push(p) });
    assert.equal(result.size, data.length);
    assert.equal(sha(emu.readFile(DESK, 'big.bin')), sha(data), `the stored bytes are the file's (timeout ${transferTimeoutMs} ms)`);
    assert.deepEqual(seen.at(-1), { done: data.length, total: data.length });
    assert.ok(seen.every((p, i) => i === 0 || p.done >= seen[i - 1].done), 'progress only grows');
    // The file downloaded back over its own connection is the same again.
    await client.downloadToFile(DESK, 'big.bin', join(work, 'back.bin'));
    const { readFile } = await import('node:fs/promises');
    assert.equal(sha(await readFile(join(work, 'back.bin'))), sha(data));
  }
});

test('a file that shrinks while it uploads over its own connection fails as changed, and the server keeps nothing', async (t) => {
  const { emu, client, work } = await setup(t, { rawTransferMinBytes: 0, transferTimeoutMs: 1000, maxRetries: 0 });
  const path = join(work, 'shrinks.bin');
  await writeFile(path, randomBytes(4 * MIB));
  let cut = false;
  const upload = client.upload(DESK, 'shrinks.bin', { kind: 'file', path }, {
    onProgress: (p) => {
      if (!cut && p.done >= MIB) {
        cut = true;
        void truncate(path, 2 * MIB);
      }
    },
  });
  const e = await expectKind(upload, 'badRequest');
  assert.match(e.message, /changed size/);
  assert.equal(emu.readFile(DESK, 'shrinks.bin'), undefined, 'no file on the server');
});

test('file uploads take their own connection from 8 MiB, smaller ones and byte uploads the pool', async (t) => {
  const asked: string[] = [];
  const h = await hostileServer(t, (req, res) => {
    let n = 0;
    req.on('data', (c: Buffer) => (n += c.length));
    req.on('end', () => {
      asked.push(`${n === 8 * MIB ? '8MiB' : n} ${req.headers.connection === 'close' ? 'own' : 'pool'}`);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ success: true, size: n, filename: 'f.bin' }));
    });
  });
  const { work } = await setup(t);
  const big = join(work, 'big.bin');
  const small = join(work, 'small.bin');
  await writeFile(big, Buffer.alloc(8 * MIB, 1));
  await writeFile(small, Buffer.alloc(100, 1));
  await h.client.upload('dsk_hostile00001', 'f.bin', { kind: 'file', path: big });
  await h.client.upload('dsk_hostile00001', 'f.bin', { kind: 'file', path: small });
  await h.client.upload('dsk_hostile00001', 'f.bin', { kind: 'bytes', data: new Uint8Array(8 * MIB) });
  assert.deepEqual(asked, ['8MiB own', '100 pool', '8MiB pool']);
});

test('no key in any text these tests produced', () => {
  for (const text of texts) assert.ok(!text.includes(KEY), text.slice(0, 200));
});
