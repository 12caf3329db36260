/**
 * New / Rename / Delete Desktop… against the emulator, as a person meets them (the boxes and the
 * modal answered through stubs of `vscode.window`) and from scripts: the requests sent, the
 * desktops the emulator holds afterwards, the tree's rows, `nenDrive.desktops`, and the
 * messages that name what went wrong and why.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { Commands, Settings } from '../../src/constants';
import type { DesktopNode } from '../../src/views/nodes';
import { closeAllEditors, rejects, requestsOf, setupEmulator, waitFor, type EmulatorSetup } from './helpers';

type WindowFn = 'showWarningMessage' | 'showErrorMessage' | 'showInformationMessage' | 'showInputBox';

interface Shown {
  fn: WindowFn;
  message: string;
  modal: boolean;
  detail?: string;
  buttons: string[];
}

const TOO_LONG = 'x'.repeat(65);

suite('Desktops: new, rename, delete', () => {
  let env: EmulatorSetup | undefined;
  let shown: Shown[];
  /** Answers for modal questions, in order. */
  let modalAnswers: (string | undefined)[];
  /** Answers for input boxes, in order; each box's options are kept. */
  let boxAnswers: (string | undefined)[];
  let boxes: vscode.InputBoxOptions[];
  const restore: (() => void)[] = [];

  function stub(fn: WindowFn, replacement: (...args: unknown[]) => Thenable<unknown>): void {
    const original = vscode.window[fn];
    (vscode.window as unknown as Record<string, unknown>)[fn] = replacement;
    assert.equal(vscode.window[fn], replacement, `vscode.window.${fn} did not take the stub`);
    restore.push(() => ((vscode.window as unknown as Record<string, unknown>)[fn] = original));
  }

  function recordMessages(fn: 'showWarningMessage' | 'showErrorMessage' | 'showInformationMessage') {
    return (message: unknown, ...rest: unknown[]) => {
      const options = rest[0] && typeof rest[0] === 'object' ? (rest[0] as vscode.MessageOptions) : undefined;
      const modal = options?.modal === true;
      shown.push({ fn, message: String(message), modal, detail: options?.detail, buttons: rest.filter((b): b is string => typeof b === 'string') });
      return Promise.resolve(modal ? modalAnswers.shift() : undefined);
    };
  }

  suiteSetup(() => {
    stub('showWarningMessage', recordMessages('showWarningMessage'));
    stub('showErrorMessage', recordMessages('showErrorMessage'));
    stub('showInformationMessage', recordMessages('showInformationMessage'));
    stub('showInputBox', (options: unknown) => {
      boxes.push(options as vscode.InputBoxOptions);
      return Promise.resolve(boxAnswers.shift());
    });
  });

  suiteTeardown(() => {
    for (const r of restore.reverse()) r();
  });

  setup(() => {
    shown = [];
    modalAnswers = [];
    boxAnswers = [];
    boxes = [];
  });

  teardown(async () => {
    await closeAllEditors();
    // New Desktop… shows and focuses the view; other suites expect it hidden.
    if (env?.api.views.view.visible) {
      await vscode.commands.executeCommand('workbench.view.explorer');
      await waitFor(() => !env!.api.views.view.visible, 'the Nen Drive view to hide', 10_000);
    }
    await env?.dispose();
    env = undefined;
  });

  async function rows(): Promise<DesktopNode[]> {
    return (await env!.api.views.tree.getChildren()).filter((n): n is DesktopNode => n.kind === 'desktop');
  }

  function configured(): string[] {
    return vscode.workspace.getConfiguration(Settings.section).get<string[]>(Settings.desktops) ?? [];
  }

  function messages(fn: WindowFn): string[] {
    return shown.filter((s) => s.fn === fn && !s.modal).map((s) => s.message);
  }

  test('New Desktop…: the optional name is asked, POST /desktops then PATCH name it, and the new desktop is selected, "starting", then "running" by itself', async () => {
    env = await setupEmulator({ liveRefreshSeconds: 1 });
    env.emu.setStartingMs(2500);
    boxAnswers = ['  build box  '];
    const created = (await vscode.commands.executeCommand(Commands.newDesktop)) as { desktop_id: string; name: string };
    assert.ok(created?.desktop_id, `the command returns the Desktop: ${JSON.stringify(created)}`);
    const id = created.desktop_id;
    assert.equal(boxes.length, 1, 'one box: the name');
    assert.deepEqual(requestsOf(env.emu, 'POST', /^\/desktops$/).map((r) => r.status), [200]);
    assert.deepEqual(requestsOf(env.emu, 'PATCH', `/desktops/${id}`).map((r) => r.status), [200]);
    assert.equal(env.emu.desktop(id)?.name, 'build box', 'named, trimmed');
    assert.deepEqual(configured(), [env.desktopId, id], 'appended to nenDrive.desktops, which lists the shown desktops');

    const row = (await rows()).find((r) => r.desktopId === id);
    assert.ok(row, 'the new desktop has a row');
    assert.equal(row.label, 'build box');
    assert.equal(row.description, `${id} · starting`);
    assert.equal((env.api.views.tree.getTreeItem(row).iconPath as vscode.ThemeIcon).id, 'loading~spin');
    await waitFor(() => env!.api.views.view.selection.some((n) => n.kind === 'desktop' && n.desktopId === id), 'the new row to be selected', 10_000);

    await waitFor(async () => (await rows()).find((r) => r.desktopId === id)?.status === 'running', 'the row to say running without a Refresh', 15_000);
    const running = (await rows()).find((r) => r.desktopId === id)!;
    assert.equal(running.description, `${id} · running`);
    assert.equal((env.api.views.tree.getTreeItem(running).iconPath as vscode.ThemeIcon).id, undefined, 'the desktop icon again');
    // Running: the status is not asked any more.
    const checks = requestsOf(env.emu, 'GET', new RegExp(`^/desktops/${id}$`)).length;
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(requestsOf(env.emu, 'GET', new RegExp(`^/desktops/${id}$`)).length, checks, 'no status checks once running');
  });

  test('New Desktop with a name the API refuses: the desktop is kept with the name Nen gave it, and the message names it, the name and why', async () => {
    env = await setupEmulator();
    const created = (await vscode.commands.executeCommand(Commands.newDesktop, { type: 'sandbox', name: TOO_LONG })) as { desktop_id: string; name: string };
    assert.equal(boxes.length, 0, 'a script gets no box');
    const kept = env.emu.desktop(created.desktop_id);
    assert.ok(kept, 'the created desktop is not undone');
    assert.match(kept.name, /^dsk-us-west-2-\d+$/);
    assert.equal(kept.desktop_type, 'sandbox');
    const [error] = messages('showErrorMessage');
    assert.equal(
      error,
      `Created desktop '${kept.name}' (${created.desktop_id}), but could not name it '${TOO_LONG}': The Nen API refused the request (400). name must be at most 64 characters (HTTP 400). The desktop is kept; use Rename Desktop… to try another name.`,
    );
    assert.ok((await rows()).some((r) => r.desktopId === created.desktop_id), 'and it is in the tree');
  });

  test('with nenDrive.desktops empty (every desktop the key sees), a new desktop comes into the tree from GET /desktops and the setting stays empty', async () => {
    env = await setupEmulator({ configuredDesktops: [] });
    const created = (await vscode.commands.executeCommand(Commands.newDesktop, { name: 'first of many' })) as { desktop_id: string };
    assert.deepEqual(configured(), []);
    const row = (await rows()).find((r) => r.desktopId === created.desktop_id);
    assert.equal(row?.label, 'first of many');
    await waitFor(() => env!.api.views.view.selection.some((n) => n.kind === 'desktop' && n.desktopId === created.desktop_id), 'the new row to be selected', 10_000);
  });

  test('Rename Desktop… shows the current name, renames with PATCH and the row follows; a refused name says what and why and changes nothing', async () => {
    env = await setupEmulator();
    const before = env.emu.desktop(env.desktopId)!.name;
    const row = (await rows())[0];
    boxAnswers = ['renamed box'];
    await vscode.commands.executeCommand(Commands.renameDesktop, row);
    assert.equal(boxes[0].value, before, 'the box starts with the current name');
    assert.equal(boxes[0].validateInput?.('   '), 'A desktop name cannot be empty.');
    assert.equal(env.emu.desktop(env.desktopId)?.name, 'renamed box');
    assert.equal((await rows())[0].label, 'renamed box', 'the row shows the new name');

    boxAnswers = [TOO_LONG];
    env.emu.clearRequests();
    assert.equal(await vscode.commands.executeCommand(Commands.renameDesktop, row), undefined);
    assert.deepEqual(requestsOf(env.emu, 'PATCH').map((r) => r.status), [400]);
    assert.equal(env.emu.desktop(env.desktopId)?.name, 'renamed box', 'unchanged');
    const refused = shown.find((s) => s.fn === 'showErrorMessage');
    assert.equal(refused?.message, `Could not rename desktop 'renamed box' (${env.desktopId}) to '${TOO_LONG}': The Nen API refused the request (400). name must be at most 64 characters (HTTP 400).`);
    assert.deepEqual(refused?.buttons, ['Try Another Name']);

    // From a script: no box.
    boxes = [];
    const renamed = (await vscode.commands.executeCommand(Commands.renameDesktop, { desktopId: env.desktopId, name: 'by script' })) as { name: string };
    assert.equal(renamed.name, 'by script');
    assert.equal(boxes.length, 0);
    assert.equal(env.emu.desktop(env.desktopId)?.name, 'by script');
  });

  test('Delete Desktop… of a drive with files: a modal names the desktop and says the drive is wiped, then the name must be typed; Escape keeps everything', async () => {
    const other = `dsk_${'b'.repeat(12)}`;
    env = await setupEmulator({ desktops: [`dsk_${'a'.repeat(12)}`, other] });
    env.emu.putFile(env.desktopId, 'report.pdf', 'pdf bytes');
    env.emu.putFile(env.desktopId, 'notes.txt', 'kept', { path: 'docs' });
    const name = env.emu.desktop(env.desktopId)!.name;
    const row = (await rows()).find((r) => r.desktopId === env!.desktopId)!;

    modalAnswers = ['Delete…'];
    boxAnswers = [undefined];
    assert.equal(await vscode.commands.executeCommand(Commands.deleteDesktop, row), false, 'Escape in the box: nothing deleted');
    const modal = shown.find((s) => s.modal)!;
    assert.equal(modal.message, `Delete desktop '${name}' (${env.desktopId})?`);
    assert.equal(
      modal.detail,
      "Its shared drive is wiped with all it holds: 1 file and 1 folder at its root ('docs' and 'report.pdf'). This cannot be undone. You will be asked to type the desktop's name.",
    );
    assert.deepEqual(modal.buttons, ['Delete…']);
    assert.match(boxes[0].prompt ?? '', new RegExp(`^Type ${name} to delete the desktop and wipe its drive`));
    assert.equal(boxes[0].validateInput?.(name), undefined);
    assert.match(String(boxes[0].validateInput?.(name.toUpperCase())), /^Type .* exactly/);
    assert.equal(requestsOf(env.emu, 'DELETE').length, 0);
    assert.ok(env.emu.desktop(env.desktopId), 'still there');

    // The modal dismissed: nothing either.
    modalAnswers = [undefined];
    assert.equal(await vscode.commands.executeCommand(Commands.deleteDesktop, row), false);
    assert.equal(requestsOf(env.emu, 'DELETE').length, 0);

    // Typed: deleted, out of the tree and out of nenDrive.desktops.
    modalAnswers = ['Delete…'];
    boxAnswers = [name];
    assert.equal(await vscode.commands.executeCommand(Commands.deleteDesktop, row), true);
    assert.deepEqual(requestsOf(env.emu, 'DELETE').map((r) => `${r.path} ${r.status}`), [`/desktops/${env.desktopId} 200`]);
    assert.equal(env.emu.desktop(env.desktopId), undefined);
    assert.equal(env.emu.readFile(env.desktopId, 'report.pdf'), undefined, 'the drive is wiped');
    assert.deepEqual(configured(), [other]);
    assert.deepEqual((await rows()).map((r) => r.desktopId), [other]);
    assert.deepEqual(messages('showInformationMessage'), [`Deleted desktop '${name}' (${env.desktopId}); its drive was wiped.`]);
  });

  test('Delete Desktop… of an empty drive asks only the modal; from a script, { confirm: true } asks nothing', async () => {
    const second = `dsk_${'c'.repeat(12)}`;
    env = await setupEmulator({ desktops: [`dsk_${'d'.repeat(12)}`, second] });
    modalAnswers = ['Delete'];
    assert.equal(await vscode.commands.executeCommand(Commands.deleteDesktop, env.desktopId), true);
    assert.equal(shown.filter((s) => s.modal).length, 1);
    assert.equal(shown.find((s) => s.modal)?.detail, 'Its shared drive is empty. This cannot be undone.');
    assert.equal(boxes.length, 0, 'no name to type for an empty drive');
    assert.equal(env.emu.desktop(env.desktopId), undefined);

    shown = [];
    env.emu.putFile(second, 'a.txt', 'a');
    assert.equal(await vscode.commands.executeCommand(Commands.deleteDesktop, { desktopId: second, confirm: true }), true);
    assert.equal(shown.filter((s) => s.modal).length + boxes.length, 0, 'no question');
    assert.equal(env.emu.desktop(second), undefined);
    assert.deepEqual(configured(), []);
  });

  test('an open editor of a deleted desktop keeps its text, and a save fails saying the desktop was deleted; the editor stays dirty', async () => {
    env = await setupEmulator();
    env.emu.putFile(env.desktopId, 'draft.md', 'first line\n');
    const name = env.emu.desktop(env.desktopId)!.name;
    const doc = await vscode.workspace.openTextDocument(env.uri('draft.md'));
    const editor = await vscode.window.showTextDocument(doc);
    await editor.edit((b) => b.insert(new vscode.Position(1, 0), 'typed after the delete\n'));
    assert.equal(await vscode.commands.executeCommand(Commands.deleteDesktop, { desktopId: env.desktopId, confirm: true }), true);
    assert.deepEqual(messages('showInformationMessage'), [
      `Deleted desktop '${name}' (${env.desktopId}); its drive was wiped. 1 open editor of it keeps its text but can no longer be saved there (use Save As…).`,
    ]);
    assert.equal(doc.getText(), 'first line\ntyped after the delete\n');
    env.emu.clearRequests();
    assert.equal(await doc.save(), false, 'the save fails');
    assert.ok(doc.isDirty, 'the editor stays dirty');
    assert.equal(doc.getText(), 'first line\ntyped after the delete\n');
    const err = await rejects(vscode.workspace.fs.writeFile(env.uri('draft.md'), new TextEncoder().encode('x')));
    assert.equal(
      err.message,
      `Desktop '${name}' (${env.desktopId}) was deleted, and its drive with it: there is nowhere to save 'draft.md'. Your text is kept; use Save As… to keep it elsewhere.`,
    );
    assert.equal(requestsOf(env.emu, 'POST').length, 0, 'no upload was tried');
  });

  test('a delete of a desktop that is gone says so, naming it and why, and it leaves the tree and the setting', async () => {
    const second = `dsk_${'e'.repeat(12)}`;
    env = await setupEmulator({ desktops: [`dsk_${'f'.repeat(12)}`, second] });
    // Deleted elsewhere before the command: the fresh GET answers 404.
    await fetch(`${env.emu.url}/desktops/${env.desktopId}`, { method: 'DELETE', headers: { authorization: `Bearer ${env.emu.apiKey}` } });
    assert.equal(await vscode.commands.executeCommand(Commands.deleteDesktop, { desktopId: env.desktopId }), true);
    assert.deepEqual(messages('showErrorMessage'), [
      `Cannot delete desktop ${env.desktopId}: it no longer exists (the Nen API answered 404; it may have been deleted elsewhere).`,
    ]);
    assert.equal(shown.filter((s) => s.modal).length, 0, 'nothing to confirm');
    assert.deepEqual(configured(), [second]);

    // Deleted elsewhere between the question and the call: DELETE answers 404.
    shown = [];
    const name = env.emu.desktop(second)!.name;
    env.emu.injectFault({ type: 'status', status: 404, body: '{"error":"not found"}' }, { method: 'DELETE' });
    assert.equal(await vscode.commands.executeCommand(Commands.deleteDesktop, { desktopId: second, confirm: true }), true);
    assert.deepEqual(messages('showWarningMessage'), [`Desktop '${name}' (${second}) was already gone (the Nen API answered 404): someone else deleted it. It is removed from Nen Drive.`]);
    assert.deepEqual(configured(), []);
  });

  test('a row that is "stopped" or "error" wears its icon and follows the server while shown; a refused rename of a gone desktop says so', async () => {
    env = await setupEmulator({ liveRefreshSeconds: 1 });
    env.emu.setDesktopStatus(env.desktopId, 'error');
    env.api.views.tree.refresh();
    let row = (await rows())[0];
    assert.equal(row.description, `${env.desktopId} · error`);
    assert.equal((env.api.views.tree.getTreeItem(row).iconPath as vscode.ThemeIcon).id, 'error');
    await vscode.commands.executeCommand('nenDrive.desktops.focus');
    await waitFor(() => env!.api.views.view.visible, 'the view to show', 10_000);
    env.emu.setDesktopStatus(env.desktopId, 'stopped');
    await waitFor(async () => (await rows())[0].status === 'stopped', 'the row to say stopped', 10_000);
    row = (await rows())[0];
    assert.equal((env.api.views.tree.getTreeItem(row).iconPath as vscode.ThemeIcon).id, 'debug-stop');
    env.emu.setDesktopStatus(env.desktopId, 'running');
    await waitFor(async () => (await rows())[0].status === 'running', 'the row to say running', 10_000);

    await fetch(`${env.emu.url}/desktops/${env.desktopId}`, { method: 'DELETE', headers: { authorization: `Bearer ${env.emu.apiKey}` } });
    assert.equal(await vscode.commands.executeCommand(Commands.renameDesktop, { desktopId: env.desktopId, name: 'late' }), undefined);
    assert.deepEqual(messages('showErrorMessage'), [
      `Cannot rename desktop ${env.desktopId}: it no longer exists (the Nen API answered 404; it may have been deleted elsewhere).`,
    ]);
  });
});
