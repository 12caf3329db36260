/**
 * Property-based: every valid drive name round-trips through the client and the emulator to
 * the very same file (listing, bytes, and the name on disk), and every invalid one is refused
 * by the client with a message before a single request goes out.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { DriveClient, NenApiError, validateName, MAX_NAME_BYTES } from '../../src/api';
import { startEmulator } from '../../tools/emulator/server';
import type { EmulatorHandle } from '../../tools/emulator/types';

const KEY = 'sk_nen_property_names_key';
const DESKTOP = 'dsk_names000001';

interface Fixture {
  emu: EmulatorHandle;
  client: DriveClient;
  dataDir: string;
  scratch: string;
}

async function setup(): Promise<Fixture> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nen-prop-names-'));
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'nen-prop-scratch-'));
  const emu = await startEmulator({ port: 0, dataDir, apiKey: KEY, desktops: [DESKTOP] });
  const client = new DriveClient({ baseUrl: emu.url, getApiKey: () => KEY, maxRetries: 0 });
  return { emu, client, dataDir, scratch };
}

async function teardown(f: Fixture): Promise<void> {
  await f.client.close();
  await f.emu.close();
  fs.rmSync(f.dataDir, { recursive: true, force: true });
  fs.rmSync(f.scratch, { recursive: true, force: true });
}

const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/** Pieces that tend to break URL handling, unicode normalization or file systems. */
const tricky = fc.constantFrom(
  ' ', '  ', '%', '%20', '%2F', '%2e', '%25', '#', '?', '+', '&', '=', ';', ',', '@', ':', '$', '!', "'", '"', '(', ')',
  '[', ']', '{', '}', '<', '>', '|', '*', '~', '`', '^', '.', '-', '_',
  'café', 'cafe\u0301', '\u00c5', 'A\u030a', 'ﬁ', 'ß', 'İ', 'ǅ', '中文', '日本語', 'русский', 'עברית', 'العربية',
  '😀', '👩‍👩‍👧', '🏳️‍🌈', '🇫🇷', '\u200d', '\u200f', '\u202e', '\ufeff', '\u00a0', '\u2028', '\ud83d\ude00', '𝔘𝔫𝔦',
  '.txt', '.tar.gz', 'CON', 'nul', 'desktops', 'files',
);

/** A name that passes the client's rules: mixes tricky pieces with arbitrary unicode. */
const validName = fc
  .array(fc.oneof({ weight: 3, arbitrary: tricky }, { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 6 }) }), {
    minLength: 1,
    maxLength: 8,
  })
  .map((parts) => parts.join(''))
  .filter((n) => validateName(n) === undefined);

/** Long names: one character of 1 to 4 UTF-8 bytes repeated to land exactly on, or just under, 255 bytes. */
const longName = fc
  .tuple(fc.constantFrom('a', 'é', '中', '😀', '%', ' '), fc.integer({ min: 0, max: 3 }))
  .map(([ch, slack]) => {
    const w = utf8Bytes(ch);
    const count = Math.floor((MAX_NAME_BYTES - slack) / w);
    let s = ch.repeat(count);
    while (utf8Bytes(s) + 1 <= MAX_NAME_BYTES - slack) s += 'x';
    return s;
  })
  .filter((n) => validateName(n) === undefined);

/** A folder path is fine when every non-empty segment is a valid name. */
function folderOk(p: string): boolean {
  return !p.includes('\\') && p.split('/').filter((x) => x.length > 0).every((x) => validateName(x) === undefined);
}

function isRefusal(e: unknown): boolean {
  return e instanceof NenApiError && e.kind === 'badRequest' && typeof e.message === 'string' && e.message.length > 0;
}

/** Upload, list, download and look on disk: the same name, the same bytes, everywhere. */
async function roundTrip(f: Fixture, name: string): Promise<void> {
  const data = Buffer.concat([Buffer.from(name, 'utf8'), randomBytes(1 + (utf8Bytes(name) % 97))]);
  const up = await f.client.upload(DESKTOP, name, { kind: 'bytes', data });
  assert.equal(up.size, data.length, `upload size of ${JSON.stringify(name)}`);
  const listing = await f.client.listFiles(DESKTOP);
  const entry = listing.find((e) => e.name === name);
  assert.ok(entry, `${JSON.stringify(name)} is not in the listing`);
  assert.equal(entry.size, data.length);
  assert.equal(entry.isDir, false);
  const back = Buffer.from(await f.client.download(DESKTOP, name));
  assert.ok(back.equals(data), `downloaded bytes of ${JSON.stringify(name)} differ`);
  const onDisk = f.emu.readFile(DESKTOP, name);
  assert.ok(onDisk?.equals(data), `the emulator's file for ${JSON.stringify(name)} differs`);
  // The exact name (same code points, no normalization, no percent-encoding) is on disk.
  const names = fs.readdirSync(path.join(f.dataDir, DESKTOP));
  assert.ok(names.includes(name), `no file named exactly ${JSON.stringify(name)} on disk`);
  // And downloadToFile writes it under a local file of the same name.
  if (utf8Bytes(name) < 200) {
    const target = path.join(f.scratch, name);
    await f.client.downloadToFile(DESKTOP, name, target, { overwrite: true });
    assert.ok(fs.readFileSync(target).equals(data), `downloadToFile bytes of ${JSON.stringify(name)} differ`);
  }
}

