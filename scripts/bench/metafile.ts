/** Summarises an esbuild metafile: which packages (and which parts of undici) weigh what in one output. */

export interface MetaGroup {
  name: string;
  bytes: number;
}

interface Metafile {
  outputs: Record<string, { bytes: number; inputs: Record<string, { bytesInOutput: number }> }>;
}

/** Groups an output's inputs: `src/<folder>`, `<package>`, and undici by `lib/<folder>`. Largest first. */
export function summarizeMetafile(meta: Metafile, output: string, top = 12): MetaGroup[] {
  const out = meta.outputs[output];
  if (!out) return [];
  const groups = new Map<string, number>();
  for (const [path, { bytesInOutput }] of Object.entries(out.inputs)) {
    groups.set(groupOf(path), (groups.get(groupOf(path)) ?? 0) + bytesInOutput);
  }
  const sorted = [...groups].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
  if (sorted.length <= top) return sorted;
  const rest = sorted.slice(top).reduce((n, g) => n + g.bytes, 0);
  return [...sorted.slice(0, top), { name: `(${sorted.length - top} more groups)`, bytes: rest }];
}

function groupOf(path: string): string {
  const nm = path.lastIndexOf('node_modules/');
  if (nm < 0) {
    const parts = path.split('/');
    return parts.length > 2 ? `${parts[0]}/${parts[1]}` : path;
  }
  const parts = path.slice(nm + 'node_modules/'.length).split('/');
  const pkg = parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  const restParts = parts.slice(pkg.split('/').length);
  if (pkg === 'undici' && restParts[0] === 'lib' && restParts.length > 2) return `undici/lib/${restParts[1]}`;
  if (pkg === 'undici' && restParts[0] === 'lib') return 'undici/lib/*.js';
  return pkg;
}
