import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { Commands } from '../../src/constants';
import type { ViewsApi } from '../../src/views';
import type { DesktopNode, DriveNode, EntryNode, MessageNode } from '../../src/views/nodes';
import { compareNames, formatAge, formatSize } from '../../src/views/format';
import type { DriveEntry } from '../../src/api/types';
import { sortedRows, type SortedRows } from '../../src/views/rows';
import { randomDesktopId, setupEmulator, waitFor, type EmulatorSetup } from './helpers';

function viewsOf(env: EmulatorSetup): ViewsApi {
  return env.api.views;
}

async function desktopRow(env: EmulatorSetup, id = env.desktopId): Promise<DesktopNode> {
  const roots = await viewsOf(env).tree.getChildren();
  const row = roots.find((n): n is DesktopNode => n.kind === 'desktop' && n.desktopId === id);
  assert.ok(row, `no row for ${id} among ${roots.map((r) => r.kind).join(', ')}`);
  return row;
}

const nowSeconds = (): number => Date.now() / 1000;

suite('Tree formatting', () => {
  test('sizes and ages read like the CLI', () => {
    assert.equal(formatSize(0), '0 B');
    assert.equal(formatSize(1023), '1023 B');
    assert.equal(formatSize(1536), '1.5 KB');
    assert.equal(formatSize(102_400), '100 KB');
    assert.equal(formatSize(104_857_600), '100 MB');
    const now = Date.UTC(2026, 0, 10);
    const ago = (s: number): string => formatAge(now / 1000 - s, now);
    assert.equal(ago(5), 'just now');
    assert.equal(ago(-30), 'just now', 'a server clock slightly ahead is not "in the future"');
    assert.equal(ago(120), '2m ago');
    assert.equal(ago(3 * 3600), '3h ago');
    assert.equal(ago(5 * 86400), '5d ago');
    assert.equal(ago(90 * 86400), '3mo ago');
    assert.equal(ago(800 * 86400), '2y ago');
  });

  test('natural order: numbers by value, case ignored first', () => {
    const names = ['file10.txt', 'File1.txt', 'file2.txt', 'file02b.txt', 'a.txt', 'Z.txt'];
    assert.deepEqual([...names].sort(compareNames), ['a.txt', 'File1.txt', 'file2.txt', 'file02b.txt', 'file10.txt', 'Z.txt']);
  });
});

