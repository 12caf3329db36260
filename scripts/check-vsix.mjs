// Fails unless the .vsix holds only what the extension needs: the bundle (dist/extension.js, the transfer thread's dist/transferWorker.js
// and the two vendor files it requires on first use, dist/undici.js and dist/mime.js), media, the
// manifest and its German strings, the German l10n bundle, README, CHANGELOG, LICENSE and ThirdPartyNotices.txt (plus the two files vsce always adds).
// A stray node_modules, source map or test file in the package is a packaging mistake.
//   node scripts/check-vsix.mjs [nen-drive.vsix]
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? 'nen-drive.vsix';
const MAX_BYTES = 5 * 1024 * 1024;

/** Entry names from the zip's central directory (no unzip binary needed). */
function zipEntries(buf) {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65_535); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${file} is not a zip file`);
  const count = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  const entries = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(at) !== 0x02014b50) throw new Error(`${file}: corrupt central directory`);
    const size = buf.readUInt32LE(at + 24);
    const nameLen = buf.readUInt16LE(at + 28);
    const extraLen = buf.readUInt16LE(at + 30);
    const commentLen = buf.readUInt16LE(at + 32);
    entries.push({ name: buf.toString('utf8', at + 46, at + 46 + nameLen), size });
    at += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

const allowed = [
  /^extension\.vsixmanifest$/,
  /^\[Content_Types\]\.xml$/,
  /^extension\/package\.json$/,
  /^extension\/dist\/(extension|transferWorker|undici|mime)\.js$/,
  /^extension\/media\/(?!screenshots\/).+$/,
  /^extension\/readme\.md$/i,
  /^extension\/changelog\.md$/i,
  /^extension\/license(\.txt|\.md)?$/i,
  /^extension\/ThirdPartyNotices\.txt$/,
  /^extension\/package\.nls(\.de)?\.json$/,
  /^extension\/l10n\/bundle\.l10n\.de\.json$/,
];
const required = ['extension/ThirdPartyNotices.txt', 'extension/package.json', 'extension/dist/extension.js', 'extension/dist/transferWorker.js', 'extension/dist/undici.js', 'extension/dist/mime.js', 'extension/package.nls.json', 'extension/package.nls.de.json', 'extension/l10n/bundle.l10n.de.json'];

const buf = readFileSync(file);
const entries = zipEntries(buf).filter((e) => !e.name.endsWith('/'));
const names = entries.map((e) => e.name);
const problems = [];
for (const name of names) if (!allowed.some((re) => re.test(name))) problems.push(`unexpected file in the package: ${name}`);
for (const name of required) if (!names.includes(name)) problems.push(`missing from the package: ${name}`);
for (const kind of [/readme/i, /changelog/i, /license/i]) if (!names.some((n) => kind.test(n))) problems.push(`missing from the package: ${kind.source.toUpperCase()}`);
if (buf.length > MAX_BYTES) problems.push(`package is ${buf.length} bytes, over the ${MAX_BYTES} byte budget`);

for (const e of entries) console.log(`  ${String(e.size).padStart(9)}  ${e.name}`);
if (problems.length > 0) {
  for (const p of problems) console.error(`FAIL ${p}`);
  process.exit(1);
}
console.log(`${file}: ${entries.length} files, ${buf.length} bytes, contents as expected`);
