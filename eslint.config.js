import js from '@eslint/js';
import ts from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';

/** Components render and forward intent; the outside world stays behind net/ and storage/ (DESIGN §2). */
const componentImportBans = {
  patterns: [
    {
      group: ['peerjs', 'idb'],
      message: 'Only net/peerjs-transport.ts and storage/idb-store.ts talk to these.',
    },
    {
      group: ['**/net/*', '**/storage/*', '$lib/net/*', '$lib/storage/*'],
      message: 'Components read state/ classes; they never touch net/ or storage/ directly.',
    },
  ],
};

export default ts.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'test-results/',
      'playwright-report/',
      'bench/results/',
    ],
  },
  js.configs.recommended,
  ...ts.configs.recommendedTypeChecked,
  ...svelte.configs.recommended,
  {
    languageOptions: {
      globals: { ...globals.browser, ...globals.node },
      parserOptions: {
        projectService: {
          allowDefaultProject: ['*.config.ts'],
          defaultProject: 'tests/tsconfig.json',
        },
        extraFileExtensions: ['.svelte'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-console': ['error', { allow: ['warn', 'error', 'info', 'debug'] }],
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser } },
  },
  {
    files: ['web/src/lib/components/**'],
    rules: { 'no-restricted-imports': ['error', componentImportBans] },
  },
  {
    files: ['web/src/**'],
    ignores: ['web/src/lib/net/peerjs-transport.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'peerjs', message: 'Only net/peerjs-transport.ts imports peerjs.' }] },
      ],
    },
  },
  {
    files: ['web/src/**'],
    ignores: ['web/src/lib/storage/idb-store.ts', 'web/src/lib/components/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'idb', message: 'Only storage/idb-store.ts imports idb.' }] },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...ts.configs.disableTypeChecked,
  },
);
