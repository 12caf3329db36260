/**
 * The client-level cells of the fault matrix (docs/reliability.md): every file operation of the
 * client against every fault the emulator injects. Each cell checks what the caller gets (error
 * kind, status, a message that says why and never the key), how many requests went out
 * (bounded retries only where safe), and that nothing is lost: the previous remote version is
 * intact after a failed upload, and a failed download leaves the existing local file untouched
 * with no partial or temporary file beside it.
 *
 * Test names are stable: docs/reliability.md links to them as `faults.client.test.ts#<name>`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { DriveClient, NenApiError } from '../../src/api';
import type { DriveClientOptions, NenErrorKind, RequestLogEntry } from '../../src/api';
import { startEmulator } from '../../tools/emulator/server';
import type { EmulatorHandle, FaultSpec } from '../../tools/emulator/types';

const KEY = 'sk_nen_fault_matrix_key_0123456789';
const DESKTOP = 'dsk_faults00001';
const SEED_NAME = 'report.bin';
const TIMEOUT_MS = 400;
const MAX_RETRIES = 3;

interface Ctx {
  emu: EmulatorHandle;
  client: DriveClient;
  /** The same client options with rawTransferMinBytes 0. */
  ownClient: DriveClient;
  local: string;
  seed: Buffer;
  fresh: Buffer;
  freshFile: string;
  logs: RequestLogEntry[];
}

type OpName = 'list' | 'download' | 'downloadToFile' | 'downloadToFile (pooled)' | 'upload' | 'upload (own connection)';

interface Op {
  name: OpName;
  method: 'GET' | 'POST';
  run(c: Ctx): Promise<unknown>;
  /** The call succeeded: check the result is right. */
  verifySuccess(c: Ctx, result: unknown): void;
  /** The call failed: check nothing was lost. */
  verifyNothingLost(c: Ctx): void;
}

const LOCAL_OLD = 'the local copy the user already had';

/** The same operation under another name, run another way (the same checks). */
function variant(op: Op, name: OpName, run: Op['run']): Op {
  return { ...op, name, run };
}

const BASE_OPS: Op[] = [
  {
    name: 'list',
    method: 'GET',
    run: (c) => c.client.listFiles(DESKTOP),
    verifySuccess: (c, r) => assert.deepEqual((r as { name: string; size: number }[]).map((e) => [e.name, e.size]), [[SEED_NAME, c.seed.length]]),
    verifyNothingLost: (c) => assert.ok(c.emu.readFile(DESKTOP, SEED_NAME)?.equals(c.seed)),
  },
  {
    name: 'download',
    method: 'GET',
    run: (c) => c.client.download(DESKTOP, SEED_NAME),
    verifySuccess: (c, r) => assert.ok(Buffer.from(r as Uint8Array).equals(c.seed), 'downloaded bytes are the whole file'),
    verifyNothingLost: (c) => assert.ok(c.emu.readFile(DESKTOP, SEED_NAME)?.equals(c.seed)),
  },
  // No size given: the body comes over a connection of its own (rawGet).
  {
    name: 'downloadToFile',
    method: 'GET',
    run: (c) => c.client.downloadToFile(DESKTOP, SEED_NAME, path.join(c.local, 'report.bin'), { overwrite: true }),
    verifySuccess: (c) => {
      assert.ok(fs.readFileSync(path.join(c.local, 'report.bin')).equals(c.seed), 'the local file is the whole remote file');
      assert.deepEqual(fs.readdirSync(c.local), ['report.bin'], 'no temporary file left beside the target');
    },
    verifyNothingLost: (c) => {
      assert.equal(fs.readFileSync(path.join(c.local, 'report.bin'), 'utf8'), LOCAL_OLD, 'the existing local file is untouched');
      assert.deepEqual(fs.readdirSync(c.local), ['report.bin'], 'no partial or temporary file left beside the target');
    },
  },
  {
    name: 'upload',
    method: 'POST',
    run: (c) => c.client.upload(DESKTOP, SEED_NAME, { kind: 'file', path: c.freshFile }),
    verifySuccess: (c) => assert.ok(c.emu.readFile(DESKTOP, SEED_NAME)?.equals(c.fresh), 'the remote file is the new version, whole'),
    verifyNothingLost: (c) => {
      assert.ok(c.emu.readFile(DESKTOP, SEED_NAME)?.equals(c.seed), 'the previous remote version is intact');
      const tmp = path.join(c.emu.dataDir, '.nen-emulator', 'tmp');
      assert.deepEqual(fs.existsSync(tmp) ? fs.readdirSync(tmp) : [], [], 'no partial upload left on the server');
    },
  },
];

const byName = (name: OpName): Op => BASE_OPS.find((o) => o.name === name)!;
const OPS: Op[] = [
  ...BASE_OPS,
  // A small listed size: the body comes over the pool's connection (undici).
  variant(byName('downloadToFile'), 'downloadToFile (pooled)', (c) => c.client.downloadToFile(DESKTOP, SEED_NAME, path.join(c.local, 'report.bin'), { overwrite: true, sizeHint: c.seed.length })),
  // A client that sends every file upload over a connection of its own (rawGet), buffers reused.
  variant(byName('upload'), 'upload (own connection)', (c) => c.ownClient.upload(DESKTOP, SEED_NAME, { kind: 'file', path: c.freshFile })),
];

