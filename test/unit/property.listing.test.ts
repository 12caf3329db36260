/**
 * Odd but legal listings parse correctly (extra fields, missing optional fields, `is_dir`
 * entries, zero-byte files, sizes up to 2^53-1), served by the emulator's 'body' fault so the
 * bytes on the wire are exactly the ones under test. Also names the client cannot express.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { DriveClient, NenApiError, validateName } from '../../src/api';
import type { DriveEntry } from '../../src/api';
import { startEmulator } from '../../tools/emulator/server';
import type { EmulatorHandle } from '../../tools/emulator/types';

const KEY = 'sk_nen_property_listing_key';
const DESKTOP = 'dsk_listing00001';

async function withEmulator(fn: (emu: EmulatorHandle, client: DriveClient) => Promise<void>): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nen-prop-list-'));
  const emu = await startEmulator({ port: 0, dataDir, apiKey: KEY, desktops: [DESKTOP] });
  const client = new DriveClient({ baseUrl: emu.url, getApiKey: () => KEY, maxRetries: 0 });
  try {
    await fn(emu, client);
  } finally {
    await client.close();
    await emu.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

function serveListing(emu: EmulatorHandle, body: string): void {
  emu.injectFault({ type: 'body', body }, { method: 'GET', path: `/desktops/${DESKTOP}/files` });
}

/** JSON values a newer server might add anywhere. */
const extraValue = fc.oneof(fc.string(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }));
const extraFields = fc.dictionary(
  fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !['name', 'size', 'modified', 'is_dir', '__proto__', 'constructor'].includes(k)),
  extraValue,
  { maxKeys: 4 },
);
const goodName = fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }).filter((n) => validateName(n) === undefined);
const size = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2 ** 31 }), fc.constant(Number.MAX_SAFE_INTEGER), fc.maxSafeNat());
const modified = fc.oneof(fc.double({ min: 0, max: 4_102_444_800, noNaN: true }), fc.integer({ min: 0, max: 4_102_444_800 }));

/** One raw entry, and the entry the client must turn it into. */
const rawEntry = fc
  .record({
    name: goodName,
    size,
    modified: fc.option(modified, { nil: undefined }),
    modifiedNull: fc.boolean(),
    dir: fc.constantFrom<'absent' | 'null' | 'false' | 'true'>('absent', 'null', 'false', 'true'),
    dirWithoutSize: fc.boolean(),
    extra: extraFields,
  })
  .map((r) => {
    const raw: Record<string, unknown> = { ...r.extra, name: r.name };
    const isDir = r.dir === 'true';
    if (!(isDir && r.dirWithoutSize)) raw.size = isDir ? 0 : r.size;
    if (r.modified !== undefined) raw.modified = r.modified;
    else if (r.modifiedNull) raw.modified = null;
    if (r.dir !== 'absent') raw.is_dir = r.dir === 'null' ? null : r.dir === 'true';
    const expected: DriveEntry = { name: r.name, size: isDir ? 0 : r.size, modified: r.modified ?? 0, isDir };
    return { raw, expected };
  });

test('listings with extra, missing-optional and is_dir fields, zero and huge sizes parse exactly', async () => {
  await withEmulator(async (emu, client) => {
    let listings = 0;
    let entries = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(rawEntry, { maxLength: 25 }), extraFields, async (items, topExtra) => {
        serveListing(emu, JSON.stringify({ ...topExtra, files: items.map((i) => i.raw) }));
        const got = await client.listFiles(DESKTOP);
        assert.deepEqual(got, items.map((i) => i.expected));
        listings++;
        entries += items.length;
      }),
      { numRuns: 120 },
    );
    console.log(`property: ${listings} odd listings parsed exactly (${entries} entries)`);
  });
});

