/**
 * Uploads against a server whose word cannot be trusted: success needs every byte sent and the
 * size the server reports equal to it, else an `incomplete upload` error that says what the
 * server answered (the provider maps it to Unavailable: the editor stays dirty).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isNenApiError } from '../../src/api';
import { hostileServer } from './hostileServer';
import { hostileTally } from './hostileTally';

/** Kept: bytes the client reported saved although the server did not say it kept them. */
const tally = hostileTally('hostile upload answers', 'refused cleanly', 'bytes reported saved');

const DESK = 'dsk_hostile00001';

async function failure(p: Promise<unknown>): Promise<Error & { kind?: string }> {
  tally.tried++;
  try {
    const saved = (await p) as { size?: number } | undefined;
    tally.kept += saved?.size ?? 0;
  } catch (e) {
    assert.ok(isNenApiError(e), `a NenApiError, got ${String(e)}`);
    return e;
  }
  assert.fail('the upload resolved');
}

test('an upload whose answer reports fewer bytes than were sent fails as an incomplete upload', async (t) => {
  const h = await hostileServer(t, (req, res) => {
    req.resume();
    req.on('end', () => res.end(JSON.stringify({ success: true, size: 3 })));
  });
  const err = await failure(h.client.upload(DESK, 'a.bin', { kind: 'bytes', data: new Uint8Array(200_000) }));
  assert.equal(err.kind, 'protocol');
  assert.match(err.message, /incomplete upload/);
  assert.match(err.message, /200,000 bytes/);
  assert.match(err.message, /"size":3/, 'the message says what the server answered');
  assert.ok(h.logs.some((l) => l.status === 200 && /incomplete upload/.test(l.error ?? '')), 'the log says it too');
  tally.handled++;
});

test('an upload answered 200 before the server read the body fails as an incomplete upload', async (t) => {
  const h = await hostileServer(t, (_req, res) => {
    res.end(JSON.stringify({ success: true }));
  });
  const err = await failure(h.client.upload(DESK, 'big.bin', { kind: 'bytes', data: new Uint8Array(8 * 1024 * 1024) }));
  assert.equal(err.kind, 'protocol', err.message);
  assert.match(err.message, /incomplete upload/);
  assert.match(err.message, /\{"success":true\}/);
  tally.handled++;
});

test('an upload whose answer has the right size, or no size, succeeds', async (t) => {
  let answer: object = {};
  const h = await hostileServer(t, (req, res) => {
    req.resume();
    req.on('end', () => res.end(JSON.stringify({ success: true, ...answer })));
  });
  answer = { size: 200_000 };
  assert.equal((await h.client.upload(DESK, 'a.bin', { kind: 'bytes', data: new Uint8Array(200_000) })).size, 200_000);
  answer = {};
  assert.equal((await h.client.upload(DESK, 'a.bin', { kind: 'bytes', data: new Uint8Array(1234) })).size, 1234);
});
