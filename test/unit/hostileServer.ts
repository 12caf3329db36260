/**
 * A hostile `node:http` server on 127.0.0.1:0 for the client tests: the handler decides what
 * the "Nen API" answers, and every request and closed connection is recorded.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';
import { DriveClient, type DriveClientOptions, type RequestLogEntry } from '../../src/api';

export interface Hostile {
  url: string;
  client: DriveClient;
  logs: RequestLogEntry[];
  /** Requests seen, as "METHOD path". */
  requests: string[];
  /** Times (ms since epoch) at which a client connection closed. */
  closes: number[];
}

export async function hostileServer(
  t: TestContext,
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => void,
  opts: Partial<DriveClientOptions> = {},
): Promise<Hostile> {
  const requests: string[] = [];
  const closes: number[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    handler(req, res);
  });
  server.on('connection', (socket) => socket.on('close', () => closes.push(Date.now())));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const logs: RequestLogEntry[] = [];
  const client = new DriveClient({ baseUrl: url, getApiKey: () => 'sk_nen_hostile_key_0123456789', baseRetryDelayMs: 5, maxRetries: 0, onRequest: (e) => logs.push(e), ...opts });
  t.after(async () => {
    await client.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { url, client, logs, requests, closes };
}
