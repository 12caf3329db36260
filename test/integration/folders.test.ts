/**
 * Recursive folder transfers against the emulator, as a person meets them: Upload Folder… and
 * Download… on a folder, with the notifications and modal questions they show recorded, and
 * the drive's state read back from the emulator's disk (not through the extension).
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DownloadReport } from '../../src/commands/download';
import type { UploadReport } from '../../src/commands/upload';
import { Commands, Settings } from '../../src/constants';
import { walk } from '../../tools/emulator/testing';
import { requestsOf, setupEmulator, waitFor, type EmulatorSetup } from './helpers';

type Fn = 'showWarningMessage' | 'showInformationMessage' | 'showErrorMessage' | 'showOpenDialog';

suite('Folder transfers', () => {
  let env: EmulatorSetup;
  let local: string;
  /** Non-modal messages, as `level: text`. */
  let notes: string[];
  /** Modal questions (text) and their buttons. */
  let asked: { message: string; buttons: string[] }[];
  let answers: (string | undefined)[];
  let picked: vscode.Uri[] | undefined;
  const restore: (() => void)[] = [];

  function stub(fn: Fn, replacement: unknown): void {
    const original = vscode.window[fn];
    (vscode.window as unknown as Record<string, unknown>)[fn] = replacement;
    assert.equal(vscode.window[fn], replacement, `vscode.window.${fn} did not take the stub`);
    restore.push(() => ((vscode.window as unknown as Record<string, unknown>)[fn] = original));
  }

  suiteSetup(() => {
    const message = (level: string) => (text: string, ...rest: unknown[]) => {
      const [first] = rest;
      if (first && typeof first === 'object' && (first as vscode.MessageOptions).modal) {
        asked.push({ message: text, buttons: rest.slice(1).filter((b): b is string => typeof b === 'string') });
        return Promise.resolve(answers.shift());
      }
      notes.push(`${level}: ${text}`);
      return Promise.resolve(undefined);
    };
    stub('showWarningMessage', message('warning'));
    stub('showInformationMessage', message('info'));
    stub('showErrorMessage', message('error'));
    stub('showOpenDialog', async () => picked);
  });

  suiteTeardown(() => {
    for (const r of restore.reverse()) r();
  });

  setup(async () => {
    local = fs.mkdtempSync(path.join(os.tmpdir(), 'nen-drive-folders-'));
    notes = [];
    asked = [];
    answers = [];
    picked = undefined;
    env = await setupEmulator();
  });

  teardown(async function () {
    // Removing the 10,000-file test's 30,000 local and drive files takes a while on a loaded machine.
    this.timeout(120_000);
    await vscode.workspace.getConfiguration(Settings.section).update(Settings.transferConcurrency, undefined, vscode.ConfigurationTarget.Global);
    await vscode.workspace.getConfiguration(Settings.section).update(Settings.confirmOverwrite, undefined, vscode.ConfigurationTarget.Global);
    await env.dispose();
    fs.rmSync(local, { recursive: true, force: true });
  });

  /** Writes `files` (relative path → bytes) under `local/<root>` and returns the folder. */
  function tree(root: string, files: Record<string, Buffer | string>): string {
    const base = path.join(local, root);
    fs.mkdirSync(base, { recursive: true });
    for (const [rel, data] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(base, rel)), { recursive: true });
      fs.writeFileSync(path.join(base, rel), data);
    }
    return base;
  }

  const driveDir = (): string => path.join(env.emu.dataDir, env.desktopId);
  const onDrive = (rel: string): Buffer | undefined => {
    const p = path.join(driveDir(), rel);
    return fs.existsSync(p) ? fs.readFileSync(p) : undefined;
  };

  const sample = (): Record<string, Buffer | string> => ({
    'readme.md': '# project\n',
    'src/main.ts': 'export const x = 1;\n',
    'src/lib/util.bin': randomBytes(200 * 1024),
    'src/lib/deep/er/still.txt': 'deep',
    'docs/a b ü.txt': 'spaces and unicode',
  });

  async function uploadFolder(folder: string, target = env.uri(), options?: object): Promise<UploadReport> {
    return (await vscode.commands.executeCommand(Commands.uploadFolder, target, [vscode.Uri.file(folder)], options)) as UploadReport;
  }

  test('Upload Folder… puts a nested folder on the drive with exact bytes and structure; links, pipes and empty folders are skipped by name', async () => {
    const files = sample();
    const proj = tree('proj', files);
    fs.symlinkSync(path.join(proj, 'readme.md'), path.join(proj, 'link.md'));
    execFileSync('mkfifo', [path.join(proj, 'src', 'pipe')]);
    fs.mkdirSync(path.join(proj, 'empty'));
    const report = await uploadFolder(proj);
    const expected = Object.keys(files).map((f) => `proj/${f}`);
    const dirs = ['proj/', 'proj/docs/', 'proj/src/', 'proj/src/lib/', 'proj/src/lib/deep/', 'proj/src/lib/deep/er/'];
    assert.deepEqual(walk(driveDir()), [...expected, ...dirs].sort(), 'the drive holds exactly the regular files, in their folders');
    for (const [rel, data] of Object.entries(files)) assert.ok(onDrive(`proj/${rel}`)?.equals(Buffer.from(data)), `${rel} has the exact bytes`);
    assert.deepEqual(report.uploaded.map((u) => u.source).sort(), expected.sort());
    assert.deepEqual(report.skipped.map((s) => s.name).sort(), ['proj/empty', 'proj/link.md', 'proj/src/pipe']);
    assert.match(report.skipped.find((s) => s.name === 'proj/link.md')!.reason, /symbolic link/);
    assert.match(report.skipped.find((s) => s.name === 'proj/src/pipe')!.reason, /named pipe/);
    assert.match(report.skipped.find((s) => s.name === 'proj/empty')!.reason, /empty/);
    assert.ok(notes.includes(`info: Uploaded 'proj' (5 files) to ${env.desktopId}.`), JSON.stringify(notes));
    const skippedNote = notes.find((n) => n.startsWith('warning: Skipped '));
    for (const name of ['proj/empty', 'proj/link.md', 'proj/src/pipe']) assert.ok(skippedNote?.includes(`'${name}'`), `the warning names ${name}: ${skippedNote}`);
    // The tree shows the new folder (the listing was refreshed, not served from before).
    const root = await env.services.fs.list(env.desktopId, undefined);
    assert.ok(root.some((e) => e.name === 'proj' && e.isDir));
  });

  test('a file over 100 MiB mid-tree is refused by name before any byte; the rest of the tree goes', async () => {
    const proj = tree('proj', { 'a.txt': 'a', 'z.txt': 'z' });
    fs.mkdirSync(path.join(proj, 'media'));
    const big = path.join(proj, 'media', 'big.bin');
    fs.writeFileSync(big, '');
    fs.truncateSync(big, 100 * 1024 * 1024 + 1);
    fs.writeFileSync(path.join(proj, 'media', 'small.bin'), 'small');
    const report = await uploadFolder(proj);
    assert.deepEqual(report.refused.map((r) => r.name), ['proj/media/big.bin']);
    assert.match(report.refused[0].reason, /100 MiB/);
    assert.equal(requestsOf(env.emu, 'POST', /big\.bin/).length, 0, 'not a byte of big.bin was sent');
    assert.deepEqual(walk(driveDir()), ['proj/', 'proj/a.txt', 'proj/media/', 'proj/media/small.bin', 'proj/z.txt']);
    assert.ok(notes.some((n) => n.startsWith("error: Not uploaded: 'proj/media/big.bin': 'proj/media/big.bin' is 100 MB")), JSON.stringify(notes));
  });

  test('names the drive has ask Overwrite / Keep Both / Skip per file, with … All for the rest of the tree', async () => {
    await vscode.workspace.getConfiguration(Settings.section).update(Settings.confirmOverwrite, true, vscode.ConfigurationTarget.Global);
    await waitFor(() => env.services.clients.settings.confirmOverwrite, 'confirmOverwrite on');
    env.emu.putFile(env.desktopId, 'a.txt', 'old a', { path: 'proj' });
    env.emu.putFile(env.desktopId, 'b.txt', 'old b', { path: 'proj/sub' });
    env.emu.putFile(env.desktopId, 'c.txt', 'old c', { path: 'proj/sub' });
    // Keep Both must pick a name free on the drive too, not only in the batch.
    env.emu.putFile(env.desktopId, 'b (1).txt', 'old b one', { path: 'proj/sub' });
    const proj = tree('proj', { 'a.txt': 'new a', 'sub/b.txt': 'new b', 'sub/c.txt': 'new c', 'sub/fresh.txt': 'fresh' });
    picked = [vscode.Uri.file(proj)];
    answers = ['Overwrite', 'Keep Both for All'];
    const report = (await vscode.commands.executeCommand(Commands.uploadFolder, env.uri())) as UploadReport;
    assert.deepEqual(asked.map((q) => q.message), [`'proj/a.txt' already exists on ${env.desktopId}.`, `'proj/sub/b.txt' already exists on ${env.desktopId}.`]);
    assert.deepEqual(asked[0].buttons, ['Overwrite', 'Keep Both', 'Skip', 'Overwrite All', 'Keep Both for All', 'Skip All']);
    assert.equal(onDrive('proj/a.txt')?.toString(), 'new a');
    assert.equal(onDrive('proj/sub/b.txt')?.toString(), 'old b');
    assert.equal(onDrive('proj/sub/b (1).txt')?.toString(), 'old b one');
    assert.equal(onDrive('proj/sub/b (2).txt')?.toString(), 'new b');
    assert.equal(onDrive('proj/sub/c (1).txt')?.toString(), 'new c');
    assert.equal(onDrive('proj/sub/fresh.txt')?.toString(), 'fresh');
    assert.equal(report.uploaded.length, 4);

    // Skip All: nothing existing is touched, the new file goes.
    asked = [];
    answers = ['Skip All'];
    fs.writeFileSync(path.join(proj, 'sub', 'newer.txt'), 'newer');
    const skipped = (await vscode.commands.executeCommand(Commands.uploadFolder, env.uri())) as UploadReport;
    assert.equal(asked.length, 1);
    assert.deepEqual(skipped.uploaded.map((u) => u.source), ['proj/sub/newer.txt']);
    assert.equal(onDrive('proj/a.txt')?.toString(), 'new a');
  });

  test('a name that is a folder on the drive, or a folder that is a file there, is refused by name; the rest goes', async () => {
    env.emu.putFile(env.desktopId, 'inner.txt', 'a folder named x.txt holds this', { path: 'proj/x.txt' });
    env.emu.putFile(env.desktopId, 'lib', 'a file where the local tree has a folder', { path: 'proj' });
    const proj = tree('proj', { 'x.txt': 'file', 'lib/one.ts': '1', 'lib/two/three.ts': '3', 'ok.txt': 'ok' });
    const report = await uploadFolder(proj);
    const reasons = Object.fromEntries(report.refused.map((r) => [r.name, r.reason]));
    assert.equal(reasons['proj/x.txt'], "'proj/x.txt' is a folder on the drive; a file cannot take its name.");
    assert.equal(reasons['proj/lib/one.ts'], "'proj/lib' is a file on the drive, so no folder of that name can be made there.");
    assert.equal(reasons['proj/lib/two/three.ts'], "'proj/lib' is a file on the drive, so no folder of that name can be made there.");
    assert.deepEqual(report.uploaded.map((u) => u.source), ['proj/ok.txt']);
    assert.equal(onDrive('proj/lib')?.toString(), 'a file where the local tree has a folder', 'the drive file is untouched');
    assert.equal(requestsOf(env.emu, 'POST').length, 1, 'only ok.txt was sent');
  });

  test('a folder deeper than the API allows (32) is refused before sending, naming the path', async () => {
    const deep = Array.from({ length: 32 }, (_, i) => `d${i + 1}`).join('/');
    const proj = tree('proj', { [`${deep}/too-deep.txt`]: 'x', 'd1/fine.txt': 'fine' });
    const report = await uploadFolder(proj);
    assert.equal(report.refused.length, 1);
    assert.equal(report.refused[0].name, `proj/${deep}/too-deep.txt`);
    assert.match(report.refused[0].reason, /cannot be more than 32 folders deep \(this one is 33\)/);
    assert.deepEqual(report.uploaded.map((u) => u.source), ['proj/d1/fine.txt']);
    assert.equal(requestsOf(env.emu, 'POST', /too-deep/).length, 0);
  });

  test('cancel mid-tree: what was uploaded stays, nothing partial is stored', async () => {
    await vscode.workspace.getConfiguration(Settings.section).update(Settings.transferConcurrency, 1, vscode.ConfigurationTarget.Global);
    await waitFor(() => env.services.clients.settings.transferConcurrency === 1, 'concurrency 1');
    const proj = tree('proj', { '1.bin': randomBytes(1000), '2.bin': randomBytes(300 * 1024), '3.bin': randomBytes(1000) });
    // The server takes 2.bin's request and never answers: the upload is in flight when Cancel comes.
    env.emu.injectFault({ type: 'hang' }, { method: 'POST', path: '/files/2.bin' });
    const cts = new vscode.CancellationTokenSource();
    const running = uploadFolder(proj, env.uri(), { token: cts.token });
    await waitFor(() => requestsOf(env.emu, 'POST', '/files/2.bin').length > 0, '2.bin on its way', 10_000);
    cts.cancel();
    const report = await running;
    assert.equal(report.cancelled, true);
    assert.deepEqual(report.uploaded.map((u) => u.source), ['proj/1.bin']);
    assert.deepEqual(walk(driveDir()), ['proj/', 'proj/1.bin'], 'no partial 2.bin, and 3.bin never started');
    assert.ok(notes.some((n) => n.startsWith("warning: Upload of 'proj' to") && n.includes('cancelled after 1 file')), JSON.stringify(notes));
  });

  test('a local file that vanishes mid-batch fails by name; the others go', async () => {
    await vscode.workspace.getConfiguration(Settings.section).update(Settings.transferConcurrency, 1, vscode.ConfigurationTarget.Global);
    await waitFor(() => env.services.clients.settings.transferConcurrency === 1, 'concurrency 1');
    const proj = tree('proj', { 'a.txt': 'a', 'b.txt': 'b', 'c.txt': 'c' });
    env.emu.setLatency(300);
    const running = uploadFolder(proj);
    await waitFor(() => requestsOf(env.emu, 'POST', '/files/a.txt').length > 0, 'a.txt on its way', 10_000);
    fs.rmSync(path.join(proj, 'b.txt'));
    const report = await running;
    assert.deepEqual(report.failed.map((f) => f.name), ['proj/b.txt']);
    assert.equal(report.failed[0].reason, "'proj/b.txt' vanished from the local disk before it was sent; nothing of it was uploaded.");
    assert.deepEqual(walk(driveDir()), ['proj/', 'proj/a.txt', 'proj/c.txt']);
    assert.ok(notes.some((n) => n.startsWith("error: Uploaded 2 files of 'proj'") && n.includes("'proj/b.txt' failed")), JSON.stringify(notes));
  });

  /** Puts the sample tree on the drive under `proj`, plus an empty folder. */
  function seedDrive(): Record<string, Buffer | string> {
    const files = sample();
    for (const [rel, data] of Object.entries(files)) {
      const segs = `proj/${rel}`.split('/');
      env.emu.putFile(env.desktopId, segs.pop()!, data, { path: segs.join('/') });
    }
    fs.mkdirSync(path.join(driveDir(), 'proj', 'empty'));
    return files;
  }

  test('Download… on a folder writes its whole tree locally with exact bytes and structure', async () => {
    const files = seedDrive();
    const dest = path.join(local, 'out');
    const report = (await vscode.commands.executeCommand(Commands.download, env.uri('proj'), vscode.Uri.file(dest))) as DownloadReport;
    assert.deepEqual(walk(dest), walk(driveDir()), 'the same files and folders (the empty one too)');
    for (const [rel, data] of Object.entries(files)) assert.ok(fs.readFileSync(path.join(dest, 'proj', rel)).equals(Buffer.from(data)), `${rel} has the exact bytes`);
    assert.equal(report.downloaded.length, 5);
    assert.ok(notes.includes(`info: Downloaded 'proj' (5 files) to ${dest}.`), JSON.stringify(notes));
  });

  /** The drive's listings (any folder): the stat that tells a file from a folder is one of them. */
  const listing = (): RegExp => new RegExp(`^/desktops/${env.desktopId}/files/?$`);

  test('one URI to a destination: the file\'s download starts beside the stat that tells file from folder, and the file takes its name only once the stat says file', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 1);
    env.emu.putFile(env.desktopId, 'report.bin', data);
    const dest = path.join(local, 'dl');
    fs.mkdirSync(dest);
    env.services.fs.invalidate(env.desktopId);
    // Every listing in the next moments answers 1.5 s late; the file itself comes at full speed.
    env.emu.injectFault({ type: 'delay', ms: 1500 }, { method: 'GET', path: listing() }, 5);
    const running = vscode.commands.executeCommand(Commands.download, env.uri('report.bin'), vscode.Uri.file(dest));
    const fileGet = (await waitFor(() => requestsOf(env.emu, 'GET', '/files/report.bin').find((r) => r.doneAt !== undefined), 'the whole file sent while the stat waits', 1400))!;
    const stats = requestsOf(env.emu, 'GET', listing());
    assert.ok(stats.length > 0 && stats.every((r) => r.doneAt === undefined), 'the listing is still held back: the download did not wait for it');
    assert.ok(stats.some((r) => r.at <= fileGet.at), 'the stat was asked no later than the file');
    assert.deepEqual(fs.readdirSync(dest).filter((n) => !n.endsWith('.part')), [], 'no file before the stat says it is one');
    const report = (await running) as DownloadReport;
    assert.deepEqual(report.downloaded.map((d) => d.name), ['report.bin']);
    assert.deepEqual(fs.readdirSync(dest), ['report.bin'], 'the file, and no temporary file');
    assert.ok(fs.readFileSync(path.join(dest, 'report.bin')).equals(data), 'the exact bytes');
    assert.ok(notes.includes(`info: Downloaded 'report.bin' to ${dest}.`), JSON.stringify(notes));
  });

  test('one URI to a destination that names a folder: whatever the server answered for it as a file (here 200 and a body, before the stat), no file lands; the folder downloads, and nothing mentions a file', async () => {
    const files = seedDrive();
    const dest = path.join(local, 'out');
    env.services.fs.invalidate(env.desktopId);
    env.emu.injectFault({ type: 'body', body: 'not a file', contentType: 'application/octet-stream' }, { method: 'GET', path: /\/files\/proj$/ });
    env.emu.injectFault({ type: 'delay', ms: 800 }, { method: 'GET', path: listing() });
    const report = (await vscode.commands.executeCommand(Commands.download, env.uri('proj'), vscode.Uri.file(dest))) as DownloadReport;
    const asFile = requestsOf(env.emu, 'GET', /\/files\/proj$/);
    assert.equal(asFile.length, 1, 'the name was asked for as a file, beside the stat');
    const [stat] = requestsOf(env.emu, 'GET', listing());
    assert.ok(asFile[0].doneAt !== undefined && stat.doneAt !== undefined && asFile[0].doneAt < stat.doneAt, 'its whole answer came before the stat\'s');
    assert.deepEqual(walk(dest), walk(driveDir()), 'the folder\'s files and folders, and nothing else (no file named proj, no temporary file)');
    for (const [rel, content] of Object.entries(files)) assert.ok(fs.readFileSync(path.join(dest, 'proj', rel)).equals(Buffer.from(content)), `${rel} has the exact bytes`);
    assert.equal(report.downloaded.length, 5);
    assert.deepEqual(report.failed, []);
    assert.deepEqual(notes, [`info: Downloaded 'proj' (5 files) to ${dest}.`], 'one message, about the folder');
    assert.ok(!env.services.transfers.all().some((t) => t.info.name === 'proj'), 'no transfer of a file named proj was ever listed');
  });

  test('several URIs: the stats that tell files from folders are asked together, not one after another', async () => {
    env.emu.putFile(env.desktopId, 'x.txt', 'from a', { path: 'a' });
    env.emu.putFile(env.desktopId, 'y.txt', 'from b', { path: 'b' });
    const dest = path.join(local, 'two');
    env.services.fs.invalidateAll();
    // Every listing answers 1 s late: one after another, folder b's would start after folder a's ended.
    env.emu.injectFault({ type: 'delay', ms: 1000 }, { method: 'GET', path: listing() }, 10);
    const report = (await vscode.commands.executeCommand(Commands.download, [env.uri('a', 'x.txt'), env.uri('b', 'y.txt')], vscode.Uri.file(dest))) as DownloadReport;
    assert.deepEqual(report.downloaded.map((d) => d.name).sort(), ['x.txt', 'y.txt']);
    assert.equal(fs.readFileSync(path.join(dest, 'x.txt'), 'utf8'), 'from a');
    assert.equal(fs.readFileSync(path.join(dest, 'y.txt'), 'utf8'), 'from b');
    const of = (folder: string): { at: number; doneAt?: number } => {
      const found = requestsOf(env.emu, 'GET', listing()).find((r) => new URL(r.url, 'http://x').searchParams.get('path') === folder);
      assert.ok(found, `folder ${folder} was listed`);
      return found;
    };
    const [a, b] = [of('a'), of('b')];
    assert.ok(a.doneAt !== undefined && b.doneAt !== undefined && a.at < b.doneAt && b.at < a.doneAt, `the two listings overlapped (a ${a.at}-${a.doneAt}, b ${b.at}-${b.doneAt})`);
  });

  test('Download… of a whole desktop from its row, into a picked folder; an existing local file is asked about and kept on Skip', async () => {
    seedDrive();
    env.emu.putFile(env.desktopId, 'top.txt', 'top');
    const node = (await env.api.views.tree.getChildren()).find((n) => n.kind === 'desktop' && n.desktopId === env.desktopId);
    assert.ok(node?.kind === 'desktop', 'the desktop row');
    // The local folder is named after the row's label.
    const label = node.label;
    const dest = path.join(local, 'picked');
    fs.mkdirSync(path.join(dest, label, 'proj'), { recursive: true });
    fs.writeFileSync(path.join(dest, label, 'proj', 'readme.md'), 'my local notes');
    picked = [vscode.Uri.file(dest)];
    answers = ['Skip'];
    const report = (await vscode.commands.executeCommand(Commands.download, node)) as DownloadReport;
    assert.deepEqual(asked, [{ message: `'readme.md' already exists in ${path.join(dest, label, 'proj')}.`, buttons: ['Overwrite', 'Keep Both', 'Skip'] }]);
    assert.equal(fs.readFileSync(path.join(dest, label, 'proj', 'readme.md'), 'utf8'), 'my local notes', 'never replaced without asking');
    assert.equal(fs.readFileSync(path.join(dest, label, 'top.txt'), 'utf8'), 'top');
    assert.equal(report.downloaded.length, 5);
    assert.deepEqual(report.skipped.map((s) => s.name), [`${label}/proj/readme.md`]);
  });

  test('Download… of a folder over a local copy: Keep Both for All asks once and keeps every local file, the drive\'s beside it', async () => {
    const files = seedDrive();
    const dest = path.join(local, 'again');
    for (const rel of Object.keys(files)) {
      fs.mkdirSync(path.dirname(path.join(dest, 'proj', rel)), { recursive: true });
      fs.writeFileSync(path.join(dest, 'proj', rel), `local ${rel}`);
    }
    picked = [vscode.Uri.file(dest)];
    answers = ['Keep Both for All'];
    const report = (await vscode.commands.executeCommand(Commands.download, env.uri('proj'))) as DownloadReport;
    assert.equal(asked.length, 1, `asked once: ${JSON.stringify(asked)}`);
    assert.deepEqual(asked[0].buttons, ['Overwrite', 'Keep Both', 'Skip', 'Overwrite All', 'Keep Both for All', 'Skip All']);
    for (const [rel, data] of Object.entries(files)) {
      assert.equal(fs.readFileSync(path.join(dest, 'proj', rel), 'utf8'), `local ${rel}`, `${rel}: the local file is kept`);
      const kept = path.join(dest, 'proj', rel.replace(/(\.[^./]+)?$/, ' (1)$1'));
      assert.ok(fs.readFileSync(kept).equals(Buffer.from(data)), `${rel}: the drive's copy beside it, as ${path.basename(kept)}`);
    }
    assert.equal(report.downloaded.length, Object.keys(files).length);
  });

  test('a local file where a folder goes, or a folder where a file goes, is refused by name; the rest lands', async () => {
    seedDrive();
    const dest = path.join(local, 'out');
    fs.mkdirSync(path.join(dest, 'proj', 'readme.md'), { recursive: true });
    fs.writeFileSync(path.join(dest, 'proj', 'docs'), 'a local file named docs');
    const report = (await vscode.commands.executeCommand(Commands.download, env.uri('proj'), vscode.Uri.file(dest))) as DownloadReport;
    const reasons = Object.fromEntries(report.refused.map((r) => [r.name, r.reason]));
    assert.equal(reasons['proj/docs/a b ü.txt'], `'${path.join(dest, 'proj', 'docs')}' is a file on this computer, so the folder cannot be made there`);
    assert.equal(reasons['proj/readme.md'], `'${path.join(dest, 'proj', 'readme.md')}' is a folder on this computer; a file cannot replace it`);
    assert.equal(fs.readFileSync(path.join(dest, 'proj', 'docs'), 'utf8'), 'a local file named docs');
    assert.equal(report.downloaded.length, 3);
  });

  test('a tree deeper than the local path limit: the file too deep is refused by name with the limit before any request, nothing of it is written, the rest lands', async () => {
    // 15 nested folders of 240 characters under `deep`: within Linux's 4,095 bytes on the
    // emulator's disk, over it below a destination that is itself ~500 bytes deep.
    const levels = Array.from({ length: 15 }, (_, i) => `${i + 1}`.padEnd(240, 'f'));
    env.emu.putFile(env.desktopId, 'near.txt', 'near', { path: 'deep' });
    env.emu.putFile(env.desktopId, 'far.txt', 'far', { path: ['deep', ...levels].join('/') });
    const dest = path.join(local, 'p'.repeat(250), 'q'.repeat(250));
    const report = (await vscode.commands.executeCommand(Commands.download, env.uri('deep'), vscode.Uri.file(dest))) as DownloadReport;

    const far = ['deep', ...levels, 'far.txt'].join('/');
    assert.deepEqual(report.downloaded.map((d) => d.name), ['deep/near.txt']);
    assert.equal(fs.readFileSync(path.join(dest, 'deep', 'near.txt'), 'utf8'), 'near');
    assert.deepEqual(report.refused.map((r) => r.name), [far]);
    const folderBytes = Buffer.byteLength(path.join(dest, 'deep', ...levels));
    // The folder's name is clipped for display; the limit and the length are whole.
    assert.ok(report.refused[0].reason.startsWith(`folder 'deep/${levels[0].slice(0, 40)}`), report.refused[0].reason);
    assert.ok(report.refused[0].reason.endsWith(`': the local path is ${folderBytes.toLocaleString('en-US')} bytes; Linux allows 4,095`), report.refused[0].reason);
    assert.equal(requestsOf(env.emu, 'GET', /\/files\/far\.txt/).length, 0, 'not even requested');
    const left = walk(dest);
    assert.ok(!left.some((p) => p.endsWith('far.txt') || p.includes('.part')), `nothing of far.txt: ${left.length} entries`);
    // The drive's folders that fit are made (empty folders are recreated); the one over the limit is not.
    assert.equal(Math.max(...left.map((p) => p.split('/').filter(Boolean).length)), 15, 'deep and its first 14 levels');
    assert.ok(notes.some((n) => n.startsWith('warning: Not downloaded: ') && n.includes('Linux allows 4,095')), JSON.stringify(notes));
  });

  test('cancel mid-download: finished files stay, no partial file and no folder left empty by it', async () => {
    await vscode.workspace.getConfiguration(Settings.section).update(Settings.transferConcurrency, 1, vscode.ConfigurationTarget.Global);
    await waitFor(() => env.services.clients.settings.transferConcurrency === 1, 'concurrency 1');
    env.emu.putFile(env.desktopId, '1.bin', randomBytes(1000), { path: 'proj' });
    env.emu.putFile(env.desktopId, '2.bin', randomBytes(256 * 1024), { path: 'proj/sub' });
    env.emu.putFile(env.desktopId, '3.bin', randomBytes(1000), { path: 'proj/sub/zz' });
    env.emu.injectFault({ type: 'hang', afterBytes: 64 * 1024 }, { method: 'GET', path: '/files/2.bin' });
    const dest = path.join(local, 'out');
    const cts = new vscode.CancellationTokenSource();
    const running = vscode.commands.executeCommand(Commands.download, env.uri('proj'), vscode.Uri.file(dest), { token: cts.token });
    await waitFor(() => requestsOf(env.emu, 'GET', '/files/2.bin').some((r) => r.bytesSent >= 64 * 1024), '64 KiB of 2.bin sent', 10_000);
    cts.cancel();
    const report = (await running) as DownloadReport;
    assert.equal(report.cancelled, true);
    assert.deepEqual(walk(dest), ['proj/', 'proj/1.bin'], 'no .part, no 2.bin, and proj/sub (made for 2.bin) removed again');
  });

  test('a drive file removed mid-batch fails by name; the others land', async () => {
    await vscode.workspace.getConfiguration(Settings.section).update(Settings.transferConcurrency, 1, vscode.ConfigurationTarget.Global);
    await waitFor(() => env.services.clients.settings.transferConcurrency === 1, 'concurrency 1');
    for (const n of ['a.txt', 'b.txt', 'c.txt']) env.emu.putFile(env.desktopId, n, n, { path: 'proj' });
    env.emu.setLatency(300);
    const dest = path.join(local, 'out');
    const running = vscode.commands.executeCommand(Commands.download, env.uri('proj'), vscode.Uri.file(dest));
    await waitFor(() => requestsOf(env.emu, 'GET', '/files/a.txt').length > 0, 'a.txt on its way', 10_000);
    env.emu.removeFile(env.desktopId, 'b.txt', { path: 'proj' });
    const report = (await running) as DownloadReport;
    assert.deepEqual(report.failed, [{ name: 'proj/b.txt', reason: "'proj/b.txt' is no longer on the drive (removed while the download ran); nothing was written for it." }]);
    assert.deepEqual(walk(dest), ['proj/', 'proj/a.txt', 'proj/c.txt']);
  });

  /** The most exchanges of `method` the emulator had open at once. */
  function maxInFlight(method: string): number {
    const events = requestsOf(env.emu, method).flatMap((r) => [
      { t: r.at, d: 1 },
      { t: r.doneAt ?? Infinity, d: -1 },
    ]);
    // At equal times an end counts before a start: back-to-back requests do not overlap.
    events.sort((a, b) => a.t - b.t || a.d - b.d);
    let now = 0;
    let max = 0;
    for (const e of events) max = Math.max(max, (now += e.d));
    return max;
  }

  test('a folder of 10,000 small files goes up and comes back whole, at most nenDrive.transferConcurrency at a time', async function () {
    this.timeout(240_000);
    await vscode.workspace.getConfiguration(Settings.section).update(Settings.transferConcurrency, 3, vscode.ConfigurationTarget.Global);
    await waitFor(() => env.services.clients.settings.transferConcurrency === 3, 'concurrency 3');
    const root = path.join(local, 'many');
    for (let a = 0; a < 10; a++) {
      for (let b = 0; b < 10; b++) {
        const dir = path.join(root, `a${a}`, `b${b}`);
        fs.mkdirSync(dir, { recursive: true });
        for (let f = 0; f < 100; f++) fs.writeFileSync(path.join(dir, `f${f}.txt`), `${a}/${b}/${f}`);
      }
    }
    const up = await uploadFolder(root);
    assert.equal(up.uploaded.length, 10_000);
    assert.deepEqual([up.refused, up.failed, up.skipped], [[], [], []]);
    assert.deepEqual(walk(driveDir()), walk(local), 'the drive holds the same 10,000 files in the same 111 folders');
    const upWidth = maxInFlight('POST');
    assert.ok(upWidth <= 3 && upWidth >= 2, `uploads in flight at once: ${upWidth} (setting 3)`);
    env.emu.clearRequests();

    const dest = path.join(local, 'back');
    const down = (await vscode.commands.executeCommand(Commands.download, env.uri('many'), vscode.Uri.file(dest))) as DownloadReport;
    assert.equal(down.downloaded.length, 10_000);
    assert.deepEqual(walk(dest), walk(driveDir()));
    assert.equal(fs.readFileSync(path.join(dest, 'many', 'a7', 'b3', 'f42.txt'), 'utf8'), '7/3/42');
    const downWidth = maxInFlight('GET');
    assert.ok(downWidth <= 3 && downWidth >= 2, `downloads and listings in flight at once: ${downWidth} (setting 3)`);
  });

  /** What a drop of an OS item delivers: desktop VS Code gives its `uri`; a browser only a name and `data()`. */
  class DroppedItem extends vscode.DataTransferItem {
    constructor(private readonly file: vscode.DataTransferFile) {
      super('');
    }
    override asFile(): vscode.DataTransferFile {
      return this.file;
    }
  }

  /** Drops `item` on the desktop row; returns the row's label (what messages call the desktop). */
  async function dropOnDesktop(item: DroppedItem): Promise<string> {
    const row = (await env.api.views.tree.getChildren()).find((n) => n.kind === 'desktop' && n.desktopId === env.desktopId);
    assert.ok(row?.kind === 'desktop');
    const dt = new vscode.DataTransfer();
    dt.set('files', item);
    await env.api.views.dragAndDrop.handleDrop(row, dt, new vscode.CancellationTokenSource().token);
    return row.label;
  }

  test('in a remote window (code-server) a folder dropped from the OS with a file: uri is not read from that path on the remote: refused by name, saying why', async () => {
    // The uri names a folder on the user's own computer; on the remote host the same path may be
    // another folder entirely (here it exists, with other files), so nothing of it may be sent.
    assert.ok(vscode.env.remoteName, 'the in-host suite runs in a remote extension host');
    const proj = tree('proj', sample());
    await dropOnDesktop(new DroppedItem({ name: 'proj', uri: vscode.Uri.file(proj), data: () => Promise.reject(new Error('EISDIR: illegal operation on a directory, read')) }));
    assert.equal(notes.length, 1, notes.join('\n'));
    assert.match(notes[0], /^error: Not uploaded: 'proj' could not be read from the drop\./);
    assert.equal(requestsOf(env.emu, 'POST').length, 0);
  });

  test('a folder dropped from the OS in a browser (an unreadable item) is refused by name, saying why and what works', async () => {
    await dropOnDesktop(new DroppedItem({ name: 'holiday photos', uri: undefined, data: () => Promise.reject(new Error('NotReadableError')) }));
    assert.deepEqual(notes, [
      "error: Not uploaded: 'holiday photos' could not be read from the drop. If it is a folder: in a browser, VS Code hands extensions a dropped folder as one unreadable item. Drop it on the Explorer first, then drag it from there onto the drive.",
    ]);
    assert.equal(requestsOf(env.emu, 'POST').length, 0);
  });

  test('cancel while the drive is listed (before any byte): nothing is sent or written, and the message says so', async () => {
    seedDrive();
    const proj = tree('proj', { 'a.txt': 'a' });
    env.emu.setLatency(2_000);
    const up = new vscode.CancellationTokenSource();
    const uploading = uploadFolder(proj, env.uri(), { token: up.token });
    await waitFor(() => requestsOf(env.emu, 'GET', /\/files$/).length > 0, 'the first listing', 10_000);
    up.cancel();
    const upReport = await uploading;
    assert.equal(upReport.cancelled, true);
    assert.equal(requestsOf(env.emu, 'POST').length, 0);

    const dest = path.join(local, 'out');
    const down = new vscode.CancellationTokenSource();
    const downloading = vscode.commands.executeCommand(Commands.download, env.uri('proj'), vscode.Uri.file(dest), { token: down.token });
    await waitFor(() => requestsOf(env.emu, 'GET', /\/files$/).length > 1, 'the drive tree being listed', 10_000);
    down.cancel();
    const downReport = (await downloading) as DownloadReport;
    assert.equal(downReport.cancelled, true);
    assert.deepEqual(walk(dest), [], 'nothing written');
    assert.ok(notes.includes(`warning: Upload of 'proj' to ${env.desktopId} cancelled; nothing was sent.`), JSON.stringify(notes));
    assert.ok(notes.includes('warning: Download cancelled; nothing was written.'), JSON.stringify(notes));
  });
});
