/**
 * Shared helpers for the in-host suite. The emulator setup (setupEmulator and friends) lives in
 * tools/vscode-host/inHost.ts, which the bench's activation probe uses too; it is re-exported
 * here so the tests keep one import. What only tests need (request filters, closing editors,
 * expecting a rejection) stays here.
 */
// The module object itself (not an import-star copy with getters): its lookup is what net.connect calls.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import dns = require('node:dns');
import * as http from 'node:http';
import * as vscode from 'vscode';
import type { EmulatorHandle, RecordedRequest } from '../../tools/emulator/types';

export {
  countDriveRequests,
  driveUriForTest,
  getApi,
  randomDesktopId,
  setupEmulator,
  waitFor,
  type EmulatorSetup,
  type ExtensionApi,
  type SetupOptions,
} from '../../tools/vscode-host/inHost';

/** Requests in the emulator's log matching a method and a decoded-path test. */
export function requestsOf(emu: EmulatorHandle, method: string, pathTest?: string | RegExp): RecordedRequest[] {
  return emu.requests.filter(
    (r) =>
      r.method === method &&
      (pathTest === undefined || (typeof pathTest === 'string' ? r.path.includes(pathTest) : pathTest.test(r.path))),
  );
}

/** Reverts every dirty document and closes every editor, so no "Save changes?" dialog can block a test. */
export async function closeAllEditors(): Promise<void> {
  for (const doc of vscode.workspace.textDocuments) {
    if (!doc.isDirty) continue;
    await vscode.window.showTextDocument(doc, { preview: false });
    await vscode.commands.executeCommand('workbench.action.files.revert');
  }
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

/** Expects `promise` to reject; returns the error. */
export async function rejects(promise: Thenable<unknown>, what = 'the call'): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error(`${what} was expected to fail but succeeded`);
}

/** One request a {@link Recorder} received. */
export interface RecordedHit {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

/** A hit as a line for an assertion: method, path, and whether a key came along (never the key itself). */
export function heard(h: RecordedHit): string {
  return `${h.method} ${h.url}${h.headers.authorization ? ' with an Authorization header' : ''}`;
}

/** A plain HTTP server on 127.0.0.1 (its own port, so its own origin) that records every request. */
export interface Recorder {
  port: number;
  /** `http://127.0.0.1:PORT` */
  url: string;
  hits: RecordedHit[];
  close(): Promise<void>;
}

/**
 * Starts a {@link Recorder}: the place the key must never reach. It answers 200 with an empty
 * listing, so a client that wrongly talks to it gets an answer it would act on.
 */
export async function startRecorder(): Promise<Recorder> {
  const hits: RecordedHit[] = [];
  const server = http.createServer((req, res) => {
    hits.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"files":[]}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/**
 * Makes `hostname` (a name the client does not count as loopback, e.g. `nen-keytest.example`)
 * resolve to 127.0.0.1 in this process. net.connect, and so undici and the client, resolve
 * through dns.lookup: a request the client wrongly sends to that name reaches a local
 * {@link Recorder} instead of vanishing in DNS. Returns the undo. Prove the mapping with
 * {@link probe} before relying on a recorder's silence.
 */
export function resolveToLoopback(hostname: string): () => void {
  const original = dns.lookup;
  const patched = function (this: unknown, name: string, ...rest: unknown[]): void {
    const target = name.toLowerCase() === hostname.toLowerCase() ? '127.0.0.1' : name;
    (original as unknown as (n: string, ...r: unknown[]) => void).call(this, target, ...(rest as [unknown, LookupCallback]));
  } as unknown as typeof dns.lookup;
  dns.lookup = patched;
  if (dns.lookup !== patched) throw new Error('dns.lookup could not be patched: a recorder behind a host name would hear nothing');
  return () => {
    dns.lookup = original;
  };
}

/** One plain GET from this process to `url` (to show a recorder behind a mapped name is reachable). */
export function probe(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error(`probe of ${url} timed out`)));
  });
}
