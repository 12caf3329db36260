/**
 * "A desktop at work" for the demo: writes into a desktop's drive folder the way a real Nen
 * cloud desktop's agent writes into its shared drive, so the demo's drive is never still.
 *
 *   - every tick (default 3 s) one timestamped line is appended to `agent.log`;
 *   - every 7-10 ticks (about every 20-30 s) a new `screenshot-<time>.png` (a small, valid PNG
 *     of an app window with a chart) or `report-<time>.md` / `report-<time>.csv` is saved.
 *
 * The drive stays bounded: at most `maxArtifacts` generated screenshots/reports are kept (the
 * oldest by the time in their names are deleted, those of earlier runs included; other files
 * are never touched), and `agent.log` is trimmed to its newest half when it passes
 * `maxLogBytes`. Every new or replaced file is written under `tmpDir` and renamed into place,
 * so a listing never sees half a file; appends to the log are plain appends.
 *
 * Plain Node (no vscode). All file work is synchronous inside the timer callback, so ticks
 * never overlap and nothing is written once stop() has returned.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

export interface DesktopActivityOptions {
  /** The desktop's drive folder, e.g. `.nen-drive-demo/drive/dsk_demo00000001`. */
  driveDir: string;
  /**
   * Where new files are written before being renamed into the drive. Must be outside the
   * drive and on the same file system. Default: `<parent of driveDir>/.desktop-activity-tmp`
   * (a dot folder, which the emulator never takes for a desktop).
   */
  tmpDir?: string;
  /** Milliseconds between ticks (one log line each). Default 3000. */
  intervalMs?: number;
  /** Ticks between screenshots/reports. Default: a random 7-10 each time (first one after 3). */
  artifactEvery?: number;
  /** Generated screenshots/reports kept on the drive. Default 5. */
  maxArtifacts?: number;
  /** agent.log is trimmed to its newest half when it grows past this. Default 256 KiB. */
  maxLogBytes?: number;
  /** Told about problems (a failed write, the drive folder gone); never about routine ticks. */
  log?: (message: string) => void;
}

export interface DesktopActivity {
  stop(): void;
}

