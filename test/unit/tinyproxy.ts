/**
 * A real HTTP proxy for the tests: Debian's tinyproxy (installed by scripts/ensure-code-server.sh),
 * started per test on a free loopback port with its own config and log in a temp folder, waited
 * for until it accepts connections, and stopped after. Three shapes:
 *   plain      forwards anything from 127.0.0.1
 *   auth       wants `Proxy-Authorization: Basic` for user/password (BasicAuth)
 *   refusing   allows only another address, so it answers 403 to everything from here
 * The log is at LogLevel Info: tinyproxy writes each request line (and CONNECT target) there.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type ProxyShape = { kind: 'plain' } | { kind: 'auth'; user: string; password: string } | { kind: 'refusing' };

export interface Tinyproxy {
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  /** Everything tinyproxy has logged so far. */
  log(): string;
  stop(): Promise<void>;
}

const BINARY = '/usr/bin/tinyproxy';
const START_TIMEOUT_MS = 10_000;

/** A port nobody listens on right now (the kernel's choice for a throwaway listener). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startTinyproxy(shape: ProxyShape): Promise<Tinyproxy> {
  if (!existsSync(BINARY)) throw new Error(`${BINARY} is missing: bash scripts/ensure-code-server.sh installs it (Debian package tinyproxy)`);
  const dir = mkdtempSync(join(tmpdir(), 'nen-tinyproxy-'));
  const port = await freePort();
  const logFile = join(dir, 'tinyproxy.log');
  const lines = [
    `Port ${port}`,
    'Listen 127.0.0.1',
    'Timeout 60',
    `LogFile "${logFile}"`,
    'LogLevel Info',
    'MaxClients 20',
    'DisableViaHeader Yes',
    shape.kind === 'refusing' ? 'Allow 192.0.2.1' : 'Allow 127.0.0.1',
    ...(shape.kind === 'auth' ? [`BasicAuth ${shape.user} ${shape.password}`] : []),
  ];
  writeFileSync(join(dir, 'tinyproxy.conf'), lines.join('\n') + '\n');
  writeFileSync(logFile, '');
  const child = spawn(BINARY, ['-d', '-c', join(dir, 'tinyproxy.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    await waitListening(port, child, () => stderr);
  } catch (e) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    log: () => readFileSync(logFile, 'utf8'),
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves once the port accepts a connection; rejects when the process exits or time runs out. */
async function waitListening(port: number, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`tinyproxy exited (${child.exitCode}): ${stderr()}`);
    if (await connects(port)) return;
    if (Date.now() > deadline) throw new Error(`tinyproxy did not listen on ${port} within ${START_TIMEOUT_MS} ms: ${stderr()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
