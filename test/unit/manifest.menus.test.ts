/** The tree's context menus, read from package.json: a row the API cannot reach offers nothing that would fail. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

interface MenuItem {
  command: string;
  when?: string;
}

const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { contributes: { menus: Record<string, MenuItem[]> } };

/** Whether a `when` clause's viewItem condition admits `value` (`viewItem == x` or `viewItem =~ /re/`). */
function admits(when: string | undefined, value: string): boolean {
  const eq = /viewItem == ([\w.]+)/.exec(when ?? '');
  if (eq) return eq[1] === value;
  const re = /viewItem =~ \/(.+?)\/(?:\s|$)/.exec(when ?? '');
  if (re) return new RegExp(re[1]).test(value);
  return true;
}

test('a file or folder the API cannot reach offers only Copy Name', () => {
  for (const value of ['file.unreachable', 'folder.unreachable']) {
    const offered = manifest.contributes.menus['view/item/context'].filter((m) => admits(m.when, value)).map((m) => m.command);
    assert.deepEqual(offered, ['nenDrive.copyName'], value);
  }
  const onFiles = manifest.contributes.menus['view/item/context'].filter((m) => admits(m.when, 'file')).map((m) => m.command);
  assert.ok(onFiles.includes('nenDrive.download') && onFiles.includes('nenDrive.open'), 'the check itself sees the menus of an ordinary file');
});

/** Evaluates the `nenDrive.sortOrder` comparisons of a `when` clause (`==`, `!=`, `&&`, `||`) for one value. */
function sortWhen(when: string, order: string | undefined): boolean {
  return when.split('||').some((all) =>
    all.split('&&').every((clause) => {
      const m = /nenDrive\.sortOrder\s*(==|!=)\s*(\w+)/.exec(clause);
      if (!m) throw new Error(`unexpected clause "${clause}" in the Sort By menu`);
      return m[1] === '==' ? order === m[2] : order !== m[2];
    }),
  );
}

test('the Sort By menu shows each order once, the current one (name when none is set) with a check mark', () => {
  const items = manifest.contributes.menus['nenDrive.sortBy'];
  for (const order of ['name', 'size', 'modified', undefined]) {
    const shown = items.filter((m) => sortWhen(m.when ?? '', order)).map((m) => m.command);
    const current = order ?? 'name';
    const expected = ['name', 'size', 'modified'].map((o) => `nenDrive.sortBy${o[0].toUpperCase()}${o.slice(1)}${o === current ? '.checked' : ''}`);
    assert.deepEqual(shown, expected, `sortOrder = ${order}`);
  }
});
