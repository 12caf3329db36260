/**
 * Small helpers for tests that talk to the emulator with raw node:http (no client library),
 * so the emulator's own behaviour is what is being asserted.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { startEmulator } from './server';
import type { EmulatorHandle, EmulatorOptions } from './types';

export const TEST_KEY = 'sk_nen_test_0123456789';
export const DESKTOP = 'dsk_abc123def456';

export interface Started {
  emu: EmulatorHandle;
  /** A temp folder; the data dir is `<root>/data`, so anything written beside it is visible. */
  root: string;
  dataDir: string;
  cleanup(): Promise<void>;
}

/** Start an emulator on 127.0.0.1:0 with a fresh data dir. */
export async function start(opts: Partial<EmulatorOptions> = {}): Promise<Started> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nen-emu-test-'));
  const dataDir = opts.dataDir ?? path.join(root, 'data');
  const emu = await startEmulator({ apiKey: TEST_KEY, desktops: [DESKTOP], port: 0, ...opts, dataDir });
  return {
    emu,
    root,
    dataDir,
    async cleanup() {
      await emu.close();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
  json<T = unknown>(): T;
}

export interface CallOptions {
  method?: string;
  headers?: Record<string, string | number>;
  body?: Buffer | string;
  /** Send the Bearer key (default true). */
  auth?: boolean;
  key?: string;
}

/** One request on a fresh connection; resolves with the whole reply. */
export function call(base: string, rawPath: string, o: CallOptions = {}): Promise<Reply> {
  const headers: Record<string, string | number> = { ...(o.headers ?? {}) };
  if (o.auth !== false) headers.authorization = `Bearer ${o.key ?? TEST_KEY}`;
  if (o.body !== undefined && headers['content-length'] === undefined) headers['content-length'] = Buffer.byteLength(o.body);
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: u.hostname, port: u.port, method: o.method ?? 'GET', path: rawPath, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          const text = body.toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text, json: <T>() => JSON.parse(text) as T });
        });
      },
    );
    req.on('error', reject);
    req.end(o.body);
  });
}

/** Every file below a folder, as relative paths (folders end with '/'). */
export function walk(dir: string, base = dir): string[] {
  const out: string[] = [];
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    const rel = path.relative(base, p);
    if (e.isDirectory()) out.push(rel + '/', ...walk(p, base));
    else out.push(rel);
  }
  return out.sort();
}

export function filesUrl(id = DESKTOP): string {
  return `/desktops/${id}/files`;
}