test('any valid name round-trips to the same file: listing, bytes and on-disk name', async () => {
  const f = await setup();
  let tried = 0;
  let special = 0;
  try {
    await fc.assert(
      fc.asyncProperty(fc.oneof({ weight: 5, arbitrary: validName }, { weight: 1, arbitrary: longName }), async (name) => {
        tried++;
        if (/[^\x20-\x7e]|[%#?+&= ]/.test(name)) special++;
        await roundTrip(f, name);
      }),
      { numRuns: 200 },
    );
    // The names the issue lists by hand, always, on top of the random ones.
    const fixed = [
      'report.pdf', 'with space.txt', '100%.txt', '%41.txt', '%2e%2e', '#hash', 'what?.md', 'a+b=c&d.txt', '😀.png',
      'café.txt'.normalize('NFC'), 'café.txt'.normalize('NFD'), '.hidden', 'trailing.', ' leading', '-dash', '中文 文件.csv',
      'é'.repeat(127), '😀'.repeat(63) + 'abc',
    ];
    for (const n of fixed) {
      assert.equal(validateName(n), undefined, `fixture ${JSON.stringify(n)} should be valid`);
      await roundTrip(f, n);
      tried++;
    }
    console.log(`property: ${tried} valid names round-tripped (${special} random ones with non-ASCII or URL-special characters)`);
  } finally {
    await teardown(f);
  }
});

test('NFC and NFD spellings of a name are two distinct files', async () => {
  const f = await setup();
  try {
    const pairs = ['café.txt', 'Ångström', 'naïve résumé.md', '한국어.txt', 'ḱṷṓn'];
    for (const base of pairs) {
      const nfc = base.normalize('NFC');
      const nfd = base.normalize('NFD');
      assert.notEqual(nfc, nfd, `${base} has two forms`);
      await f.client.upload(DESKTOP, nfc, { kind: 'bytes', data: Buffer.from('NFC') });
      await f.client.upload(DESKTOP, nfd, { kind: 'bytes', data: Buffer.from('NFD!') });
      const listing = await f.client.listFiles(DESKTOP);
      assert.equal(listing.find((e) => e.name === nfc)?.size, 3);
      assert.equal(listing.find((e) => e.name === nfd)?.size, 4);
      assert.equal(Buffer.from(await f.client.download(DESKTOP, nfc)).toString(), 'NFC');
      assert.equal(Buffer.from(await f.client.download(DESKTOP, nfd)).toString(), 'NFD!');
      const onDisk = fs.readdirSync(path.join(f.dataDir, DESKTOP));
      assert.ok(onDisk.includes(nfc) && onDisk.includes(nfd), `both forms of ${base} on disk`);
    }
  } finally {
    await teardown(f);
  }
});

/** Names the API forbids, built around an arbitrary valid core so the bad part can sit anywhere. */
const core = fc.string({ unit: 'grapheme', maxLength: 10 });
const invalidName = fc.oneof(
  fc.constant(''),
  fc.constant('.'),
  fc.constant('..'),
  fc.tuple(core, core).map(([a, b]) => `${a}/${b}`),
  fc.tuple(core, core).map(([a, b]) => `${a}\\${b}`),
  fc.tuple(core, core).map(([a, b]) => `${a}..${b}`),
  fc.tuple(core, core).map(([a, b]) => `${a}../${b}`),
  fc.tuple(core, fc.integer({ min: 0, max: 0x1f }), core).map(([a, c, b]) => `${a}${String.fromCharCode(c)}${b}`),
  fc.tuple(core, fc.integer({ min: 0x7f, max: 0x9f }), core).map(([a, c, b]) => `${a}${String.fromCharCode(c)}${b}`),
  fc.tuple(fc.constantFrom('a', 'é', '😀'), fc.integer({ min: 1, max: 40 })).map(([ch, extra]) => ch.repeat(Math.ceil(MAX_NAME_BYTES / utf8Bytes(ch)) + extra)),
);

test('every invalid name is refused with a message before any request', async () => {
  const f = await setup();
  let refused = 0;
  try {
    await fc.assert(
      fc.asyncProperty(invalidName, async (name) => {
        assert.ok(validateName(name), `${JSON.stringify(name)} should be invalid`);
        const before = f.emu.requests.length;
        const target = path.join(f.scratch, `target-${refused}`);
        const calls: Array<[string, () => Promise<unknown>]> = [
          ['upload', () => f.client.upload(DESKTOP, name, { kind: 'bytes', data: Buffer.from('x') })],
          ['download', () => f.client.download(DESKTOP, name)],
          ['downloadStream', () => f.client.downloadStream(DESKTOP, name)],
          ['downloadToFile', () => f.client.downloadToFile(DESKTOP, name, target)],
          ['stat', () => f.client.stat(DESKTOP, name)],
          ['upload into a bad folder', () => f.client.upload(DESKTOP, 'ok.txt', { kind: 'bytes', data: Buffer.from('x') }, { path: `a/${name}` })],
          ['list a bad folder', () => f.client.listFiles(DESKTOP, { path: `${name}/b` })],
        ];
        for (const [what, call] of calls) {
          // A folder path ignores leading, trailing and doubled slashes, so "" or "x/y" inside one is fine.
          if (what === 'upload into a bad folder' && folderOk(`a/${name}`)) continue;
          if (what === 'list a bad folder' && folderOk(`${name}/b`)) continue;
          await assert.rejects(call(), isRefusal, `${what} ${JSON.stringify(name)} was not refused as badRequest with a message`);
        }
        assert.equal(f.emu.requests.length, before, `a request went out for ${JSON.stringify(name)}`);
        assert.ok(!fs.existsSync(target), 'downloadToFile created a file for a refused name');
        refused++;
      }),
      { numRuns: 150 },
    );
    assert.equal(fs.readdirSync(f.scratch).length, 0, 'nothing was written locally');
    console.log(`property: ${refused} invalid names refused before any request (7 calls each)`);
  } finally {
    await teardown(f);
  }
});
