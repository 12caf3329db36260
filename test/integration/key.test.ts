import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { ApiKeyStore } from '../../src/auth/ApiKeyStore';
import type { LogLine } from '../../src/log/Logger';
import { closeAllEditors, getApi, heard, probe, rejects, resolveToLoopback, setupEmulator, startRecorder, waitFor, type EmulatorSetup } from './helpers';

const enc = (s: string) => new TextEncoder().encode(s);

suite('API key store', () => {
  teardown(async () => {
    await (await getApi()).services.keys.clear();
  });

  test('set stores the key in SecretStorage and clear removes it; NEN_API_KEY is the fallback', async () => {
    const { services } = await getApi();
    const secrets = services.context.secrets;
    const fromEnv = 'sk_nen_env_' + Math.random().toString(36).slice(2);
    const withEnv = new ApiKeyStore(secrets, { NEN_API_KEY: fromEnv });
    const withoutEnv = new ApiKeyStore(secrets, {});
    try {
      await withEnv.clear();
      assert.equal(await withEnv.get(), fromEnv);
      assert.equal(await withEnv.source(), 'environment');
      assert.equal(await withoutEnv.get(), undefined);
      assert.equal(await withoutEnv.source(), 'none');

      await withEnv.set('  sk_nen_stored_1  ');
      assert.equal(await secrets.get('nenDrive.apiKey'), 'sk_nen_stored_1', 'trimmed, in SecretStorage');
      assert.equal(await withEnv.get(), 'sk_nen_stored_1', 'SecretStorage wins over the environment');
      assert.equal(await withEnv.source(), 'secretStorage');

      await withEnv.clear();
      assert.equal(await secrets.get('nenDrive.apiKey'), undefined);
      assert.equal(await withEnv.get(), fromEnv);
      await assert.rejects(withEnv.set('   '), /empty/);
    } finally {
      withEnv.dispose();
      withoutEnv.dispose();
    }
  });

  test('a key changed elsewhere (another window) applies live, with a change event', async () => {
    const { services } = await getApi();
    const elsewhere = new ApiKeyStore(services.context.secrets, {});
    let changes = 0;
    const sub = services.keys.onDidChange(() => changes++);
    try {
      await services.keys.set('sk_nen_first');
      assert.equal(await services.keys.get(), 'sk_nen_first');
      await elsewhere.set('sk_nen_second');
      await waitFor(async () => (await services.keys.get()) === 'sk_nen_second', 'the new key to apply');
      assert.ok(changes >= 1);
    } finally {
      sub.dispose();
      elsewhere.dispose();
    }
  });
});

suite('API key in requests, logs and messages', () => {
  let env: EmulatorSetup;
  let lines: LogLine[];
  let sub: vscode.Disposable;
  // Not shaped like sk_nen_…, so only the exact-value redaction can hide it.
  const key = `nen-it-secret-${Math.random().toString(36).slice(2)}`;

  setup(async () => {
    env = await setupEmulator({ apiKey: key });
    lines = [];
    sub = env.services.log.onDidLog((l) => lines.push(l));
  });

  teardown(async () => {
    sub.dispose();
    await closeAllEditors();
    await env.dispose();
  });

  test('a new key takes effect on the next request', async () => {
    env.emu.putFile(env.desktopId, 'a.txt', 'x');
    await env.services.keys.set('sk_nen_wrong');
    env.services.fs.invalidateAll();
    const err = await rejects(vscode.workspace.fs.stat(env.uri('a.txt')));
    assert.equal((err as vscode.FileSystemError).code, 'NoPermissions');
    await env.services.keys.set(key);
    env.services.fs.invalidateAll();
    assert.equal((await vscode.workspace.fs.stat(env.uri('a.txt'))).size, 1);
    const auth = env.emu.requests.map((r) => r.headers.authorization);
    assert.deepEqual(auth.slice(-1), [`Bearer ${key}`]);
  });

  test('the key appears in no log line and no error message, through successes and failures', async () => {
    const messages: string[] = [];
    env.emu.putFile(env.desktopId, 'a.txt', 'x');
    await vscode.workspace.fs.readFile(env.uri('a.txt'));
    await vscode.workspace.fs.writeFile(env.uri('b.txt'), enc('y'));
    env.emu.injectFault({ type: 'status', status: 500, body: JSON.stringify({ error: `echo Bearer ${key} ${key}` }) }, { method: 'POST' }, 5);
    messages.push((await rejects(vscode.workspace.fs.writeFile(env.uri('c.txt'), enc('z')))).message);
    env.emu.injectFault({ type: 'status', status: 403, body: JSON.stringify({ error: `forbidden for ${key}` }) }, { method: 'GET' }, 5);
    env.services.fs.invalidateAll();
    messages.push((await rejects(vscode.workspace.fs.stat(env.uri('a.txt')))).message);
    messages.push((await rejects(vscode.workspace.fs.stat(vscode.Uri.parse('nendrive://dsk_nosuchdesktop1/')))).message);
    env.emu.reset();
    env.services.log.info(`a careless caller logs ${key} and Authorization: Bearer ${key} and sk_nen_abc123`);
    env.services.log.error('with an error', new Error(`boom ${key}`));

    assert.ok(lines.some((l) => / 500 /.test(l.text) || /· 500 ·/.test(l.text)), 'requests were logged');
    for (const l of lines) {
      assert.ok(!l.text.includes(key), `log line leaks the key: ${l.text}`);
      assert.ok(!/sk_nen_abc123/.test(l.text), `log line leaks a key-shaped token: ${l.text}`);
    }
    for (const m of messages) assert.ok(!m.includes(key), `error message leaks the key: ${m}`);
  });

  test('an http: URL to a non-loopback host is refused with a reason, and the key is not sent', async () => {
    // A real server behind a name the client does not count as loopback: a request that went
    // out would land here (the name resolves to 127.0.0.1 in this process), not vanish in DNS.
    const rec = await startRecorder();
    const host = 'nen-drive-keytest.example';
    const undo = resolveToLoopback(host);
    try {
      const url = `http://${host}:${rec.port}`;
      assert.equal(await probe(`${url}/probe`), 200, 'the recorder is reachable under the name');
      assert.equal(rec.hits.length, 1, 'the recorder heard the probe');
      rec.hits.length = 0;
      await vscode.workspace.getConfiguration('nenDrive').update('apiUrl', url, vscode.ConfigurationTarget.Global);
      await waitFor(() => env.services.clients.baseUrl === url, 'the new URL');
      const err = await rejects(vscode.workspace.fs.stat(env.uri()));
      assert.match(err.message, /https/);
      assert.ok(!err.message.includes(key));
      assert.deepEqual(rec.hits.map(heard), [], 'the plain-http host got no request');
      assert.equal(env.emu.requests.length, 0);
    } finally {
      undo();
      await rec.close();
    }
  });
});
