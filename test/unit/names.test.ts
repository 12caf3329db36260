/** The client's pure rules: names, folder paths, Content-Type by extension, loopback hosts. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contentTypeFor, isLoopbackHost, normalizeFolderPath, validateFolderPath, validateName } from '../../src/api';

test('ordinary names pass, unicode and spaces included', () => {
  for (const name of ['report.pdf', 'a', '.env', 'my file (1).txt', 'résumé.docx', '日本語.txt', '😀.png', 'a.b.c', '#1 & 100%?.txt', 'x'.repeat(255)]) {
    assert.equal(validateName(name), undefined, name);
  }
});

test('names that are empty or contain /, \\, .., control characters or lone surrogates are refused with a reason', () => {
  const cases: [string, RegExp][] = [
    ['', /empty/],
    ['a/b', /"\/"/],
    ['a\\b', /"\\"/],
    ['..', /"\.\."/],
    ['a..b', /"\.\."/],
    ['.', /"\."/],
    ['a\u0000', /control/],
    ['a\nb', /control/],
    ['\u001f', /control/],
    ['\u007f', /control/],
    ['\u009b', /control/],
    ['\ud800', /surrogate/],
    ['x'.repeat(256), /255 bytes/],
    ['é'.repeat(128), /255 bytes/],
  ];
  for (const [name, re] of cases) {
    const reason = validateName(name);
    assert.ok(reason, `${JSON.stringify(name)} should be refused`);
    assert.match(reason, re);
  }
});

test('folder paths: segments follow the name rules, slashes at the ends or doubled are ignored', () => {
  assert.equal(validateFolderPath('docs'), undefined);
  assert.equal(validateFolderPath('/docs/2026/'), undefined);
  assert.equal(validateFolderPath(''), undefined);
  assert.match(validateFolderPath('docs/../etc') ?? '', /folder name/);
  assert.ok(validateFolderPath('a\\b'));
  assert.ok(validateFolderPath('a/\u0001'));
  assert.equal(normalizeFolderPath('/docs//2026/'), 'docs/2026');
  assert.equal(normalizeFolderPath('/'), undefined);
  assert.equal(normalizeFolderPath(undefined), undefined);
});

test('Content-Type comes from the extension, case-insensitively, else application/octet-stream', () => {
  assert.equal(contentTypeFor('report.pdf'), 'application/pdf');
  assert.equal(contentTypeFor('REPORT.PDF'), 'application/pdf');
  assert.equal(contentTypeFor('a.png'), 'image/png');
  assert.equal(contentTypeFor('a.json'), 'application/json');
  assert.equal(contentTypeFor('a.txt'), 'text/plain');
  assert.equal(contentTypeFor('Makefile'), 'application/octet-stream');
  assert.equal(contentTypeFor('a.nosuchext'), 'application/octet-stream');
  assert.equal(contentTypeFor('.bashrc'), 'application/octet-stream');
});

test('loopback hosts are localhost, 127.0.0.0/8 and ::1 only', () => {
  for (const h of ['localhost', 'LOCALHOST', '127.0.0.1', '127.255.255.254', '[::1]', '::1']) assert.ok(isLoopbackHost(h), h);
  for (const h of ['localhost.', 'LOCALHOST.', '128.0.0.1', '10.0.0.1', 'localhost.evil.com', '127.0.0.1.nip.io', '0.0.0.0', '[::2]', '127.0.0.256', 'example.com']) {
    assert.ok(!isLoopbackHost(h), h);
  }
});
