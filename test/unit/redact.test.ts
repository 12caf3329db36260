/** The one redaction: client errors, request logs, messages and the log channel all use it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redact } from '../../src/api';

const KEY = 'sk_nen_redact_Q7wP2xL9mK4v';

test('a known secret, a key-shaped token and a bearer credential each become one marker', () => {
  assert.equal(redact(`key ${KEY}.`, [KEY]), 'key ***.');
  assert.equal(redact('a stranger sk_nen_other-key.1 here', []), 'a stranger *** here');
  assert.equal(redact('Authorization: Bearer abc.def-123, next', []), 'Authorization: Bearer ***, next');
  assert.equal(redact('bearer   tok"', []), 'Bearer ***"');
  assert.equal(redact(`Bearer ${KEY}`, [KEY]), 'Bearer ***');
});

test('a secret that is not key-shaped is still removed; too short a "secret" is ignored', () => {
  assert.equal(redact('the token hunter2-xyz leaked twice: hunter2-xyz', ['hunter2-xyz', undefined]), 'the token *** leaked twice: ***');
  assert.equal(redact('abc stays', ['abc']), 'abc stays');
});

test('text without secrets is unchanged', () => {
  const text = 'GET /desktops/dsk_abc123def456/files · 200 · 12 ms';
  assert.equal(redact(text, [KEY]), text);
});

test('a key echoed without its sk_nen_ prefix is removed too', () => {
  const tail = KEY.slice('sk_nen_'.length);
  assert.equal(redact(`invalid token "${tail}" for workspace`, [KEY]), 'invalid token "***" for workspace');
  assert.equal(redact(`key=${tail.toUpperCase()}`, [KEY]), `key=${tail.toUpperCase()}`, 'other text is left alone');
  // Too short a remainder would blank out ordinary words: only 12 characters or more count.
  assert.equal(redact('the short one stays', ['sk_nen_short']), 'the short one stays');
});