async function withCtx(fn: (c: Ctx) => Promise<void>, clientOpts: { maxRetries?: number; maxRetryWaitMs?: number } = {}): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nen-faults-data-'));
  const local = fs.mkdtempSync(path.join(os.tmpdir(), 'nen-faults-local-'));
  const emu = await startEmulator({ port: 0, dataDir, apiKey: KEY, desktops: [DESKTOP] });
  const seed = randomBytes(256 * 1024);
  const fresh = randomBytes(300 * 1024);
  emu.putFile(DESKTOP, SEED_NAME, seed);
  const freshFile = path.join(dataDir, '..', `${path.basename(dataDir)}-fresh.bin`);
  fs.writeFileSync(freshFile, fresh);
  fs.writeFileSync(path.join(local, 'report.bin'), LOCAL_OLD);
  const logs: RequestLogEntry[] = [];
  const clientOptions: DriveClientOptions = {
    baseUrl: emu.url,
    getApiKey: () => KEY,
    metadataTimeoutMs: TIMEOUT_MS,
    transferTimeoutMs: TIMEOUT_MS,
    maxRetries: clientOpts.maxRetries ?? MAX_RETRIES,
    maxRetryWaitMs: clientOpts.maxRetryWaitMs ?? 5_000,
    baseRetryDelayMs: 10,
    onRequest: (e) => logs.push(e),
  };
  const client = new DriveClient(clientOptions);
  const ownClient = new DriveClient({ ...clientOptions, rawTransferMinBytes: 0 });
  try {
    await fn({ emu, client, ownClient, local, seed, fresh, freshFile, logs });
  } finally {
    await client.close();
    await ownClient.close();
    await emu.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(local, { recursive: true, force: true });
    fs.rmSync(freshFile, { force: true });
  }
}

function attempts(c: Ctx, op: Op): number {
  return c.emu.requests.filter((r) => r.method === op.method && r.path.startsWith(`/desktops/${DESKTOP}/files`)).length;
}

function inject(c: Ctx, op: Op, fault: FaultSpec, times = 1): void {
  c.emu.injectFault(fault, { method: op.method, path: `/desktops/${DESKTOP}/files` }, times);
}

/** Fails the call and checks kind, status, the message, the attempt count and that nothing was lost. */
async function expectFailure(c: Ctx, op: Op, want: { kind: NenErrorKind; status?: number; attempts: number; message?: RegExp }): Promise<NenApiError> {
  let caught: unknown;
  try {
    await op.run(c);
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof NenApiError, `${op.name} should fail with a NenApiError, got ${String(caught)}`);
  assert.equal(caught.kind, want.kind, `kind (message: ${caught.message})`);
  assert.equal(caught.status, want.status, 'status');
  assert.ok(caught.message.length > 5, 'a message the user can read');
  if (want.message) assert.match(caught.message, want.message);
  assert.ok(!caught.message.includes(KEY) && !String(caught.stack).includes(KEY), 'the key is not in the message');
  assert.equal(attempts(c, op), want.attempts, 'requests sent');
  op.verifyNothingLost(c);
  for (const l of c.logs) assert.ok(!JSON.stringify(l).includes(KEY), 'the key is not in a log entry');
  return caught;
}

async function expectSuccess(c: Ctx, op: Op, wantAttempts: number): Promise<void> {
  const result = await op.run(c);
  op.verifySuccess(c, result);
  assert.equal(attempts(c, op), wantAttempts, 'requests sent');
}

// ------------------------------------------------------------------------------ the matrix

