/**
 * A real case-insensitive disk on Linux for the in-host tests: a 16 MiB exFAT image, made by
 * mkfs.exfat (exfatprogs), attached to a loop device and mounted with exfat-fuse. exFAT ignores
 * case (through its up-case table, so `É` and `é` too) and keeps NFC and NFD apart, like a USB
 * stick or SD card on any OS; it has no hard links, so downloads take atomicFile's link()
 * fallback there too.
 *
 * Why this disk: this machine's kernel has neither vfat/exfat (no modules) nor CONFIG_UNICODE
 * (so ext4's casefold cannot mount), and ciopfs is not in Debian 12; FUSE and loop devices work
 * as root. It needs root (losetup, mount) and the packages scripts/ensure-code-server.sh
 * installs; it fails, never skips, when they are missing.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface MountedDisk {
  /** The mounted folder. */
  root: string;
  /** Unmounts, detaches the loop device and removes the image. */
  dispose(): void;
}

const HOW = 'The case-insensitive suite mounts an exFAT image: it needs Linux, root, /dev/fuse, a free loop device and the Debian packages exfatprogs and exfat-fuse (bash scripts/ensure-code-server.sh installs them).';

function run(cmd: string, args: string[]): string {
  try {
    // Root's tools live in /usr/sbin, which a code-server started without a login shell may not have on PATH.
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin` } });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${(e.stderr || e.message).trim()}\n${HOW}`);
  }
}

export function mountExfat(sizeMiB = 16): MountedDisk {
  if (process.platform !== 'linux') throw new Error(`This suite runs on Linux only (here: ${process.platform}). ${HOW}`);
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'nen-exfat-'));
  const image = path.join(base, 'disk.img');
  const root = path.join(base, 'mnt');
  fs.mkdirSync(root);
  fs.writeFileSync(image, '');
  fs.truncateSync(image, sizeMiB * 1024 * 1024);
  run('mkfs.exfat', ['-L', 'NENTEST', image]);
  const loop = run('losetup', ['--find', '--show', image]).trim();
  try {
    run('mount.exfat-fuse', [loop, root]);
  } catch (err) {
    run('losetup', ['-d', loop]);
    fs.rmSync(base, { recursive: true, force: true });
    throw err;
  }
  return {
    root,
    dispose() {
      try {
        run('umount', [root]);
      } catch {
        run('umount', ['-l', root]);
      }
      run('losetup', ['-d', loop]);
      fs.rmSync(base, { recursive: true, force: true });
    },
  };
}
