import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { Settings } from '../../src/constants';
import { setupEmulator, waitFor, type EmulatorSetup } from './helpers';

suite('Settings', () => {
  let env: EmulatorSetup;
  const before = process.env.NEN_API_URL;

  setup(async () => {
    env = await setupEmulator();
  });
  teardown(async () => {
    if (before === undefined) delete process.env.NEN_API_URL;
    else process.env.NEN_API_URL = before;
    await env.dispose();
  });

  test('NEN_API_URL points the extension at a server while nenDrive.apiUrl is unset, and the user setting wins over it', async () => {
    const config = () => vscode.workspace.getConfiguration(Settings.section);
    // The extension host shares this process's environment, as a launch configuration's `env` would.
    process.env.NEN_API_URL = env.emu.url;
    await config().update(Settings.apiUrl, undefined, vscode.ConfigurationTarget.Global);
    await waitFor(() => env.services.clients.baseUrl === env.emu.url, 'the client to use NEN_API_URL');
    const names = (await vscode.workspace.fs.readDirectory(env.uri())).map(([n]) => n);
    assert.deepEqual(names, [], 'a fresh emulator desktop lists empty through the env-selected server');
    assert.ok(env.emu.requests.some((r) => r.method === 'GET' && r.path.endsWith('/files')), 'the listing reached the emulator');

    await config().update(Settings.apiUrl, 'http://127.0.0.1:9', vscode.ConfigurationTarget.Global);
    await waitFor(() => env.services.clients.baseUrl === 'http://127.0.0.1:9', 'the user setting to win over NEN_API_URL');
  });
});
