/**
 * Where the client's connections go: straight to the API, or through an HTTP proxy, and which
 * certificates it trusts. The settings come from VS Code (`http.proxy`, `http.noProxy`,
 * `http.proxyStrictSSL`, `http.proxyAuthorization`, `http.systemCertificates`) with the usual
 * environment (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`, `NODE_EXTRA_CA_CERTS`) as the fallback.
 * vscode-free: src/ClientProvider.ts reads the settings, src/api/http.ts builds undici's agent.
 *
 * The key never goes to a proxy in the clear: every proxied request is tunnelled with CONNECT
 * (the proxy sees only `CONNECT host:port`), and an https API is encrypted inside the tunnel.
 * A loopback API URL (the emulator, the only http URL allowed) is reached directly unless
 * `proxyLoopback` asks otherwise: a proxy elsewhere cannot reach this machine's loopback, and
 * inside a tunnel to an http URL the proxy could read the key.
 */
import * as l10n from '@vscode/l10n';
import * as fs from 'node:fs';
import * as tls from 'node:tls';
import { isLoopbackHost } from './baseUrl';

/** The network settings a client is built with (all optional: none means "direct, Node's CAs"). */
export interface NetworkOptions {
  /** VS Code's `http.proxy`: `http://[user:pass@]host:port` (or https://). Empty: the environment's. */
  proxy?: string;
  /** VS Code's `http.noProxy`: hosts (`example.com`, `.example.com`, `*.example.com`, `host:port`, `*`) reached directly. */
  noProxy?: readonly string[];
  /** VS Code's `http.proxyStrictSSL` (default true): false accepts an https proxy's untrusted certificate. The API's is always checked. */
  proxyStrictSSL?: boolean;
  /** VS Code's `http.proxyAuthorization`: the whole `Proxy-Authorization` header value, e.g. `Basic dXNlcjpwYXNz`. */
  proxyAuthorization?: string;
  /** VS Code's `http.systemCertificates` (true there by default; false here): also trust the operating system's CA store. */
  systemCertificates?: boolean;
  /** Send a loopback API URL through the proxy too (default false). */
  proxyLoopback?: boolean;
  /** The environment to read HTTPS_PROXY, NO_PROXY and NODE_EXTRA_CA_CERTS from (default process.env). */
  env?: NodeJS.ProcessEnv;
}

/** The outcome for one API origin. */
export interface Route {
  /** The proxy URL, when the API is reached through one. */
  proxy?: URL;
  /** The Proxy-Authorization header value for the proxy, when one is configured. */
  proxyAuthorization?: string;
  proxyStrictSSL: boolean;
  /** Extra CA certificates (PEM) beside Node's own, or undefined for Node's defaults. */
  ca?: string[];
  /** Where the proxy came from, for the log: "http.proxy" or the environment variable's name. */
  source?: string;
}

/** Decides how `origin` (the API's scheme://host:port) is reached under `net`. */
export function routeFor(origin: string, net: NetworkOptions = {}, readFile: (p: string) => string = readText): Route {
  const env = net.env ?? process.env;
  const target = new URL(origin);
  const route: Route = { proxyStrictSSL: net.proxyStrictSSL !== false, ca: extraCaCertificates(net, env, readFile) };
  const chosen = proxySetting(target.protocol, net, env);
  if (!chosen) return route;
  if (isLoopbackHost(target.hostname) && !net.proxyLoopback) return route;
  const noProxy = [...(net.noProxy ?? []), ...splitList(env.no_proxy ?? env.NO_PROXY ?? '')];
  if (noProxyMatches(target, noProxy)) return route;
  let proxy: URL;
  try {
    proxy = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(chosen.value) ? chosen.value : `http://${chosen.value}`);
  } catch {
    throw new Error(l10n.t({ message: 'The proxy URL in {0} is not a valid URL.', args: [chosen.source], comment: ['{0} is a setting or environment variable, e.g. http.proxy or HTTPS_PROXY'] }));
  }
  if (proxy.protocol !== 'http:' && proxy.protocol !== 'https:') {
    throw new Error(l10n.t({ message: 'The proxy in {0} must be an http:// or https:// URL (got {1}).', args: [chosen.source, proxy.protocol.replace(/:$/, '')], comment: ['{0} is a setting or environment variable, e.g. http.proxy; {1} a URL scheme'] }));
  }
  route.proxy = proxy;
  route.source = chosen.source;
  const auth = net.proxyAuthorization?.trim();
  if (auth) route.proxyAuthorization = auth;
  return route;
}

