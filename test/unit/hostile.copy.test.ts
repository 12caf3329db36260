/**
 * A copy between desktops streams a download into an upload. When the upload fails, both
 * requests must be released at once: a paused download would hold its socket (and a slot of the
 * pool) until the inactivity timeout.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isNenApiError } from '../../src/api';
import { driveFileSource } from '../../src/api/copySource';
import { hostileServer } from './hostileServer';
import { hostileTally } from './hostileTally';

const tally = hostileTally('hostile copies (upload refused mid-copy)', 'released both requests within a second', 'sockets held past a second');

const SIZE = 4 * 1024 * 1024;

test('a copy whose upload fails at once releases the download within a second', { timeout: 10_000 }, async (t) => {
  let downloadClosed: number | undefined;
  tally.tried++;
  const h = await hostileServer(t, (req, res) => {
    if (req.method === 'GET') {
      req.socket.once('close', () => (downloadClosed = Date.now()));
      // The source sends a first part and then waits, as a slow drive would.
      res.writeHead(200, { 'content-length': String(SIZE) });
      res.write(Buffer.alloc(256 * 1024, 1));
      return;
    }
    res.statusCode = 500;
    res.end(JSON.stringify({ error: 'target failed' }));
  });
  const signal = new AbortController().signal;
  const source = driveFileSource(h.client, { desktopId: 'dsk_source000001', name: 'big.bin', folder: undefined }, SIZE, signal);
  let err: unknown;
  await h.client.upload('dsk_target000001', 'big.bin', source, { signal }).catch((e: unknown) => (err = e));
  const failedAt = Date.now();
  assert.ok(isNenApiError(err) && err.status === 500, `the upload failed with the target's 500 (${String(err)})`);
  while (downloadClosed === undefined && Date.now() - failedAt < 1500) await new Promise((r) => setTimeout(r, 20));
  if (downloadClosed === undefined || downloadClosed - failedAt >= 1000) tally.kept++;
  assert.ok(downloadClosed !== undefined && downloadClosed - failedAt < 1000, 'the source saw its connection closed within a second');
  tally.handled++;
});
