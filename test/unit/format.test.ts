/** Sizes in the CLI's units, and the one 100 MiB rule that every layer's message comes from. */
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_UPLOAD_BYTES, checkUploadSize, formatBytesExact, formatSize, isNenApiError } from '../../src/api';
import { formatCount, setNumberLocale } from '../../src/api/format';

test('sizes use binary steps labelled like the CLI, exact bytes carry separators', () => {
  assert.equal(formatSize(0), '0 B');
  assert.equal(formatSize(1023), '1023 B');
  assert.equal(formatSize(1536), '1.5 KB');
  assert.equal(formatSize(102_400), '100 KB');
  assert.equal(formatSize(MAX_UPLOAD_BYTES), '100 MB');
  assert.equal(formatSize(-1), '?');
  assert.equal(formatBytesExact(1), '1 byte');
  assert.equal(formatBytesExact(104_857_601), '104,857,601 bytes');
});

test('up to 100 MiB passes; one byte more is tooLarge, naming the file, its size, its bytes and the limit', () => {
  assert.doesNotThrow(() => checkUploadSize('ok.bin', MAX_UPLOAD_BYTES));
  assert.throws(
    () => checkUploadSize('huge.iso', MAX_UPLOAD_BYTES + 1),
    (e: unknown) =>
      isNenApiError(e) &&
      e.kind === 'tooLarge' &&
      e.status === undefined &&
      e.message === "'huge.iso' is 100 MB (104,857,601 bytes); the Nen drive accepts files up to 100 MiB (104,857,600 bytes).",
  );
});

test('numbers follow the display language: German groups with "." and decimals with ","; an unknown tag keeps English', () => {
  try {
    setNumberLocale('de');
    assert.equal(formatCount(209715200), '209.715.200');
    assert.equal(formatSize(1536), '1,5 KB');
    assert.equal(formatSize(102400), '100 KB');
    setNumberLocale('not a language');
    assert.equal(formatCount(209715200), '209,715,200');
    assert.equal(formatSize(1536), '1.5 KB');
    setNumberLocale('de');
    assert.equal(formatCount(1000), '1.000');
    // A well-formed tag Intl has no data for: English, not the process's own locale.
    setNumberLocale('qps-ploc');
    assert.equal(formatCount(209715200), '209,715,200');
    assert.equal(formatSize(1536), '1.5 KB');
  } finally {
    setNumberLocale('en');
  }
  assert.equal(formatCount(1234567), '1,234,567');
  assert.equal(formatSize(1536), '1.5 KB');
});

test('a tag Intl has no data for gives English even when the process itself runs in German', () => {
  // The process's own locale is Intl's last resort; VS Code's display language must not fall to it.
  const script = `const f = require(${JSON.stringify(require.resolve('../../src/api/format'))}); f.setNumberLocale('qps-ploc'); process.stdout.write(f.formatCount(1000) + ' ' + new Intl.NumberFormat().format(1000));`;
  const out = execFileSync(process.execPath, ['-e', script], { env: { ...process.env, LC_ALL: 'de_DE.UTF-8', LANG: 'de_DE.UTF-8' }, encoding: 'utf8' });
  const [ours, processDefault] = out.split(' ');
  assert.equal(processDefault, '1.000', 'the child process was meant to run in German');
  assert.equal(ours, '1,000');
});