/** {@link routeFor}, with a setting that cannot work turned into the reason every call fails with. */
export function routeOrError(origin: string, net: NetworkOptions | undefined): Route | { error: string } {
  try {
    return routeFor(origin, net);
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

/** `http.proxy` when set, else the environment's proxy for the API's scheme. */
function proxySetting(protocol: string, net: NetworkOptions, env: NodeJS.ProcessEnv): { value: string; source: string } | undefined {
  const fromSettings = net.proxy?.trim();
  if (fromSettings) return { value: fromSettings, source: 'http.proxy' };
  const names = protocol === 'https:' ? ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY'] : ['http_proxy', 'HTTP_PROXY'];
  for (const name of names) {
    const v = env[name]?.trim();
    if (v) return { value: v, source: name };
  }
  return undefined;
}

/**
 * Whether a no-proxy list covers the target, the way curl and undici read NO_PROXY: `*` is every
 * host; an entry matches the host itself and its subdomains (a leading `.` or `*.` is the same);
 * `host:port` only that port. IP addresses match exactly.
 */
export function noProxyMatches(target: URL, entries: readonly string[]): boolean {
  const host = target.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const port = Number(target.port) || (target.protocol === 'https:' ? 443 : 80);
  for (const raw of entries) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return true;
    const m = /^(.+):(\d+)$/.exec(entry);
    if (m && !m[1].includes(':') && Number(m[2]) !== port) continue;
    const name = (m && !m[1].includes(':') ? m[1] : entry).replace(/^\*?\./, '').replace(/^\[|\]$/g, '');
    if (host === name || host.endsWith(`.${name}`)) return true;
  }
  return false;
}

function splitList(s: string): string[] {
  return s.split(/[,\s]+/).filter(Boolean);
}

/**
 * The CA certificates to trust beside Node's bundled ones: `NODE_EXTRA_CA_CERTS` (read here, so it
 * also counts when it was set after the process started, as VS Code's environment may be), and
 * with `systemCertificates` the operating system's store (Node's own reader when it has one,
 * else the usual Linux bundle files). Undefined when there is nothing extra: Node's defaults.
 */
export function extraCaCertificates(net: NetworkOptions, env: NodeJS.ProcessEnv, readFile: (p: string) => string = readText): string[] | undefined {
  const extra: string[] = [];
  const file = env.NODE_EXTRA_CA_CERTS?.trim();
  if (file) {
    try {
      extra.push(...pemBlocks(readFile(file)));
    } catch (e) {
      throw new Error(l10n.t({ message: 'NODE_EXTRA_CA_CERTS names a file that cannot be read ({0}): {1}.', args: [file, (e as { code?: string }).code ?? String(e)], comment: ['{0} is a file path, {1} an error code like ENOENT'] }));
    }
  }
  if (net.systemCertificates === true) extra.push(...systemCertificates(readFile));
  // The Linux bundle and Node's own roots are both Mozilla's list: keep each certificate once.
  const known = new Set(tls.rootCertificates.map(pemKey));
  const added = extra.filter((pem) => {
    const k = pemKey(pem);
    if (known.has(k)) return false;
    known.add(k);
    return true;
  });
  return added.length ? [...tls.rootCertificates, ...added] : undefined;
}

const LINUX_BUNDLES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/ca-bundle.pem', '/etc/ssl/cert.pem'];

function systemCertificates(readFile: (p: string) => string): string[] {
  const getCa = (tls as { getCACertificates?: (type: string) => string[] }).getCACertificates;
  if (typeof getCa === 'function') {
    try {
      return getCa('system');
    } catch {
      return [];
    }
  }
  if (process.platform !== 'linux') return [];
  for (const p of LINUX_BUNDLES) {
    try {
      return pemBlocks(readFile(p));
    } catch {
      // try the next location
    }
  }
  return [];
}

function pemBlocks(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/** A certificate's base64 body without line breaks: the same certificate however it was wrapped. */
function pemKey(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s+/g, '');
}

function readText(p: string): string {
  return fs.readFileSync(p, 'utf8');
}

/** Error codes that mean the proxy itself could not be reached (the target is the proxy's business). */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * What went wrong with the proxy, when `e` (an undici failure on a proxied request) is the proxy's
 * doing, else undefined: the proxy answered the CONNECT with something other than 200 (undici
 * says "Proxy response (403) !== 200 when HTTP Tunneling"), or could not be reached; undefined
 * too for a direct route. Never
 * names the proxy's credentials.
 */
export function proxyFailure(e: unknown, route: Route, apiHost: string): string | undefined {
  const proxy = route.proxy;
  if (!proxy) return undefined;
  const sentCredentials = !!route.proxyAuthorization || !!proxy.username;
  const where = proxy.host;
  const status = connectStatus(e);
  // 407 is the standard answer; tinyproxy answers wrong credentials with 401.
  if (status === 407 || status === 401) {
    return sentCredentials
      ? l10n.t({ message: 'The proxy {0} rejected the proxy credentials (HTTP {1}). Check http.proxyAuthorization or the user and password in the proxy URL.', args: [where, status], comment: ['{0} is host:port'] })
      : l10n.t({ message: 'The proxy {0} asks for credentials (HTTP {1}). Set http.proxyAuthorization, or put user:password in the proxy URL.', args: [where, status], comment: ['{0} is host:port'] });
  }
  if (status !== undefined) {
    return l10n.t({ message: 'The proxy {0} refused the connection to {1} (HTTP {2}). Check http.proxy and http.noProxy, or ask your network administrator.', args: [where, apiHost, status], comment: ['{0} is the proxy host:port, {1} the API host'] });
  }
  const code = codeOf(e);
  if (code && UNREACHABLE.has(code)) return l10n.t({ message: 'The proxy {0} could not be reached ({1}). Check http.proxy or the HTTPS_PROXY environment variable.', args: [where, code], comment: ['{0} is host:port, {1} an error code like ECONNREFUSED'] });
  return undefined;
}

/** The status of a refused CONNECT, from undici's error text anywhere down the cause chain. */
function connectStatus(e: unknown): number | undefined {
  let cur: unknown = e;
  for (let depth = 0; depth < 4 && cur && typeof cur === 'object'; depth++) {
    const m = /Proxy response \((\d{3})\) !== 200/.exec(String((cur as { message?: unknown }).message ?? ''));
    if (m) return Number(m[1]);
    if (/Proxy Authentication Required \(407\)/.test(String((cur as { message?: unknown }).message ?? ''))) return 407;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

function codeOf(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let depth = 0; depth < 4 && cur && typeof cur === 'object'; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_ABORTED') return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

/** A route in words, without the proxy's credentials; for the log, so English. */
export function describeRoute(route: Route | { error: string }): string {
  if ('error' in route) return `unusable network settings: ${route.error}`; // l10n-ignore: a log line (DriveClient.networkRoute)
  const ca = route.ca ? ` with ${route.ca.length - tls.rootCertificates.length} extra CA certificate(s)` : ''; // l10n-ignore: a log line
  // l10n-ignore: a log line
  return route.proxy ? `through the proxy ${route.proxy.protocol}//${route.proxy.host} (from ${route.source})${ca}` : `directly${ca}`;
}
