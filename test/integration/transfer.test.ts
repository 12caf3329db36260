import * as assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { MIN_WRITE_BYTES } from '../../src/api/bodyToFile';
import { Commands } from '../../src/constants';
import type { DownloadReport } from '../../src/commands/download';
import type { UploadReport } from '../../src/commands/upload';
import { getApi, requestsOf, setupEmulator, waitFor, type EmulatorSetup } from './helpers';

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');
const MiB = 1024 * 1024;

suite('Upload and download commands', () => {
  let env: EmulatorSetup | undefined;
  let local: string;
  setup(() => {
    local = fs.mkdtempSync(path.join(os.tmpdir(), 'nen-drive-transfer-'));
  });
  teardown(async () => {
    await env?.dispose();
    env = undefined;
    fs.rmSync(local, { recursive: true, force: true });
  });

  function localFile(name: string, data: Uint8Array | string): vscode.Uri {
    const p = path.join(local, name);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, data);
    return vscode.Uri.file(p);
  }

  test('upload with arguments sends the exact bytes of every file, streamed from disk', async () => {
    env = await setupEmulator();
    const big = randomBytes(3 * MiB + 17);
    const small = randomBytes(1000);
    const report = (await vscode.commands.executeCommand(Commands.upload, env.uri(), [localFile('big.bin', big), localFile('small.bin', small)])) as UploadReport;
    assert.deepEqual(report.uploaded.map((u) => u.name).sort(), ['big.bin', 'small.bin']);
    assert.deepEqual(report.failed, []);
    assert.equal(sha256(env.emu.readFile(env.desktopId, 'big.bin')!), sha256(big));
    assert.equal(sha256(env.emu.readFile(env.desktopId, 'small.bin')!), sha256(small));
    const post = requestsOf(env.emu, 'POST', '/files/big.bin')[0];
    assert.equal(post.headers['content-length'], String(big.length));
    assert.equal(post.headers['content-type'], 'application/octet-stream');
  });

  test('upload into a folder node path uses ?path=', async () => {
    env = await setupEmulator();
    const data = randomBytes(2048);
    const report = (await vscode.commands.executeCommand(Commands.upload, env.uri('docs'), [localFile('a.json', data)])) as UploadReport;
    assert.deepEqual(report.uploaded.map((u) => u.uri), [env.uri('docs', 'a.json').toString()]);
    assert.equal(sha256(env.emu.readFile(env.desktopId, 'a.json', { path: 'docs' })!), sha256(data));
  });

  test('download with arguments writes the exact bytes', async () => {
    env = await setupEmulator();
    const one = randomBytes(2 * MiB + 3);
    const two = randomBytes(10);
    env.emu.putFile(env.desktopId, 'one.bin', one);
    env.emu.putFile(env.desktopId, 'two.bin', two);
    const dest = path.join(local, 'out');
    const report = (await vscode.commands.executeCommand(Commands.download, [env.uri('one.bin'), env.uri('two.bin')], vscode.Uri.file(dest))) as DownloadReport;
    assert.deepEqual(report.downloaded.map((d) => d.name).sort(), ['one.bin', 'two.bin']);
    assert.equal(sha256(fs.readFileSync(path.join(dest, 'one.bin'))), sha256(one));
    assert.equal(sha256(fs.readFileSync(path.join(dest, 'two.bin'))), sha256(two));

    // One file to an explicit file path.
    const single = path.join(local, 'renamed.bin');
    const r2 = (await vscode.commands.executeCommand(Commands.download, env.uri('two.bin'), vscode.Uri.file(single))) as DownloadReport;
    assert.equal(r2.downloaded[0].path, single);
    assert.equal(sha256(fs.readFileSync(single)), sha256(two));
  });

  test('a file over 100 MiB is refused, naming it and its size, before any request', async () => {
    env = await setupEmulator();
    const p = path.join(local, 'huge.iso');
    fs.writeFileSync(p, '');
    fs.truncateSync(p, 100 * MiB + 1); // sparse: no 100 MiB written
    const ok = localFile('fine.txt', 'fine');
    const report = (await vscode.commands.executeCommand(Commands.upload, env.uri(), [vscode.Uri.file(p), ok])) as UploadReport;
    assert.equal(report.refused.length, 1);
    assert.equal(report.refused[0].name, 'huge.iso');
    assert.match(report.refused[0].reason, /'huge\.iso' is 100 MB \(104,857,601 bytes\); the Nen drive accepts files up to 100 MiB/);
    assert.deepEqual(report.uploaded.map((u) => u.name), ['fine.txt']);
    assert.equal(requestsOf(env.emu, 'POST', 'huge.iso').length, 0, 'no upload request for the refused file');
    assert.equal(env.emu.readFile(env.desktopId, 'huge.iso'), undefined);
  });

  test('a bad name is refused before any request', async () => {
    env = await setupEmulator();
    // A name VS Code can carry but the drive refuses: a control character.
    const report = (await vscode.commands.executeCommand(Commands.upload, env.uri(), [{ name: 'bad\u0007name.txt', data: async () => new Uint8Array([1]) }])) as UploadReport;
    assert.equal(report.refused.length, 1);
    assert.match(report.refused[0].reason, /control characters/);
    assert.equal(requestsOf(env.emu, 'POST').length, 0);
  });

  test('an existing name: Keep Both (the scripted default) uploads as "name (1).ext", then "(2)"', async () => {
    env = await setupEmulator();
    env.emu.putFile(env.desktopId, 'report.pdf', 'original');
    const mine = localFile('report.pdf', 'mine');
    const r1 = (await vscode.commands.executeCommand(Commands.upload, env.uri(), [mine])) as UploadReport;
    assert.deepEqual(r1.uploaded.map((u) => u.name), ['report (1).pdf']);
    const r2 = (await vscode.commands.executeCommand(Commands.upload, env.uri(), [mine], { conflict: 'keepBoth' })) as UploadReport;
    assert.deepEqual(r2.uploaded.map((u) => u.name), ['report (2).pdf']);
    assert.equal(env.emu.readFile(env.desktopId, 'report.pdf')!.toString(), 'original', 'never a silent overwrite');
    assert.equal(env.emu.readFile(env.desktopId, 'report (1).pdf')!.toString(), 'mine');
  });

  test('an existing name: skip leaves the remote file, overwrite replaces it only when asked', async () => {
    env = await setupEmulator();
    env.emu.putFile(env.desktopId, 'notes.txt', 'remote');
    const mine = localFile('notes.txt', 'local');
    const skipped = (await vscode.commands.executeCommand(Commands.upload, env.uri(), [mine], { conflict: 'skip' })) as UploadReport;
    assert.deepEqual(skipped.skipped.map((s) => s.name), ['notes.txt']);
    assert.equal(requestsOf(env.emu, 'POST').length, 0);
    assert.equal(env.emu.readFile(env.desktopId, 'notes.txt')!.toString(), 'remote');
    const seen = env.emu.requests.length;
    const over = (await vscode.commands.executeCommand(Commands.upload, env.uri(), [mine], { conflict: 'overwrite' })) as UploadReport;
    assert.deepEqual(over.uploaded.map((u) => u.name), ['notes.txt']);
    assert.equal(env.emu.readFile(env.desktopId, 'notes.txt')!.toString(), 'local');
    // Overwrite keeps the name whatever exists: nothing to list before the upload.
    const made = env.emu.requests.slice(seen).map((r) => r.method);
    assert.equal(made[0], 'POST', `the overwrite's first request is its upload: ${made.join(', ')}`);
  });

  test('an upload updates the listing the tree and editors read', async () => {
    env = await setupEmulator();
    const before = await env.services.fs.list(env.desktopId);
    assert.deepEqual(before, []);
    await vscode.commands.executeCommand(Commands.upload, env.uri(), [localFile('new.txt', 'new')]);
    const after = await env.services.fs.list(env.desktopId);
    assert.deepEqual(after.map((e) => e.name), ['new.txt']);
  });

  test('download never overwrites a local file without { overwrite: true }', async () => {
    env = await setupEmulator();
    env.emu.putFile(env.desktopId, 'data.csv', 'remote,version');
    const existing = localFile('data.csv', 'my,local,copy');
    const skipped = (await vscode.commands.executeCommand(Commands.download, env.uri('data.csv'), vscode.Uri.file(local))) as DownloadReport;
    assert.deepEqual(skipped.downloaded, []);
    assert.deepEqual(skipped.skipped.map((s) => s.name), ['data.csv']);
    assert.equal(fs.readFileSync(existing.fsPath, 'utf8'), 'my,local,copy');
    assert.equal(requestsOf(env.emu, 'GET', '/files/data.csv').length, 0, 'not even downloaded');

    const forced = (await vscode.commands.executeCommand(Commands.download, env.uri('data.csv'), existing, { overwrite: true })) as DownloadReport;
    assert.equal(forced.downloaded.length, 1);
    assert.equal(fs.readFileSync(existing.fsPath, 'utf8'), 'remote,version');
  });

  test('a cancelled download leaves no file behind, not even a partial one', async () => {
    env = await setupEmulator();
    env.emu.putFile(env.desktopId, 'slow.bin', randomBytes(MiB));
    // One batch of writes (MIN_WRITE_BYTES) arrives and is written to the partial file, then the
    // body stalls: with a hang where no byte ever arrives there would be no partial file to
    // leave, and the test would prove nothing.
    env.emu.injectFault({ type: 'hang', afterBytes: MIN_WRITE_BYTES }, { method: 'GET', path: '/files/slow.bin' });
    const dest = path.join(local, 'dl');
    fs.mkdirSync(dest);
    const cts = new vscode.CancellationTokenSource();
    const running = vscode.commands.executeCommand(Commands.download, env.uri('slow.bin'), vscode.Uri.file(dest), { token: cts.token });
    const partialSize = (): number => fs.readdirSync(dest).filter((n) => n.endsWith('.part')).reduce((n, f) => Math.max(n, fs.statSync(path.join(dest, f)).size), 0);
    await waitFor(() => partialSize() >= MIN_WRITE_BYTES, 'a partial file holding the 512 KiB sent before the stall', 10_000);
    cts.cancel();
    const report = (await running) as DownloadReport;
    assert.equal(report.cancelled, true);
    assert.deepEqual(report.downloaded, []);
    assert.deepEqual(fs.readdirSync(dest), [], 'no file and no .part file');
  });

  test('large transfers run on the transfer thread, off the host\'s event loop: the bytes arrive, a cancel there leaves nothing', async () => {
    env = await setupEmulator();
    const client = (await getApi()).services.clients.get();
    const tcpHere = (): number => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
    // The download stalls after 4 MiB, so it can be watched mid-body.
    env.emu.putFile(env.desktopId, 'big.bin', randomBytes(24 * MiB));
    // The command lists the drive first on the host's own pooled connection (both its ends are
    // sockets on this thread): have that connection open before counting.
    await client.listFiles(env.desktopId);
    const before = tcpHere();
    env.emu.injectFault({ type: 'hang', afterBytes: 4 * MiB }, { method: 'GET', path: '/files/big.bin' });
    const dest = path.join(local, 'big');
    fs.mkdirSync(dest);
    const cts = new vscode.CancellationTokenSource();
    const running = vscode.commands.executeCommand(Commands.download, env.uri('big.bin'), vscode.Uri.file(dest), { token: cts.token });
    const partialSize = (): number => fs.readdirSync(dest).filter((n) => n.endsWith('.part')).reduce((n, f) => Math.max(n, fs.statSync(path.join(dest, f)).size), 0);
    // Bytes go to the file in batches of MIN_WRITE_BYTES: all of the 4 MiB but less than one batch.
    await waitFor(() => partialSize() > 4 * MiB - MIN_WRITE_BYTES, 'a partial file holding the 4 MiB sent before the stall, but for less than one batch', 10_000);
    assert.equal(client.transferThreadRunning, true, 'the transfer thread runs the download');
    // The emulator runs in this host: its end of the connection is the one socket more on this
    // thread. A download on this thread would add its own end as well.
    assert.ok(tcpHere() <= before + 1, `only the server's end of the download's connection is on the host's thread (${before} before, ${tcpHere()} now)`);
    cts.cancel();
    const report = (await running) as DownloadReport;
    assert.equal(report.cancelled, true);
    assert.deepEqual(fs.readdirSync(dest), [], 'no file and no .part file');

    const data = randomBytes(12 * MiB + 5);
    const up = (await vscode.commands.executeCommand(Commands.upload, env.uri(), [localFile('up.bin', data)])) as UploadReport;
    assert.deepEqual(up.failed, []);
    assert.equal(sha256(env.emu.readFile(env.desktopId, 'up.bin')!), sha256(data), 'the server holds the uploaded bytes');
    const down = (await vscode.commands.executeCommand(Commands.download, env.uri('up.bin'), vscode.Uri.file(dest))) as DownloadReport;
    assert.deepEqual(down.failed, []);
    assert.equal(sha256(fs.readFileSync(path.join(dest, 'up.bin'))), sha256(data), 'and downloaded, the file holds them');
  });

  test('a download cut mid-body leaves no file behind', async () => {
    env = await setupEmulator();
    env.emu.putFile(env.desktopId, 'cut.bin', randomBytes(512 * 1024));
    // Every attempt (first and retries) is reset after 100 KB.
    env.emu.injectFault({ type: 'reset', afterBytes: 100 * 1024 }, { method: 'GET', path: '/files/cut.bin' }, 10);
    const dest = path.join(local, 'dl2');
    fs.mkdirSync(dest);
    const report = (await vscode.commands.executeCommand(Commands.download, env.uri('cut.bin'), vscode.Uri.file(dest))) as DownloadReport;
    assert.equal(report.failed.length, 1);
    assert.deepEqual(fs.readdirSync(dest), []);
  });
});

