import * as l10n from '@vscode/l10n';

/**
 * True for hosts that never leave this machine: localhost, 127.0.0.0/8 and ::1. `localhost.`
 * (a fully qualified name) is not: resolvers send it to DNS rather than the hosts file.
 */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  return !!m && Number(m[1]) === 127 && m.slice(2).every((o) => Number(o) <= 255);
}

export interface ParsedBaseUrl {
  /** scheme://host[:port] */
  origin: string;
  /** Path prefix without a trailing slash ('' for the usual base). */
  basePath: string;
}

/**
 * Checks a base URL: it must be `https:`, or `http:` to a loopback host (the emulator), with no
 * credentials, query or fragment. Returns the parsed origin and path prefix, or a reason.
 */
export function parseBaseUrl(raw: string): ParsedBaseUrl | { error: string } {
  let url: URL;
  try {
    url = new URL(String(raw).trim());
  } catch {
    return { error: l10n.t('The Nen API URL is not a valid URL.') };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { error: l10n.t({ message: 'The Nen API URL must use https (got {0}).', args: [url.protocol.replace(/:$/, '')], comment: ['{0} is a URL scheme like ftp'] }) };
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    return { error: l10n.t('The Nen API URL must use https unless it points at this machine (localhost, 127.0.0.1, ::1).') };
  }
  if (url.username || url.password) return { error: l10n.t('The Nen API URL must not contain a user name or password.') };
  if (url.search || url.hash) return { error: l10n.t('The Nen API URL must not contain a query or fragment.') };
  return { origin: url.origin, basePath: url.pathname.replace(/\/+$/, '') };
}

/** Why a base URL is refused, or undefined when it is acceptable (for settings validation). */
export function validateBaseUrl(raw: string): string | undefined {
  const parsed = parseBaseUrl(raw);
  return 'error' in parsed ? parsed.error : undefined;
}
