// Exports every `l10n.t` / `vscode.l10n.t` string of src/ into l10n/bundle.l10n.json (the
// English template translators start from) and writes the pseudo-locale files the pseudo-locale
// checks use: l10n/bundle.l10n.qps-ploc.json and package.nls.qps-ploc.json. All three are
// generated, git-ignored and left out of the .vsix; l10n/bundle.l10n.de.json and
// package.nls.de.json are the shipped German translation, written by hand.
//
// `node scripts/l10n.mjs --check` also fails when the German files miss a string, keep one
// that is no longer used, or drop or add a {0} placeholder.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const bin = 'node_modules/.bin/vscode-l10n-dev';
const quiet = { stdio: ['ignore', 'ignore', 'inherit'] };
execFileSync(bin, ['export', '--outDir', 'l10n', 'src'], quiet);
// With no string to export yet, the exporter writes nothing: an empty template then.
if (!existsSync('l10n/bundle.l10n.json')) writeFileSync('l10n/bundle.l10n.json', '{}\n');
execFileSync(bin, ['generate-pseudo', '--outDir', 'l10n', 'l10n/bundle.l10n.json'], quiet);
execFileSync(bin, ['generate-pseudo', '--outDir', '.', 'package.nls.json'], quiet);
// A few manifest values are paths (the walkthrough's markdown, one file per language): the
// pseudo-locale keeps the English file, so the walkthrough still finds its pages.
const nls = JSON.parse(readFileSync('package.nls.json', 'utf8'));
const pseudo = JSON.parse(readFileSync('package.nls.qps-ploc.json', 'utf8'));
for (const key of Object.keys(nls)) if (key.endsWith('.markdown')) pseudo[key] = nls[key];
writeFileSync('package.nls.qps-ploc.json', JSON.stringify(pseudo, null, 2) + '\n');

if (process.argv.includes('--check')) {
  const problems = [];
  const message = (v) => (typeof v === 'string' ? v : v.message);
  const holes = (s) => [...new Set(s.match(/\{\d+\}/g) ?? [])].sort().join(',');
  for (const [english, german] of [
    ['l10n/bundle.l10n.json', 'l10n/bundle.l10n.de.json'],
    ['package.nls.json', 'package.nls.de.json'],
  ]) {
    const en = JSON.parse(readFileSync(english, 'utf8'));
    const de = JSON.parse(readFileSync(german, 'utf8'));
    for (const [key, value] of Object.entries(en)) {
      if (!(key in de)) problems.push(`${german}: no translation of ${JSON.stringify(key)}`);
      else if (holes(message(value)) !== holes(message(de[key]))) problems.push(`${german}: ${JSON.stringify(key)} has placeholders ${holes(message(de[key]))}, the English ${holes(message(value))}`);
    }
    for (const key of Object.keys(de)) if (!(key in en)) problems.push(`${german}: ${JSON.stringify(key)} is no longer used`);
  }
  for (const p of problems) console.log(p);
  console.log(problems.length ? `${problems.length} problems in the German translation` : 'German translation complete');
  process.exitCode = problems.length ? 1 : 0;
}
