/**
 * `--bandwidth`: a simulated link for the emulator. One token bucket per direction, shared by
 * every connection (a link, not a per-connection cap): file bodies sent (downloads) take from
 * one, file bodies received (uploads) from the other. Taking more than is there leaves a debt,
 * and the caller waits until it is paid, so timer lateness never lets the rate drift upward.
 */
import { Transform } from 'node:stream';

/** Tokens that may pile up while the link is idle: 20 ms worth, at least one 64 KiB chunk. */
const BURST_SECONDS = 0.02;

export class TokenBucket {
  private tokens: number;
  private last = performance.now();
  private readonly burst: number;

  /** `bytesPerSec` > 0. */
  constructor(private readonly bytesPerSec: number) {
    this.burst = Math.max(64 * 1024, bytesPerSec * BURST_SECONDS);
    this.tokens = this.burst;
  }

  /** Takes `n` bytes' worth now; returns how many ms to wait before sending more (0: none). */
  take(n: number): number {
    const now = performance.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.bytesPerSec);
    this.last = now;
    this.tokens -= n;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.bytesPerSec) * 1000;
  }
}

/** Both directions of a link of `mbPerSec` MB/s (10^6 bytes), or undefined for no limit. */
export interface Link {
  up: TokenBucket;
  down: TokenBucket;
}

export function makeLink(mbPerSec: number | undefined): Link | undefined {
  if (!mbPerSec || !(mbPerSec > 0) || !Number.isFinite(mbPerSec)) return undefined;
  return { up: new TokenBucket(mbPerSec * 1e6), down: new TokenBucket(mbPerSec * 1e6) };
}

/** A pass-through that lets each chunk go once the bucket allows it. */
export function throttled(bucket: TokenBucket): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      const wait = bucket.take(chunk.length);
      if (wait > 0) setTimeout(() => cb(null, chunk), wait);
      else cb(null, chunk);
    },
  });
}