suite('Other commands', () => {
  let env: EmulatorSetup | undefined;
  teardown(async () => {
    await env?.dispose();
    env = undefined;
  });

  test('Copy curl Command uses $NEN_API_KEY and never the key', async () => {
    env = await setupEmulator();
    const text = (await vscode.commands.executeCommand(Commands.copyCurlCommand, [env.uri('my report #1.pdf'), env.uri('sub', "it's.txt")])) as string;
    const [first, second] = text.split('\n');
    assert.equal(first, `curl -H "Authorization: Bearer $NEN_API_KEY" -o 'my report #1.pdf' '${env.emu.url}/desktops/${env.desktopId}/files/my%20report%20%231.pdf'`);
    // A quote in a name is percent-encoded in the URL, which then needs no quoting in any shell.
    assert.equal(second, `curl -H "Authorization: Bearer $NEN_API_KEY" -o 'it'\\''s.txt' '${env.emu.url}/desktops/${env.desktopId}/files/it%27s.txt?path=sub'`);
    assert.ok(!text.includes(env.emu.apiKey));
    assert.equal(await vscode.env.clipboard.readText(), text);
  });

  test('Copy curl Command follows the default terminal profile: PowerShell reads $env:NEN_API_KEY', async () => {
    env = await setupEmulator();
    const terminal = vscode.workspace.getConfiguration('terminal.integrated');
    const os = process.platform === 'win32' ? 'windows' : process.platform === 'darwin' ? 'osx' : 'linux';
    await terminal.update(`profiles.${os}`, { pwshTest: { path: '/usr/bin/pwsh' } }, vscode.ConfigurationTarget.Global);
    await terminal.update(`defaultProfile.${os}`, 'pwshTest', vscode.ConfigurationTarget.Global);
    try {
      const text = (await vscode.commands.executeCommand(Commands.copyCurlCommand, env.uri("x' ; calc ; '"))) as string;
      const exe = process.platform === 'win32' ? 'curl.exe' : 'curl';
      assert.equal(text, `${exe} -H "Authorization: Bearer $env:NEN_API_KEY" -o 'x'' ; calc ; ''' '${env.emu.url}/desktops/${env.desktopId}/files/x%27%20%3B%20calc%20%3B%20%27'`);
    } finally {
      await terminal.update(`defaultProfile.${os}`, undefined, vscode.ConfigurationTarget.Global);
      await terminal.update(`profiles.${os}`, undefined, vscode.ConfigurationTarget.Global);
    }
  });

  test('Copy Name copies the selected names', async () => {
    env = await setupEmulator();
    const text = await vscode.commands.executeCommand(Commands.copyName, [env.uri('a.txt'), env.uri('b.txt')]);
    assert.equal(text, 'a.txt\nb.txt');
  });

  test('Add Desktop and Remove Desktop edit nenDrive.desktops; a bad id is refused', async () => {
    env = await setupEmulator();
    const get = (): string[] | undefined => vscode.workspace.getConfiguration('nenDrive').get<string[]>('desktops');
    assert.equal(await vscode.commands.executeCommand(Commands.addDesktop, 'dsk_added000001'), true);
    assert.deepEqual(get(), [env.desktopId, 'dsk_added000001']);
    assert.equal(await vscode.commands.executeCommand(Commands.addDesktop, 'not a desktop!'), undefined);
    assert.deepEqual(get(), [env.desktopId, 'dsk_added000001']);
    assert.equal(await vscode.commands.executeCommand(Commands.removeDesktop, 'dsk_added000001'), true);
    assert.deepEqual(get(), [env.desktopId]);
  });

  test('Set API Key with an argument stores it without a dialog', async () => {
    env = await setupEmulator({ setKey: false });
    assert.equal(await vscode.commands.executeCommand(Commands.setApiKey, env.emu.apiKey), true);
    assert.equal(await env.services.keys.get(), env.emu.apiKey);
    assert.equal(await env.services.keys.source(), 'secretStorage');
    await vscode.commands.executeCommand(Commands.clearApiKey);
  });
});
