// Bundles the extension into dist/extension.js. `vscode` stays external; undici and
// mime-types are bundled so the .vsix ships no node_modules.
import * as esbuild from 'esbuild';
import { writeFileSync, mkdirSync } from 'node:fs';

const production = !process.argv.includes('--dev');
const result = await esbuild.build({
  entryPoints: ['src/extension.ts'],
  bundle: true,
  outfile: 'dist/extension.js',
  external: ['vscode'],
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  minify: production,
  sourcemap: !production,
  metafile: true,
  logLevel: 'warning',
});
mkdirSync('dist', { recursive: true });
writeFileSync('dist/meta.json', JSON.stringify(result.metafile));
if (process.argv.includes('--analyze')) {
  console.log(await esbuild.analyzeMetafile(result.metafile));
}
