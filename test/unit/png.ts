/** A PNG checker shared by the tests of generated images (emulator samples, the demo's screenshots). */
import assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import { crc32 } from '../../tools/emulator/samples';

/** Checks signature, every chunk's CRC (against an independent CRC-32) and the pixel data size. */
export function assertValidPng(png: Buffer, what: string): { width: number; height: number } {
  assert.deepEqual(png.subarray(0, 8), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), `${what}: signature`);
  let off = 8;
  const types: string[] = [];
  let idat = Buffer.alloc(0);
  let width = 0;
  let height = 0;
  while (off < png.length) {
    const len = png.readUInt32BE(off);
    const type = png.subarray(off + 4, off + 8).toString('ascii');
    const data = png.subarray(off + 8, off + 8 + len);
    assert.equal(png.readUInt32BE(off + 8 + len), crc32(png.subarray(off + 4, off + 8 + len)), `${what}: CRC of ${type}`);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      assert.deepEqual([data[8], data[9], data[12]], [8, 2, 0], `${what}: 8-bit RGB, not interlaced`);
    }
    if (type === 'IDAT') idat = Buffer.concat([idat, data]);
    types.push(type);
    off += 12 + len;
  }
  assert.equal(off, png.length, `${what}: chunks end exactly at the end of the file`);
  assert.deepEqual(types, ['IHDR', 'IDAT', 'IEND'], what);
  const raw = zlib.inflateSync(idat);
  assert.equal(raw.length, (width * 3 + 1) * height, `${what}: pixel data of the declared size`);
  return { width, height };
}
