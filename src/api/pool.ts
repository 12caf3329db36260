import * as l10n from '@vscode/l10n';
import { NenApiError } from './errors';

/**
 * Runs `fn` over `items` with at most `concurrency` in flight, and settles every item (one
 * failure does not stop the others). Once `signal` aborts, items not yet started are settled
 * as rejected with a `cancelled` error; items already running get the signal through `fn`.
 * Results keep the order of `items`.
 */
export async function runPool<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<R>,
  signal?: AbortSignal,
): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = new Array(items.length);
  const width = Math.max(1, Math.min(Math.floor(concurrency) || 1, items.length));
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      if (signal?.aborted) {
        results[index] = { status: 'rejected', reason: new NenApiError('cancelled', l10n.t('Cancelled.')) };
        continue;
      }
      try {
        results[index] = { status: 'fulfilled', value: await fn(items[index], index) };
      } catch (reason) {
        results[index] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return results;
}
