/**
 * The 1 MiB buffers of the large transfers (a download's slabs, which its socket reads into and
 * its file is written from; an upload's read-ahead buffers), kept between transfers for a while.
 *
 * Fresh memory is slow to fill the first time: every 4 KiB page faults in on its first write. On
 * the 2-core machine of the bench, filling four fresh 1 MiB buffers took 16 ms and filling them
 * again 0.3 ms; a download's five buffers at its start were one run of 20-30 ms on the extension
 * host's thread, the longest stall in the event-loop measurement of four transfers at once.
 * Buffers given back are kept (at most {@link POOL_MAX_BUFFERS}) and all freed once no transfer
 * took one for {@link POOL_IDLE_MS}, so an idle extension holds none.
 *
 * A buffer may be given back only when nothing refers to it any more: no read into it and no
 * write from it in flight, no view of it kept. A buffer given twice is kept once.
 */
export const POOL_BUFFER_BYTES = 1024 * 1024;
/** Enough for four transfers at once and more: a download uses up to four (its slabs), an upload four. */
export const POOL_MAX_BUFFERS = 20;
export const POOL_IDLE_MS = 30_000;

export class BufferPool {
  private readonly kept: Buffer[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Buffers handed out that were made fresh, and ones that came from the pool (for tests). */
  readonly counts = { made: 0, reused: 0 };

  constructor(
    readonly bytes: number,
    private readonly max: number,
    private readonly idleMs: number,
  ) {}

  /**
   * A buffer of `size` bytes (contents undefined): of the pool's size, a kept one when there is
   * one, else a new one; of any other size, a new one the pool will not keep.
   */
  take(size: number = this.bytes): Buffer {
    if (size !== this.bytes) return Buffer.allocUnsafe(size);
    this.touch();
    const buf = this.kept.pop();
    if (buf) {
      this.counts.reused++;
      return buf;
    }
    this.counts.made++;
    return Buffer.allocUnsafeSlow(this.bytes); // its own memory, never a slice of Node's shared pool
  }

  /** Gives `buf` back; one of another size, one already kept, or one over the limit is left to the GC. */
  give(buf: Buffer): void {
    if (buf.length !== this.bytes || buf.byteOffset !== 0 || buf.buffer.byteLength !== this.bytes) return;
    if (this.kept.length >= this.max || this.kept.includes(buf)) return;
    this.kept.push(buf);
    this.touch();
  }

  /** How many buffers are kept now. */
  get size(): number {
    return this.kept.length;
  }

  /** Frees every kept buffer now. */
  clear(): void {
    this.kept.length = 0;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private touch(): void {
    if (this.timer) this.timer.refresh();
    else {
      this.timer = setTimeout(() => this.clear(), this.idleMs);
      this.timer.unref();
    }
  }
}

/** The one pool the transfers share. */
export const transferBuffers = new BufferPool(POOL_BUFFER_BYTES, POOL_MAX_BUFFERS, POOL_IDLE_MS);
