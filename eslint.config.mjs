// Layering is enforced, not hoped for: the API client and the unit tests must stay
// testable in plain Node, so they may never import `vscode`; views never import commands;
// tooling (tools/, scripts/) runs in plain Node too and depends on the product, never on test/.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const vscodePath = { name: 'vscode', message: 'This layer must run in plain Node: do not import vscode here.' };
const noVscode = { 'no-restricted-imports': ['error', { paths: [vscodePath] }] };
const tooling = {
  'no-restricted-imports': ['error', {
    paths: [vscodePath],
    patterns: [{ group: ['**/test', '**/test/**'], message: 'Tooling depends on the product, never on the tests: move what it shares with them into tools/.' }],
  }],
};

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', '.cache/**', '.vscode-test/**', 'test-results/**', '.nen-drive-demo/**', 'tools/code-server/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', Buffer: 'readonly', URL: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', __dirname: 'readonly', require: 'readonly', module: 'writable' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  { files: ['src/api/**/*.ts', 'src/cache/**/*.ts', 'src/transfers/**/*.ts', 'test/unit/**/*.ts'], rules: noVscode },
  { files: ['tools/**/*.ts', 'scripts/**'], rules: tooling },
  {
    files: ['src/views/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/commands/**', '../commands', '../commands/*'], message: 'views never import commands.' }] }],
    },
  },
);
