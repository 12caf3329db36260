import * as l10n from '@vscode/l10n';
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
    l10n.t({
      message: '{0} is {1} ({2}); the Nen drive accepts files up to 100 MiB ({3}).',
      args: [quotedName(name), formatSize(size), formatBytesExact(size), formatBytesExact(MAX_UPLOAD_BYTES)],
      comment: ['{0} is a file name, {1} its size like 120 MB, {2} and {3} exact byte counts like 104,857,600 bytes'],
    }),
  );
}
