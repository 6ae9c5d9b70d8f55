import tseslint from 'typescript-eslint';
import importDirections from './eslint-rules/import-directions.js';

const impureApis = [
  { object: 'Date', property: 'now', message: 'Use the injected Clock (src/util/clock.ts).' },
  { object: 'Math', property: 'random', message: 'Use the injected Random (src/util/random.ts).' },
];
const impureGlobals = ['setTimeout', 'setInterval', 'setImmediate'].map((name) => ({
  name,
  message: 'Timers belong in drivers and adapters; pure code takes `now`.',
}));

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'src/protocol/generated/', 'data/', '.tmp/'] },
  ...tseslint.configs.recommended,
  {
    plugins: { gregor: { rules: { 'import-directions': importDirections } } },
    rules: {
      'gregor/import-directions': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    // Pure code: no wall clock, randomness, timers or file system (DESIGN.md principle 4).
    files: ['src/protocol/**/*.ts', 'src/storage/**/*.ts', 'src/raft/core/**/*.ts', 'src/metadata/**/*.ts', 'src/coordinator/**/*.ts'],
    ignores: ['src/**/*driver*.ts'],
    rules: {
      'no-restricted-properties': ['error', ...impureApis],
      'no-restricted-globals': ['error', ...impureGlobals],
      'no-restricted-imports': ['error', { paths: ['node:fs', 'fs', 'node:fs/promises', 'fs/promises'] }],
    },
  },
);