for (const op of OPS) {
  test(`${op.name} · 500: not retried, unavailable with the server's message, nothing lost`, () =>
    withCtx(async (c) => {
      inject(c, op, { type: 'status', status: 500, body: '{"error":"disk on fire"}' });
      await expectFailure(c, op, { kind: 'unavailable', status: 500, attempts: 1, message: /disk on fire/ });
    }));

  for (const [status, kind] of [[503, 'unavailable'], [429, 'rateLimited']] as const) {
    test(`${op.name} · ${status} with Retry-After: waits as asked, retries, succeeds`, () =>
      withCtx(async (c) => {
        inject(c, op, { type: 'status', status, retryAfter: 1 });
        const t0 = Date.now();
        await expectSuccess(c, op, 2);
        assert.ok(Date.now() - t0 >= 950, `waited ${Date.now() - t0} ms, Retry-After said 1 s`);
      }));

    test(`${op.name} · ${status} that persists: ${MAX_RETRIES} retries then ${kind}, nothing lost`, () =>
      withCtx(async (c) => {
        inject(c, op, { type: 'status', status, retryAfter: 0 }, 100);
        await expectFailure(c, op, { kind, status, attempts: MAX_RETRIES + 1 });
      }));

    test(`${op.name} · ${status} with a Retry-After beyond the wait budget: gives up at once`, () =>
      withCtx(async (c) => {
        inject(c, op, { type: 'status', status, retryAfter: 3600 }, 100);
        const t0 = Date.now();
        const err = await expectFailure(c, op, { kind, status, attempts: 1 });
        assert.ok(Date.now() - t0 < 2000, 'no hour-long wait');
        assert.equal(err.retryAfterMs, 3_600_000, 'the wait the server asked for is kept on the error');
      }));
  }

  for (const [status, kind] of [[401, 'unauthorized'], [403, 'forbidden'], [404, 'notFound'], [413, 'tooLarge']] as const) {
    test(`${op.name} · ${status}: not retried, ${kind}, nothing lost`, () =>
      withCtx(async (c) => {
        inject(c, op, { type: 'status', status, body: JSON.stringify({ error: `nope ${status}` }) });
        await expectFailure(c, op, { kind, status, attempts: 1, message: new RegExp(`nope ${status}`) });
      }));
  }

  test(`${op.name} · connection reset mid-body: retried from the start, result whole`, () =>
    withCtx(async (c) => {
      inject(c, op, { type: 'reset', afterBytes: op.name === 'list' ? 10 : 1000 });
      await expectSuccess(c, op, 2);
    }));

  test(`${op.name} · connection reset on every attempt: bounded retries, network error, nothing lost`, () =>
    withCtx(async (c) => {
      inject(c, op, { type: 'reset', afterBytes: op.name === 'list' ? 10 : 1000 }, 100);
      await expectFailure(c, op, { kind: 'network', attempts: MAX_RETRIES + 1 });
    }));

  test(`${op.name} · server hangs: timeout after the configured time, not retried, nothing lost`, () =>
    withCtx(async (c) => {
      inject(c, op, { type: 'hang' });
      const t0 = Date.now();
      await expectFailure(c, op, { kind: 'timeout', attempts: 1 });
      const took = Date.now() - t0;
      assert.ok(took >= TIMEOUT_MS - 50 && took < TIMEOUT_MS + 2000, `timed out after ${took} ms (configured ${TIMEOUT_MS})`);
    }));
}

// 200 with a body that is not what the API documents. A download's body is the file itself, so
// these cells exist for list and upload only (see the table).
const list = OPS.find((o) => o.name === 'list')!;
const upload = OPS.find((o) => o.name === 'upload')!;

test('list · 200 with malformed JSON: protocol error, not retried', () =>
  withCtx(async (c) => {
    inject(c, list, { type: 'body', body: '{"files": [ {"name": "a' });
    await expectFailure(c, list, { kind: 'protocol', status: 200, attempts: 1, message: /JSON/ });
  }));

test('list · 200 without files: protocol error, not retried', () =>
  withCtx(async (c) => {
    inject(c, list, { type: 'body', body: '{"desktop_id":"dsk_faults00001","items":[]}' });
    await expectFailure(c, list, { kind: 'protocol', status: 200, attempts: 1, message: /files/ });
  }));

test('list · 200 with an HTML error page: protocol error, not retried', () =>
  withCtx(async (c) => {
    inject(c, list, { type: 'body', body: '<html><body>502 Bad Gateway</body></html>', contentType: 'text/html' });
    await expectFailure(c, list, { kind: 'protocol', status: 200, attempts: 1 });
  }));

test('upload · 200 with malformed JSON: protocol error, not retried, previous version intact', () =>
  withCtx(async (c) => {
    inject(c, upload, { type: 'body', body: 'OK' });
    await expectFailure(c, upload, { kind: 'protocol', status: 200, attempts: 1 });
  }));

test('upload · 200 saying success false: an error with the server\'s reason, previous version intact', () =>
  withCtx(async (c) => {
    inject(c, upload, { type: 'body', body: '{"success":false,"error":"quota exceeded"}' });
    await expectFailure(c, upload, { kind: 'unavailable', status: 200, attempts: 1, message: /quota exceeded/ });
  }));

test('upload · reset on every attempt with retries off: one attempt, network error, previous version intact', () =>
  withCtx(
    async (c) => {
      inject(c, upload, { type: 'reset', afterBytes: 64 * 1024 }, 100);
      await expectFailure(c, upload, { kind: 'network', attempts: 1 });
    },
    { maxRetries: 0 },
  ));

test('a 503 storm is bounded in time as well as count (maxRetryWaitMs)', () =>
  withCtx(
    async (c) => {
      inject(c, list, { type: 'status', status: 503, retryAfter: 1 }, 100);
      const t0 = Date.now();
      await expectFailure(c, list, { kind: 'unavailable', status: 503, attempts: 2 });
      assert.ok(Date.now() - t0 < 1900, 'stopped once the next wait would pass the 1.5 s budget');
    },
    { maxRetries: 10, maxRetryWaitMs: 1500 },
  ));
