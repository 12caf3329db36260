/**
 * TLS: an https server whose certificate is not trusted (self-signed, made for this test only)
 * is refused as a network error, before any HTTP request (and so the key) goes out.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { DriveClient, isNenApiError } from '../../src/api';
import { TEST_CERT, TEST_KEY } from './tlsFixture';

const KEY = 'sk_nen_tls_Wc4Jm8Qa2Zr6Yn1';

test('an untrusted https certificate is kind network, not retried as a reset, and no request reaches the server', async (t) => {
  let requests = 0;
  const server = https.createServer({ key: TEST_KEY, cert: TEST_CERT }, (_req, res) => {
    requests++;
    res.end('{"files":[]}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const logs: string[] = [];
  const client = new DriveClient({ baseUrl: url, getApiKey: () => KEY, baseRetryDelayMs: 5, onRequest: (e) => logs.push(JSON.stringify(e)) });
  t.after(() => client.close());
  const err = await client.listFiles('dsk_abc123def456').then(
    () => assert.fail('an untrusted certificate was accepted'),
    (e: unknown) => e,
  );
  assert.ok(isNenApiError(err), String(err));
  assert.equal(err.kind, 'network');
  assert.match(err.message, /certificate/i);
  assert.equal(requests, 0);
  assert.equal(logs.length, 1, 'one attempt: a certificate failure is not retried');
  for (const text of [...logs, err.message, String(err.stack)]) assert.ok(!text.includes(KEY));
});
