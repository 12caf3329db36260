import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { closeAllEditors, rejects, requestsOf, setupEmulator, type EmulatorSetup } from './helpers';

/**
 * A server whose word is wrong must not cost data, seen from the editor (issue: "trust nothing
 * the server says"). Each case is one that lost data before the client checked the answers:
 * a save reported as done while the server kept 3 bytes, a file that arrives larger than its
 * listing, and a body that ends short of what the listing announced.
 */
suite('Hostile server: what the editor keeps', () => {
  let env: EmulatorSetup;

  setup(async () => {
    env = await setupEmulator();
  });

  teardown(async () => {
    await closeAllEditors();
    await env.dispose();
  });

  test('a save the server answers with the wrong size stays dirty, with its text, and the drive keeps its version', async () => {
    env.emu.putFile(env.desktopId, 'report.txt', 'original\n');
    const doc = await vscode.workspace.openTextDocument(env.uri('report.txt'));
    const editor = await vscode.window.showTextDocument(doc, { preview: false });
    assert.ok(await editor.edit((b) => b.insert(new vscode.Position(0, 0), 'my edit ')));
    // The server claims success for 3 bytes, whatever it was sent.
    env.emu.injectFault({ type: 'body', status: 200, body: JSON.stringify({ success: true, size: 3, filename: 'report.txt' }) }, { method: 'POST', path: '/report.txt' }, 10);
    assert.equal(await doc.save(), false, 'the save is not reported as done');
    assert.equal(doc.isDirty, true, 'the editor stays dirty');
    assert.equal(doc.getText(), 'my edit original\n', 'the text is intact');
    assert.equal(env.emu.readFile(env.desktopId, 'report.txt')?.toString(), 'original\n');
    assert.ok(requestsOf(env.emu, 'POST', '/report.txt').length >= 1, 'the upload was attempted');
    // Once the server tells the truth, the same save goes through.
    env.emu.reset();
    assert.equal(await doc.save(), true);
    assert.equal(env.emu.readFile(env.desktopId, 'report.txt')?.toString(), 'my edit original\n');
  });

  test('a file that arrives larger than its listing is refused, not opened', async () => {
    env.emu.putFile(env.desktopId, 'tiny.txt', 'abcd');
    env.emu.injectFault({ type: 'body', status: 200, body: 'x'.repeat(200_000), contentType: 'text/plain' }, { method: 'GET', path: '/tiny.txt' }, 10);
    const err = await rejects(vscode.workspace.fs.readFile(env.uri('tiny.txt')), 'reading a file larger than listed');
    assert.match(err.message, /tiny\.txt|larger|more than|announced|listing/i, err.message);
    assert.equal(vscode.workspace.textDocuments.some((d) => d.uri.toString() === env.uri('tiny.txt').toString()), false);
  });

  test('a body that ends short of the listed size is not taken for the file', async () => {
    env.emu.putFile(env.desktopId, 'half.bin', new Uint8Array(1024 * 1024).fill(7));
    // A complete-looking answer (its own Content-Length) with half the bytes; the drive still lists 1 MiB.
    env.emu.injectFault({ type: 'body', status: 200, body: 'y'.repeat(512 * 1024), contentType: 'application/octet-stream' }, { method: 'GET', path: '/half.bin' }, 10);
    const err = await rejects(vscode.workspace.fs.readFile(env.uri('half.bin')), 'reading a truncated file');
    assert.match(err.message, /incomplete|short|announced|listing/i, err.message);
    // And a save based on it can never happen: nothing was opened.
    assert.equal(requestsOf(env.emu, 'POST').length, 0);
  });
});
