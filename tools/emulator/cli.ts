/**
 * `npm run emulator -- --port 0 --data <dir> --api-key <key> --desktop <id> [--desktop <id>...]
 *  [--latency <ms>] [--bandwidth <MB/s>] [--starting-ms <ms>] [--samples] [--host <addr>] [--no-folders]`
 *
 * `--starting-ms`: a desktop created with POST /desktops is `starting` that long, then `running`.
 *
 * Prints `Nen API emulator listening on http://127.0.0.1:<port>` once ready (scripts wait for
 * that line), and closes cleanly on SIGINT/SIGTERM. `npm run emulator` compiles only this folder
 * (tsc -p tools/emulator) and runs out/tools/emulator/cli.js.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { seedSamples, startEmulator } from './server';

const USAGE = `usage: emulator --api-key <key> [--port <n>] [--host <addr>] [--data <dir>]
                [--desktop <id>]... [--latency <ms>] [--bandwidth <MB/s>] [--starting-ms <ms>]
                [--samples] [--no-folders]`;

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string', default: '0' },
        host: { type: 'string', default: '127.0.0.1' },
        data: { type: 'string' },
        'api-key': { type: 'string' },
        desktop: { type: 'string', multiple: true, default: [] },
        latency: { type: 'string', default: '0' },
        'starting-ms': { type: 'string', default: '0' },
        bandwidth: { type: 'string', default: '0' },
        samples: { type: 'boolean', default: false },
        'no-folders': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }));
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const apiKey = values['api-key'] ?? process.env.NEN_API_KEY;
  const port = Number(values.port);
  const latencyMs = Number(values.latency);
  const startingMs = Number(values['starting-ms']);
  const bandwidthMBps = Number(values.bandwidth);
  const badMs = (ms: number): boolean => !Number.isFinite(ms) || ms < 0;
  if (!apiKey || !Number.isInteger(port) || port < 0 || port > 65535 || badMs(latencyMs) || badMs(startingMs) || badMs(bandwidthMBps)) {
    console.error(USAGE);
    process.exit(2);
  }
  const dataDir = path.resolve(values.data ?? path.join(os.tmpdir(), 'nen-emulator-data'));
  const desktops = values.desktop.length > 0 ? values.desktop : ['dsk_abc123def456'];
  if (values.samples) for (const id of desktops) seedSamples(dataDir, id);

  const emu = await startEmulator({ port, host: values.host, dataDir, apiKey, desktops, latencyMs, bandwidthMBps, startingMs, folders: !values['no-folders'] });
  console.log(`Nen API emulator listening on ${emu.url}`);

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    emu.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(`emulator failed to start: ${(err as Error)?.message ?? String(err)}`);
  process.exit(1);
});
