/**
 * Puts a process at the back of the queue for the machine's cores for a while, then back where it
 * was: what the bench does to its emulator for one batch of issue 14's target 4, so that the
 * emulator behaves as a server on another machine (it still gets every cycle nobody else wants).
 *
 * Why not plain `nice`: with autogroup scheduling on (Linux's default on most distributions,
 * `kernel.sched_autogroup_enabled`), the scheduler first shares the cores between sessions
 * (`setsid`) and only then between the processes of a session by their nice values. The bench,
 * its emulator, code-server (and the extension host in it) and Chromium are three sessions, so a
 * process's nice value changes nothing across them (round ten renicing the emulator's threads to
 * 19 saw no difference, and this is why). The session's own nice value
 * (`/proc/<pid>/autogroup`) is the one that counts there; without autogroups, the threads' nice
 * values do.
 */
import { getPriority, setPriority } from 'node:os';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

/** The lowest priority a nice value gives. */
export const LOWEST = 19;

export interface Yielded {
  /** `session`: the autogroup's nice value; `threads`: every thread's; `none`: neither could be set (off Linux). */
  how: 'session' | 'threads' | 'none';
  /** Why `none`, or what `restore` could not put back. */
  note?: string;
  /** Puts back the priorities found. */
  restore(): void;
}

function autogroupsOn(): boolean {
  try {
    return readFileSync('/proc/sys/kernel/sched_autogroup_enabled', 'utf8').trim() === '1';
  } catch {
    return false;
  }
}

/** The nice value of `pid`'s session, from `/autogroup-1751 nice 0`. */
export function sessionNice(pid: number): number | undefined {
  try {
    const m = /\bnice (-?\d+)/.exec(readFileSync(`/proc/${pid}/autogroup`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Sets the nice value of `pid`'s session (its autogroup). */
export function setSessionNice(pid: number, nice: number): void {
  writeFileSync(`/proc/${pid}/autogroup`, String(nice));
}

/** `autogroups`: whether the session's nice value counts (the kernel's setting unless a test says). */
export function yieldCores(pid: number, autogroups = autogroupsOn()): Yielded {
  if (autogroups) {
    const before = sessionNice(pid);
    if (before !== undefined) {
      try {
        setSessionNice(pid, LOWEST);
        return { how: 'session', restore: () => setSessionNice(pid, before) };
      } catch (e) {
        return { how: 'none', note: `session: ${(e as Error).message}`, restore: () => undefined };
      }
    }
  }
  let tids: number[];
  try {
    tids = readdirSync(`/proc/${pid}/task`).map(Number);
  } catch {
    return { how: 'none', note: `no /proc/${pid}/task`, restore: () => undefined };
  }
  const before = new Map<number, number>();
  for (const tid of tids) {
    try {
      before.set(tid, getPriority(tid));
      setPriority(tid, LOWEST);
    } catch {
      // The thread ended meanwhile.
    }
  }
  const yielded: Yielded = {
    how: 'threads',
    restore: () => {
      for (const [tid, nice] of before) {
        try {
          setPriority(tid, nice);
        } catch (e) {
          // Raising a priority again needs CAP_SYS_NICE; the note says the emulator stayed low.
          yielded.note = `threads stayed at nice ${LOWEST}: ${(e as Error).message}`;
        }
      }
    },
  };
  return yielded;
}
