/**
 * "Copy curl Download Command": the command line for a given shell, safe to paste for any name.
 * The URL needs no quoting in any shell (every byte of a name outside RFC 3986's unreserved set is
 * percent-encoded); the local name is quoted in the shell's own syntax; the key is never in it,
 * only the variable the Nen docs tell users to set, spelled the shell's way. No `vscode` here.
 */

import * as l10n from '@vscode/l10n';

/** The shells a command can be produced for. */
export type CurlShell = 'posix' | 'powershell' | 'cmd';

/** For the notification: which shell the command is written for. Getters: translated when read, never at import. */
export const SHELL_LABELS: Readonly<Record<CurlShell, string>> = {
  get posix(): string {
    return l10n.t('POSIX shells (bash, zsh, sh)');
  },
  powershell: 'PowerShell', // l10n-ignore: a product name
  get cmd(): string {
    return l10n.t('Command Prompt (cmd.exe)');
  },
};

/** The API key variable as each shell reads it. */
export const KEY_VARIABLES: Record<CurlShell, string> = { posix: '$NEN_API_KEY', powershell: '$env:NEN_API_KEY', cmd: '%NEN_API_KEY%' };

export interface CurlTarget {
  desktopId: string;
  folder?: string;
  name: string;
}

/** Each UTF-8 byte outside RFC 3986's unreserved set (`A-Z a-z 0-9 - . _ ~`) as `%XX`. */
export function encodeUnreserved(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The download URL, made only of unreserved characters, `%XX`, `:/?=` and an IPv6 host's brackets. */
export function downloadUrl(apiUrl: string, ref: CurlTarget): string {
  const base = apiUrl.replace(/\/+$/, '').replace(/%(?![0-9A-Fa-f]{2})|[^A-Za-z0-9\-._~:/[\]%]/g, (c) => encodeUnreserved(c));
  const query = ref.folder ? `?path=${encodeUnreserved(ref.folder)}` : '';
  return `${base}/desktops/${encodeUnreserved(ref.desktopId)}/files/${encodeUnreserved(ref.name)}${query}`;
}

/**
 * A download command for `shell`. `windows` says where it will run: PowerShell there calls
 * `curl.exe` (Windows PowerShell's `curl` is Invoke-WebRequest), and the local name loses the
 * characters Windows forbids in file names.
 */
export function curlCommand(apiUrl: string, ref: CurlTarget, shell: CurlShell, windows = shell === 'cmd'): string {
  const url = downloadUrl(apiUrl, ref);
  const local = localName(ref.name, windows || shell === 'cmd');
  const header = `-H "Authorization: Bearer ${KEY_VARIABLES[shell]}"`; // l10n-ignore: an HTTP header in a shell command
  switch (shell) {
    case 'posix':
      return `curl ${header} -o ${posixQuote(local)} ${posixQuote(url)}`;
    case 'powershell':
      return `${windows ? 'curl.exe' : 'curl'} ${header} -o ${powershellQuote(local)} ${powershellQuote(url)}`;
    case 'cmd':
      // Unquoted, with `%^` for `%`: inside quotes cmd.exe would still expand `%XX…%` as a variable.
      return `curl ${header} -o "${local.replace(/[%!]/g, '_')}" ${url.replace(/%/g, '%^')}`;
  }
}

/** POSIX shell single quotes: safe for any name, including `$`, spaces and quotes. */
export function posixQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** PowerShell single quotes; PowerShell also takes the typographic single quotes as quotes. */
export function powershellQuote(s: string): string {
  return `'${s.replace(/['\u2018\u2019\u201A\u201B]/g, (q) => q + q)}'`;
}

/** The name of the local file: control characters (and, for Windows, `<>:"/\|?*`) become `_`. */
function localName(name: string, windows: boolean): string {
  // eslint-disable-next-line no-control-regex
  return name.replace(windows ? /[\u0000-\u001f\u007f<>:"/\\|?*]/g : /[\u0000-\u001f\u007f]/g, '_');
}

/** The default terminal profile, as far as settings say (`terminal.integrated.defaultProfile.<os>` and its entry). */
export interface TerminalProfile {
  name?: string;
  path?: string | readonly string[];
  source?: string;
}

/**
 * The shell a pasted command will meet: from the default profile's executable, else its
 * source or name; without a profile, the platform's default (PowerShell on Windows).
 */
export function shellFor(platform: string, profile: TerminalProfile = {}): CurlShell {
  const paths = typeof profile.path === 'string' ? [profile.path] : (profile.path ?? []);
  for (const p of paths) {
    const exe = p.split(/[\\/]/).pop()!.toLowerCase().replace(/\.exe$/, '');
    if (exe === 'pwsh' || exe === 'powershell') return 'powershell';
    if (exe === 'cmd') return 'cmd';
    if (/^(bash|sh|zsh|dash|ksh|fish|wsl)$/.test(exe)) return 'posix';
  }
  if (profile.source === 'PowerShell') return 'powershell';
  if (profile.source === 'Git Bash') return 'posix';
  const name = profile.name?.toLowerCase() ?? '';
  if (/powershell|pwsh/.test(name)) return 'powershell';
  if (/command prompt|^cmd$/.test(name)) return 'cmd';
  if (/bash|zsh|fish|wsl|ubuntu|debian|^sh$/.test(name)) return 'posix';
  return platform === 'win32' ? 'powershell' : 'posix';
}
