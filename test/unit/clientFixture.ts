/**
 * The client tests' shared fixture: an emulator on 127.0.0.1:0 with one desktop, a client
 * pointed at it, and a collector of every error text and log entry the file produced, so a
 * file's last test can assert that its key appears in none of them.
 */
import { type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DriveClient, isNenApiError, type DriveClientOptions, type NenApiError, type NenErrorKind, type RequestLogEntry } from '../../src/api';
import { startEmulator } from '../../tools/emulator/server';
import type { EmulatorHandle, EmulatorOptions } from '../../tools/emulator/types';

export const DESK = 'dsk_abc123def456';

export interface ClientSetup {
  emu: EmulatorHandle;
  client: DriveClient;
  logs: RequestLogEntry[];
  /** The emulator's data folder. */
  dataDir: string;
  /** A scratch folder for local files. */
  work: string;
}

export function clientFixture(key: string) {
  /** Every error text and log entry produced through this fixture; none may contain the key. */
  const texts: string[] = [];

  async function setup(t: TestContext, opts: Partial<DriveClientOptions> = {}, emuOpts: Partial<EmulatorOptions> = {}): Promise<ClientSetup> {
    const dataDir = await mkdtemp(join(tmpdir(), 'nen-client-emu-'));
    const work = await mkdtemp(join(tmpdir(), 'nen-client-local-'));
    const emu = await startEmulator({ port: 0, dataDir, apiKey: key, desktops: [DESK], ...emuOpts });
    const logs: RequestLogEntry[] = [];
    const client = new DriveClient({
      baseUrl: emu.url,
      getApiKey: () => key,
      baseRetryDelayMs: 5,
      onRequest: (e) => {
        logs.push(e);
        texts.push(JSON.stringify(e));
      },
      ...opts,
    });
    t.after(async () => {
      await client.close();
      await emu.close();
      await rm(dataDir, { recursive: true, force: true });
      await rm(work, { recursive: true, force: true });
    });
    return { emu, client, logs, dataDir, work };
  }

  /** Awaits `p`, which must fail with a NenApiError of `kind`; records its texts. */
  async function expectKind(p: Promise<unknown>, kind: NenErrorKind): Promise<NenApiError> {
    try {
      await p;
    } catch (e) {
      assert.ok(isNenApiError(e), `expected a NenApiError, got ${String(e)}`);
      texts.push(e.message, String(e.stack), JSON.stringify(e), String(e));
      assert.equal(e.kind, kind, `kind ${e.kind} (${e.message})`);
      return e;
    }
    assert.fail(`expected a ${kind} error, the call succeeded`);
  }

  return { texts, setup, expectKind };
}
