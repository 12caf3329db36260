/**
 * Loads dist/extension.js in plain Node with `vscode` stubbed and prints how long `require()`
 * took, in ms. Not activation (that is measured in the extension host); it isolates the cost
 * of compiling and evaluating the bundle, the largest part of activation. Run by bench.ts in
 * a fresh process per sample.
 */
import Module from 'node:module';
import { performance } from 'node:perf_hooks';

const stub: unknown = new Proxy(function () {}, {
  get: (_t, p) => (p === '__esModule' ? false : stub),
  apply: () => stub,
  construct: () => stub as object,
});
const loader = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
const original = loader._load;
loader._load = function (request: string, ...rest: unknown[]): unknown {
  return request === 'vscode' ? stub : original.call(this, request, ...rest);
};
const target = process.argv[2];
if (!target) throw new Error('usage: bundleLoad.js <path to extension.js>');
const t0 = performance.now();
// eslint-disable-next-line @typescript-eslint/no-require-imports
require(target);
process.stdout.write(`${performance.now() - t0}\n`);