suite('Tree', () => {
  let env: EmulatorSetup | undefined;
  teardown(async () => {
    await env?.dispose();
    env = undefined;
  });

  test('roots are the configured desktops, labelled by name with id and status', async () => {
    env = await setupEmulator({ desktops: [randomDesktopId(), randomDesktopId()] });
    const roots = await viewsOf(env).tree.getChildren();
    assert.equal(roots.length, 2);
    for (const row of roots) {
      assert.equal(row.kind, 'desktop');
      const d = row as DesktopNode;
      assert.match(d.label, /^dsk-/, 'the emulator names desktops dsk-<region>-<n>');
      assert.equal(d.description, `${d.desktopId} · running`);
      const item = viewsOf(env).tree.getTreeItem(d);
      assert.equal(item.collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
    }
  });

  test('with no configured desktops the roots come from GET /desktops', async () => {
    const ids = [randomDesktopId(), randomDesktopId()];
    env = await setupEmulator({ desktops: ids, configuredDesktops: [] });
    const roots = (await viewsOf(env).tree.getChildren()) as DesktopNode[];
    assert.deepEqual(roots.map((r) => r.desktopId).sort(), [...ids].sort());
  });

  test('files show "size · age", folders come first, names in natural order', async () => {
    env = await setupEmulator();
    const now = nowSeconds();
    env.emu.putFile(env.desktopId, 'file10.txt', new Uint8Array(102_400), { mtime: now - 150 });
    env.emu.putFile(env.desktopId, 'file2.txt', 'hello', { mtime: now - 3 * 3600 - 5 });
    env.emu.putFile(env.desktopId, 'File1.txt', 'x', { mtime: now - 5 * 86400 - 5 });
    env.emu.putFile(env.desktopId, 'inner.txt', 'in a folder', { path: 'zeta folder' });
    env.emu.putFile(env.desktopId, 'inner.txt', 'in a folder', { path: 'alpha' });
    const children = (await viewsOf(env).tree.getChildren(await desktopRow(env))) as EntryNode[];
    assert.deepEqual(
      children.map((c) => `${c.kind}:${c.entry.name}`),
      ['folder:alpha', 'folder:zeta folder', 'file:File1.txt', 'file:file2.txt', 'file:file10.txt'],
    );
    const byName = new Map(children.map((c) => [c.entry.name, c]));
    assert.equal(byName.get('file10.txt')!.description, '100 KB · 2m ago');
    assert.equal(byName.get('file2.txt')!.description, '5 B · 3h ago');
    assert.equal(byName.get('File1.txt')!.description, '1 B · 5d ago');

    const tree = viewsOf(env).tree;
    const file = byName.get('file10.txt')!;
    const item = tree.getTreeItem(file);
    assert.equal(item.resourceUri?.toString(), env.uri('file10.txt').toString(), 'resourceUri lets the icon theme pick the icon');
    assert.equal(item.command?.command, 'vscode.open');
    assert.equal(item.contextValue, 'file');
    const resolved = tree.resolveTreeItem(item, file);
    const tooltip = resolved.tooltip as vscode.MarkdownString;
    assert.match(tooltip.value, /102,400 bytes/);
    assert.match(tooltip.value, /Type: TXT(&nbsp;| )file/);

    const inner = (await tree.getChildren(byName.get('alpha')!)) as EntryNode[];
    assert.deepEqual(inner.map((c) => c.entry.name), ['inner.txt']);
    assert.equal(inner[0].uri.toString(), env.uri('alpha', 'inner.txt').toString());
  });

  test('a name the API refuses is a warning row that says why and offers nothing that cannot work; a disguised name is shown escaped', async () => {
    env = await setupEmulator();
    const files = [{ name: 'Notes...v2.txt', size: 3, modified: nowSeconds() }, { name: 'rtl\u202Etxt.exe', size: 3, modified: nowSeconds() }];
    env.emu.injectFault({ type: 'body', body: JSON.stringify({ files }) }, { method: 'GET', path: new RegExp(`^/desktops/${env.desktopId}/files/?$`) }, 1);
    const tree = viewsOf(env).tree;
    const children = (await tree.getChildren(await desktopRow(env))) as EntryNode[];
    const byName = new Map(children.map((c) => [c.entry.name, c]));
    const bad = byName.get('Notes...v2.txt')!;
    const item = tree.getTreeItem(bad);
    assert.equal(item.contextValue, 'file.unreachable');
    assert.equal(item.command, undefined, 'a click must not try to open it');
    assert.equal((item.iconPath as vscode.ThemeIcon).id, 'warning');
    const tooltip = tree.resolveTreeItem(item, bad).tooltip as vscode.MarkdownString;
    assert.match(tooltip.value.replace(/&nbsp;/g, ' '), /\$\(warning\) Not reachable through the Nen API: A name cannot contain "\.\."/);
    const disguised = tree.getTreeItem(byName.get('rtl\u202Etxt.exe')!);
    assert.equal(disguised.label, 'rtl\\u202Etxt.exe');
    assert.equal(disguised.contextValue, 'file');
    // Commands given the row leave it out rather than fail on it.
    assert.equal(await vscode.commands.executeCommand(Commands.open, bad), 0);
  });

  test('a configured desktop that answers 404 is a "not found" row', async () => {
    const missing = randomDesktopId();
    const real = randomDesktopId();
    env = await setupEmulator({ desktops: [real], configuredDesktops: [real, missing] });
    const row = await desktopRow(env, missing);
    assert.equal(row.notFound, true);
    assert.equal(row.description, 'not found');
    const item = viewsOf(env).tree.getTreeItem(row);
    assert.equal(item.contextValue, 'desktop.notFound', 'the context value offers Remove and Retry');
    assert.equal(item.collapsibleState, vscode.TreeItemCollapsibleState.None);

    await vscode.commands.executeCommand(Commands.removeDesktop, row);
    const configured = vscode.workspace.getConfiguration('nenDrive').get<string[]>('desktops');
    assert.deepEqual(configured, [real]);
  });

  test('a failing listing is an error row with Retry, and Retry lists again', async () => {
    env = await setupEmulator();
    env.emu.putFile(env.desktopId, 'kept.txt', 'still here');
    env.emu.injectFault({ type: 'status', status: 403, body: '{"error":"forbidden for this key"}' }, { method: 'GET', path: `/desktops/${env.desktopId}/files` });
    const tree = viewsOf(env).tree;
    const desktop = await desktopRow(env);
    const rows = await tree.getChildren(desktop);
    assert.equal(rows.length, 1);
    const row = rows[0] as MessageNode;
    assert.equal(row.kind, 'message');
    assert.equal(row.isError, true);
    assert.match(row.label, /403/);
    assert.equal(tree.getTreeItem(row).command?.command, Commands.retry);

    await vscode.commands.executeCommand(Commands.retry, row);
    const again = (await tree.getChildren(desktop)) as DriveNode[];
    assert.deepEqual(again.map((n) => (n.kind === 'file' ? n.entry.name : n.kind)), ['kept.txt']);
  });

  test('with no key the tree is empty, so the Set API Key welcome view shows', async () => {
    env = await setupEmulator({ setKey: false });
    assert.notEqual(await env.services.keys.source(), 'environment', 'NEN_API_KEY is set for this extension host: the in-host runners must clear it, or this test proves nothing');
    assert.deepEqual(await viewsOf(env).tree.getChildren(), []);
    assert.equal(env.emu.requests.length, 0, 'no request without a key');
  });

  test('a rejected key is one root row that offers Set API Key', async () => {
    env = await setupEmulator();
    await env.services.keys.set('sk_nen_wrong_key_for_this_test');
    await waitFor(async () => (await env!.services.keys.get()) === 'sk_nen_wrong_key_for_this_test', 'the wrong key to be stored');
    const roots = await viewsOf(env).tree.getChildren();
    assert.equal(roots.length, 1);
    const row = roots[0] as MessageNode;
    assert.equal(row.kind, 'message');
    assert.match(row.label, /rejected the API key/);
    assert.equal(viewsOf(env).tree.getTreeItem(row).command?.command, Commands.setApiKey);
  });

  test('Refresh shows a file added elsewhere, without waiting for the cache to expire', async () => {
    env = await setupEmulator();
    const tree = viewsOf(env).tree;
    const desktop = await desktopRow(env);
    assert.equal((await tree.getChildren(desktop))[0].kind, 'message', 'an empty drive shows a hint row');
    env.emu.putFile(env.desktopId, 'late.txt', 'late');
    await vscode.commands.executeCommand(Commands.refresh, desktop);
    const rows = (await tree.getChildren(desktop)) as EntryNode[];
    assert.deepEqual(rows.map((r) => r.entry?.name), ['late.txt']);
  });

  test('a save refused by a remote change repaints the row with the remote size, without another listing', async () => {
    env = await setupEmulator();
    const tree = viewsOf(env).tree;
    env.emu.putFile(env.desktopId, 'shared.txt', 'AAAA\n', { mtime: nowSeconds() - 3600 });
    const desktop = await desktopRow(env);
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(env.uri('shared.txt')));
    env.emu.putFile(env.desktopId, 'shared.txt', 'a longer version from another machine\n');
    await editor.edit((e) => e.insert(new vscode.Position(0, 0), 'mine '));
    await new Promise((r) => setTimeout(r, 400));
    const repainted = new Promise<void>((resolve) => {
      const sub = tree.onDidChangeTreeData(() => {
        sub.dispose();
        resolve();
      });
    });
    try {
      assert.equal(await editor.document.save(), false, 'the save is refused');
      await repainted;
      env.emu.clearRequests();
      const rows = (await tree.getChildren(desktop)) as EntryNode[];
      const row = rows.find((r) => r.entry?.name === 'shared.txt');
      assert.equal(row?.entry?.size, 38, 'the row shows the remote size');
      assert.equal(env.emu.requests.length, 0, 'the refused save already fetched the listing');
    } finally {
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
  });

  test('while the view is hidden, an idle window makes no requests', async () => {
    env = await setupEmulator();
    if (viewsOf(env).view.visible) {
      await vscode.commands.executeCommand('workbench.view.explorer');
      await waitFor(() => !viewsOf(env!).view.visible, 'the Nen Drive view to hide', 10_000);
    }
    assert.equal(viewsOf(env).view.visible, false, 'the Nen Drive view must be hidden for this test');
    // setupEmulator changed settings and the key: the tree was told to refresh. A hidden view must not fetch.
    env.emu.clearRequests();
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(env.emu.requests.map((r) => `${r.method} ${r.path}`), []);
  });

  test('a listing of 10,000 entries makes a row object only for each row shown, and keeps it while more are shown', async () => {
    const parent: DesktopNode = { kind: 'desktop', desktopId: 'dsk_rows', uri: vscode.Uri.parse('nendrive://dsk_rows/'), label: 'dsk_rows', description: '', notFound: false, configured: true };
    // In reverse order, with ten folders at the end, so the rows must come from the sorted order.
    const entries = Array.from({ length: 10_000 }, (_, i) => ({ name: i < 9_990 ? `file-${9_989 - i}.dat` : `dir-${9_999 - i}`, size: i, modified: 1_700_000_000, isDir: i >= 9_990 }));
    const made: EntryNode[] = [];
    const rows = await sortedRows(parent, undefined, entries, Date.now(), 'name', (row) => made.push(row));
    assert.equal(rows.length, 10_000);
    assert.equal(made.length, 0, 'sorting makes no rows');
    const first = rows.first(500);
    assert.equal(first.length, 500);
    assert.equal(made.length, 500, 'the 500 shown, not the 10,000 listed');
    assert.deepEqual(first.slice(0, 3).map((r) => `${r.kind}:${r.entry.name}`), ['folder:dir-0', 'folder:dir-1', 'folder:dir-2'], 'folders first');
    assert.equal(first[10].entry.name, 'file-0.dat');
    assert.equal(first[499].entry.name, 'file-489.dat');
    const more = rows.first(1000);
    assert.equal(made.length, 1000, 'the next 500 only');
    assert.ok(first.every((r, i) => more[i] === r), 'the rows shown before are the same objects');
    assert.equal(more[999].entry.name, 'file-989.dat');
    assert.equal(rows.indexOf('file-5000.dat'), 5010, 'a row not made yet is found by name');
    assert.equal(rows.indexOf('nothing.txt'), -1);
    // A new listing of the same names: the entries that are new objects replace the ones held;
    // rows made are updated in place (a folder's time too), the others take theirs when made.
    const next = entries.map((e) => (e.name === 'file-3.dat' || e.name === 'file-9000.dat' ? { ...e, size: 7 } : e.name === 'dir-2' ? { ...e, modified: 1_800_000_000 } : e));
    const repainted = rows.apply(next, Date.now());
    assert.deepEqual(repainted?.map((r) => r.entry.name).sort(), ['dir-2', 'file-3.dat'], 'the rows made, in place');
    assert.equal(more[13].entry.size, 7);
    assert.equal(more[2].entry.modified, 1_800_000_000);
    assert.equal(rows.apply(next.slice(1), Date.now()), undefined, 'one fewer: built again');
    assert.equal(rows.apply([...next.slice(1), { ...next[0], name: 'other.dat' }], Date.now()), undefined, 'a renamed file: built again');
    assert.equal(rows.apply(next.map((e) => (e.name === 'dir-3' ? { ...e, isDir: false } : e)), Date.now()), undefined, 'a folder turned file: built again');
    const all = rows.first(20_000);
    assert.equal(all.length, 10_000);
    assert.equal(made.length, 10_000);
    assert.equal(all[rows.indexOf('file-9000.dat')].entry.size, 7, 'a row made later has the new entry');
  });

  test('sorted by size or by time, a change applies in place only while no row moves', async () => {
    const parent: DesktopNode = { kind: 'desktop', desktopId: 'dsk_order', uri: vscode.Uri.parse('nendrive://dsk_order/'), label: 'dsk_order', description: '', notFound: false, configured: true };
    const base: DriveEntry[] = [
      { name: 'small.txt', size: 100, modified: 200, isDir: false },
      { name: 'agent.log', size: 500, modified: 400, isDir: false },
      { name: 'dir', size: 0, modified: 100, isDir: true },
      { name: 'big.bin', size: 900, modified: 300, isDir: false },
    ];
    const names = (rows: EntryNode[] | undefined): string[] | undefined => rows?.map((r) => r.entry.name);
    /** The next listing from the server: one entry changed, the rest the objects of the last one applied. */
    const drive = (rows: SortedRows) => {
      let listing = base;
      return (name: string, to: Partial<DriveEntry>): EntryNode[] | undefined => {
        const next = listing.map((e) => (e.name === name ? { ...e, ...to } : e));
        const repainted = rows.apply(next, Date.now());
        if (repainted) listing = next;
        return repainted;
      };
    };

    const bySize = await sortedRows(parent, undefined, base, Date.now(), 'size');
    const sized = bySize.first(10);
    assert.deepEqual(names(sized), ['dir', 'big.bin', 'agent.log', 'small.txt'], 'folders first, then the largest first');
    const sizeChange = drive(bySize);
    assert.deepEqual(names(sizeChange('agent.log', { size: 800, modified: 410 })), ['agent.log'], 'grown, still smaller than big.bin: in place');
    assert.equal(sized[2].entry.size, 800);
    assert.equal(sizeChange('agent.log', { size: 1000 }), undefined, 'grown past big.bin: the folder is built again');
    assert.equal(sized[2].entry.size, 800, 'a change refused changes nothing');
    assert.equal(sizeChange('big.bin', { size: 50 }), undefined, 'shrunk below small.txt: built again');
    assert.deepEqual(names(sizeChange('small.txt', { size: 300 })), ['small.txt'], 'grown, still the smallest: in place');
    assert.deepEqual(names(sizeChange('small.txt', { size: 800 })), ['small.txt'], 'as large as agent.log, which comes first by name: in place');

    const byTime = await sortedRows(parent, undefined, base, Date.now(), 'modified');
    assert.deepEqual(names(byTime.first(10)), ['dir', 'agent.log', 'big.bin', 'small.txt'], 'folders first, then the newest first');
    const timeChange = drive(byTime);
    assert.deepEqual(names(timeChange('agent.log', { size: 600, modified: 500 })), ['agent.log'], 'the newest file written again stays first: in place');
    assert.equal(timeChange('small.txt', { modified: 900 }), undefined, 'an older file written now moves to the top: built again');
    assert.deepEqual(names(timeChange('dir', { modified: 999 })), ['dir'], 'the only folder stays first');
  });

  test('getChildren for a drive of 10,000 files gives VS Code its first 500 rows and a "Show more" row (timing printed)', async () => {
    env = await setupEmulator();
    for (let i = 0; i < 10_000; i++) env.emu.putFile(env.desktopId, `file-${i}.dat`, '', { mtime: nowSeconds() - i });
    const tree = viewsOf(env).tree;
    const desktop = await desktopRow(env);
    let t = performance.now();
    const first = await tree.getChildren(desktop);
    const withListing = performance.now() - t;
    assert.equal(first.length, 501);
    const more = tree.getTreeItem(first[500]);
    assert.equal(more.label, 'Show 500 more');
    assert.equal(more.description, '500 of 10,000 shown · Go to File… finds any');
    // The tree's own cost: a new listing object already in the provider's cache, five times
    // (the first is cold: JIT and GC in a shared extension host; the median is the steady state).
    const builds: number[] = [];
    let rows: DriveNode[] = [];
    for (let i = 0; i < 5; i++) {
      await env.services.fs.list(env.desktopId, undefined, { fresh: true });
      t = performance.now();
      rows = await tree.getChildren(desktop);
      builds.push(performance.now() - t);
    }
    t = performance.now();
    await tree.getChildren(desktop);
    const again = performance.now() - t;
    // What VS Code does next for every row it is given: getTreeItem (URI, description, icon).
    t = performance.now();
    for (const row of rows) tree.getTreeItem(row);
    const items = performance.now() - t;
    assert.equal(rows.length, 501);
    const name = (i: number): string => (rows[i] as EntryNode).entry.name;
    assert.equal(name(0), 'file-0.dat');
    assert.equal(name(9), 'file-9.dat');
    assert.equal(name(10), 'file-10.dat', 'natural order puts 10 after 9');
    assert.equal(name(499), 'file-499.dat', 'the first 500 of the whole sorted listing');
    const build = builds[0];
    const median = [...builds].sort((a, b) => a - b)[2];
    console.log(
      `      tree getChildren, 10,000 files: ${build.toFixed(1)} ms cold, ${median.toFixed(1)} ms median of 5 (from a cached listing); ` +
        `${withListing.toFixed(1)} ms including the listing request; ${again.toFixed(1)} ms for an unchanged listing; ` +
        `getTreeItem for the 501 rows VS Code gets ${items.toFixed(1)} ms`,
    );
    assert.ok(build < 1000, `building 10,000 rows took ${build} ms`);
  });
});
