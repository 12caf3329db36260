/**
 * On-disk state of the emulator:
 *
 *   <dataDir>/<desktopId>/...            the drive itself (what listings show)
 *   <dataDir>/.nen-emulator/desktops.json  the desktops registry (survives restarts)
 *   <dataDir>/.nen-emulator/meta/<desktopId>.json  stored Content-Types, by relative path
 *   <dataDir>/.nen-emulator/tmp/          uploads in flight, renamed into place when complete
 *
 * The sidecar folder starts with a dot, which no desktop id may, so it is never a drive.
 * Metadata is read and written synchronously (never cached) so that a rename and its
 * Content-Type update happen in the same tick and stay consistent under concurrent uploads,
 * and so that `seedSamples` can write it while a server runs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { isDesktopId } from './names';

export const SIDECAR = '.nen-emulator';

export interface DesktopRecord {
  desktop_id: string;
  desktop_type: string;
  status: string;
  workspace_id: string;
  name: string;
  created_at: number;
  updated_at: number;
  instance_id: string;
  public_ip: string;
  private_ip: string;
  controller_arn: string;
  session: { href: string; active: boolean; interactive: boolean };
}

function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

function readJson<T>(file: string, fallback: T): T {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return fallback;
  }
}

/** A realistic Desktop record, the way the API describes one. */
export function newDesktopRecord(id: string, opts: { desktopType?: string; name?: string; status?: string } = {}): DesktopRecord {
  const now = Math.floor(Date.now() / 1000);
  const n = randomBytes(4);
  const region = 'us-west-2';
  return {
    desktop_id: id,
    desktop_type: opts.desktopType ?? 'sandbox',
    status: opts.status ?? 'running',
    workspace_id: `ws_${randomBytes(6).toString('hex')}`,
    name: opts.name ?? `dsk-${region}-${(n[0] % 90) + 10}`,
    created_at: now,
    updated_at: now,
    instance_id: `i-0${randomBytes(8).toString('hex').slice(0, 16)}`,
    public_ip: `54.${n[1]}.${n[2]}.${(n[3] % 250) + 1}`,
    private_ip: `10.0.${n[2] % 64}.${(n[1] % 250) + 2}`,
    controller_arn: `arn:aws:ecs:${region}:123456789012:task/nen-desktops/${randomBytes(16).toString('hex')}`,
    session: { href: `https://desktop.getnen.ai/session/${id}`, active: false, interactive: true },
  };
}

export class DriveStore {
  readonly sidecar: string;
  readonly tmpDir: string;
  private readonly metaDir: string;
  private readonly registryFile: string;

  constructor(readonly dataDir: string) {
    this.sidecar = path.join(dataDir, SIDECAR);
    this.tmpDir = path.join(this.sidecar, 'tmp');
    this.metaDir = path.join(this.sidecar, 'meta');
    this.registryFile = path.join(this.sidecar, 'desktops.json');
    fs.mkdirSync(this.tmpDir, { recursive: true });
    fs.mkdirSync(this.metaDir, { recursive: true });
  }

  /** Remove upload leftovers of a previous process that died mid-upload. */
  cleanTemp(): void {
    for (const f of fs.readdirSync(this.tmpDir)) fs.rmSync(path.join(this.tmpDir, f), { force: true, recursive: true });
  }

  /** Drive folders (dsk_...) left by a run without a registry entry become desktops again. */
  adoptFolders(): void {
    const reg = this.registry();
    let changed = false;
    for (const d of fs.readdirSync(this.dataDir, { withFileTypes: true })) {
      if (d.isDirectory() && d.name.startsWith('dsk_') && isDesktopId(d.name) && !reg[d.name]) {
        reg[d.name] = newDesktopRecord(d.name);
        changed = true;
      }
    }
    if (changed) writeAtomic(this.registryFile, JSON.stringify(reg, null, 2));
  }

  private registry(): Record<string, DesktopRecord> {
    return readJson<Record<string, DesktopRecord>>(this.registryFile, {});
  }

