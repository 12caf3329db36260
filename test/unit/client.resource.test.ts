/**
 * A 404 says what is missing through the error's `resource`, which the client sets from what
 * each call asked for, never from the server's wording.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clientFixture, DESK } from './clientFixture';

const { setup, expectKind } = clientFixture('sk_nen_resource_Hq3vN8pW2kZ6');

test('a 404 carries what the call asked for: the desktop, a folder or a file', async (t) => {
  const { client } = await setup(t);
  assert.equal((await expectKind(client.listFiles('dsk_nothere000000'), 'notFound')).resource, 'desktop');
  assert.equal((await expectKind(client.getDesktop('dsk_nothere000000'), 'notFound')).resource, 'desktop');
  assert.equal((await expectKind(client.deleteDesktop('dsk_nothere000000'), 'notFound')).resource, 'desktop');
  assert.equal((await expectKind(client.listFiles(DESK, { path: 'no-such-folder' }), 'notFound')).resource, 'folder');
  assert.equal((await expectKind(client.download(DESK, 'missing.txt'), 'notFound')).resource, 'file');
  assert.equal((await expectKind(client.upload('dsk_nothere000000', 'a.txt', { kind: 'bytes', data: new Uint8Array(1) }), 'notFound')).resource, 'file');
});

test("the listing of the drive's root asks for the desktop, whatever form the root's path takes", async (t) => {
  const { client } = await setup(t);
  for (const path of [undefined, '', '/']) {
    assert.equal((await expectKind(client.listFiles('dsk_nothere000000', { path }), 'notFound')).resource, 'desktop', JSON.stringify(path));
  }
});

test("the server's words do not decide: a file's 404 that says 'desktop not found' is still about the file", async (t) => {
  const { emu, client } = await setup(t, { maxRetries: 0 });
  emu.putFile(DESK, 'a.txt', 'x');
  emu.injectFault({ type: 'status', status: 404, body: '{"error":"desktop not found"}' }, { method: 'GET', path: '/a.txt' }, 1);
  const err = await expectKind(client.download(DESK, 'a.txt'), 'notFound');
  assert.equal(err.resource, 'file');
  assert.match(err.message, /desktop not found \(HTTP 404\)/);
});

test('errors without a server answer carry no resource', async (t) => {
  const { client } = await setup(t);
  const err = await expectKind(client.download(DESK, 'a/b'), 'badRequest');
  assert.equal(err.resource, undefined);
});
