/**
 * The bench's yieldCores (scripts/bench/yieldCores.ts), which sends its emulator to the back of
 * the queue for the cores during target 4's third batch: the priority that counts on this kernel
 * (the session's with autogroups on, the threads' without) is lowered, and put back after. On a
 * process of another session, as the emulator is to the extension host's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { once } from 'node:events';
import { LOWEST, sessionNice, yieldCores } from '../../scripts/bench/yieldCores';

const linux = process.platform === 'linux';

test('yieldCores lowers the priority that counts, then puts it back', { skip: !linux && 'Linux /proc only' }, async () => {
  // Its own session (setsid), as the bench's emulator is to code-server's and Chromium's.
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { detached: true, stdio: 'ignore' });
  await once(child, 'spawn');
  const pid = child.pid!;
  try {
    const autogroups = readFileSync('/proc/sys/kernel/sched_autogroup_enabled', 'utf8').trim() === '1';
    const threads = (): number[] => readdirSync(`/proc/${pid}/task`).map((t) => getPriority(Number(t)));
    const before = { session: sessionNice(pid), threads: threads() };
    const y = yieldCores(pid);
    if (autogroups) {
      assert.equal(y.how, 'session');
      assert.equal(sessionNice(pid), LOWEST, readFileSync(`/proc/${pid}/autogroup`, 'utf8'));
      // Not ours: this process's session is another one and keeps its priority.
      assert.notEqual(readFileSync('/proc/self/autogroup', 'utf8'), readFileSync(`/proc/${pid}/autogroup`, 'utf8'));
    } else {
      assert.equal(y.how, 'threads');
      assert.ok(threads().every((n) => n === LOWEST), String(threads()));
    }
    y.restore();
    if (autogroups) assert.equal(sessionNice(pid), before.session);
    else if (!y.note) assert.deepEqual(threads(), before.threads);
  } finally {
    child.kill();
  }
});

test('without autogroups, yieldCores lowers every thread of the process, then puts them back', { skip: !linux && 'Linux /proc only' }, async () => {
  // Once it has said so it is running, with its threads (V8's workers) started.
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000); console.log("up")'], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
  await once(child.stdout!, 'data');
  const pid = child.pid!;
  try {
    const threads = (): number[] => readdirSync(`/proc/${pid}/task`).map((t) => getPriority(Number(t)));
    const before = threads();
    const session = sessionNice(pid);
    const y = yieldCores(pid, false);
    assert.equal(y.how, 'threads');
    // A node process has several threads (V8's platform workers, libuv's): every one is lowered.
    assert.ok(before.length > 1 && threads().every((n) => n === LOWEST), String(threads()));
    assert.equal(sessionNice(pid), session);
    y.restore();
    // Raising them again needs CAP_SYS_NICE; without it the note says they stayed low.
    if (y.note) assert.match(y.note, /stayed at nice 19/);
    else assert.deepEqual(threads(), before);
  } finally {
    child.kill();
  }
});

test('yieldCores of a process that is gone changes nothing and says so', { skip: !linux && 'Linux /proc only' }, async () => {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await once(child, 'exit');
  const y = yieldCores(child.pid!);
  assert.equal(y.how, 'none');
  assert.ok(y.note);
  y.restore();
});
