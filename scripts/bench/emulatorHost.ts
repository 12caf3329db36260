/**
 * Runs the Nen API emulator in its own process for the benchmark, so that the server's CPU
 * and memory never count against the client being measured. The parent drives it over the
 * IPC channel (latency, seeding, clearing the request log) and reads its URL from the first
 * message. Started by bench.ts with `fork()`; not meant to be run by hand.
 */
import { startEmulator } from '../../tools/emulator/server';

interface HostArgs {
  dataDir: string;
  apiKey: string;
  desktops: string[];
}

export type HostRequest =
  | { cmd: 'latency'; ms: number }
  | { cmd: 'bandwidth'; mbPerSec: number }
  | { cmd: 'seed'; desktopId: string; prefix: string; count: number; bytes: number }
  | { cmd: 'clear' }
  | { cmd: 'close' };
export type HostCommand = HostRequest & { id: number };

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as HostArgs;
  const handle = await startEmulator({ port: 0, dataDir: args.dataDir, apiKey: args.apiKey, desktops: args.desktops, latencyMs: 0 });
  const reply = (msg: unknown): void => {
    process.send?.(msg);
  };
  process.on('message', (raw) => {
    const msg = raw as HostCommand;
    void (async () => {
      try {
        switch (msg.cmd) {
          case 'latency':
            handle.setLatency(msg.ms);
            break;
          case 'bandwidth':
            handle.setBandwidth(msg.mbPerSec);
            break;
          case 'seed': {
            const data = Buffer.alloc(msg.bytes, 0x61);
            // Three days old, as most of a long folder is: their "3d ago" holds while the bench
            // runs, so the tree's minute-by-minute re-telling of ages repaints none of them in a
            // measured window (the probe measures the worst such repaint on its own).
            const mtime = Math.floor(Date.now() / 1000) - 3 * 86_400;
            for (let i = 0; i < msg.count; i++) {
              handle.putFile(msg.desktopId, `${msg.prefix}${String(i).padStart(5, '0')}.txt`, data, { mtime });
            }
            break;
          }
          case 'clear':
            handle.clearRequests();
            break;
          case 'close':
            await handle.close();
            reply({ id: msg.id, ok: true });
            process.exit(0);
        }
        reply({ id: msg.id, ok: true });
      } catch (err) {
        reply({ id: msg.id, ok: false, error: String(err) });
      }
    })();
  });
  // The parent going away must not leave a server behind.
  process.on('disconnect', () => {
    void handle.close().finally(() => process.exit(0));
  });
  reply({ type: 'ready', url: handle.url });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