  listDesktops(): DesktopRecord[] {
    return Object.values(this.registry()).sort((a, b) => a.created_at - b.created_at || a.desktop_id.localeCompare(b.desktop_id));
  }

  getDesktop(id: string): DesktopRecord | undefined {
    if (!isDesktopId(id)) return undefined;
    return this.registry()[id];
  }

  /** Create (or keep) a desktop and its drive folder. */
  addDesktop(id: string, opts: { desktopType?: string; name?: string; status?: string } = {}): DesktopRecord {
    if (!isDesktopId(id)) throw new Error(`not a desktop id: ${JSON.stringify(id)}`);
    const reg = this.registry();
    const rec = reg[id] ?? newDesktopRecord(id, opts);
    reg[id] = rec;
    fs.mkdirSync(this.driveRoot(id), { recursive: true });
    writeAtomic(this.registryFile, JSON.stringify(reg, null, 2));
    return rec;
  }

  updateDesktop(id: string, patch: Partial<DesktopRecord>): DesktopRecord | undefined {
    const reg = this.registry();
    const rec = reg[id];
    if (!rec) return undefined;
    Object.assign(rec, patch, { updated_at: Math.floor(Date.now() / 1000) });
    writeAtomic(this.registryFile, JSON.stringify(reg, null, 2));
    return rec;
  }

  /** Delete a desktop and wipe its drive and metadata. */
  deleteDesktop(id: string): boolean {
    const reg = this.registry();
    if (!reg[id]) return false;
    delete reg[id];
    writeAtomic(this.registryFile, JSON.stringify(reg, null, 2));
    fs.rmSync(this.driveRoot(id), { recursive: true, force: true });
    fs.rmSync(this.metaFile(id), { force: true });
    this.meta.delete(id);
    this.dirty.delete(id);
    return true;
  }

  driveRoot(id: string): string {
    return path.join(this.dataDir, id);
  }

  /**
   * Absolute path of a folder/file inside a drive. Segments are already checked by the name
   * rules; the containment check here is a second, independent guard.
   */
  resolve(id: string, segments: string[]): string {
    const root = path.resolve(this.driveRoot(id));
    const p = path.resolve(root, ...segments);
    if (p !== root && !p.startsWith(root + path.sep)) throw new Error('path escapes the drive');
    return p;
  }

  tempPath(id: string): string {
    return path.join(this.tmpDir, `${id}-${process.pid}-${Date.now()}-${randomBytes(8).toString('hex')}.part`);
  }

  private metaFile(id: string): string {
    return path.join(this.metaDir, `${id}.json`);
  }

  /**
   * Content-Types by desktop, held in memory and written to the sidecar shortly after a change
   * (and on `flush`): rewriting the whole JSON on every upload made 10,000 uploads quadratic.
   */
  private readonly meta = new Map<string, Record<string, string>>();
  private readonly dirty = new Set<string>();
  private flushTimer: NodeJS.Timeout | undefined;

  private metaOf(id: string): Record<string, string> {
    let m = this.meta.get(id);
    if (!m) this.meta.set(id, (m = readJson<Record<string, string>>(this.metaFile(id), {})));
    return m;
  }

  getContentType(id: string, segments: string[]): string | undefined {
    return this.metaOf(id)[segments.join('/')];
  }

  setContentType(id: string, segments: string[], contentType: string | undefined): void {
    const meta = this.metaOf(id);
    const key = segments.join('/');
    if (contentType) meta[key] = contentType;
    else if (key in meta) delete meta[key];
    else return;
    this.dirty.add(id);
    this.flushTimer ??= setTimeout(() => this.flush(), 200).unref();
  }

  /** Writes the changed Content-Type tables to disk now. */
  flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    for (const id of this.dirty) if (this.getDesktop(id)) writeAtomic(this.metaFile(id), JSON.stringify(this.meta.get(id) ?? {}));
    this.dirty.clear();
  }
}
