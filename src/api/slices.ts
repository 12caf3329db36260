/**
 * Big synchronous jobs in slices. A 10,000-file listing is parsed, checked, indexed, diffed and
 * made into rows on the extension host's only thread; done in one go that held its event loop
 * for 40-80 ms (every other extension, and the workbench's requests, waited). A {@link Slicer}
 * lets such a loop give the event loop back whenever it has run for a few milliseconds, so
 * timers and I/O run between the slices. Small jobs never yield and pay one clock read per 256
 * steps. vscode-free (the transfer thread and plain Node use the client too).
 */

/** How long one slice may hold the event loop. */
export const SLICE_MS = 4;

/** Steps between two looks at the clock. */
const CHECK_EVERY = 256;

/** Resolves on the event loop's next check phase: timers and I/O that are due run first. */
export function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export class Slicer {
  private started = performance.now();
  private steps = 0;
  /** How many times this slicer gave the event loop back (for tests and the log). */
  yields = 0;

  constructor(private readonly budgetMs = SLICE_MS) {}

  /**
   * Call once per step of a loop: a promise to await when the slice's time is up (the event
   * loop runs, then a new slice starts), else undefined, so a step that need not wait costs no
   * microtask: `const pause = slicer.step(); if (pause) await pause;`.
   */
  step(): Promise<void> | undefined {
    if (++this.steps % CHECK_EVERY !== 0) return undefined;
    return this.checkpoint();
  }

  /** Between two parts of a job: yields when the slice's time is up, else undefined. */
  checkpoint(): Promise<void> | undefined {
    if (performance.now() - this.started < this.budgetMs) return undefined;
    this.yields++;
    return yieldToLoop().then(() => {
      this.started = performance.now();
    });
  }
}

/** `fn` over every item, in slices of {@link SLICE_MS} (one slicer may span several loops). */
export async function forEachSliced<T>(items: readonly T[], fn: (item: T, index: number) => void, slicer = new Slicer()): Promise<void> {
  for (let i = 0; i < items.length; i++) {
    fn(items[i], i);
    const pause = slicer.step();
    if (pause) await pause;
  }
}
