// Bundles the extension. `vscode` stays external; undici and mime-types are bundled so the
// .vsix ships no node_modules, but into their own files, loaded on first use:
//   dist/extension.js  the extension (what activation loads)
//   dist/transferWorker.js  the thread large transfers run on, started with the first one
//   dist/undici.js     undici's Agent, ProxyAgent (with Pool and `connect`) and `request`, required by src/api/http.ts on the first request
//   dist/mime.js       mime-types and its database, required by src/api/names.ts on the first upload
// The sources keep their plain `require('undici/…')` / `require('mime-types')` (so tsc's out/
// and the unit tests use node_modules as usual); a plugin turns each into a require of the
// vendor file. Node still has to parse a file it loads, even for code it never runs: keeping
// undici (~290 KB) and mime-db (~150 KB) out of dist/extension.js takes that off activation.
import * as esbuild from 'esbuild';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';

const production = !process.argv.includes('--dev');

/** Bare specifier used in src → [vendor file in dist/, export of that file]. */
const VENDOR = {
  'undici/lib/dispatcher/agent': ['undici.js', 'Agent'],
  'undici/lib/dispatcher/proxy-agent': ['undici.js', 'ProxyAgent'],
  'undici/lib/dispatcher/pool': ['undici.js', 'Pool'],
  'undici/lib/api/api-request': ['undici.js', 'request'],
  'undici/lib/api/api-connect': ['undici.js', 'connect'],
  'mime-types': ['mime.js', 'mimeTypes'],
};
/** What each vendor file exports: one property per module it carries. */
const VENDOR_ENTRIES = {
  'undici.js':
    "module.exports = { Agent: require('undici/lib/dispatcher/agent'), ProxyAgent: require('undici/lib/dispatcher/proxy-agent'), Pool: require('undici/lib/dispatcher/pool'), request: require('undici/lib/api/api-request'), connect: require('undici/lib/api/api-connect') };",
  'mime.js': "module.exports = { mimeTypes: require('mime-types') };",
};

const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  minify: production,
  sourcemap: !production,
  metafile: true,
  logLevel: 'warning',
};

/** Redirects the vendored specifiers to `require('./<file>').<export>`, left external. */
const vendorSplit = {
  name: 'vendor-split',
  setup(build) {
    const filter = new RegExp(`^(${Object.keys(VENDOR).map((s) => s.replace(/[/.-]/g, '\\$&')).join('|')})$`);
    build.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'vendor' }));
    build.onLoad({ filter: /.*/, namespace: 'vendor' }, (args) => {
      const [file, name] = VENDOR[args.path];
      return { contents: `module.exports = require(${JSON.stringify(`./${file}`)})[${JSON.stringify(name)}];`, loader: 'js' };
    });
    build.onResolve({ filter: /^\.\/(undici|mime)\.js$/, namespace: 'vendor' }, (args) => ({ path: args.path, external: true }));
  },
};

/**
 * Every `import * as vscode from 'vscode'` (40 files) would get its own `__toESM(require('vscode'))`,
 * which copies each of the API's properties onto a new object: 26 ms of activation in the
 * extension host. All of them import one module instead, which takes the API's exports once.
 */
const vscodeOnce = {
  name: 'vscode-once',
  setup(build) {
    build.onResolve({ filter: /^vscode$/ }, (args) => (args.namespace === 'vscode-once' ? { path: 'vscode', external: true } : { path: 'vscode', namespace: 'vscode-once' }));
    build.onLoad({ filter: /.*/, namespace: 'vscode-once' }, () => ({ contents: "export * from 'vscode';", loader: 'js' }));
  },
};

mkdirSync('dist', { recursive: true });
const main = await esbuild.build({
  ...common,
  entryPoints: ['src/extension.ts'],
  outfile: 'dist/extension.js',
  external: ['vscode'],
  plugins: [vendorSplit, vscodeOnce],
});
// vscodeOnce's point: the API is required once. A second require (a file the plugin missed, a
// default import) brings back the copying it saves, without a test noticing: fail the build.
const vscodeRequires = readFileSync('dist/extension.js', 'utf8').match(/require\(["']vscode["']\)/g)?.length ?? 0;
if (vscodeRequires !== 1) {
  console.error(`dist/extension.js requires 'vscode' ${vscodeRequires} times, expected once (see vscodeOnce in scripts/bundle.mjs)`);
  process.exit(1);
}
// The transfer thread's script (src/api/transferThread.ts starts it from beside the bundle).
const worker = await esbuild.build({
  ...common,
  entryPoints: ['src/api/transferWorker.ts'],
  outfile: 'dist/transferWorker.js',
  plugins: [vendorSplit],
});
const metas = [main.metafile, worker.metafile];
for (const [file, contents] of Object.entries(VENDOR_ENTRIES)) {
  const r = await esbuild.build({
    ...common,
    stdin: { contents, resolveDir: process.cwd(), sourcefile: `vendor-${file}`, loader: 'js' },
    outfile: `dist/${file}`,
  });
  metas.push(r.metafile);
}
const metafile = { inputs: Object.assign({}, ...metas.map((m) => m.inputs)), outputs: Object.assign({}, ...metas.map((m) => m.outputs)) };
writeFileSync('dist/meta.json', JSON.stringify(metafile));
if (process.argv.includes('--analyze')) {
  console.log(await esbuild.analyzeMetafile(metafile));
}
