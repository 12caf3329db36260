/**
 * Starts Nen Drive for real on an embedded default: the API emulator with sample files on a
 * sample desktop (kept in .nen-drive-demo/ between runs), and code-server with the packaged
 * extension installed, pointed at the emulator, and the key preset. Ctrl+C stops both.
 *
 * Run through `bash scripts/demo.sh`, which installs and builds first.
 * By default the sample desktop is "at work" (./desktopActivity): it appends to agent.log on
 * its drive every few seconds and now and then saves a screenshot or a report there.
 *
 * Env: PORT (default 8080; a free port when busy), HOST (default 127.0.0.1),
 * NEN_DEMO_DESKTOP, NEN_API_KEY, NEN_DEMO_ACTIVITY (0 turns the desktop's activity off),
 * NEN_DEMO_ACTIVITY_SECONDS (seconds between its log lines, default 3).
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { seedSamples, startEmulator } from '../tools/emulator/server';
import { type DesktopActivity, startDesktopActivity } from './desktopActivity';
import { REPO_ROOT, startCodeServer, workbenchUrl } from '../tools/vscode-host/codeServerProcess';

const DEMO_DIR = path.join(REPO_ROOT, '.nen-drive-demo');
const DESKTOP = process.env.NEN_DEMO_DESKTOP || 'dsk_demo00000001';
const API_KEY = process.env.NEN_API_KEY || 'sk_nen_demo_local_emulator_key';
const ACTIVITY_ON = !['0', 'false', 'off', 'no'].includes((process.env.NEN_DEMO_ACTIVITY ?? '').trim().toLowerCase());

function activitySeconds(): number {
  const raw = process.env.NEN_DEMO_ACTIVITY_SECONDS;
  if (raw === undefined || raw.trim() === '') return 3;
  const n = Number(raw);
  if (Number.isFinite(n) && n >= 0.1 && n <= 3600) return n;
  console.log(`NEN_DEMO_ACTIVITY_SECONDS=${raw} is not a number of seconds between 0.1 and 3600; using 3`);
  return 3;
}

function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
}

async function main(): Promise<void> {
  const host = process.env.HOST || '127.0.0.1';
  const wanted = Number(process.env.PORT || 8080);
  const port = (await portFree(host, wanted)) ? wanted : 0;
  if (port === 0) console.log(`port ${wanted} is busy; picking a free one`);

  const dataDir = path.join(DEMO_DIR, 'drive');
  const workspace = path.join(DEMO_DIR, 'workspace');
  fs.mkdirSync(workspace, { recursive: true });
  const seeded = seedSamples(dataDir, DESKTOP);
  if (seeded.length > 0) console.log(`seeded ${seeded.length} sample files on ${DESKTOP}`);

  const emulator = await startEmulator({ port: 0, dataDir, apiKey: API_KEY, desktops: [DESKTOP] });
  console.log(`Nen API emulator listening on ${emulator.url} (drive data in ${path.relative(REPO_ROOT, dataDir)}/)`);
  const seconds = ACTIVITY_ON ? activitySeconds() : 0;
  let activity: DesktopActivity | undefined;
  if (ACTIVITY_ON) {
    activity = startDesktopActivity({
      driveDir: path.join(dataDir, DESKTOP),
      tmpDir: path.join(DEMO_DIR, 'tmp'),
      intervalMs: seconds * 1000,
      log: (message) => console.error(message),
    });
  }
  let server;
  try {
    server = await startCodeServer({
      name: 'demo',
      host,
      port,
      stateDir: path.join(DEMO_DIR, 'code-server'),
      logFile: path.join(DEMO_DIR, 'code-server.log'),
      vsix: [path.join(REPO_ROOT, 'nen-drive.vsix')],
      settings: { 'nenDrive.apiUrl': emulator.url, 'nenDrive.desktops': [DESKTOP] },
      env: { NEN_API_KEY: API_KEY },
    });
  } catch (err) {
    activity?.stop();
    await emulator.close();
    throw err;
  }
  const running = server;

  console.log('');
  console.log('Nen Drive is running. Open this address in a browser:');
  console.log(`  ${workbenchUrl(running, workspace)}`);
  console.log(`then click the Nen Drive icon in the activity bar. Desktop: ${DESKTOP}. Ctrl+C stops everything.`);
  console.log(`(code-server log: ${path.relative(REPO_ROOT, path.join(DEMO_DIR, 'code-server.log'))})`);
  console.log('');
  if (activity) {
    console.log(`A desktop at work: every ${seconds} s the sample desktop appends to agent.log and now and then saves a screenshot`);
    console.log("or report into its drive, as a real desktop's agent would. NEN_DEMO_ACTIVITY=0 turns it off.");
  } else {
    console.log(`The sample desktop is idle (NEN_DEMO_ACTIVITY=${process.env.NEN_DEMO_ACTIVITY}).`);
  }
  console.log(`Drop any file into ${path.relative(REPO_ROOT, path.join(dataDir, DESKTOP))}/ and it appears in VS Code within seconds.`);

  let stopping = false;
  const stop = async (why: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${why}: stopping code-server and the emulator...`);
    activity?.stop();
    await running.close();
    await emulator.close();
    console.log('stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('Ctrl+C'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  running.process.on('exit', (code) => {
    if (!stopping) {
      activity?.stop();
      console.error(`code-server exited unexpectedly (code ${code}); see .nen-drive-demo/code-server.log`);
      void emulator.close().then(() => process.exit(1));
    }
  });
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
