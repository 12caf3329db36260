/**
 * At most one send per interval, and never a lost last one: a request inside the interval is
 * held and sent once the interval is up (so a stalled transfer still shows its last bytes).
 * Used by the progress notification and by the transfer thread's progress. vscode-free.
 */
export class Throttle {
  private last = -Infinity;
  private held: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly everyMs: number,
    private readonly send: () => void,
  ) {}

  /** Sends now if the interval is up or `force`, else once it is (one held send at most). */
  request(force = false): void {
    const wait = this.last + this.everyMs - performance.now();
    if (!force && wait > 0) {
      this.held ??= setTimeout(() => this.request(true), wait);
      return;
    }
    clearTimeout(this.held);
    this.held = undefined;
    this.last = performance.now();
    this.send();
  }
}
