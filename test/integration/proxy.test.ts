/**
 * VS Code's proxy settings as a user sets them (`http.proxy`, `http.proxyAuthorization`), read by
 * the running extension in code-server's (remote) extension host, with a real tinyproxy between
 * it and the emulator: listing, upload and download byte-exact through it, the key never in its
 * log; a refusing proxy gives "The proxy … refused …" with [Open Log]. The emulator is on
 * loopback, so `nenDrive.proxyLoopback` asks for the proxy (loopback is otherwise direct).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { Commands, HttpSettings, Settings } from '../../src/constants';
import { startTinyproxy, type Tinyproxy } from '../unit/tinyproxy';
import { setupEmulator, waitFor, type EmulatorSetup } from './helpers';

interface Note {
  message: string;
  buttons: string[];
}

suite('Proxy: VS Code http.proxy settings through tinyproxy', () => {
  let env: EmulatorSetup;
  let proxy: Tinyproxy | undefined;
  let local: string;
  const notes: Note[] = [];
  let restore: (() => void) | undefined;
  const http = () => vscode.workspace.getConfiguration(HttpSettings.section);
  const nen = () => vscode.workspace.getConfiguration(Settings.section);

  suiteSetup(() => {
    // Record the error notifications the commands show (text and buttons), resolved as dismissed.
    const original = vscode.window.showErrorMessage;
    const patched = ((message: string, ...rest: unknown[]) => {
      notes.push({ message, buttons: rest.filter((r): r is string => typeof r === 'string') });
      return Promise.resolve(undefined);
    }) as typeof original;
    (vscode.window as { showErrorMessage: unknown }).showErrorMessage = patched;
    assert.equal(vscode.window.showErrorMessage, patched, 'showErrorMessage could not be patched: the message check would be blind');
    restore = () => ((vscode.window as { showErrorMessage: unknown }).showErrorMessage = original);
  });
  suiteTeardown(() => restore?.());

  setup(async () => {
    env = await setupEmulator();
    local = fs.mkdtempSync(path.join(os.tmpdir(), 'nen-proxy-it-'));
    notes.length = 0;
  });

  teardown(async () => {
    await http().update(HttpSettings.proxy, undefined, vscode.ConfigurationTarget.Global);
    await http().update(HttpSettings.proxyAuthorization, undefined, vscode.ConfigurationTarget.Global);
    await nen().update(Settings.proxyLoopback, undefined, vscode.ConfigurationTarget.Global);
    await proxy?.stop();
    proxy = undefined;
    fs.rmSync(local, { recursive: true, force: true });
    await env.dispose();
  });

  /** Points the extension at `p` through the user's settings and waits until its client uses them. */
  async function useProxy(p: Tinyproxy, authorization?: string): Promise<void> {
    await nen().update(Settings.proxyLoopback, true, vscode.ConfigurationTarget.Global);
    if (authorization) await http().update(HttpSettings.proxyAuthorization, authorization, vscode.ConfigurationTarget.Global);
    await http().update(HttpSettings.proxy, p.url, vscode.ConfigurationTarget.Global);
    await waitFor(() => env.services.clients.get().networkRoute.startsWith(`through the proxy http://127.0.0.1:${p.port}`), 'the client to use the proxy');
  }

  function requestLines(p: Tinyproxy): string[] {
    return [...p.log().matchAll(/Request \(file descriptor \d+\): (.*)/g)].map((m) => m[1]);
  }

  function assertProxyNeverSawKey(p: Tinyproxy): void {
    const log = p.log();
    assert.ok(!log.includes(env.emu.apiKey) && !/sk_nen_/.test(log), 'the key is in the proxy log');
    const lines = requestLines(p);
    assert.ok(lines.length > 0, 'nothing went through the proxy');
    assert.ok(lines.every((l) => /^CONNECT 127\.0\.0\.1:\d+ HTTP/.test(l)), `a request was forwarded, not tunnelled: ${lines.join(' | ')}`);
  }

  test('listing, upload and download pass through a proxy that wants credentials, byte-exact, the key never in its log', async () => {
    proxy = await startTinyproxy({ kind: 'auth', user: 'nen', password: 'tinyPass1' });
    await useProxy(proxy, `Basic ${Buffer.from('nen:tinyPass1').toString('base64')}`);
    const data = randomBytes(300 * 1024 + 7);
    await vscode.workspace.fs.writeFile(env.uri('through-proxy.bin'), data);
    assert.ok(env.emu.readFile(env.desktopId, 'through-proxy.bin')?.equals(data), 'the bytes on the server are not the bytes written');
    const names = (await vscode.workspace.fs.readDirectory(env.uri())).map(([n]) => n);
    assert.deepEqual(names, ['through-proxy.bin']);
    const target = path.join(local, 'through-proxy.bin');
    const report = (await vscode.commands.executeCommand(Commands.download, [env.uri('through-proxy.bin')], vscode.Uri.file(target), { overwrite: true })) as { downloaded: unknown[] };
    assert.equal(report.downloaded.length, 1);
    assert.ok(fs.readFileSync(target).equals(data), 'the downloaded file is not the bytes on the server');
    assertProxyNeverSawKey(proxy);
    assert.deepEqual(notes, []);
  });

  test('a refusing proxy: the download says "The proxy … refused …" with Open Log, leaves no file, and nothing reaches the API', async () => {
    env.emu.putFile(env.desktopId, 'refused.txt', 'never fetched');
    proxy = await startTinyproxy({ kind: 'refusing' });
    await useProxy(proxy);
    env.emu.clearRequests();
    const target = path.join(local, 'refused.txt');
    const report = (await vscode.commands.executeCommand(Commands.download, [env.uri('refused.txt')], vscode.Uri.file(target))) as { failed: unknown[] };
    assert.equal(report.failed.length, 1);
    const note = await waitFor(() => notes[0], 'the error notification');
    assert.match(note.message, /^Downloading 'refused\.txt' failed: The proxy 127\.0\.0\.1:\d+ refused the connection to 127\.0\.0\.1:\d+ \(HTTP 403\)/);
    assert.deepEqual(note.buttons, ['Open Log']);
    assert.equal(fs.existsSync(target), false, 'a partial or empty file was left behind');
    assert.equal(env.emu.requests.length, 0, 'a request reached the API past a refusing proxy');
  });
});
