/** "Copy curl Download Command" for each shell, with names built to break out of the quoting. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { curlCommand, downloadUrl, shellFor } from '../../src/api/curlCommand';
import { hostileTally } from './hostileTally';

/** Each hostile name in the URL and in the POSIX, PowerShell and cmd.exe commands. */
const tally = hostileTally('hostile names in curl commands', 'quoted safely', 'breakouts kept');

const API = 'http://127.0.0.1:4010';
const DESK = 'dsk_abc123def456';
const HOSTILE = [
  "x' ; calc ; '",
  'x" & calc & "',
  'a|b;c&d<e>f',
  '$(calc)`calc`${IFS}',
  '%PATH%!PATH!^&calc',
  '\u2018; calc; \u2019.txt',
  '\u201C; calc; \u201D.txt',
  '$env:NEN_API_KEY %NEN_API_KEY%',
  'new\nline\r.txt',
  'rtl\u202Etxt.exe',
  '中文 😀 #?=&.txt',
  "it's.txt",
  '-rf',
];
/** Bytes outside the unreserved set cannot appear raw in the URL part. */
const SAFE_URL = /^http:\/\/127\.0\.0\.1:4010\/desktops\/dsk_abc123def456\/files\/[A-Za-z0-9\-._~%]+(\?path=[A-Za-z0-9\-._~%]+)?$/;

test('ordinary names give the same POSIX command as before', () => {
  assert.equal(
    curlCommand(API, { desktopId: DESK, name: 'my report #1.pdf' }, 'posix'),
    `curl -H "Authorization: Bearer $NEN_API_KEY" -o 'my report #1.pdf' '${API}/desktops/${DESK}/files/my%20report%20%231.pdf'`,
  );
  assert.equal(
    curlCommand(API, { desktopId: DESK, folder: 'sub', name: "it's.txt" }, 'posix'),
    `curl -H "Authorization: Bearer $NEN_API_KEY" -o 'it'\\''s.txt' '${API}/desktops/${DESK}/files/it%27s.txt?path=sub'`,
  );
});

test('the URL holds only unreserved characters and %XX, whatever the name', () => {
  for (const name of HOSTILE) {
    tally.tried++;
    const url = downloadUrl(API, { desktopId: DESK, folder: `f'o"l;d&er`, name });
    if (!SAFE_URL.test(url)) tally.kept++;
    assert.match(url, SAFE_URL, name);
    assert.equal(decodeURIComponent(url.split('/files/')[1].split('?')[0]), name);
    tally.handled++;
  }
  assert.equal(downloadUrl('https://h.example/a b&c/', { desktopId: DESK, name: 'n' }), `https://h.example/a%20b%26c/desktops/${DESK}/files/n`);
});

test('POSIX: bash hands curl exactly the five arguments, for every hostile name', () => {
  for (const name of HOSTILE) {
    tally.tried++;
    const cmd = curlCommand(API, { desktopId: DESK, name }, 'posix');
    const printf = cmd.replace(/^curl /, `printf '%s\\0' `);
    const out = execFileSync('bash', ['-c', printf], { env: { NEN_API_KEY: 'sk_nen_k' } }).toString();
    const args = out.split('\0').slice(0, -1);
    if (args.length !== 5) tally.kept++;
    assert.deepEqual(args.slice(0, 3), ['-H', 'Authorization: Bearer sk_nen_k', '-o'], name);
    assert.equal(args[3], name.replace(/[\n\r]/g, '_'), name);
    assert.match(args[4], SAFE_URL, name);
    assert.equal(args.length, 5, name);
    tally.handled++;
  }
});

test('PowerShell: the name is one single-quoted string, the URL another, nothing outside them', () => {
  // A strict parse: single-quoted strings close only at a quote not doubled.
  const shape = /^curl\.exe -H "Authorization: Bearer \$env:NEN_API_KEY" -o '((?:[^'\u2018\u2019\u201A\u201B]|['\u2018\u2019\u201A\u201B]{2})*)' '([^'\u2018\u2019\u201A\u201B]*)'$/;
  for (const name of HOSTILE) {
    tally.tried++;
    const cmd = curlCommand(API, { desktopId: DESK, name }, 'powershell', true);
    const m = shape.exec(cmd);
    if (!m) tally.kept++;
    assert.ok(m, `${JSON.stringify(name)} gave ${cmd}`);
    const local = m[1].replace(/(['\u2018\u2019\u201A\u201B])\1/g, '$1');
    assert.equal(local, name.replace(/[\n\r<>:"/\\|?*]/g, '_'), name);
    assert.match(m[2], SAFE_URL, name);
    tally.handled++;
  }
  assert.match(curlCommand(API, { desktopId: DESK, name: 'a' }, 'powershell', false), /^curl -H "Authorization: Bearer \$env:NEN_API_KEY" /);
});

test('cmd.exe: no quote inside the name, no % or ! that could expand, the URL unquoted with %^', () => {
  const shape = /^curl -H "Authorization: Bearer %NEN_API_KEY%" -o "([^"%!\r\n]*)" ([A-Za-z0-9\-._~:/?=^%]*)$/;
  for (const name of HOSTILE) {
    tally.tried++;
    const cmd = curlCommand(API, { desktopId: DESK, name }, 'cmd');
    const m = shape.exec(cmd);
    if (!m) tally.kept++;
    assert.ok(m, `${JSON.stringify(name)} gave ${cmd}`);
    assert.ok(!/[&|<>^]/.test(m[1].replace(/[&|<>^]/g, '')), 'specials inside the quotes are literal');
    assert.ok(!/%(?!\^)/.test(m[2]), 'every % in the URL is followed by ^, so no %VAR% can form');
    assert.match(m[2].replace(/\^/g, ''), SAFE_URL, name);
    assert.equal(decodeURIComponent(m[2].replace(/\^/g, '').split('/files/')[1]), name);
    tally.handled++;
  }
});

test('the shell comes from the default terminal profile, else the platform', () => {
  assert.equal(shellFor('linux'), 'posix');
  assert.equal(shellFor('darwin', { name: 'zsh', path: '/bin/zsh' }), 'posix');
  assert.equal(shellFor('win32'), 'powershell');
  assert.equal(shellFor('win32', { name: 'Command Prompt', path: ['${env:windir}\\Sysnative\\cmd.exe', '${env:windir}\\System32\\cmd.exe'] }), 'cmd');
  assert.equal(shellFor('win32', { name: 'Command Prompt' }), 'cmd');
  assert.equal(shellFor('win32', { name: 'Git Bash', source: 'Git Bash' }), 'posix');
  assert.equal(shellFor('win32', { name: 'My shell', path: 'C:\\Program Files\\Git\\bin\\bash.exe' }), 'posix');
  assert.equal(shellFor('linux', { name: 'pwsh', path: '/usr/bin/pwsh' }), 'powershell');
  assert.equal(shellFor('win32', { name: 'PowerShell', source: 'PowerShell' }), 'powershell');
  assert.equal(shellFor('win32', { name: 'Something else' }), 'powershell');
});
