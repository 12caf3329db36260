// Exits 0 when node_modules matches package-lock.json (every locked package present at its
// locked version), so the scripts run `npm ci` only when it is missing or stale.
import { existsSync, readFileSync } from 'node:fs';

const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
const stale = [];
for (const [key, entry] of Object.entries(lock.packages ?? {})) {
  if (!key.startsWith('node_modules/') || entry.link) continue;
  const manifest = `${key}/package.json`;
  if (!existsSync(manifest)) {
    // Optional packages (platform-specific binaries) may legitimately be absent.
    if (!entry.optional) stale.push(`${key} missing`);
    continue;
  }
  const { version } = JSON.parse(readFileSync(manifest, 'utf8'));
  if (entry.version && version !== entry.version) stale.push(`${key} is ${version}, lock says ${entry.version}`);
}
if (stale.length > 0) {
  console.log(`node_modules is stale: ${stale.slice(0, 3).join('; ')}${stale.length > 3 ? ` (+${stale.length - 3} more)` : ''}`);
  process.exit(1);
}
