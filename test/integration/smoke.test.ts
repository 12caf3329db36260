import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID, SCHEME } from '../../src/constants';

suite('Smoke', () => {
  test('the Nen Drive extension is installed and activates', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not loaded in this extension host`);
    await extension.activate();
    assert.equal(extension.isActive, true);
  });

  test('the nendrive: scheme has a file system provider', async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
    // Without a provider, VS Code rejects with "ENOPRO: No file system provider found".
    // With one, the call reaches the provider: it may fail (no key, no server), but differently.
    const error = await Promise.resolve(vscode.workspace.fs.stat(vscode.Uri.parse(`${SCHEME}://dsk_smoke000001/`))).then(
      () => undefined,
      (err: unknown) => err,
    );
    const message = error instanceof Error ? error.message : String(error ?? '');
    assert.doesNotMatch(message, /ENOPRO|no file ?system provider/i);
  });
});
