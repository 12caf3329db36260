import { NenApiError, type MakeError } from './errors';
import { quotedName } from './display';
import { formatBytesExact, formatSize } from './format';
import { MAX_UPLOAD_BYTES } from './types';

const plainError: MakeError = (kind, message, extra) => new NenApiError(kind, message, extra);

/**
 * THE 100 MiB rule: the Nen drive accepts files up to {@link MAX_UPLOAD_BYTES} bytes, and a
 * larger one is refused before a byte is sent. Throws a `tooLarge` {@link NenApiError} naming the
 * file, its size and exact bytes, and the limit. The client calls it before every upload; a layer
 * that wants to refuse earlier (a save, a batch of uploads) calls it too rather than restating
 * the rule. `fail` makes the error (the client passes its own, which scrubs keys).
 */
export function checkUploadSize(name: string, size: number, fail: MakeError = plainError): void {
  if (size <= MAX_UPLOAD_BYTES) return;
  throw fail(
    'tooLarge',
    `${quotedName(name)} is ${formatSize(size)} (${formatBytesExact(size)}); the Nen drive accepts files up to 100 MiB (${formatBytesExact(MAX_UPLOAD_BYTES)}).`,
  );
}
