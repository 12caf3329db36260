import type { Desktop } from '../api/types';

/**
 * How long one desktop that is not `running` is asked about before its row stops asking (a
 * desktop that stays stopped or broken is not polled forever); Refresh starts the count again.
 */
export const STATUS_WATCH_LIMIT_MS = 10 * 60_000;

/** What a status check found: the desktop as the API describes it now, or that it is gone (404). */
export type StatusAnswer = Desktop | 'gone';

/**
 * The bounded poll of desktop rows whose status is not `running` (starting, stopped, error):
 * `GET /desktops/{id}` for each, one round at a time, every `intervalMs` (the live refresh
 * interval), only for the desktops the tree says it shows, each for at most
 * {@link STATUS_WATCH_LIMIT_MS}. A failed check is skipped (the next round asks again).
 * Plain TypeScript, no `vscode`: the tree feeds it and hears the answers.
 */
export class DesktopStatusWatch {
  private watched: readonly string[] = [];
  private intervalMs = 0;
  /** When each watched desktop was first watched (ms). */
  private readonly since = new Map<string, number>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private checking = false;
  private disposed = false;

  constructor(
    private readonly check: (desktopId: string) => Promise<StatusAnswer>,
    private readonly onAnswer: (desktopId: string, answer: StatusAnswer) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** The desktops to watch now (shown and not running) and the interval (0: off). */
  set(desktopIds: readonly string[], intervalMs: number): void {
    this.watched = desktopIds;
    this.intervalMs = intervalMs;
    for (const id of [...this.since.keys()]) if (!desktopIds.includes(id)) this.since.delete(id);
    for (const id of desktopIds) if (!this.since.has(id)) this.since.set(id, this.now());
    this.schedule();
  }

  /** Forget how long each desktop was watched (a Refresh): every one gets its full time again. */
  restart(): void {
    this.since.clear();
  }

  /** Desktops still within their time. */
  get active(): string[] {
    const now = this.now();
    return this.watched.filter((id) => now - (this.since.get(id) ?? now) < STATUS_WATCH_LIMIT_MS);
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.disposed || this.checking || this.intervalMs <= 0 || this.active.length === 0) return;
    this.timer = setTimeout(() => void this.round(), this.intervalMs);
  }

  private async round(): Promise<void> {
    this.timer = undefined;
    this.checking = true;
    try {
      for (const id of this.active) {
        let answer: StatusAnswer;
        try {
          answer = await this.check(id);
        } catch {
          continue;
        }
        if (this.disposed) return;
        // Still wanted: the view may have been hidden or refreshed while the answer travelled.
        if (this.watched.includes(id)) this.onAnswer(id, answer);
      }
    } finally {
      this.checking = false;
      this.schedule();
    }
  }
}
