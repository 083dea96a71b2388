import js from '@eslint/js';
import ts from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';
import { boundaryRule } from './scripts/lint/boundaries.js';

export default ts.config(
  {
    ignores: ['node_modules/', 'dist/', 'test-results/', 'playwright-report/', 'bench/results/'],
  },
  js.configs.recommended,
  ...ts.configs.recommendedTypeChecked,
  ...svelte.configs.recommended,
  {
    languageOptions: {
      globals: { ...globals.browser, ...globals.node },
      parserOptions: {
        projectService: {
          allowDefaultProject: ['*.config.ts', 'scripts/*.d.mts'],
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
    // The boundaries of DESIGN §2: one rule, every zone in scripts/lint/boundaries.js.
    files: ['web/src/**/*.ts', 'web/src/**/*.svelte', 'signal/src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [
        createNodeResolver({ extensions: ['.ts', '.svelte.ts', '.js', '.svelte', '.json'] }),
      ],
    },
    rules: { 'import-x/no-restricted-paths': boundaryRule },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...ts.configs.disableTypeChecked,
  },
);
