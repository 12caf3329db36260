/**
 * The upload conflict question as a person meets it: Upload… (no `conflict` option, the files
 * picked in the open dialog) onto names that exist already, with `nenDrive.confirmOverwrite` on.
 * The modal's text and buttons are recorded, each button is answered in turn, and the drive's
 * state after each answer is read back from the emulator.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Commands, Settings } from '../../src/constants';
import type { UploadReport } from '../../src/commands/upload';
import { requestsOf, setupEmulator, waitFor, type EmulatorSetup } from './helpers';

interface Asked {
  message: string;
  options: unknown;
  buttons: string[];
}

const SINGLE = ['Overwrite', 'Keep Both', 'Skip'];
const ALL = ['Overwrite All', 'Keep Both for All', 'Skip All'];

suite('Upload conflict modal', () => {
  let env: EmulatorSetup | undefined;
  let local: string;
  /** Modal questions, in order; notifications (non-modal) go to `notes`. */
  let asked: Asked[];
  let notes: string[];
  let answers: (string | undefined)[];
  let picked: vscode.Uri[];
  const restore: (() => void)[] = [];

  /** Replaces `vscode.window[fn]`; fails the suite if the API object refuses the assignment. */
  function stub<K extends 'showWarningMessage' | 'showOpenDialog'>(fn: K, replacement: (typeof vscode.window)[K]): void {
    const original = vscode.window[fn];
    try {
      (vscode.window as { [k: string]: unknown })[fn] = replacement;
    } catch (err) {
      throw new Error(`vscode.window.${fn} cannot be replaced, so the modal cannot be answered: ${String(err)}`);
    }
    assert.equal(vscode.window[fn], replacement, `vscode.window.${fn} did not take the stub: the modal would block the run`);
    restore.push(() => ((vscode.window as { [k: string]: unknown })[fn] = original));
  }

  suiteSetup(async () => {
    const config = vscode.workspace.getConfiguration(Settings.section);
    await config.update(Settings.confirmOverwrite, true, vscode.ConfigurationTarget.Global);
    stub('showWarningMessage', ((message: string, ...rest: unknown[]) => {
      const [first] = rest;
      const modal = !!first && typeof first === 'object' && (first as vscode.MessageOptions).modal === true;
      if (!modal) {
        notes.push(message);
        return Promise.resolve(undefined);
      }
      asked.push({ message, options: first, buttons: rest.slice(1).filter((b): b is string => typeof b === 'string') });
      // An unexpected question is recorded and dismissed; the count check names it.
      return Promise.resolve(answers.shift());
    }) as typeof vscode.window.showWarningMessage);
    stub('showOpenDialog', (async () => picked) as typeof vscode.window.showOpenDialog);
  });

  suiteTeardown(async () => {
    for (const r of restore.reverse()) r();
    await vscode.workspace.getConfiguration(Settings.section).update(Settings.confirmOverwrite, undefined, vscode.ConfigurationTarget.Global);
  });

  setup(async () => {
    local = fs.mkdtempSync(path.join(os.tmpdir(), 'nen-drive-conflict-'));
    asked = [];
    notes = [];
    answers = [];
    picked = [];
    env = await setupEmulator();
    await waitFor(() => env!.services.clients.settings.confirmOverwrite === true, 'nenDrive.confirmOverwrite to be on');
  });

  teardown(async () => {
    await env?.dispose();
    env = undefined;
    fs.rmSync(local, { recursive: true, force: true });
  });

  function localFile(name: string, data: string): vscode.Uri {
    const p = path.join(local, name);
    fs.writeFileSync(p, data);
    return vscode.Uri.file(p);
  }

  const remote = (name: string): string | undefined => env!.emu.readFile(env!.desktopId, name)?.toString('utf8');
  /** The drive's root as the API lists it (not through the extension's cache). */
  async function names(): Promise<string[]> {
    const res = await fetch(`${env!.emu.url}/desktops/${env!.desktopId}/files`, { headers: { Authorization: `Bearer ${env!.emu.apiKey}` } });
    const body = (await res.json()) as { files: { name: string }[] };
    return body.files.map((f) => f.name).sort();
  }

  /** Upload… as the palette or the row's action runs it: no files, no options; the dialog picks. */
  async function uploadPicked(files: vscode.Uri[], ...reply: (string | undefined)[]): Promise<UploadReport> {
    picked = files;
    answers = [...reply];
    const report = (await vscode.commands.executeCommand(Commands.upload, env!.uri())) as UploadReport;
    assert.deepEqual(asked.map((q) => q.message).length, reply.length, `one question per scripted answer, asked: ${JSON.stringify(asked.map((q) => q.message))}`);
    assert.ok(report, 'the command returned a report');
    return report;
  }

  function assertAskedAbout(name: string, more: number): void {
    assert.equal(asked.length, 1, `asked once: ${JSON.stringify(asked)}`);
    const q = asked[0];
    assert.equal(q.message, `'${name}' already exists on ${env!.desktopId}.`);
    const dot = name.lastIndexOf('.');
    const kept = `${name.slice(0, dot)} (1)${name.slice(dot)}`;
    assert.deepEqual(q.options, {
      modal: true,
      detail: `Overwrite replaces the file on the drive. Keep Both uploads this one as '${kept}'.${more > 0 ? ` ${more} more names also exist.` : ''}`,
    });
    assert.deepEqual(q.buttons, more > 0 ? [...SINGLE, ...ALL] : SINGLE);
  }

  test('Overwrite replaces the existing file with the picked bytes', async () => {
    env!.emu.putFile(env!.desktopId, 'report.pdf', 'original bytes');
    const report = await uploadPicked([localFile('report.pdf', 'my newer bytes')], 'Overwrite');
    assertAskedAbout('report.pdf', 0);
    assert.deepEqual(report.uploaded.map((u) => u.name), ['report.pdf']);
    assert.equal(remote('report.pdf'), 'my newer bytes');
    assert.deepEqual(await names(), ['report.pdf'], 'no second copy');
    assert.deepEqual(notes, [], 'no warning besides the question');
  });

  test('Keep Both uploads as "name (1).ext" and leaves the existing file as it was', async () => {
    env!.emu.putFile(env!.desktopId, 'report.pdf', 'original bytes');
    const report = await uploadPicked([localFile('report.pdf', 'my newer bytes')], 'Keep Both');
    assertAskedAbout('report.pdf', 0);
    assert.deepEqual(report.uploaded.map((u) => u.name), ['report (1).pdf']);
    assert.equal(remote('report.pdf'), 'original bytes');
    assert.equal(remote('report (1).pdf'), 'my newer bytes');
    assert.deepEqual(await names(), ['report (1).pdf', 'report.pdf']);
  });

  test('Skip uploads nothing and reports the name skipped', async () => {
    env!.emu.putFile(env!.desktopId, 'report.pdf', 'original bytes');
    const report = await uploadPicked([localFile('report.pdf', 'my newer bytes')], 'Skip');
    assertAskedAbout('report.pdf', 0);
    assert.deepEqual(report.uploaded, []);
    assert.deepEqual(report.skipped.map((s) => s.name), ['report.pdf']);
    assert.equal(requestsOf(env!.emu, 'POST').length, 0, 'no upload request');
    assert.equal(remote('report.pdf'), 'original bytes');
    assert.deepEqual(await names(), ['report.pdf']);
  });

  test('closing the question (Escape) cancels the whole upload', async () => {
    env!.emu.putFile(env!.desktopId, 'report.pdf', 'original bytes');
    const report = await uploadPicked([localFile('report.pdf', 'mine'), localFile('new.txt', 'new')], undefined);
    assertAskedAbout('report.pdf', 0);
    assert.equal(report.cancelled, true);
    assert.equal(requestsOf(env!.emu, 'POST').length, 0, 'not even the file without a conflict');
    assert.deepEqual(await names(), ['report.pdf']);
  });

  /** Three existing names and one new one; the first question's "… All" answers all three. */
  async function batch(answer: string): Promise<UploadReport> {
    for (const n of ['a.txt', 'b.txt', 'c.txt']) env!.emu.putFile(env!.desktopId, n, `old ${n}`);
    const files = ['a.txt', 'b.txt', 'c.txt', 'fresh.txt'].map((n) => localFile(n, `new ${n}`));
    const report = await uploadPicked(files, answer);
    assertAskedAbout('a.txt', 2);
    assert.equal(remote('fresh.txt'), 'new fresh.txt', 'the name without a conflict is uploaded whatever the answer');
    return report;
  }

  test('Overwrite All asks once for three existing names and replaces all three', async () => {
    const report = await batch('Overwrite All');
    assert.deepEqual(report.uploaded.map((u) => u.name).sort(), ['a.txt', 'b.txt', 'c.txt', 'fresh.txt']);
    for (const n of ['a.txt', 'b.txt', 'c.txt']) assert.equal(remote(n), `new ${n}`);
    assert.deepEqual(await names(), ['a.txt', 'b.txt', 'c.txt', 'fresh.txt']);
  });

  test('Keep Both for All asks once and uploads each as "name (1).ext"', async () => {
    const report = await batch('Keep Both for All');
    assert.deepEqual(report.uploaded.map((u) => u.name).sort(), ['a (1).txt', 'b (1).txt', 'c (1).txt', 'fresh.txt']);
    for (const n of ['a', 'b', 'c']) {
      assert.equal(remote(`${n}.txt`), `old ${n}.txt`);
      assert.equal(remote(`${n} (1).txt`), `new ${n}.txt`);
    }
  });

  test('Skip All asks once and uploads none of the three', async () => {
    const report = await batch('Skip All');
    assert.deepEqual(report.uploaded.map((u) => u.name), ['fresh.txt']);
    assert.deepEqual(report.skipped.map((s) => s.name), ['a.txt', 'b.txt', 'c.txt']);
    assert.deepEqual(requestsOf(env!.emu, 'POST').map((r) => decodeURIComponent(r.path.split('/').pop()!.split('?')[0])), ['fresh.txt']);
    for (const n of ['a.txt', 'b.txt', 'c.txt']) assert.equal(remote(n), `old ${n}`);
    assert.deepEqual(await names(), ['a.txt', 'b.txt', 'c.txt', 'fresh.txt']);
  });

  test('a single answer (not "… All") in a batch asks again for the next name', async () => {
    for (const n of ['a.txt', 'b.txt']) env!.emu.putFile(env!.desktopId, n, `old ${n}`);
    const report = await uploadPicked(['a.txt', 'b.txt'].map((n) => localFile(n, `new ${n}`)), 'Overwrite', 'Skip');
    assert.deepEqual(asked.map((q) => q.message), [`'a.txt' already exists on ${env!.desktopId}.`, `'b.txt' already exists on ${env!.desktopId}.`]);
    assert.deepEqual(asked[0].buttons, [...SINGLE, ...ALL]);
    assert.deepEqual(asked[1].buttons, SINGLE, 'the last name offers no "… All"');
    assert.deepEqual(report.uploaded.map((u) => u.name), ['a.txt']);
    assert.equal(remote('a.txt'), 'new a.txt');
    assert.equal(remote('b.txt'), 'old b.txt');
  });

  test('with nenDrive.confirmOverwrite off nothing is asked and the upload overwrites', async () => {
    const config = vscode.workspace.getConfiguration(Settings.section);
    await config.update(Settings.confirmOverwrite, false, vscode.ConfigurationTarget.Global);
    try {
      await waitFor(() => env!.services.clients.settings.confirmOverwrite === false, 'nenDrive.confirmOverwrite to be off');
      env!.emu.putFile(env!.desktopId, 'report.pdf', 'original bytes');
      await uploadPicked([localFile('report.pdf', 'mine')]);
      assert.deepEqual(asked, []);
      assert.equal(remote('report.pdf'), 'mine');
    } finally {
      await config.update(Settings.confirmOverwrite, true, vscode.ConfigurationTarget.Global);
    }
  });
});
