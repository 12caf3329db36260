/** The sample drive is real: a valid PNG and PDF, varied mtimes, and seeding never clobbers user edits. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { crc32, makeGradientPng, makePdf, seedSamples } from '../../tools/emulator/samples';
import { call, DESKTOP, filesUrl, start } from '../../tools/emulator/testing';
import { assertValidPng } from './png';

test('crc32 matches the standard check value', () => {
  assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
});

test('the generated PNG has a valid signature, chunk CRCs and pixel data of the declared size', () => {
  assert.deepEqual(assertValidPng(makeGradientPng(64, 32), 'gradient'), { width: 64, height: 32 });
});

test('the generated PDF has a header, an xref whose offsets point at its objects, and %%EOF', () => {
  const pdf = makePdf(['Hello (world)', 'second line']).toString('latin1');
  assert.ok(pdf.startsWith('%PDF-1.4\n'));
  assert.ok(pdf.endsWith('%%EOF\n'));
  const startxref = Number(/startxref\n(\d+)\n/.exec(pdf)?.[1]);
  assert.ok(pdf.startsWith('xref\n', startxref));
  const offsets = [...pdf.slice(startxref).matchAll(/^(\d{10}) 00000 n $/gm)].map((m) => Number(m[1]));
  assert.equal(offsets.length, 5);
  offsets.forEach((o, i) => assert.ok(pdf.startsWith(`${i + 1} 0 obj\n`, o), `object ${i + 1} at ${o}`));
  const len = Number(/\/Length (\d+)/.exec(pdf)?.[1]);
  const streamStart = pdf.indexOf('stream\n') + 'stream\n'.length;
  assert.equal(pdf.indexOf('\nendstream', streamStart), streamStart + len);
});

test('seeded samples are listed with realistic types and varied mtimes, and reseeding keeps user edits', async () => {
  const s = await start();
  try {
    const written = seedSamples(s.dataDir, DESKTOP);
    assert.ok(written.length >= 5);
    const files = (await call(s.emu.url, filesUrl())).json<{ files: Array<{ name: string; size: number; modified: number }> }>().files;
    const byExt = (ext: string): { name: string; size: number; modified: number } | undefined => files.find((f) => f.name.endsWith(ext));
    for (const ext of ['.md', '.json', '.csv', '.png', '.pdf']) assert.ok(byExt(ext), ext);
    assert.ok((byExt('.csv')?.size ?? 0) > 2048, 'the CSV is some KB');
    assert.equal(new Set(files.map((f) => Math.floor(f.modified))).size, files.length, 'mtimes differ');
    assert.ok(files.every((f) => f.modified < Date.now() / 1000 + 1));
    const png = await call(s.emu.url, `${filesUrl()}/${encodeURIComponent(byExt('.png')!.name)}`);
    assert.equal(png.headers['content-type'], 'image/png');
    const pdf = await call(s.emu.url, `${filesUrl()}/${encodeURIComponent(byExt('.pdf')!.name)}`);
    assert.equal(pdf.headers['content-type'], 'application/pdf');
    assert.ok(pdf.body.subarray(0, 5).equals(Buffer.from('%PDF-')));
    JSON.parse(s.emu.readFile(DESKTOP, byExt('.json')!.name)!.toString());

    const md = byExt('.md')!.name;
    await call(s.emu.url, `${filesUrl()}/${encodeURIComponent(md)}`, { method: 'POST', body: 'my own notes' });
    assert.deepEqual(seedSamples(s.dataDir, DESKTOP), []);
    assert.equal(s.emu.readFile(DESKTOP, md)?.toString(), 'my own notes');
    assert.deepEqual(fs.readdirSync(path.join(s.dataDir, '.nen-emulator', 'tmp')), []);
  } finally {
    await s.cleanup();
  }
});

test('seedSamples creates the desktop when it does not exist yet', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nen-seed-'));
  try {
    seedSamples(dir, 'dsk_fresh0000000');
    assert.ok(fs.readdirSync(path.join(dir, 'dsk_fresh0000000')).length >= 5);
    const reg = JSON.parse(fs.readFileSync(path.join(dir, '.nen-emulator', 'desktops.json'), 'utf8'));
    assert.ok(reg.dsk_fresh0000000);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
