/**
 * Every platform's local-name rules, run on Linux through the platform parameter: a table of
 * hostile drive names with the local name and the reasons for win32, darwin and linux.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nodePath from 'node:path';
import { localName, longPath, type LocalPlatform } from '../../src/api/localName';

/** [local name, reasons, storable (default true)] */
type Expect = [string, string[], boolean?];
interface Row {
  name: string;
  win32: Expect;
  /** Default: the name unchanged, no reasons. */
  darwin?: Expect;
  linux?: Expect;
}

const notAllowed = (c: string): string => `'${c}' is not allowed on Windows`;
const control = (hex: string, os = 'Windows'): string => `control character U+${hex} is not allowed on ${os}`;
const device = (d: string): string => `${d} is a reserved device name on Windows`;
const DOT = "a trailing '.' is dropped by Windows";
const SPACE = 'a trailing space is dropped by Windows';
const kept = (name: string): Expect => [name, []];

const NFC = 'caf\u00e9.txt';
const NFD = 'cafe\u0301.txt';

const ROWS: Row[] = [
  { name: 'a<b', win32: ['a\uFF1Cb', [notAllowed('<')]] },
  { name: 'a>b', win32: ['a\uFF1Eb', [notAllowed('>')]] },
  { name: 'report:v2.txt', win32: ['report\uFF1Av2.txt', [notAllowed(':')]] },
  { name: 'say "hi".txt', win32: ['say \uFF02hi\uFF02.txt', [notAllowed('"')]] },
  { name: 'a|b', win32: ['a\uFF5Cb', [notAllowed('|')]] },
  { name: 'why?.md', win32: ['why\uFF1F.md', [notAllowed('?')]] },
  { name: '*.log', win32: ['\uFF0A.log', [notAllowed('*')]] },
  { name: 'a\\b', win32: ['a\uFF3Cb', [notAllowed('\\')]] },
  { name: '<>:"|?*', win32: ['＜＞：＂｜？＊', ['<', '>', ':', '"', '|', '?', '*'].map(notAllowed)] },
  { name: 'tab\there', win32: ['tab\u2409here', [control('0009')]] },
  { name: 'line\nbreak\r', win32: ['line\u240Abreak\u240D', [control('000A'), control('000D')]] },
  { name: 'bell\x07\x1f', win32: ['bell\u2407\u241F', [control('0007'), control('001F')]] },
  { name: 'nul\0byte', win32: ['nul\u2400byte', [control('0000')]], darwin: ['nul\u2400byte', [control('0000', 'macOS')]], linux: ['nul\u2400byte', [control('0000', 'Linux')]] },
  { name: 'a/b', win32: ['a\uFF0Fb', ["'/' separates folders on Windows"]], darwin: ['a\uFF0Fb', ["'/' separates folders on macOS"]], linux: ['a\uFF0Fb', ["'/' separates folders on Linux"]] },
  { name: 'trailing.', win32: ['trailing\uFF0E', [DOT]] },
  { name: 'trailing ', win32: ['trailing\u2420', [SPACE]] },
  { name: 'dots...', win32: ['dots..\uFF0E', [DOT]] },
  { name: 'mix. .', win32: ['mix. \uFF0E', [DOT]] },
  { name: 'mix . ', win32: ['mix .\u2420', [SPACE]] },
  { name: ' leading space', win32: kept(' leading space') },
  { name: '.hidden', win32: kept('.hidden') },
  { name: 'CON', win32: ['CON_', [device('CON')]] },
  { name: 'con.txt', win32: ['con_.txt', [device('CON')]] },
  { name: 'Lpt1.log', win32: ['Lpt1_.log', [device('LPT1')]] },
  { name: 'NUL.tar.gz', win32: ['NUL_.tar.gz', [device('NUL')]] },
  { name: 'COM\u00B9', win32: ['COM\u00B9_', [device('COM\u00B9')]] },
  { name: 'lpt\u00B3.txt', win32: ['lpt\u00B3_.txt', [device('LPT\u00B3')]] },
  { name: 'CON .txt', win32: ['CON_ .txt', [device('CON')]] },
  { name: 'CON.', win32: ['CON_\uFF0E', [device('CON'), DOT]] },
  { name: 'aux:1', win32: ['aux\uFF1A1', [notAllowed(':')]] },
  { name: 'COM0', win32: kept('COM0') },
  { name: 'COM10.txt', win32: kept('COM10.txt') },
  { name: 'CONSOLE.txt', win32: kept('CONSOLE.txt') },
  { name: 'xCON', win32: kept('xCON') },
  { name: 'con_.txt', win32: kept('con_.txt') },
  { name: NFC, win32: kept(NFC) },
  { name: NFD, win32: kept(NFD) },
  { name: 'A.txt', win32: kept('A.txt') },
  { name: 'a.txt', win32: kept('a.txt') },
  { name: 'report\uFF1Av2.txt', win32: kept('report\uFF1Av2.txt') },
  { name: 'emoji 😀.txt', win32: kept('emoji 😀.txt') },
  { name: 'a'.repeat(255), win32: kept('a'.repeat(255)) },
  {
    name: 'a'.repeat(256),
    win32: ['a'.repeat(256), ['the name is 256 UTF-16 units; Windows allows 255'], false],
    darwin: ['a'.repeat(256), ['the name is 256 UTF-16 units; macOS allows 255'], false],
    linux: ['a'.repeat(256), ['the name is 256 bytes; Linux allows 255'], false],
  },
  { name: '中'.repeat(85), win32: kept('中'.repeat(85)) },
  { name: '中'.repeat(86), win32: kept('中'.repeat(86)), linux: ['中'.repeat(86), ['the name is 258 bytes; Linux allows 255'], false] },
  { name: '\u00e9'.repeat(128), win32: kept('\u00e9'.repeat(128)), linux: ['\u00e9'.repeat(128), ['the name is 256 bytes; Linux allows 255'], false] },
  {
    name: '😀'.repeat(128),
    win32: ['😀'.repeat(128), ['the name is 256 UTF-16 units; Windows allows 255'], false],
    darwin: ['😀'.repeat(128), ['the name is 256 UTF-16 units; macOS allows 255'], false],
    linux: ['😀'.repeat(128), ['the name is 512 bytes; Linux allows 255'], false],
  },
  { name: 'a'.repeat(254) + '?', win32: ['a'.repeat(254) + '\uFF1F', [notAllowed('?')]] },
  { name: ':'.repeat(255), win32: ['\uFF1A'.repeat(255), [notAllowed(':')]] },
  { name: '', win32: ['', ["'' cannot be a file name on Windows"], false], darwin: ['', ["'' cannot be a file name on macOS"], false], linux: ['', ["'' cannot be a file name on Linux"], false] },
];

