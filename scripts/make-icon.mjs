// Renders the Marketplace icon, media/nen-drive.png (128×128), from the activity bar glyph in
// media/nen-drive.svg: the same cloud-over-a-drive, white on a solid rounded square, with strokes
// thick enough to survive being shown at 16 px (the Extensions view's smallest size).
// Headless Chromium draws it (the browser checks' playwright-core and /usr/bin/chromium), so
// no image tool is needed. Also writes test-results/icon-16.png, the icon at 16 px, and icon-16-zoomed.png, those pixels
// enlarged, to look at.
//   node scripts/make-icon.mjs
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const BACKGROUND = '#2b5fb8';
const STROKE = 2.5; // in the glyph's 24-unit box: ~1.7 px at 16 px (the glyph's own 1.5 would be 1 px)

const glyph = readFileSync(join(root, 'media', 'nen-drive.svg'), 'utf8');
const inner = glyph
  .replace(/^[\s\S]*?<svg[^>]*>/, '')
  .replace(/<\/svg>\s*$/, '')
  .replace(/<!--[\s\S]*?-->/g, '')
  .replaceAll('currentColor', '#ffffff');
// The glyph fills 24 units; inset it so it keeps a margin inside the rounded square.
const icon = `<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128" viewBox="0 0 128 128">
  <rect width="128" height="128" rx="24" fill="${BACKGROUND}"/>
  <g transform="translate(14 18) scale(4.17)" fill="none" stroke="#ffffff" stroke-width="${STROKE}" stroke-linecap="round" stroke-linejoin="round">${inner}</g>
</svg>`;

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage({ viewport: { width: 128, height: 128 } });
  const html = (size) => `<html><body style="margin:0;background:transparent"><img width="${size}" height="${size}" src="data:image/svg+xml;base64,${Buffer.from(icon).toString('base64')}"></body></html>`;
  await page.setContent(html(128));
  await page.locator('img').screenshot({ path: join(root, 'media', 'nen-drive.png'), omitBackground: true });
  // The 128 px PNG scaled to 16 px the way a list row shows it, then enlarged to look at.
  const png = readFileSync(join(root, 'media', 'nen-drive.png')).toString('base64');
  await page.setContent(`<html><body style="margin:0;background:#1e1e1e"><img id="s" width="16" height="16" src="data:image/png;base64,${png}"></body></html>`);
  mkdirSync(join(root, 'test-results'), { recursive: true });
  const small = await page.locator('#s').screenshot({ path: join(root, 'test-results', 'icon-16.png') });
  // The same 16 pixels blown up 8× without smoothing, to judge what is left of the glyph.
  await page.setContent(`<html><body style="margin:0"><img id="b" width="128" height="128" style="image-rendering:pixelated" src="data:image/png;base64,${small.toString('base64')}"></body></html>`);
  await page.locator('#b').screenshot({ path: join(root, 'test-results', 'icon-16-zoomed.png') });
  console.log('wrote media/nen-drive.png, test-results/icon-16.png and icon-16-zoomed.png');
} finally {
  await browser.close();
}
