/** One desktop id rule: the client's, which the settings pattern and the Add Desktop box share. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DESKTOP_ID_PATTERN, validateDesktopId } from '../../src/api';
import { isDesktopId } from '../../tools/emulator/names';
import { clientFixture } from './clientFixture';

const GOOD = ['dsk_abc123def456', 'dsk_0000aaaa1111', 'DSK_ABC', 'a', '0-x_y', 'x'.repeat(128)];
const BAD = ['', '..', 'a/b', 'dsk\n1', 'dsk.1', 'dsk:1', '_dsk', '-dsk', ' dsk_a', 'dsk_a ', 'dsk é', 'x'.repeat(129)];

test('ids shaped like dsk_abc123def456 pass; anything else is refused with a reason that states the rule', () => {
  for (const id of GOOD) assert.equal(validateDesktopId(id), undefined, id);
  for (const id of BAD.slice(1)) assert.match(validateDesktopId(id) ?? '', /letters, digits, "_" and "-", starts with a letter or digit and is at most 128 characters/, JSON.stringify(id));
  assert.match(validateDesktopId('') ?? '', /empty/);
});

test('the pattern for settings is the same rule, and the emulator agrees with it', () => {
  const pattern = new RegExp(DESKTOP_ID_PATTERN);
  const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
    contributes: { configuration: { properties: Record<string, { items?: { pattern?: string } }> } };
  };
  assert.equal(manifest.contributes.configuration.properties['nenDrive.desktops'].items?.pattern, DESKTOP_ID_PATTERN, 'package.json carries the same pattern');
  for (const id of [...GOOD, ...BAD]) {
    assert.equal(pattern.test(id), validateDesktopId(id) === undefined, JSON.stringify(id));
    assert.equal(isDesktopId(id), validateDesktopId(id) === undefined, `emulator: ${JSON.stringify(id)}`);
  }
});

const { setup, expectKind } = clientFixture('sk_nen_desktopid_Pz4rT9wQ1m');

test('the client refuses an id outside the rule before any request', async (t) => {
  const { emu, client } = await setup(t);
  for (const id of ['dsk.1', 'dsk:1', 'dsk é']) {
    const err = await expectKind(client.listFiles(id), 'badRequest');
    assert.match(err.message, /like dsk_abc123def456/);
    await expectKind(client.getDesktop(id), 'badRequest');
  }
  assert.equal(emu.requests.length, 0);
});