export const LOG_NAME = 'agent.log';
/** The names this activity generates (and so may delete): `<kind>-YYYY-MM-DD-HHMMSS[-n].<ext>`. */
export const ARTIFACT_RE = /^(?:screenshot-(\d{4}-\d{2}-\d{2}-\d{6})(?:-(\d+))?\.png|report-(\d{4}-\d{2}-\d{2}-\d{6})(?:-(\d+))?\.(?:md|csv))$/;
const TMP_PREFIX = 'activity-';

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
/** `2026-11-29 10:42:03`, local time. */
export function logTime(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
/** `2026-11-29-104203`, local time: sorts in time order and is safe in a file name everywhere. */
function fileTime(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}-${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}`;
}

// ------------------------------------------------------------------------------ PNG

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(td) >>> 0);
  return Buffer.concat([len, td, crc]);
}

type Rgb = [number, number, number];

/**
 * A screenshot-like RGB PNG: an app window with a coloured title bar, a toolbar, a bar chart
 * (`bars`, 0..1 each) and a progress bar at `progress` (0..1), on a soft gradient.
 */
export function makeScreenshotPng(width: number, height: number, opts: { accent: Rgb; bars: number[]; progress: number }): Buffer {
  const stride = width * 3 + 1;
  const raw = Buffer.alloc(stride * height);
  const set = (x: number, y: number, c: Rgb): void => {
    const o = y * stride + 1 + x * 3;
    raw[o] = c[0];
    raw[o + 1] = c[1];
    raw[o + 2] = c[2];
  };
  const rect = (x0: number, y0: number, w: number, h: number, c: Rgb): void => {
    for (let y = Math.max(0, y0); y < Math.min(height, y0 + h); y++) {
      for (let x = Math.max(0, x0); x < Math.min(width, x0 + w); x++) set(x, y, c);
    }
  };
  // Background: a light vertical gradient (row filter bytes stay 0: no filtering).
  for (let y = 0; y < height; y++) {
    const v = 246 - Math.round((y / Math.max(1, height - 1)) * 24);
    rect(0, y, width, 1, [v, v, Math.min(255, v + 6)]);
  }
  const { accent } = opts;
  const dark: Rgb = [accent[0] >> 1, accent[1] >> 1, accent[2] >> 1];
  const titleH = Math.max(4, Math.round(height * 0.09));
  rect(0, 0, width, titleH, accent);
  for (let i = 0; i < 3; i++) rect(width - (i + 1) * titleH, 2, titleH - 4, titleH - 4, dark); // window buttons
  rect(0, titleH, width, Math.round(titleH * 0.8), [228, 230, 236]); // toolbar
  for (let i = 0; i < 5; i++) rect(6 + i * 22, titleH + 3, 16, Math.round(titleH * 0.8) - 6, [190, 194, 204]);
  // Chart area with bars.
  const top = titleH * 2 + 6;
  const bottom = height - 22;
  const left = 12;
  const right = width - 12;
  rect(left, top, right - left, bottom - top, [255, 255, 255]);
  rect(left, bottom - 1, right - left, 1, [120, 120, 130]);
  const n = Math.max(1, opts.bars.length);
  const slot = (right - left - 8) / n;
  opts.bars.forEach((b, i) => {
    const h = Math.round(Math.max(0, Math.min(1, b)) * (bottom - top - 10));
    rect(Math.round(left + 4 + i * slot + slot * 0.15), bottom - 1 - h, Math.max(1, Math.round(slot * 0.7)), h, i % 2 ? dark : accent);
  });
  // Progress bar.
  rect(left, height - 14, right - left, 6, [210, 212, 220]);
  rect(left, height - 14, Math.round((right - left) * Math.max(0, Math.min(1, opts.progress))), 6, [46, 160, 67]);

  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: truecolour
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', zlib.deflateSync(raw)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

// ------------------------------------------------------------------------------ what the agent does

const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)];
const int = (lo: number, hi: number): number => lo + Math.floor(Math.random() * (hi - lo + 1));

const APPS = ['Excel', 'Chrome', 'Outlook', 'SAP GUI', 'Salesforce', 'Notepad', 'Acrobat Reader'] as const;
const BUTTONS = ['Export', 'Save', 'Submit', 'Next', 'Search', 'Apply filter', 'OK', 'Download'] as const;
const FIELDS = ['Customer', 'Invoice no.', 'Amount', 'Due date', 'PO number', 'Email'] as const;
const ACCENTS: Rgb[] = [[33, 115, 70], [0, 120, 212], [196, 89, 17], [110, 64, 170], [0, 133, 142], [190, 40, 60]];

function agentAction(): { app: string; text: string } {
  const app = pick(APPS);
  const actions: Array<() => string> = [
    () => `clicked '${pick(BUTTONS)}' in ${app}`,
    () => `typed ${int(4, 60)} characters into the '${pick(FIELDS)}' field in ${app}`,
    () => `opened invoices/2026-${pad(int(1, 12))}/INV-${int(10000, 99999)}.pdf`,
    () => `scrolled to row ${int(2, 1800)} of ${int(1800, 4000)} in Excel`,
    () => `waiting for page load: https://portal.example.com/orders?page=${int(1, 40)} (${(Math.random() * 2.5 + 0.2).toFixed(1)} s)`,
    () => `read 'Total: $${int(100, 99999).toLocaleString('en-US')}.${pad(int(0, 99))}' from the screen (OCR, ${int(88, 99)}% confidence)`,
    () => `copied ${int(1, 40)} rows from ${app} to the clipboard`,
    () => `downloaded statement-${int(1000, 9999)}.pdf to Downloads (${int(40, 900)} KB)`,
    () => `retrying click on '${pick(BUTTONS)}': element not ready (attempt ${int(2, 3)})`,
    () => `switched to ${app}`,
    () => `sent email 'Weekly reconciliation' to finance@example.com`,
  ];
  return { app, text: pick(actions)() };
}

// ------------------------------------------------------------------------------ the activity

