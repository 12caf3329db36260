/**
 * The narrow slice of undici the client uses. Importing the package index pulls in fetch,
 * WebSocket, caches and mocks (~535 KB minified); the agent and `request` alone bundle to about
 * half of that, which keeps the extension under its size budget. Types come from the package
 * (type-only imports cost nothing at run time).
 */
import type { Agent as UndiciAgent, Dispatcher, Pool as UndiciPool, ProxyAgent as UndiciProxyAgent } from 'undici';
import * as tls from 'node:tls';
import type { Route } from './proxy';

type RequestFn = (this: Dispatcher, opts: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>;
type ConnectFn = (this: Dispatcher, opts: Dispatcher.ConnectOptions) => Promise<Dispatcher.ConnectData>;
interface UndiciParts {
  Agent: typeof UndiciAgent;
  ProxyAgent: typeof UndiciProxyAgent;
  Pool: typeof UndiciPool;
  request: RequestFn;
  connect: ConnectFn;
}

let undiciParts: UndiciParts | undefined;

/**
 * undici is required on first use, not at module load: activation must not pay for it before
 * any request is made. In the packaged extension scripts/bundle.mjs turns these requires into
 * `require('./undici.js')`, a separate file, so dist/extension.js does not even parse undici
 * (measured by `npm run bench`: require time of the bundle in plain Node about 40 → 22 ms).
 */
function undici(): UndiciParts {
  /* eslint-disable @typescript-eslint/no-require-imports */
  undiciParts ??= {
    Agent: require('undici/lib/dispatcher/agent') as typeof UndiciAgent,
    ProxyAgent: require('undici/lib/dispatcher/proxy-agent') as typeof UndiciProxyAgent,
    Pool: require('undici/lib/dispatcher/pool') as typeof UndiciPool,
    connect: require('undici/lib/api/api-connect') as ConnectFn,
    request: require('undici/lib/api/api-request') as RequestFn,
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
  return undiciParts;
}

export type { Dispatcher };
export type HttpAgent = UndiciAgent | UndiciProxyAgent;

const POOL = { keepAliveTimeout: 10_000, keepAliveMaxTimeout: 60_000, connections: 8 } as const;
export const CONNECT_TIMEOUT_MS = 15_000;

/**
 * One keep-alive dispatcher per client, built from its {@link Route}: undici's Agent straight to
 * the API, or undici's ProxyAgent, which always tunnels with CONNECT (also for an http target),
 * so request lines and headers (the key) travel only inside the tunnel. The API's certificate is
 * checked against Node's CAs plus `route.ca`; `proxyStrictSSL: false` relaxes only an https
 * proxy's own certificate, never the API's.
 */
export function createAgent(route: Route = { proxyStrictSSL: true }): HttpAgent {
  const { Agent, ProxyAgent, Pool, connect } = undici();
  const tlsOpts = { timeout: CONNECT_TIMEOUT_MS, ...(route.ca ? { secureContext: secureContextFor(route.ca) } : {}) };
  if (!route.proxy) return new Agent({ ...POOL, connect: tlsOpts });
  return new ProxyAgent({
    ...POOL,
    uri: route.proxy.href,
    proxyTunnel: true,
    ...(route.proxyAuthorization ? { token: route.proxyAuthorization } : {}),
    requestTls: tlsOpts,
    proxyTls: { ...tlsOpts, rejectUnauthorized: route.proxyStrictSSL },
    // The CONNECT to the proxy goes through `pool.connect`, which only the package index attaches
    // to Dispatcher; the slice loaded here gets it on this one pool instead.
    clientFactory: (origin: URL, opts: object) => Object.assign(new Pool(origin, opts), { connect }),
  });
}

/** The TLS context a connection to the API uses beside Node's defaults, when the route adds CAs. */
export function apiSecureContext(route: Route): tls.SecureContext | undefined {
  return route.ca ? secureContextFor(route.ca) : undefined;
}

let lastContext: { key: string; context: tls.SecureContext } | undefined;

/**
 * One TLS context for a CA list, built once and reused by every connection (and by the next
 * client while the list is the same). Passing `ca` itself would make Node parse every
 * certificate again on each connection: about 290 of them with the system store, measured at
 * 220 ms per connection on the shared build machine against 1.3 ms for Node's defaults.
 */
function secureContextFor(ca: readonly string[]): tls.SecureContext {
  const key = ca.join('\n');
  if (lastContext?.key !== key) lastContext = { key, context: tls.createSecureContext({ ca: [...ca] }) };
  return lastContext.context;
}

/** `agent.request(opts)` without the package index attaching every API to Dispatcher. */
export function sendRequest(agent: HttpAgent, opts: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData> {
  return undici().request.call(agent, opts);
}

/**
 * Parses `Retry-After`: delta seconds (a float is tolerated) or an HTTP date. Returns ms from
 * `now`, never negative, or undefined when absent or unparseable.
 */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined) return undefined;
  const s = v.trim();
  if (!s) return undefined;
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  const at = Date.parse(s);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** Exponential backoff with "equal jitter": between half and all of base·2^(retry-1), capped. */
export function backoffDelay(retry: number, baseMs: number, capMs = 10_000, random = Math.random): number {
  const full = Math.min(capMs, baseMs * 2 ** Math.max(0, retry - 1));
  return Math.round(full / 2 + (random() * full) / 2);
}

/** Error codes that mean the connection dropped under us: safe to retry an idempotent call. */
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ECONNABORTED']);

/** The first string `code` on the error or down its `cause` chain (4 levels at most). */
export function errorCode(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let depth = 0; depth < 4 && cur && typeof cur === 'object'; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

export function isConnectionReset(e: unknown): boolean {
  const code = errorCode(e);
  if (code && RESET_CODES.has(code)) return true;
  // errorCode() stops at the first code; undici wraps a socket error in an error with its own
  // code, so the first code from `cause` down counts too.
  const cause = e && typeof e === 'object' ? (e as { cause?: unknown }).cause : undefined;
  const causeCode = errorCode(cause);
  return !!causeCode && RESET_CODES.has(causeCode);
}