test('hand-picked edge listings: empty, 2^53-1 bytes, zero bytes, folder entries, float mtimes', async () => {
  await withEmulator(async (emu, client) => {
    const cases: Array<[string, DriveEntry[]]> = [
      ['{"files":[]}', []],
      ['{"files":[],"next":null,"total":0}', []],
      [
        '{"files":[{"name":"huge.bin","size":9007199254740991,"modified":1779229492.703}]}',
        [{ name: 'huge.bin', size: 9007199254740991, modified: 1779229492.703, isDir: false }],
      ],
      ['{"files":[{"name":"empty","size":0,"modified":0}]}', [{ name: 'empty', size: 0, modified: 0, isDir: false }]],
      ['{"files":[{"name":"docs","size":0,"modified":1.5,"is_dir":true}]}', [{ name: 'docs', size: 0, modified: 1.5, isDir: true }]],
      ['{"files":[{"name":"docs","is_dir":true}]}', [{ name: 'docs', size: 0, modified: 0, isDir: true }]],
      ['{"files":[{"name":"a.txt","size":3}]}', [{ name: 'a.txt', size: 3, modified: 0, isDir: false }]],
      [
        '{"files":[{"name":"a.txt","size":3,"modified":1779229492.703,"etag":"x","owner":{"id":1},"is_dir":false}],"path":"","cursor":"abc"}',
        [{ name: 'a.txt', size: 3, modified: 1779229492.703, isDir: false }],
      ],
      // Whitespace and a BOM-free pretty print are still JSON.
      ['\n  { "files" : [ ] }\n', []],
    ];
    for (const [body, expected] of cases) {
      serveListing(emu, body);
      assert.deepEqual(await client.listFiles(DESKTOP), expected, body);
    }
  });
});

test('entries whose name could not be addressed are skipped, not trusted', async () => {
  await withEmulator(async (emu, client) => {
    const body = JSON.stringify({
      files: [
        { name: 'ok.txt', size: 1, modified: 1 },
        { name: '../../etc/passwd', size: 1, modified: 1 },
        { name: '..', size: 0, modified: 1, is_dir: true },
        { name: '', size: 1, modified: 1 },
        { name: 'a/b', size: 1, modified: 1 },
      ],
    });
    serveListing(emu, body);
    const names = (await client.listFiles(DESKTOP)).map((e) => e.name);
    assert.deepEqual(names, ['ok.txt']);
  });
});

test('listings with wrong types are a protocol error, never a crash or a guess', async () => {
  await withEmulator(async (emu, client) => {
    const bad = [
      'not json',
      '',
      '{"files":',
      'null',
      '[]',
      '{"items":[]}',
      '{"files":{}}',
      '{"files":"a.txt"}',
      '{"files":[null]}',
      '{"files":["a.txt"]}',
      '{"files":[{"size":1,"modified":1}]}',
      '{"files":[{"name":1,"size":1,"modified":1}]}',
      '{"files":[{"name":"a","size":"1","modified":1}]}',
      '{"files":[{"name":"a","size":-1,"modified":1}]}',
      '{"files":[{"name":"a","modified":1}]}',
      '{"files":[{"name":"a","size":1,"modified":"yesterday"}]}',
      '{"files":[{"name":"a","size":1,"modified":1,"is_dir":"yes"}]}',
    ];
    for (const body of bad) {
      serveListing(emu, body);
      await assert.rejects(
        client.listFiles(DESKTOP),
        (e: unknown) => e instanceof NenApiError && e.kind === 'protocol' && e.message.length > 0,
        `listing ${JSON.stringify(body)}`,
      );
    }
    console.log(`property: ${bad.length} malformed listings refused as protocol errors`);
  });
});

// Found by this suite: the client used to throw a raw URIError from encodeURIComponent here.
test('a name with a lone UTF-16 surrogate is refused as a bad name before any request', async () => {
  await withEmulator(async (emu, client) => {
    for (const name of ['\ud800.txt', 'a\udfff', '\udc00\ud800']) {
      await assert.rejects(
        client.upload(DESKTOP, name, { kind: 'bytes', data: Buffer.from('x') }),
        (e: unknown) => e instanceof NenApiError && e.kind === 'badRequest',
      );
    }
    assert.equal(emu.requests.length, 0);
  });
});
