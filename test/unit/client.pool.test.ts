/** runPool: bounded concurrency for many-file transfers, every item settled, abort stops new work. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DriveClient, isNenApiError, runPool } from '../../src/api';
import { startEmulator } from '../../tools/emulator/server';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('never more than `concurrency` items run at once, and results keep the input order', async () => {
  let running = 0;
  let peak = 0;
  const results = await runPool([50, 10, 30, 5, 20, 1, 15], 3, async (ms, i) => {
    running++;
    peak = Math.max(peak, running);
    await sleep(ms);
    running--;
    return i * 2;
  });
  assert.equal(peak, 3);
  assert.deepEqual(results.map((r) => (r.status === 'fulfilled' ? r.value : -1)), [0, 2, 4, 6, 8, 10, 12]);
});

test('one failure does not stop the others', async () => {
  const results = await runPool([1, 2, 3], 2, async (n) => {
    if (n === 2) throw new Error('two');
    return n;
  });
  assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
});

test('after an abort, items not yet started settle as cancelled without running', async () => {
  const ac = new AbortController();
  const started: number[] = [];
  const results = await runPool(
    [0, 1, 2, 3, 4, 5],
    2,
    async (n) => {
      started.push(n);
      if (n === 1) ac.abort();
      await sleep(10);
      return n;
    },
    ac.signal,
  );
  assert.deepEqual(started, [0, 1]);
  for (const r of results.slice(2)) {
    assert.equal(r.status, 'rejected');
    assert.ok(isNenApiError((r as PromiseRejectedResult).reason) && (r as PromiseRejectedResult).reason.kind === 'cancelled');
  }
});

test('an empty list settles at once; a silly concurrency still runs one at a time', async () => {
  assert.deepEqual(await runPool([], 4, async () => 1), []);
  assert.equal((await runPool([1, 2], 0, async (n) => n)).length, 2);
});

test('many uploads through one client and the pool all arrive intact', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'nen-client-pool-'));
  const emu = await startEmulator({ port: 0, dataDir, apiKey: 'sk_nen_pool_key_123456', desktops: ['dsk_pool0000001'], latencyMs: 30 });
  const client = new DriveClient({ baseUrl: emu.url, getApiKey: () => 'sk_nen_pool_key_123456' });
  t.after(async () => {
    await client.close();
    await emu.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  const names = Array.from({ length: 12 }, (_, i) => `f${i}.txt`);
  const results = await runPool(names, 4, (name) => client.upload('dsk_pool0000001', name, { kind: 'bytes', data: Buffer.from(name) }));
  assert.ok(results.every((r) => r.status === 'fulfilled'));
  for (const name of names) assert.equal(emu.readFile('dsk_pool0000001', name)?.toString(), name);
  const listed = await client.listFiles('dsk_pool0000001');
  assert.equal(listed.length, 12);
});
