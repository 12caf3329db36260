/**
 * The manifest's words come from package.nls.json (English) and package.nls.de.json (German):
 * no title, description or welcome text is left literal in package.json, every %key% has both
 * languages, and the German keeps the command links and `code` of the English.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.join(__dirname, '..', '..', '..');
const read = (file: string): unknown => JSON.parse(fs.readFileSync(path.join(root, file), 'utf8'));
const manifest = read('package.json') as Record<string, unknown> & { contributes: Record<string, unknown> };
const english = read('package.nls.json') as Record<string, string>;
const german = read('package.nls.de.json') as Record<string, string>;

/** The manifest fields VS Code shows to people (`markdown`: a walkthrough page, one file per language). */
const SHOWN = new Set(['title', 'name', 'contextualTitle', 'contents', 'category', 'label', 'description', 'markdownDescription', 'patternErrorMessage', 'deprecationMessage', 'markdownDeprecationMessage', 'enumDescriptions', 'markdownEnumDescriptions', 'altText', 'markdown']);

/** [where, value] of every shown string under `node` (resourceLabelFormatters' `label` is a pattern, not words). */
function shownStrings(node: unknown, where: string, field = ''): [string, string][] {
  if (typeof node === 'string') return SHOWN.has(field) ? [[where, node]] : [];
  if (Array.isArray(node)) return node.flatMap((v, i) => shownStrings(v, `${where}[${i}]`, field));
  if (node && typeof node === 'object') {
    return Object.entries(node).flatMap(([k, v]) => (k === 'resourceLabelFormatters' ? [] : shownStrings(v, `${where}.${k}`, k)));
  }
  return [];
}

const shown: [string, string][] = [['displayName', manifest.displayName as string], ['description', manifest.description as string], ...shownStrings(manifest.contributes, 'contributes')];

test('every title, description and welcome text of package.json is a %key% that package.nls.json holds', () => {
  assert.ok(shown.length > 60, `the walk itself finds the manifest's strings (${shown.length})`);
  const literal = shown.filter(([, v]) => !/^%[\w.]+%$/.test(v)).map(([w, v]) => `${w}: ${v}`);
  assert.deepEqual(literal, []);
  const missing = shown.map(([, v]) => v.slice(1, -1)).filter((k) => !(k in english));
  assert.deepEqual(missing, []);
  const used = new Set(shown.map(([, v]) => v.slice(1, -1)));
  assert.deepEqual(Object.keys(english).filter((k) => !used.has(k)), [], 'no key in package.nls.json is left unused');
});

test('package.nls.de.json translates every key and keeps the command links, `code` and product name', () => {
  assert.deepEqual(Object.keys(german).sort(), Object.keys(english).sort());
  const links = (s: string) => [...s.matchAll(/\]\((command:[^)]+)\)/g)].map((m) => m[1]);
  const code = (s: string) => [...s.matchAll(/`[^`]+`/g)].map((m) => m[0]).sort();
  for (const [key, en] of Object.entries(english)) {
    const de = german[key];
    assert.ok(de.trim(), key);
    assert.deepEqual(links(de), links(en), `${key}: the same command links, in the same order`);
    assert.deepEqual(code(de), code(en), `${key}: the same \`code\``);
    if (en.includes('Nen Drive')) assert.ok(de.includes('Nen Drive'), `${key}: the product name stays`);
  }
  assert.equal(german['command.category'], 'Nen Drive');
});

test("each walkthrough page has a file per language, and the German one is German", () => {
  const pages = Object.keys(english).filter((k) => k.endsWith('.markdown'));
  assert.equal(pages.length, 4);
  for (const key of pages) {
    for (const [lang, table] of [['en', english], ['de', german]] as const) {
      const file = table[key];
      assert.ok(fs.existsSync(file), `${lang} ${key}: ${file} is missing`);
    }
    assert.notEqual(german[key], english[key], `${key}: German points at the English page`);
    assert.match(fs.readFileSync(german[key], 'utf8'), /\b(Sie|Ihr|der|die|das)\b/, `${german[key]} does not read as German`);
  }
});