/** Every reserved device name plain, lower case with an extension, and in mixed case with one. */
const DEVICES = ['CON', 'PRN', 'AUX', 'NUL', ...[1, 2, 3, 4, 5, 6, 7, 8, 9, '\u00B9', '\u00B2', '\u00B3'].flatMap((d) => [`COM${d}`, `LPT${d}`])];
for (const d of DEVICES) {
  const mixed = d[0] + d.slice(1).toLowerCase();
  for (const [name, local] of [[d, `${d}_`], [`${d.toLowerCase()}.txt`, `${d.toLowerCase()}_.txt`], [`${mixed}.Log`, `${mixed}_.Log`]]) {
    // A few are written out above already.
    if (!ROWS.some((r) => r.name === name)) ROWS.push({ name, win32: [local, [device(d)]] });
  }
}

const PLATFORMS: LocalPlatform[] = ['win32', 'darwin', 'linux'];

test(`the table holds at least 40 hostile names (${ROWS.length})`, () => {
  assert.ok(ROWS.length >= 40);
  assert.equal(new Set(ROWS.map((r) => r.name)).size, ROWS.length, 'no name twice');
});

for (const platform of PLATFORMS) {
  test(`every hostile name gets its ${platform} local name and reasons`, () => {
    for (const row of ROWS) {
      const [local, reasons, storable = true] = row[platform] ?? kept(row.name);
      const got = localName(row.name, platform);
      const label = `${platform} ${JSON.stringify(row.name.slice(0, 40))}`;
      assert.equal(got.local, local, label);
      assert.deepEqual(got.reasons, reasons, label);
      assert.equal(got.storable, storable, label);
      assert.equal(got.changed, local !== row.name, label);
    }
  });
}

