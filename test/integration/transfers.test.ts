/**
 * The transfers view in a real extension host against the emulator: the registry behind the
 * status bar and Show Transfers, one transfer cancelled alone, Cancel All, and the one summary
 * a batch with failures ends with, whose Retry Failed sends only the failed files again.
 */
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Commands, Settings } from '../../src/constants';
import type { DownloadReport } from '../../src/commands/download';
import type { UploadReport } from '../../src/commands/upload';
import type { Transfer } from '../../src/transfers/TransferRegistry';
import { requestsOf, setupEmulator, waitFor, type EmulatorSetup } from './helpers';

interface Note {
  level: 'error' | 'warning' | 'info';
  message: string;
  buttons: string[];
}

const KiB = 1024;

suite('Transfers view', () => {
  let env: EmulatorSetup | undefined;
  let local: string;
  let notes: Note[] = [];
  /** The button the "user" clicks on a notification (undefined: dismissed). */
  let answer: (n: Note) => string | undefined = () => undefined;
  const restore: Array<() => void> = [];

  suiteSetup(() => {
    // Record the notifications the commands show and answer them; a patch that does not take
    // fails the suite, or every check on a message below would be blind.
    const levels = { showErrorMessage: 'error', showWarningMessage: 'warning', showInformationMessage: 'info' } as const;
    for (const fn of Object.keys(levels) as (keyof typeof levels)[]) {
      const original = vscode.window[fn];
      const patched = ((message: string, ...rest: unknown[]) => {
        const note: Note = { level: levels[fn], message, buttons: rest.filter((r): r is string => typeof r === 'string') };
        notes.push(note);
        return Promise.resolve(answer(note));
      }) as typeof original;
      (vscode.window as { [k: string]: unknown })[fn] = patched;
      restore.push(() => ((vscode.window as { [k: string]: unknown })[fn] = original));
      assert.equal(vscode.window[fn], patched, `vscode.window.${fn} could not be patched`);
    }
  });
  suiteTeardown(() => {
    for (const r of restore) r();
  });
  setup(() => {
    local = fs.mkdtempSync(path.join(os.tmpdir(), 'nen-drive-transfers-'));
    notes = [];
    answer = () => undefined;
  });
  teardown(async () => {
    await vscode.workspace.getConfiguration(Settings.section).update(Settings.transferConcurrency, undefined, vscode.ConfigurationTarget.Global);
    await env?.dispose();
    env = undefined;
    fs.rmSync(local, { recursive: true, force: true });
  });

  function localFile(name: string, data: Uint8Array | string): vscode.Uri {
    const p = path.join(local, name);
    fs.writeFileSync(p, data);
    return vscode.Uri.file(p);
  }
  const transfer = (name: string): Transfer | undefined => env!.services.transfers.all().find((t) => t.info.name === name);
  const posts = (name: string): number => requestsOf(env!.emu, 'POST', `/files/${name}`).length;

  async function oneAtATime(): Promise<void> {
    await vscode.workspace.getConfiguration(Settings.section).update(Settings.transferConcurrency, 1, vscode.ConfigurationTarget.Global);
    await waitFor(() => env!.services.clients.settings.transferConcurrency === 1, 'one transfer at a time');
  }

  test('an upload batch with a failing file: the others land, one summary names it and why, Retry Failed sends only it', async () => {
    env = await setupEmulator();
    const files = { 'a.txt': 'alpha', 'b.txt': 'bravo', 'c.txt': 'charlie' };
    env.emu.injectFault({ type: 'status', status: 500, body: '{"error":"disk on fire"}' }, { method: 'POST', path: '/files/b.txt' }, 1);
    answer = (n) => (n.buttons.includes('Retry Failed') ? 'Retry Failed' : undefined);
    // And one file the drive would refuse (a control character in its name), refused before a byte is sent.
    const refused = { name: 'bad\u0007name.txt', data: async () => new Uint8Array([1]) };
    const report = (await vscode.commands.executeCommand(Commands.upload, env.uri(), [...Object.entries(files).map(([n, d]) => localFile(n, d)), refused])) as UploadReport;

    assert.deepEqual(report.uploaded.map((u) => u.name).sort(), ['a.txt', 'c.txt'], 'a failure does not stop the others');
    assert.deepEqual(report.failed.map((f) => f.name), ['b.txt']);
    assert.equal(report.refused.length, 1);
    assert.equal(notes.length, 1, `one summary, nothing else: ${JSON.stringify(notes)}`);
    const summaries = notes.filter((n) => n.level === 'error');
    assert.match(summaries[0].message, /^Uploaded 2 files to dsk_\w+; skipped 'bad\\u0007name\.txt' \(A name cannot contain control characters\); 'b\.txt' failed: .*500.*disk on fire \(HTTP 500\)\.$/);
    assert.deepEqual(summaries[0].buttons, ['Retry Failed', 'Open Log']);

    // Retry Failed (clicked by `answer`) sends b.txt alone, once.
    await waitFor(() => env!.emu.readFile(env!.desktopId, 'b.txt')?.toString() === 'bravo', 'b.txt on the drive after Retry Failed', 10_000);
    await waitFor(() => notes.some((n) => n.level === 'info' && n.message.startsWith("Uploaded 'b.txt' to ")), 'the retry says it uploaded b.txt');
    assert.deepEqual([posts('a.txt'), posts('b.txt'), posts('c.txt')], [1, 2, 1], 'only the failed file was sent again');
    assert.equal(requestsOf(env.emu, 'POST').length, 4, 'and nothing else (no "a (1).txt")');
    for (const [name, data] of Object.entries(files)) assert.equal(env.emu.readFile(env.desktopId, name)?.toString(), data, `${name} is whole on the drive`);
    assert.equal(transfer('b.txt')?.state, 'done', 'the list shows the retried file done');
  });

  test('a download batch with a failing file: the others are saved, Retry Failed fetches only it into the same folder', async () => {
    env = await setupEmulator();
    const data = { 'one.bin': randomBytes(40 * KiB), 'two.bin': randomBytes(70 * KiB), 'three.bin': randomBytes(10) };
    for (const [n, d] of Object.entries(data)) env.emu.putFile(env.desktopId, n, d);
    env.emu.injectFault({ type: 'status', status: 403, body: '{"error":"locked by the desktop"}' }, { method: 'GET', path: '/files/two.bin' }, 1);
    answer = (n) => (n.buttons.includes('Retry Failed') ? 'Retry Failed' : undefined);
    const dest = path.join(local, 'out');
    const report = (await vscode.commands.executeCommand(Commands.download, Object.keys(data).map((n) => env!.uri(n)), vscode.Uri.file(dest))) as DownloadReport;

    assert.deepEqual(report.downloaded.map((d) => d.name).sort(), ['one.bin', 'three.bin']);
    assert.deepEqual(report.failed.map((f) => f.name), ['two.bin']);
    const summary = notes.find((n) => n.level === 'error');
    assert.match(summary?.message ?? '', /^Downloaded 2 files; 'two\.bin' failed: .*403.*locked by the desktop \(HTTP 403\)\.$/);
    assert.deepEqual(summary?.buttons, ['Retry Failed', 'Open Log']);
    assert.deepEqual(fs.readdirSync(dest).sort(), ['one.bin', 'three.bin'], 'no partial file for the failure');

    await waitFor(() => fs.existsSync(path.join(dest, 'two.bin')), 'two.bin saved by Retry Failed', 10_000);
    await waitFor(() => notes.some((n) => n.level === 'info' && n.message.startsWith("Downloaded 'two.bin' to ")), 'the retry says so');
    for (const [n, d] of Object.entries(data)) assert.ok(fs.readFileSync(path.join(dest, n)).equals(d), `${n} is whole`);
    assert.deepEqual(requestsOf(env.emu, 'GET', /\/files\/(one|three)\.bin$/).length, 2, 'the files already saved were not fetched again');
  });

  test('a local file that vanishes mid-batch: named with the reason, the files sent before and after it stay on the drive', async () => {
    env = await setupEmulator({ latencyMs: 1500 });
    await oneAtATime();
    const first = localFile('first.bin', randomBytes(32 * KiB));
    const gone = localFile('gone.txt', 'here when picked');
    const last = localFile('last.txt', 'last');
    const running = vscode.commands.executeCommand(Commands.upload, env.uri(), [first, gone, last]) as Thenable<UploadReport>;
    // While first.bin waits for its answer, gone.txt (queued) is deleted.
    await waitFor(() => transfer('first.bin')?.state === 'running', 'first.bin running', 10_000);
    assert.equal(transfer('gone.txt')?.state, 'queued');
    fs.rmSync(gone.fsPath);
    const report = await running;

    assert.deepEqual(report.uploaded.map((u) => u.name), ['first.bin', 'last.txt']);
    assert.equal(report.failed.length, 1);
    assert.equal(report.failed[0].name, 'gone.txt');
    assert.match(report.failed[0].reason, /^Cannot read ".*gone\.txt": no such file or folder \(ENOENT\)\.$/, `the reason says what and why: ${report.failed[0].reason}`);
    const summary = notes.find((n) => n.level === 'error');
    assert.match(summary?.message ?? '', /^Uploaded 2 files to dsk_\w+; 'gone\.txt' failed: .*gone\.txt/);
    assert.equal(transfer('gone.txt')?.state, 'failed');
    assert.match(transfer('gone.txt')?.reason ?? '', /gone\.txt/);
    assert.ok(env.emu.readFile(env.desktopId, 'first.bin')?.equals(fs.readFileSync(first.fsPath)), 'first.bin stays whole on the drive');
    assert.equal(env.emu.readFile(env.desktopId, 'last.txt')?.toString(), 'last');
    assert.equal(env.emu.readFile(env.desktopId, 'gone.txt'), undefined);
  });

  test('a drive file removed mid-batch: named with the reason, the others saved, no partial file', async () => {
    env = await setupEmulator({ latencyMs: 1500 });
    await oneAtATime();
    env.emu.putFile(env.desktopId, 'first.bin', randomBytes(20 * KiB));
    env.emu.putFile(env.desktopId, 'removed.txt', 'soon gone');
    env.emu.putFile(env.desktopId, 'last.txt', 'last');
    const dest = path.join(local, 'dl');
    const running = vscode.commands.executeCommand(Commands.download, ['first.bin', 'removed.txt', 'last.txt'].map((n) => env!.uri(n)), vscode.Uri.file(dest)) as Thenable<DownloadReport>;
    await waitFor(() => transfer('first.bin')?.state === 'running', 'first.bin running', 10_000);
    env.emu.removeFile(env.desktopId, 'removed.txt');
    const report = await running;

    assert.deepEqual(report.downloaded.map((d) => d.name), ['first.bin', 'last.txt']);
    assert.deepEqual(report.failed.map((f) => f.name), ['removed.txt']);
    assert.match(report.failed[0].reason, /not found/i);
    assert.match(notes.find((n) => n.level === 'error')?.message ?? '', /^Downloaded 2 files; 'removed\.txt' failed: .*not found/i);
    assert.deepEqual(fs.readdirSync(dest).sort(), ['first.bin', 'last.txt'], 'the saved files stay, no partial file');
  });

  test('while a download runs the status bar shows the count and percent; cancelling one transfer stops it alone', async () => {
    env = await setupEmulator();
    const bar = env.api.views.transfersStatus;
    env.emu.putFile(env.desktopId, 'slow.bin', randomBytes(256 * KiB));
    env.emu.putFile(env.desktopId, 'quick.bin', randomBytes(64 * KiB));
    // 64 KiB of slow.bin arrive, then it stalls.
    env.emu.injectFault({ type: 'hang', afterBytes: 64 * KiB }, { method: 'GET', path: '/files/slow.bin' });
    const dest = path.join(local, 'dl');
    const running = vscode.commands.executeCommand(Commands.download, [env.uri('slow.bin'), env.uri('quick.bin')], vscode.Uri.file(dest)) as Thenable<DownloadReport>;
    await waitFor(() => transfer('quick.bin')?.state === 'done' && (transfer('slow.bin')?.done ?? 0) >= 64 * KiB, 'quick.bin done and slow.bin stalled at 64 KiB', 10_000);
    // 128 KiB of 320 KiB: the status bar after its next refresh.
    await waitFor(() => bar.item.text === '$(cloud-download) 1 transfer · 40%', `the status bar to say 1 transfer at 40% (it says ${bar.item.text})`);
    assert.equal(bar.shown, true);
    assert.match(String(bar.item.tooltip), /1 running · 128 KB of 320 KB/);
    assert.match(bar.item.accessibilityInformation?.label ?? '', /1 transfer, 1 running, 40 percent done/);
    assert.equal(bar.item.command, Commands.showTransfers);

    // What the × on the row does.
    assert.equal(env.services.transfers.cancel(transfer('slow.bin')!.id), true);
    const report = await running;
    assert.equal(report.cancelled, false, 'the batch was not cancelled, one file was');
    assert.deepEqual(report.downloaded.map((d) => d.name), ['quick.bin']);
    assert.deepEqual(report.skipped, [{ name: 'slow.bin', reason: 'cancelled' }]);
    assert.equal(transfer('slow.bin')?.state, 'cancelled');
    assert.deepEqual(fs.readdirSync(dest), ['quick.bin'], 'no partial slow.bin');
    assert.deepEqual(notes.map((n) => n.level), ['info'], `only "Downloaded 'quick.bin'": ${JSON.stringify(notes)}`);
    await waitFor(() => !bar.shown, 'the status bar item to go once nothing runs');
  });

  test('the status bar item waits a second: a quick upload never shows it, a stalled download shows it after 1 s', async () => {
    env = await setupEmulator();
    const bar = env.api.views.transfersStatus;
    let seen = false;
    const watch = setInterval(() => (seen ||= bar.shown), 5);
    try {
      const report = (await vscode.commands.executeCommand(Commands.upload, env.uri(), [localFile('quick.txt', randomBytes(4 * KiB))])) as UploadReport;
      assert.deepEqual(report.uploaded.map((u) => u.name), ['quick.txt']);
    } finally {
      clearInterval(watch);
    }
    assert.equal(seen, false, 'the status bar item flashed for an upload that took well under a second');

    env.emu.putFile(env.desktopId, 'stalls.bin', randomBytes(128 * KiB));
    env.emu.injectFault({ type: 'hang', afterBytes: 16 * KiB }, { method: 'GET', path: '/files/stalls.bin' });
    const started = Date.now();
    const running = vscode.commands.executeCommand(Commands.download, [env.uri('stalls.bin')], vscode.Uri.file(path.join(local, 'dl'))) as Thenable<DownloadReport>;
    await waitFor(() => bar.shown, 'the status bar item to show for a transfer still running after a second', 10_000);
    const after = Date.now() - started;
    assert.ok(after >= 990, `the status bar item showed ${after} ms after the download started, before a second`);
    assert.match(bar.item.text, /^\$\(cloud-download\) 1 transfer/);
    assert.equal(await vscode.commands.executeCommand(Commands.cancelAllTransfers), 1);
    await running;
    await waitFor(() => !bar.shown, 'the status bar item to go once nothing runs');
  });

  test('Cancel All Transfers stops every running and queued upload; nothing reaches the drive', async () => {
    env = await setupEmulator();
    await oneAtATime();
    for (const n of ['x.bin', 'y.bin']) env.emu.injectFault({ type: 'hang' }, { method: 'POST', path: `/files/${n}` });
    const running = vscode.commands.executeCommand(Commands.upload, env.uri(), [localFile('x.bin', randomBytes(4 * KiB)), localFile('y.bin', randomBytes(4 * KiB))]) as Thenable<UploadReport>;
    await waitFor(() => transfer('x.bin')?.state === 'running' && posts('x.bin') === 1, 'x.bin sent and waiting', 10_000);
    assert.equal(transfer('y.bin')?.state, 'queued');
    assert.equal(await vscode.commands.executeCommand(Commands.cancelAllTransfers), 2);
    const report = await running;
    assert.equal(report.cancelled, true);
    assert.deepEqual(report.uploaded, []);
    assert.deepEqual([transfer('x.bin')?.state, transfer('y.bin')?.state], ['cancelled', 'cancelled']);
    assert.equal(posts('y.bin'), 0, 'the queued one never started');
    assert.equal(env.emu.readFile(env.desktopId, 'x.bin'), undefined);
    assert.deepEqual(notes.map((n) => `${n.level}: ${n.message}`), [`warning: Upload to ${env.desktopId} cancelled.`]);
  });
});
