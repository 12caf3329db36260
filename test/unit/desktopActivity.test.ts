/**
 * The demo's "desktop at work" (scripts/desktopActivity.ts): it appends timestamped lines to
 * agent.log, saves valid PNG screenshots and reports, keeps the drive bounded, writes new
 * files through a temp folder outside the drive, and stops writing when stopped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { ARTIFACT_RE, LOG_NAME, makeScreenshotPng, startDesktopActivity } from '../../scripts/desktopActivity';
import { call, DESKTOP, filesUrl, start } from '../../tools/emulator/testing';
import { assertValidPng } from './png';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const LINE_RE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} agent: (step \d+: .+|\(older lines trimmed\))$/;

function tempRoot(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'nen-activity-test-'));
}

function logLines(file: string): string[] {
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
}

test('the screenshot PNG is valid and not a flat colour', () => {
  const png = makeScreenshotPng(320, 200, { accent: [0, 120, 212], bars: [0.2, 0.9, 0.5], progress: 0.4 });
  assert.deepEqual(assertValidPng(png, 'screenshot'), { width: 320, height: 200 });
  const raw = zlib.inflateSync(png.subarray(33 + 8, 33 + 8 + png.readUInt32BE(33)));
  const colours = new Set<string>();
  for (let i = 1; i < raw.length; i += 3 * 37) colours.add(raw.subarray(i, i + 3).toString('hex'));
  assert.ok(colours.size >= 4, `expected a picture, got ${colours.size} colours`);
});

test('a desktop at work: log lines, valid screenshots and reports, capped, atomic, and still after stop()', async () => {
  const root = tempRoot();
  const driveDir = path.join(root, 'drive', DESKTOP);
  const tmpDir = path.join(root, 'tmp');
  fs.mkdirSync(driveDir, { recursive: true });
  // A user's file and generated files of an earlier run, one of them with an old time.
  fs.writeFileSync(path.join(driveDir, 'notes.txt'), 'mine');
  fs.writeFileSync(path.join(driveDir, 'dashboard-screenshot.png'), 'not generated');
  fs.writeFileSync(path.join(driveDir, 'screenshot-2000-01-01-000000.png'), 'old');
  const problems: string[] = [];
  const activity = startDesktopActivity({ driveDir, tmpDir, intervalMs: 20, artifactEvery: 1, maxLogBytes: 4096, log: (m) => problems.push(m) });
  const logFile = path.join(driveDir, LOG_NAME);
  try {
    await sleep(150);
    const early = logLines(logFile).length;
    assert.ok(early >= 2, `agent.log has ${early} lines after 150 ms`);
    await sleep(600);
    const lines = logLines(logFile);
    assert.ok(lines.length > early, `agent.log grew: ${early} -> ${lines.length} lines`);
    for (const l of lines) assert.match(l, LINE_RE);
    const steps = lines.map((l) => /step (\d+):/.exec(l)?.[1]).filter((s) => s !== undefined).map(Number);
    assert.deepEqual(steps, [...steps].sort((a, b) => a - b), 'steps count up');
  } finally {
    activity.stop();
  }
  try {
    const log = fs.readFileSync(logFile, 'utf8');
    const saved = [...log.matchAll(/saved (\S+) to the shared drive/g)].map((m) => m[1]);
    const names = fs.readdirSync(driveDir);
    const generated = names.filter((n) => ARTIFACT_RE.test(n));
    // The log is capped (trimmed to its newest half when it passes 4096 bytes).
    assert.ok(fs.statSync(logFile).size <= 4096 + 200, `agent.log is ${fs.statSync(logFile).size} bytes`);
    // Many were made (some already trimmed out of the log), only the newest 5 are kept.
    assert.ok(saved.length > 5, `saved ${saved.length}`);
    assert.equal(generated.length, 5, `kept: ${generated.join(', ')}`);
    assert.deepEqual(generated.sort(), saved.slice(-5).sort(), 'the newest five are the ones kept');
    assert.ok(!names.includes('screenshot-2000-01-01-000000.png'), "an earlier run's old screenshot was pruned");
    assert.equal(fs.readFileSync(path.join(driveDir, 'notes.txt'), 'utf8'), 'mine');
    assert.equal(fs.readFileSync(path.join(driveDir, 'dashboard-screenshot.png'), 'utf8'), 'not generated');
    // Every kept file is whole and of its kind; screenshots are valid PNGs.
    const everSaved = [...saved, ...generated];
    assert.ok(everSaved.some((n) => n.endsWith('.png')), 'at least one screenshot');
    for (const name of generated) {
      const data = fs.readFileSync(path.join(driveDir, name));
      if (name.endsWith('.png')) assert.deepEqual(assertValidPng(data, name), { width: 320, height: 200 });
      else if (name.endsWith('.md')) assert.match(data.toString('utf8'), /^# Agent run report, .*\n[\s\S]*\| time \| step \| action \|/);
      else assert.match(data.toString('utf8'), /^time,step,app,action,status,duration_ms\n(.+\n)+$/);
    }
    // New files went through the temp folder, which is left empty; nothing temporary in the drive.
    assert.deepEqual(fs.readdirSync(tmpDir), []);
    assert.ok(!names.some((n) => n.endsWith('.tmp')), names.join(', '));
    assert.deepEqual(problems, []);

    // Stopped means still.
    const snapshot = (): string => fs.readdirSync(driveDir).sort().map((n) => `${n}:${fs.statSync(path.join(driveDir, n)).size}`).join(' ');
    const before = snapshot();
    await sleep(150);
    assert.equal(snapshot(), before);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('a fresh log starts at step 1 and a restart continues the step numbers', async () => {
  const root = tempRoot();
  const driveDir = path.join(root, 'drive', DESKTOP);
  try {
    let a = startDesktopActivity({ driveDir, intervalMs: 10 });
    await sleep(80);
    a.stop();
    const first = logLines(path.join(driveDir, LOG_NAME));
    assert.match(first[0], / step 1: /);
    const last = Number(/step (\d+):/.exec(first[first.length - 1])?.[1]);
    a = startDesktopActivity({ driveDir, intervalMs: 10 });
    await sleep(40);
    a.stop();
    const more = logLines(path.join(driveDir, LOG_NAME)).slice(first.length);
    assert.ok(more.length > 0);
    assert.match(more[0], new RegExp(` step ${last + 1}: `));
    // The default temp folder is beside the drive folder, not in it, and a dot folder.
    assert.ok(!fs.readdirSync(driveDir).some((n) => n.endsWith('.tmp')));
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test("the emulator lists what the activity writes: it is on the desktop's drive", async () => {
  const s = await start();
  const activity = startDesktopActivity({ driveDir: path.join(s.dataDir, DESKTOP), tmpDir: path.join(s.root, 'tmp'), intervalMs: 20, artifactEvery: 2 });
  try {
    await sleep(200);
    activity.stop();
    const files = (await call(s.emu.url, filesUrl())).json<{ files: Array<{ name: string; size: number }> }>().files;
    const log = files.find((f) => f.name === LOG_NAME);
    assert.ok(log && log.size > 0, JSON.stringify(files));
    assert.equal(log.size, fs.statSync(path.join(s.dataDir, DESKTOP, LOG_NAME)).size);
    assert.ok(files.some((f) => ARTIFACT_RE.test(f.name) && f.size > 0), JSON.stringify(files));
  } finally {
    activity.stop();
    await s.cleanup();
  }
});