test('NFC and NFD spellings and letter case stay distinct on every platform', () => {
  for (const platform of PLATFORMS) {
    assert.notEqual(localName(NFC, platform).local, localName(NFD, platform).local);
    assert.notEqual(localName('A.txt', platform).local, localName('a.txt', platform).local);
  }
});

test('each Windows substitute maps back to exactly one character', () => {
  const back = new Map<string, string>();
  for (let c = 0; c < 0x80; c++) {
    const ch = String.fromCharCode(c);
    const local = localName(`x${ch}x`, 'win32').local;
    if (local === `x${ch}x`) continue;
    const sub = local.slice(1, -1);
    assert.equal([...sub].length, 1, `one character for ${c}`);
    assert.ok(!back.has(sub), `${sub} used twice`);
    back.set(sub, ch);
  }
  assert.equal(back.size, 32 + 8 + 1, 'control characters, < > : " | ? * \\ and /');
});

test('the default platform is the one running', () => {
  const here = process.platform === 'win32' || process.platform === 'darwin' ? process.platform : 'linux';
  assert.deepEqual(localName('report:v2.txt'), localName('report:v2.txt', here));
  assert.equal(longPath('C:\\' + 'x'.repeat(300)), longPath('C:\\' + 'x'.repeat(300), here));
});

const LONG_DIR = 'd'.repeat(290);

test('a Windows path over 259 characters takes the \\\\?\\ form, drive letter or UNC', () => {
  const abs = `C:\\Users\\nen\\${LONG_DIR}\\report.txt`;
  assert.ok(abs.length > 300);
  assert.equal(longPath(abs, 'win32'), `\\\\?\\${abs}`);
  assert.equal(longPath(abs, 'win32'), nodePath.win32.toNamespacedPath(abs), "the same as Node's own");
  const unc = `\\\\server\\share\\${LONG_DIR}\\report.txt`;
  assert.equal(longPath(unc, 'win32'), `\\\\?\\UNC\\server\\share\\${LONG_DIR}\\report.txt`);
  assert.equal(longPath(unc, 'win32'), nodePath.win32.toNamespacedPath(unc));
});

test('a long Windows path is normalised before taking the \\\\?\\ form (it turns normalisation off)', () => {
  assert.equal(longPath(`C:/Users/x/../${LONG_DIR}/a.txt`, 'win32'), `\\\\?\\C:\\Users\\${LONG_DIR}\\a.txt`);
  assert.equal(longPath(`//server/share/${LONG_DIR}/`, 'win32'), `\\\\?\\UNC\\server\\share\\${LONG_DIR}`);
});

test('short, relative, already prefixed and non-Windows paths stay as they are', () => {
  const at259 = 'C:\\' + 'x'.repeat(256);
  assert.equal(at259.length, 259);
  assert.equal(longPath(at259, 'win32'), at259);
  assert.equal(longPath(at259 + 'y', 'win32'), `\\\\?\\${at259}y`);
  assert.equal(longPath('C:\\short\\a.txt', 'win32'), 'C:\\short\\a.txt');
  assert.equal(longPath(`rel\\${LONG_DIR}`, 'win32'), `rel\\${LONG_DIR}`);
  assert.equal(longPath(`\\\\?\\C:\\${LONG_DIR}`, 'win32'), `\\\\?\\C:\\${LONG_DIR}`);
  const posix = `/home/nen/${LONG_DIR}/a.txt`;
  assert.equal(longPath(posix, 'linux'), posix);
  assert.equal(longPath(posix, 'darwin'), posix);
});
