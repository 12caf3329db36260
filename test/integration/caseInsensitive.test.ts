/**
 * Downloading a drive folder whose names are one name on a case-insensitive disk, into a real
 * one: an exFAT image mounted for the suite (see exfatDisk.ts for why exFAT and how). The drive
 * folder `mixed` holds `A.txt` and `a.txt`, `Été.txt` and `été.txt`, an NFC and an NFD
 * `café.txt` (apart on exFAT, which does not normalise), `Report.md` where the local folder has
 * `REPORT.md`, and a 1 MiB file. Every byte on the disk and every rename, skip and question
 * the user sees is checked.
 */
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { probeFolder } from '../../src/api/sameName';
import type { DownloadReport } from '../../src/commands/download';
import { Commands } from '../../src/constants';
import { mountExfat, type MountedDisk } from './exfatDisk';
import { requestsOf, setupEmulator, type EmulatorSetup } from './helpers';

const NFC = 'caf\u00e9.txt';
const NFD = 'cafe\u0301.txt';
const IGNORES_CASE = 'on this disk, which ignores case';

interface Asked {
  message: string;
  options: unknown;
  buttons: string[];
}

suite('Case-insensitive destination (exFAT)', () => {
  let disk: MountedDisk;
  let env: EmulatorSetup | undefined;
  let notes: { level: string; text: string }[];
  let asked: Asked[];
  let answers: (string | undefined)[];
  let picked: vscode.Uri[];
  let drive: Map<string, Buffer>;
  let n = 0;
  const restore: (() => void)[] = [];

  function stub<K extends 'showWarningMessage' | 'showInformationMessage' | 'showOpenDialog'>(fn: K, replacement: (typeof vscode.window)[K]): void {
    const original = vscode.window[fn];
    (vscode.window as { [k: string]: unknown })[fn] = replacement;
    assert.equal(vscode.window[fn], replacement, `vscode.window.${fn} did not take the stub`);
    restore.push(() => ((vscode.window as { [k: string]: unknown })[fn] = original));
  }

  suiteSetup(() => {
    disk = mountExfat();
    stub('showInformationMessage', ((text: string) => {
      notes.push({ level: 'info', text });
      return Promise.resolve(undefined);
    }) as typeof vscode.window.showInformationMessage);
    stub('showWarningMessage', ((message: string, ...rest: unknown[]) => {
      const [first] = rest;
      if (!(first && typeof first === 'object' && (first as vscode.MessageOptions).modal === true)) {
        notes.push({ level: 'warning', text: message });
        return Promise.resolve(undefined);
      }
      asked.push({ message, options: first, buttons: rest.slice(1).filter((b): b is string => typeof b === 'string') });
      return Promise.resolve(answers.shift());
    }) as typeof vscode.window.showWarningMessage);
    stub('showOpenDialog', (async () => picked) as typeof vscode.window.showOpenDialog);
  });

  suiteTeardown(() => {
    for (const r of restore.reverse()) r();
    disk?.dispose();
  });

  setup(async () => {
    notes = [];
    asked = [];
    answers = [];
    env = await setupEmulator();
    drive = new Map();
    const put = (name: string, data: Buffer): void => {
      drive.set(name, data);
      env!.emu.putFile(env!.desktopId, name, data, { path: 'mixed' });
    };
    for (const name of ['A.txt', 'a.txt', '\u00c9t\u00e9.txt', '\u00e9t\u00e9.txt', NFC, NFD, 'Report.md']) put(name, Buffer.from(`drive bytes of ${name}\n`));
    put('big.bin', randomBytes(1024 * 1024 + 7));
  });

  teardown(async () => {
    await env?.dispose();
    env = undefined;
  });

  /** A fresh folder on the exFAT disk, holding `files`. */
  function localFolder(files: Record<string, string>): string {
    const folder = path.join(disk.root, `t${++n}`);
    fs.mkdirSync(folder);
    for (const [name, data] of Object.entries(files)) fs.writeFileSync(path.join(folder, name), data);
    return folder;
  }

  /** The drive folder's contents as the API lists them, as nendrive: URIs in listing order. */
  async function folderContents(): Promise<vscode.Uri[]> {
    const res = await fetch(`${env!.emu.url}/desktops/${env!.desktopId}/files?path=mixed`, { headers: { Authorization: `Bearer ${env!.emu.apiKey}` } });
    const body = (await res.json()) as { files: { name: string }[] };
    return body.files.map((f) => env!.uri('mixed', f.name));
  }

  /** Every file in `folder` as the disk lists it, with its bytes. */
  function onDisk(folder: string): Map<string, Buffer> {
    return new Map(fs.readdirSync(folder).sort().map((name) => [name, fs.readFileSync(path.join(folder, name))]));
  }

  test('the probe finds that exFAT ignores case and keeps NFC and NFD apart, and leaves nothing behind', async () => {
    const folder = localFolder({});
    assert.deepEqual(await probeFolder(folder), { caseInsensitive: true, normalising: false, probed: true });
    assert.deepEqual(fs.readdirSync(folder), []);
  });
  /** The drive file `name` as a local file: its exact bytes. */
  const bytes = (name: string): Buffer => drive.get(name)!;
  const ORDER = ['A.txt', 'Report.md', 'a.txt', 'big.bin', NFD, NFC, '\u00c9t\u00e9.txt', '\u00e9t\u00e9.txt'];
  const SAME_A = `'A.txt' is the same name ${IGNORES_CASE}`;
  const SAME_ETE = `'\u00c9t\u00e9.txt' is the same name ${IGNORES_CASE}`;

  test('with the documented arguments: a.txt and été.txt keep both beside A.txt and Été.txt, NFC and NFD café.txt both land, Report.md is skipped because of REPORT.md, and the notifications say why', async () => {
    const folder = localFolder({ 'REPORT.md': 'local report' });
    const uris = await folderContents();
    assert.deepEqual(uris.map((u) => path.posix.basename(u.path)), ORDER, 'the listing order the download follows');
    const report = (await vscode.commands.executeCommand(Commands.download, uris, vscode.Uri.file(folder))) as DownloadReport;

    const sameReport = `'Report.md' is the same file as 'REPORT.md' ${IGNORES_CASE}`;
    assert.deepEqual(report.skipped, [{ name: 'Report.md', reason: `${sameReport} (pass { overwrite: true } to replace it)`, sameFile: { as: 'REPORT.md', because: sameReport } }]);
    assert.deepEqual(
      report.downloaded.map((d) => [d.name, path.basename(d.path), d.renamed?.because]),
      [
        ['A.txt', 'A.txt', undefined],
        ['a.txt', 'a (1).txt', [SAME_A]],
        ['big.bin', 'big.bin', undefined],
        [NFD, NFD, undefined],
        [NFC, NFC, undefined],
        ['\u00c9t\u00e9.txt', '\u00c9t\u00e9.txt', undefined],
        ['\u00e9t\u00e9.txt', '\u00e9t\u00e9 (1).txt', [SAME_ETE]],
      ],
    );
    assert.deepEqual([report.failed, report.refused, report.cancelled], [[], [], false]);
    assert.equal(requestsOf(env!.emu, 'GET', /\/files\/Report\.md/).length, 0, 'the skipped file is not even downloaded');

    const expected = new Map<string, Buffer>([
      ['A.txt', bytes('A.txt')],
      ['REPORT.md', Buffer.from('local report')],
      ['a (1).txt', bytes('a.txt')],
      ['big.bin', bytes('big.bin')],
      [NFD, bytes(NFD)],
      [NFC, bytes(NFC)],
      ['\u00c9t\u00e9.txt', bytes('\u00c9t\u00e9.txt')],
      ['\u00e9t\u00e9 (1).txt', bytes('\u00e9t\u00e9.txt')],
    ]);
    assert.deepEqual(onDisk(folder), new Map([...expected].sort(([a], [b]) => (a < b ? -1 : 1))), 'every byte, under the reported names, and nothing else');

    assert.deepEqual(notes, [
      { level: 'warning', text: `Not downloaded (a local file exists): 'Report.md'. ${sameReport}.` },
      {
        level: 'info',
        text: `Downloaded 7 files to ${folder}. Saved 'a.txt' as 'a (1).txt' (${SAME_A}); Saved '\u00e9t\u00e9.txt' as '\u00e9t\u00e9 (1).txt' (${SAME_ETE}).`,
      },
    ]);
    assert.deepEqual(asked, [], 'a script is never asked');
  });

  test('with { overwrite: true }: Report.md replaces REPORT.md, but a.txt still lands beside A.txt rather than over it', async () => {
    const folder = localFolder({ 'REPORT.md': 'local report' });
    const report = (await vscode.commands.executeCommand(Commands.download, await folderContents(), vscode.Uri.file(folder), { overwrite: true })) as DownloadReport;
    assert.deepEqual(report.skipped, []);
    assert.deepEqual(report.downloaded.map((d) => path.basename(d.path)), ['A.txt', 'Report.md', 'a (1).txt', 'big.bin', NFD, NFC, '\u00c9t\u00e9.txt', '\u00e9t\u00e9 (1).txt']);
    const files = onDisk(folder);
    assert.deepEqual(files.get('A.txt'), bytes('A.txt'));
    assert.deepEqual(files.get('a (1).txt'), bytes('a.txt'));
    assert.deepEqual(files.get('\u00e9t\u00e9 (1).txt'), bytes('\u00e9t\u00e9.txt'));
    const reports = [...files.keys()].filter((k) => k.toLowerCase() === 'report.md');
    assert.equal(reports.length, 1, `one report file: ${reports.join(', ')}`);
    assert.deepEqual(files.get(reports[0]), bytes('Report.md'), 'replaced with the drive bytes');
    assert.equal(files.size, 8);
  });

  test('picked in the dialog: each file the disk treats as an existing one asks Overwrite / Keep Both / Skip with the reason, and each answer is followed', async () => {
    const folder = localFolder({ 'A.TXT': 'local A', 'REPORT.md': 'local report', '\u00c9T\u00c9.txt': 'local ete' });
    picked = [vscode.Uri.file(folder)];
    answers = ['Keep Both', 'Overwrite', 'Skip'];
    // As the context menu runs it on a multi-selection: the rows' URIs, no destination.
    const report = (await vscode.commands.executeCommand(Commands.download, await folderContents())) as DownloadReport;

    const all = ['Overwrite', 'Keep Both', 'Skip', 'Overwrite All', 'Keep Both for All', 'Skip All'];
    const modal = (detail: string): unknown => ({ modal: true, detail: `In ${folder}. ${detail}` });
    assert.deepEqual(asked, [
      { message: `'A.txt' is the same file as 'A.TXT' ${IGNORES_CASE}.`, options: modal("Overwrite replaces the local file 'A.TXT'. Keep Both saves this one as 'A (2).txt'."), buttons: all },
      { message: `'Report.md' is the same file as 'REPORT.md' ${IGNORES_CASE}.`, options: modal("Overwrite replaces the local file 'REPORT.md'. Keep Both saves this one as 'Report (1).md'."), buttons: all },
      {
        message: `'\u00c9t\u00e9.txt' is the same file as '\u00c9T\u00c9.txt' ${IGNORES_CASE}.`,
        options: modal("Overwrite replaces the local file '\u00c9T\u00c9.txt'. Keep Both saves this one as '\u00c9t\u00e9 (2).txt'."),
        buttons: all.slice(0, 3),
      },
    ]);

    const keptA = `'A.txt' is the same file as 'A.TXT' ${IGNORES_CASE}`;
    const skippedEte = `'\u00c9t\u00e9.txt' is the same file as '\u00c9T\u00c9.txt' ${IGNORES_CASE}`;
    assert.deepEqual(report.skipped, [{ name: '\u00c9t\u00e9.txt', reason: skippedEte, sameFile: { as: '\u00c9T\u00c9.txt', because: skippedEte } }]);
    assert.deepEqual(
      report.downloaded.map((d) => [d.name, path.basename(d.path), d.renamed?.because]),
      [
        ['A.txt', 'A (2).txt', [keptA]],
        ['Report.md', 'Report.md', undefined],
        ['a.txt', 'a (1).txt', [SAME_A]],
        ['big.bin', 'big.bin', undefined],
        [NFD, NFD, undefined],
        [NFC, NFC, undefined],
        ['\u00e9t\u00e9.txt', '\u00e9t\u00e9 (1).txt', [SAME_ETE]],
      ],
    );

    const files = onDisk(folder);
    assert.deepEqual(files.get('A.TXT'), Buffer.from('local A'), 'Keep Both leaves the local file');
    assert.deepEqual(files.get('A (2).txt'), bytes('A.txt'));
    assert.deepEqual(files.get('a (1).txt'), bytes('a.txt'));
    const reports = [...files.keys()].filter((k) => k.toLowerCase() === 'report.md');
    assert.equal(reports.length, 1);
    assert.deepEqual(files.get(reports[0]), bytes('Report.md'), 'Overwrite replaced REPORT.md');
    assert.deepEqual(files.get('\u00c9T\u00c9.txt'), Buffer.from('local ete'), 'Skip left it');
    assert.deepEqual(files.get('\u00e9t\u00e9 (1).txt'), bytes('\u00e9t\u00e9.txt'));
    assert.deepEqual(files.get('big.bin'), bytes('big.bin'));
    assert.deepEqual([files.get(NFD), files.get(NFC)], [bytes(NFD), bytes(NFC)]);
    assert.equal(files.size, 9, [...files.keys()].join(', '));

    assert.deepEqual(notes, [
      { level: 'warning', text: `Not downloaded (a local file exists): '\u00c9t\u00e9.txt'. ${skippedEte}.` },
      {
        level: 'info',
        text: `Downloaded 7 files to ${folder}. Saved 'A.txt' as 'A (2).txt' (${keptA}); Saved 'a.txt' as 'a (1).txt' (${SAME_A}); Saved '\u00e9t\u00e9.txt' as '\u00e9t\u00e9 (1).txt' (${SAME_ETE}).`,
      },
    ]);
  });

  /** Puts the drive folder `tree` (case pairs of files and of folders, NFC/NFD, nesting, a 1 MiB file); returns its files by drive path. */
  function seedTree(): Map<string, Buffer> {
    const files = new Map<string, Buffer>();
    const rels = ['A.txt', 'a.txt', NFC, NFD, 'Report.md', 'Docs/readme.md', 'Docs/Notes.txt', 'docs/readme.md', 'docs/extra.txt', 'sub/\u00c9t\u00e9.txt', 'sub/\u00e9t\u00e9.txt'];
    for (const rel of rels) files.set(`tree/${rel}`, Buffer.from(`drive bytes of tree/${rel}\n`));
    files.set('tree/sub/deep/x.bin', randomBytes(1024 * 1024 + 3));
    for (const [rel, data] of files) {
      const segs = rel.split('/');
      env!.emu.putFile(env!.desktopId, segs.pop()!, data, { path: segs.join('/') });
    }
    return files;
  }

  /** Every file below `root` as the disk lists it (`TREE/docs (1)/extra.txt`), with its bytes. */
  function treeOnDisk(root: string, rel = ''): Map<string, Buffer> {
    const out = new Map<string, Buffer>();
    for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) for (const [k, v] of treeOnDisk(root, r)) out.set(k, v);
      else out.set(r, fs.readFileSync(path.join(root, r)));
    }
    return new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
  }

  const SAME_DOCS = `'Docs' is the same name ${IGNORES_CASE}`;
  const SAME_REPORT = `'Report.md' is the same file as 'REPORT.md' ${IGNORES_CASE}`;

  test('a drive folder downloaded into a picked folder: it merges into TREE, docs keeps both as docs (1), a.txt and été.txt as (1), REPORT.md is asked about with the reason, every byte lands', async () => {
    const drive = seedTree();
    const dest = localFolder({});
    fs.mkdirSync(path.join(dest, 'TREE'));
    fs.writeFileSync(path.join(dest, 'TREE', 'REPORT.md'), 'local report');
    picked = [vscode.Uri.file(dest)];
    answers = ['Keep Both'];
    const report = (await vscode.commands.executeCommand(Commands.download, env!.uri('tree'))) as DownloadReport;

    const TREE = path.join(dest, 'TREE');
    assert.deepEqual(asked, [{ message: `${SAME_REPORT}.`, options: { modal: true, detail: `In ${TREE}. Overwrite replaces the local file 'REPORT.md'. Keep Both saves this one as 'Report (1).md'.` }, buttons: ['Overwrite', 'Keep Both', 'Skip'] }]);
    assert.deepEqual(
      report.downloaded.map((d) => [d.name, path.relative(dest, d.path).split(path.sep).join('/'), d.renamed]),
      [
        ['tree/A.txt', 'TREE/A.txt', undefined],
        ['tree/Report.md', 'TREE/Report (1).md', { as: 'TREE/Report (1).md', because: [SAME_REPORT] }],
        ['tree/a.txt', 'TREE/a (1).txt', { as: 'TREE/a (1).txt', because: [SAME_A] }],
        [`tree/${NFD}`, `TREE/${NFD}`, undefined],
        [`tree/${NFC}`, `TREE/${NFC}`, undefined],
        ['tree/Docs/Notes.txt', 'TREE/Docs/Notes.txt', undefined],
        ['tree/Docs/readme.md', 'TREE/Docs/readme.md', undefined],
        ['tree/docs/extra.txt', 'TREE/docs (1)/extra.txt', { as: 'TREE/docs (1)/extra.txt', because: [SAME_DOCS] }],
        ['tree/docs/readme.md', 'TREE/docs (1)/readme.md', { as: 'TREE/docs (1)/readme.md', because: [SAME_DOCS] }],
        ['tree/sub/\u00c9t\u00e9.txt', 'TREE/sub/\u00c9t\u00e9.txt', undefined],
        ['tree/sub/\u00e9t\u00e9.txt', 'TREE/sub/\u00e9t\u00e9 (1).txt', { as: 'TREE/sub/\u00e9t\u00e9 (1).txt', because: [SAME_ETE] }],
        ['tree/sub/deep/x.bin', 'TREE/sub/deep/x.bin', undefined],
      ],
    );
    assert.deepEqual([report.skipped, report.refused, report.failed, report.cancelled], [[], [], [], false]);

    // Every byte on the exFAT disk, under the reported names, and nothing else.
    const expected = new Map<string, Buffer>([['TREE/REPORT.md', Buffer.from('local report')]]);
    for (const d of report.downloaded) expected.set(path.relative(dest, d.path).split(path.sep).join('/'), drive.get(d.name)!);
    assert.deepEqual(treeOnDisk(dest), new Map([...expected].sort(([a], [b]) => (a < b ? -1 : 1))));
    assert.deepEqual(fs.readdirSync(TREE).sort(), ['A.txt', 'Docs', 'REPORT.md', 'Report (1).md', 'a (1).txt', NFD, NFC, 'docs (1)', 'sub'].sort(), 'one TREE folder, no second tree');

    assert.deepEqual(notes, [
      {
        level: 'info',
        text:
          `Downloaded 'tree' (12 files) to ${dest}. Saved folder 'tree/docs' as 'TREE/docs (1)' (${SAME_DOCS}); ` +
          `Saved 'tree/Report.md' as 'TREE/Report (1).md' (${SAME_REPORT}); Saved 'tree/a.txt' as 'TREE/a (1).txt' (${SAME_A}); ` +
          `Saved 'tree/sub/\u00e9t\u00e9.txt' as 'TREE/sub/\u00e9t\u00e9 (1).txt' (${SAME_ETE}).`,
      },
    ]);
  });

  test('a drive folder with the documented arguments: REPORT.md is skipped with the reason in skipped[].sameFile unless { overwrite: true }, the pairs still keep both', async () => {
    const drive = seedTree();
    const dest = localFolder({});
    fs.mkdirSync(path.join(dest, 'tree'));
    fs.writeFileSync(path.join(dest, 'tree', 'REPORT.md'), 'local report');
    const report = (await vscode.commands.executeCommand(Commands.download, env!.uri('tree'), vscode.Uri.file(dest))) as DownloadReport;
    assert.deepEqual(report.skipped, [{ name: 'tree/Report.md', reason: `${SAME_REPORT} (pass { overwrite: true } to replace it)`, sameFile: { as: 'REPORT.md', because: SAME_REPORT } }]);
    assert.equal(report.downloaded.length, 11);
    assert.deepEqual(asked, [], 'a script is never asked');
    assert.deepEqual(fs.readFileSync(path.join(dest, 'tree', 'REPORT.md'), 'utf8'), 'local report');
    assert.equal(notes[0].text, `Not downloaded (a local file exists): 'tree/Report.md'. ${SAME_REPORT}.`);

    const dest2 = localFolder({});
    fs.mkdirSync(path.join(dest2, 'tree'));
    fs.writeFileSync(path.join(dest2, 'tree', 'REPORT.md'), 'local report');
    const again = (await vscode.commands.executeCommand(Commands.download, env!.uri('tree'), vscode.Uri.file(dest2), { overwrite: true })) as DownloadReport;
    assert.deepEqual(again.skipped, []);
    // Overwrite replaces the local file the disk treats as the same; the pairs within the drive folder still keep both.
    assert.deepEqual(
      again.downloaded.filter((d) => d.renamed).map((d) => d.renamed!.as),
      ['tree/a (1).txt', 'tree/docs (1)/extra.txt', 'tree/docs (1)/readme.md', 'tree/sub/\u00e9t\u00e9 (1).txt'],
    );
    const files = treeOnDisk(dest2);
    const reports = [...files.keys()].filter((k) => k.toLowerCase() === 'tree/report.md');
    assert.equal(reports.length, 1, `one report file: ${reports.join(', ')}`);
    assert.deepEqual(files.get(reports[0]), drive.get('tree/Report.md'), 'REPORT.md replaced with the drive bytes');
    assert.deepEqual(files.get('tree/docs (1)/extra.txt'), drive.get('tree/docs/extra.txt'));
    assert.deepEqual(files.get('tree/Docs/readme.md'), drive.get('tree/Docs/readme.md'));
    assert.deepEqual(files.get('tree/sub/deep/x.bin'), drive.get('tree/sub/deep/x.bin'));
    assert.equal(files.size, 12, [...files.keys()].join(', '));
  });

  // The 16 MiB disk is also a real full disk: a download larger than it must say so, as the
  // disk's failure (not the network's), and leave nothing on it.
  test('a download larger than the disk: failed with "the disk is full (ENOSPC)" naming the file, nothing left on the disk', async () => {
    const folder = localFolder({});
    env!.emu.putFile(env!.desktopId, 'huge.bin', randomBytes(24 * 1024 * 1024));
    const report = (await vscode.commands.executeCommand(Commands.download, env!.uri('huge.bin'), vscode.Uri.file(folder))) as DownloadReport;
    assert.deepEqual(report.downloaded, []);
    assert.equal(report.failed.length, 1, JSON.stringify(report));
    assert.equal(report.failed[0].name, 'huge.bin');
    assert.match(report.failed[0].reason, /^Cannot write ".*huge\.bin\.nendrive-[0-9a-f]+\.part": the disk is full \(ENOSPC\)\.$/);
    assert.deepEqual(fs.readdirSync(folder), [], 'no target and no temporary file');
    assert.equal(requestsOf(env!.emu, 'GET', 'huge.bin').length, 1, 'not retried as a network failure');
  });
});