/** Start writing into `driveDir` every `intervalMs`; stop() clears the timer. */
export function startDesktopActivity(options: DesktopActivityOptions): DesktopActivity {
  const driveDir = path.resolve(options.driveDir);
  const tmpDir = path.resolve(options.tmpDir ?? path.join(path.dirname(driveDir), '.desktop-activity-tmp'));
  const intervalMs = Math.max(1, options.intervalMs ?? 3000);
  const maxArtifacts = Math.max(1, options.maxArtifacts ?? 5);
  const maxLogBytes = Math.max(256, options.maxLogBytes ?? 256 * 1024);
  const nextGap = (): number => options.artifactEvery ?? int(7, 10);
  const logFile = path.join(driveDir, LOG_NAME);
  const recent: Array<{ time: string; step: number; app: string; text: string }> = [];
  let lastProblem = '';
  let tmpSeq = 0;
  let tick = 0;
  let nextArtifact = options.artifactEvery ?? 3;
  let stopped = false;

  const problem = (message: string): void => {
    if (message === lastProblem) return; // once, not every tick
    lastProblem = message;
    options.log?.(message);
  };

  /** Write `data` to a temp file outside the drive, then rename it to `target`. */
  const writeAtomic = (target: string, data: Buffer | string): void => {
    fs.mkdirSync(tmpDir, { recursive: true });
    const tmp = path.join(tmpDir, `${TMP_PREFIX}${process.pid}-${++tmpSeq}-${path.basename(target)}.tmp`);
    try {
      fs.writeFileSync(tmp, data);
      fs.renameSync(tmp, target);
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      throw err;
    }
  };

  // Continue the step numbers of an earlier run's log.
  let step = 0;
  try {
    const fd = fs.openSync(logFile, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const tail = Buffer.alloc(Math.min(size, 4096));
      fs.readSync(fd, tail, 0, tail.length, size - tail.length);
      for (const m of tail.toString('utf8').matchAll(/ step (\d+):/g)) step = Number(m[1]);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // No log yet.
  }
  // Temp files a killed run left behind.
  try {
    for (const name of fs.readdirSync(tmpDir)) if (name.startsWith(TMP_PREFIX)) fs.rmSync(path.join(tmpDir, name), { force: true });
  } catch {
    // No temp folder yet.
  }

  const appendLine = (text: string, now: Date): void => {
    const line = `${logTime(now)} agent: step ${++step}: ${text}\n`;
    if (fs.existsSync(logFile)) fs.appendFileSync(logFile, line);
    else writeAtomic(logFile, line); // a brand-new log appears whole, never empty
    if (fs.statSync(logFile).size > maxLogBytes) {
      const buf = fs.readFileSync(logFile);
      let from = buf.length - Math.floor(maxLogBytes / 2);
      from = buf.indexOf(0x0a, from) + 1; // start at a whole line
      writeAtomic(logFile, Buffer.concat([Buffer.from(`${logTime(now)} agent: (older lines trimmed)\n`), buf.subarray(from)]));
    }
  };

  // Names within one second count up (-2, -3, ...) and never go back to a number already
  // used, even once pruned: a reused lower number would sort as the oldest and be pruned first.
  let lastStamp = '';
  let lastN = 0;
  const uniqueName = (kind: string, ext: string, now: Date): string => {
    const stamp = fileTime(now);
    for (let n = stamp === lastStamp ? lastN + 1 : 1; ; n++) {
      const name = n === 1 ? `${kind}-${stamp}.${ext}` : `${kind}-${stamp}-${n}.${ext}`;
      if (!fs.existsSync(path.join(driveDir, name))) {
        lastStamp = stamp;
        lastN = n;
        return name;
      }
    }
  };

  const makeReport = (ext: 'md' | 'csv', now: Date): string => {
    const rows = recent.slice(-8);
    if (ext === 'csv') {
      const q = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
      return ['time,step,app,action,status,duration_ms', ...rows.map((r) => [r.time, r.step, r.app, q(r.text), r.text.startsWith('retrying') ? 'retry' : 'ok', int(80, 2400)].join(','))].join('\n') + '\n';
    }
    const retries = rows.filter((r) => r.text.startsWith('retrying')).length;
    return [
      `# Agent run report, ${logTime(now)}`,
      '',
      `Steps so far: **${step}**. Last ${rows.length} steps: ${rows.length - retries} ok, ${retries} retried.`,
      '',
      '| time | step | action |',
      '|---|---|---|',
      ...rows.map((r) => `| ${r.time.slice(11)} | ${r.step} | ${r.text.replace(/\|/g, '\\|')} |`),
      '',
    ].join('\n');
  };

  const saveArtifact = (now: Date): void => {
    const r = Math.random();
    let name: string;
    if (r < 0.6) {
      name = uniqueName('screenshot', 'png', now);
      const bars = Array.from({ length: int(5, 9) }, () => 0.15 + Math.random() * 0.85);
      writeAtomic(path.join(driveDir, name), makeScreenshotPng(320, 200, { accent: pick(ACCENTS), bars, progress: Math.random() }));
    } else {
      const ext = r < 0.8 ? 'md' : 'csv';
      name = uniqueName('report', ext, now);
      writeAtomic(path.join(driveDir, name), makeReport(ext, now));
    }
    appendLine(`saved ${name} to the shared drive`, now);
    prune();
  };

  /** Keep the newest `maxArtifacts` generated files (by the time in their names). */
  const prune = (): void => {
    const key = (name: string): [string, number] => {
      const m = ARTIFACT_RE.exec(name)!;
      return [m[1] ?? m[3], Number(m[2] ?? m[4] ?? 1)];
    };
    const generated = fs.readdirSync(driveDir).filter((n) => ARTIFACT_RE.test(n)).sort((a, b) => {
      const [ta, na] = key(a);
      const [tb, nb] = key(b);
      return ta < tb ? -1 : ta > tb ? 1 : na - nb;
    });
    for (const name of generated.slice(0, Math.max(0, generated.length - maxArtifacts))) fs.rmSync(path.join(driveDir, name), { force: true });
  };

  const onTick = (): void => {
    if (stopped) return;
    if (!fs.existsSync(driveDir)) {
      problem(`desktop activity: ${driveDir} is gone; writing again when it is back`);
      return;
    }
    try {
      const now = new Date();
      tick++;
      const action = agentAction();
      appendLine(action.text, now);
      recent.push({ time: logTime(now), step, app: action.app, text: action.text });
      if (recent.length > 20) recent.shift();
      if (tick >= nextArtifact) {
        nextArtifact = tick + nextGap();
        saveArtifact(now);
      }
      lastProblem = '';
    } catch (err) {
      problem(`desktop activity: ${err instanceof Error ? err.message : String(err)}`);
    }
  };

  fs.mkdirSync(driveDir, { recursive: true });
  const timer = setInterval(onTick, intervalMs);
  timer.unref();
  return {
    stop(): void {
      stopped = true;
      clearInterval(timer);
    },
  };
}
