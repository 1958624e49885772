/**
 * The production stack, validated without a Docker engine or the docker-compose binary:
 * `loadComposeFile` (scripts/lib/compose-config.ts) interpolates docker-compose.yml as Compose
 * does, validates it against the Compose Specification's schema, and these tests read the result
 * to check the wiring (start-up order, settings, images, ports, mounts) and that missing secrets
 * fail loudly.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import {
  ComposeConfigError,
  interpolateString,
  loadComposeFile,
} from '../../scripts/lib/compose-config';
import { repoRoot } from '../../scripts/lib/paths';

const composeFile = path.join(repoRoot, 'docker-compose.yml');

const secrets = {
  KUJI_ENCRYPTION_KEY: 'test-encryption-key-not-a-real-one',
  POSTGRES_PASSWORD: 'test-postgres-password',
  KUJI_DB_PASSWORD: 'test-kuji-db-password',
};

type DependsOn = Record<string, { condition?: string }> | string[];
type Environment = Record<string, string | null> | string[];
type Port = string | { published?: string | number; target?: string | number; host_ip?: string };
type Volume = string | { type?: string; source?: string; target?: string };

interface ComposeService {
  image?: string;
  build?: string | { context?: string };
  command?: string | string[];
  entrypoint?: string | string[];
  depends_on?: DependsOn;
  environment?: Environment;
  healthcheck?: { test?: string | string[] };
  ports?: Port[];
  restart?: string;
  volumes?: Volume[];
}

interface ComposeConfig {
  services: Record<string, ComposeService>;
}

interface ComposeRun {
  ok: boolean;
  message: string;
}

/** Only what the test chooses: no secrets or settings from the caller's shell. */
function runCompose(env: Record<string, string>): ComposeRun {
  try {
    loadComposeFile(composeFile, env);
    return { ok: true, message: '' };
  } catch (error) {
    if (!(error instanceof ComposeConfigError)) throw error;
    return { ok: false, message: error.message };
  }
}

function loadConfig(env: Record<string, string>): ComposeConfig {
  return loadComposeFile(composeFile, env).config;
}

function dependencies(service: ComposeService): Map<string, string> {
  const dependsOn = service.depends_on ?? {};
  if (Array.isArray(dependsOn)) return new Map(dependsOn.map((name) => [name, 'service_started']));
  return new Map(
    Object.entries(dependsOn).map(([name, { condition }]) => [
      name,
      condition ?? 'service_started',
    ]),
  );
}

function environment(service: ComposeService): Map<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return new Map(
      env.map((entry) => {
        const separator = entry.indexOf('=');
        return separator === -1
          ? [entry, '']
          : [entry.slice(0, separator), entry.slice(separator + 1)];
      }),
    );
  }
  return new Map(Object.entries(env).map(([name, value]) => [name, value ?? '']));
}

interface PublishedPort {
  hostIp: string | undefined;
  published: string;
  target: string;
}

function publishedPorts(service: ComposeService): PublishedPort[] {
  return (service.ports ?? []).map((port) => {
    if (typeof port !== 'string') {
      return {
        hostIp: port.host_ip,
        published: String(port.published ?? ''),
        target: String(port.target ?? ''),
      };
    }
    const parts = (port.split('/')[0] ?? '').split(':');
    return {
      hostIp: parts.length > 2 ? parts.slice(0, -2).join(':') : undefined,
      published: parts.length > 1 ? (parts.at(-2) ?? '') : '',
      target: parts.at(-1) ?? '',
    };
  });
}

function bindMounts(service: ComposeService): { source: string; target: string }[] {
  return (service.volumes ?? []).flatMap((volume) => {
    if (typeof volume !== 'string') {
      return volume.type === 'bind' && volume.source && volume.target
        ? [{ source: volume.source, target: volume.target }]
        : [];
    }
    const [source = '', target = ''] = volume.split(':');
    return path.isAbsolute(source) || source.startsWith('.') ? [{ source, target }] : [];
  });
}

function asList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** The tag after the last path segment's colon, ignoring any digest. */
function imageTag(image: string): string | undefined {
  const name = image.split('@')[0] ?? '';
  const lastSegment = name.slice(name.lastIndexOf('/') + 1);
  const colon = lastSegment.indexOf(':');
  return colon === -1 ? undefined : lastSegment.slice(colon + 1);
}

function service(config: ComposeConfig, name: string): ComposeService {
  const found = config.services[name];
  assert.ok(found, `service ${name} is missing`);
  return found;
}

const oneShotSteps = ['temporal-schema', 'temporal-namespace', 'migrate'];
const kujiServices = ['migrate', 'api', 'worker'];

/** What a dependant waits for, by the service it depends on. */
const conditionByDependency: Record<string, string> = {
  postgres: 'service_healthy',
  temporal: 'service_healthy',
  'temporal-schema': 'service_completed_successfully',
  'temporal-namespace': 'service_completed_successfully',
  migrate: 'service_completed_successfully',
  // The optional proxy: it forwards to a healthy API and to the UI once started.
  api: 'service_healthy',
  'temporal-ui': 'service_started',
};

describe('loadComposeFile (the validator these tests use)', () => {
  const env = { SET: 'value', EMPTY: '' };

  it('interpolates like Compose: defaults, alternatives and $$', () => {
    const cases: [string, string][] = [
      ['${SET}-$SET', 'value-value'],
      ['${UNSET:-fallback} ${EMPTY:-fallback} ${SET:-fallback}', 'fallback fallback value'],
      ['${UNSET-fallback}|${EMPTY-fallback}', 'fallback|'],
      ['${SET:+alt}|${EMPTY:+alt}|${EMPTY+alt}|${UNSET+alt}', 'alt||alt|'],
      ['${UNSET:-${SET:-x}}', 'value'],
      ['$$SET costs $$5, $ alone, $1', '$SET costs $5, $ alone, $1'],
    ];
    for (const [text, expected] of cases) assert.equal(interpolateString(text, env, 'x'), expected);
  });

  it('stops on a required variable that is unset, or empty with :?, naming it and the message', () => {
    assert.throws(() => interpolateString('${UNSET:?set UNSET}', env, 'a.b'), {
      message: 'a.b: required variable UNSET is missing a value: set UNSET',
    });
    assert.throws(() => interpolateString('${EMPTY:?need it}', env, 'a'), /EMPTY.*need it/);
    assert.equal(interpolateString('${EMPTY?need it}', env, 'a'), '');
    assert.throws(() => interpolateString('${SET', env, 'a'), /unclosed/);
    assert.throws(() => interpolateString('${SET/a/b}', env, 'a'), /invalid interpolation/);
  });

  it('refuses what the Compose Specification refuses, and undefined references', () => {
    const scratch = mkdtempSync(path.join(tmpdir(), 'kuji-compose-'));
    try {
      const write = (text: string) => {
        const file = path.join(scratch, 'compose.yml');
        writeFileSync(file, text);
        return file;
      };
      const bad = [
        [
          'services:\n  a:\n    image: x\n    restart: sometimes-maybe\n    prots: []\n',
          /prots|additional/,
        ],
        ['services:\n  a:\n    image: x\n    depends_on: [b]\n', /undefined service b/],
        ['services:\n  a:\n    image: x\n    volumes: [data:/d]\n', /undefined volume data/],
      ] as const;
      for (const [text, reason] of bad) {
        assert.throws(() => loadComposeFile(write(text), {}), reason);
      }
      const good = loadComposeFile(
        write('services:\n  a:\n    build: .\n    volumes: [./x:/x]\n'),
        {},
      );
      assert.deepEqual(good.config.services.a, {
        build: { context: scratch },
        volumes: [`${path.join(scratch, 'x')}:/x`],
      });
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});

describe('docker-compose.yml', () => {
  let config: ComposeConfig;

  before(() => {
    config = loadConfig(secrets);
  });

  it('defines every service of the stack on the official images', () => {
    const expectedImages: Record<string, string> = {
      postgres: 'postgres',
      'temporal-schema': 'temporalio/admin-tools',
      temporal: 'temporalio/server',
      'temporal-namespace': 'temporalio/admin-tools',
      'temporal-ui': 'temporalio/ui',
    };
    for (const [name, repository] of Object.entries(expectedImages)) {
      const image = service(config, name).image ?? '';
      assert.equal(image.split(':')[0], repository, `${name} runs ${image}`);
    }
    const kujiImages = new Set(kujiServices.map((name) => service(config, name).image));
    assert.equal(
      kujiImages.size,
      1,
      `api, worker and migrate share one image: ${[...kujiImages].join(', ')}`,
    );
    for (const name of kujiServices) {
      const build = service(config, name).build;
      const context = typeof build === 'string' ? build : build?.context;
      assert.equal(context && path.resolve(repoRoot, context), repoRoot, `${name} builds the repo`);
    }
  });

  it("runs Kuji's entry points with tsx", () => {
    const entryPoints: Record<string, string> = {
      migrate: 'db/migrate-cli.ts',
      api: 'api/server.ts',
      worker: 'worker/main.ts',
    };
    for (const [name, file] of Object.entries(entryPoints)) {
      assert.deepEqual(asList(service(config, name).command), ['node_modules/.bin/tsx', file]);
      assert.ok(existsSync(path.join(repoRoot, file)), `${name} runs ${file}, which is missing`);
    }
  });

  it('waits for each dependency in the state it needs: servers healthy, set-up steps done', () => {
    for (const [name, definition] of Object.entries(config.services)) {
      for (const [dependency, condition] of dependencies(definition)) {
        const expected = conditionByDependency[dependency];
        assert.ok(expected, `${name} depends on ${dependency}, which nothing should wait for`);
        assert.equal(condition, expected, `${name} → ${dependency}`);
      }
    }
  });

  it('starts Temporal after its schema, and Kuji after the migrations and the namespace', () => {
    const required: Record<string, string[]> = {
      'temporal-schema': ['postgres'],
      temporal: ['temporal-schema'],
      'temporal-namespace': ['temporal'],
      'temporal-ui': ['temporal'],
      migrate: ['postgres'],
      api: ['migrate', 'temporal', 'temporal-namespace'],
      worker: ['migrate', 'temporal', 'temporal-namespace'],
    };
    for (const [name, needs] of Object.entries(required)) {
      const actual = dependencies(service(config, name));
      for (const dependency of needs) {
        assert.ok(actual.has(dependency), `${name} must wait for ${dependency}`);
      }
    }
  });

  it('runs the set-up steps once and keeps the servers running', () => {
    for (const name of oneShotSteps) {
      assert.equal(service(config, name).restart, 'no', `${name} is one-shot`);
    }
    for (const name of ['postgres', 'temporal', 'temporal-ui', 'api', 'worker']) {
      assert.equal(service(config, name).restart, 'unless-stopped', `${name} restarts`);
    }
  });

  it('health-checks PostgreSQL with pg_isready, Temporal, and the API on /healthz', () => {
    const probe = (name: string) => asList(service(config, name).healthcheck?.test).join(' ');
    assert.match(probe('postgres'), /pg_isready/);
    assert.match(probe('temporal'), /7233/);
    assert.match(probe('api'), /\/healthz/);
  });

  it('runs the Temporal set-up scripts mounted from deploy/', () => {
    for (const name of ['temporal-schema', 'temporal-namespace']) {
      const definition = service(config, name);
      const script = asList(definition.entrypoint).find((part) => part.endsWith('.sh'));
      assert.ok(script, `${name} runs no script`);
      const mount = bindMounts(definition).find((m) => m.target === script);
      assert.ok(mount, `${name} runs ${script}, which is not mounted`);
      assert.ok(mount.source.startsWith(path.join(repoRoot, 'deploy') + path.sep), mount.source);
    }
  });

  it('mounts only files that exist in the repository', () => {
    for (const [name, definition] of Object.entries(config.services)) {
      for (const { source } of bindMounts(definition)) {
        const resolved = path.resolve(repoRoot, source);
        assert.ok(resolved.startsWith(repoRoot + path.sep), `${name} mounts ${source}`);
        assert.ok(existsSync(resolved), `${name} mounts ${source}, which does not exist`);
      }
    }
  });

  it('gives the api and worker every setting Kuji reads', () => {
    for (const name of ['api', 'worker']) {
      const env = environment(service(config, name));
      for (const variable of [
        'DATABASE_URL',
        'TEMPORAL_ADDRESS',
        'TEMPORAL_NAMESPACE',
        'TEMPORAL_TASK_QUEUE',
        'PORT',
        'HOST',
        'KUJI_ENCRYPTION_KEY',
        'KUJI_ADMIN_KEY',
        'X_API_BASE_URL',
        'X_WEBHOOK_SECRET',
        'LOG_LEVEL',
      ]) {
        assert.ok(env.has(variable), `${name} lacks ${variable}`);
      }
      assert.equal(env.get('TEMPORAL_ADDRESS'), 'temporal:7233');
      assert.equal(env.get('TEMPORAL_NAMESPACE'), 'default');
      assert.equal(env.get('TEMPORAL_TASK_QUEUE'), 'kuji-campaigns');
      assert.equal(env.get('PORT'), '3000');
      assert.equal(env.get('HOST'), '0.0.0.0');
      assert.equal(env.get('X_API_BASE_URL'), '', 'empty by default: the real X API');
    }
  });

  it('creates the namespace Kuji uses', () => {
    const namespaceStep = environment(service(config, 'temporal-namespace'));
    const api = environment(service(config, 'api'));
    assert.equal(namespaceStep.get('KUJI_NAMESPACE'), api.get('TEMPORAL_NAMESPACE'));
    assert.equal(namespaceStep.get('TEMPORAL_ADDRESS'), api.get('TEMPORAL_ADDRESS'));
  });

  it("keeps Kuji's database apart from Temporal's", () => {
    const migrateUrl = environment(service(config, 'migrate')).get('DATABASE_URL') ?? '';
    for (const name of ['api', 'worker']) {
      assert.equal(environment(service(config, name)).get('DATABASE_URL'), migrateUrl);
    }
    const url = new URL(migrateUrl);
    assert.equal(url.protocol, 'postgres:');
    assert.equal(url.hostname, 'postgres');
    assert.equal(url.pathname, '/kuji');
    assert.equal(url.username, 'kuji', 'Kuji has its own role, not the superuser');
    const temporal = environment(service(config, 'temporal'));
    assert.equal(temporal.get('DB'), 'postgres12');
    assert.equal(temporal.get('POSTGRES_SEEDS'), 'postgres');
    for (const databaseName of [temporal.get('DBNAME'), temporal.get('VISIBILITY_DBNAME')]) {
      assert.notEqual(databaseName, 'kuji');
    }
  });

  it('takes every secret from the environment', () => {
    const api = environment(service(config, 'api'));
    const worker = environment(service(config, 'worker'));
    assert.equal(api.get('KUJI_ENCRYPTION_KEY'), secrets.KUJI_ENCRYPTION_KEY);
    assert.equal(worker.get('KUJI_ENCRYPTION_KEY'), secrets.KUJI_ENCRYPTION_KEY);
    assert.equal(
      decodeURIComponent(new URL(api.get('DATABASE_URL') ?? '').password),
      secrets.KUJI_DB_PASSWORD,
    );
    const postgres = environment(service(config, 'postgres'));
    assert.equal(postgres.get('POSTGRES_PASSWORD'), secrets.POSTGRES_PASSWORD);
    assert.equal(postgres.get('KUJI_DB_PASSWORD'), secrets.KUJI_DB_PASSWORD);
    assert.equal(
      environment(service(config, 'temporal')).get('POSTGRES_PWD'),
      secrets.POSTGRES_PASSWORD,
    );
    const schemaStep = environment(service(config, 'temporal-schema'));
    assert.equal(schemaStep.get('SQL_PASSWORD'), secrets.POSTGRES_PASSWORD);
  });

  it('pins every image to a version', () => {
    for (const [name, definition] of Object.entries(config.services)) {
      const image = definition.image ?? '';
      const tag = imageTag(image);
      assert.ok(
        tag && tag !== 'latest',
        `${name} runs ${image || 'no image'} without a pinned tag`,
      );
      if (definition.build === undefined) {
        assert.match(tag, /^\d+\.\d+/, `${name} runs ${image}: pin a released version`);
      }
    }
  });

  it('publishes the API and the Temporal Web UI', () => {
    const api = publishedPorts(service(config, 'api')).find((p) => p.target === '3000');
    assert.ok(api?.published, 'the API container port 3000 is not published');
    const ui = publishedPorts(service(config, 'temporal-ui')).find((p) => p.target === '8080');
    assert.ok(ui?.published, 'the Web UI container port 8080 is not published');
    assert.equal(ui.published, '8233');
    assert.deepEqual(service(config, 'postgres').ports ?? [], [], 'PostgreSQL stays internal');
  });

  it('keeps Temporal (which authenticates nobody) on loopback, and the Web UI behind the sign-in of the proxy profile', () => {
    for (const port of publishedPorts(service(config, 'temporal'))) {
      assert.equal(port.hostIp, '127.0.0.1', `Temporal's frontend is published on ${port.hostIp}`);
    }
    const ui = publishedPorts(service(config, 'temporal-ui')).find((p) => p.target === '8080');
    assert.equal(ui?.hostIp, '127.0.0.1', 'the Web UI is published beyond loopback by default');
    const proxy = service(config, 'proxy');
    assert.ok(
      (proxy.volumes ?? []).some((volume) =>
        (typeof volume === 'string' ? volume : (volume.source ?? '')).includes(
          'deploy/proxy/Caddyfile',
        ),
      ),
      'the proxy mounts deploy/proxy/Caddyfile',
    );
    const caddyfile = readFileSync(path.join(repoRoot, 'deploy', 'proxy', 'Caddyfile'), 'utf8');
    const uiSite = caddyfile.slice(caddyfile.indexOf('{$TEMPORAL_UI_PUBLIC_HOST}'));
    assert.match(
      uiSite,
      /basic_auth\s*\{\s*\{\$TEMPORAL_UI_USER\}\s*\{\$TEMPORAL_UI_PASSWORD_HASH\}/,
      'the UI site signs in',
    );
    assert.match(uiSite, /reverse_proxy temporal-ui:8080/);
  });

  for (const secret of Object.keys(secrets) as (keyof typeof secrets)[]) {
    for (const [variant, value] of [
      ['unset', undefined],
      ['empty', ''],
    ] as const) {
      it(`fails validation naming ${secret} when it is ${variant}`, () => {
        const env: Record<string, string> = { ...secrets };
        if (value === undefined) delete env[secret];
        else env[secret] = value;
        const run = runCompose(env);
        assert.equal(run.ok, false, `the compose file was accepted with a missing ${secret}`);
        assert.match(run.message, new RegExp(secret));
      });
    }
  }
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8');
  const instructions = dockerfile
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));

  it('builds on a pinned official Node 20 slim image', () => {
    const bases = instructions.filter((line) => /^FROM\s/i.test(line));
    assert.ok(bases.length > 0);
    for (const base of bases) {
      assert.match(base, /^FROM node:20\.\d+\.\d+-bookworm-slim(\s|$)/i);
    }
  });

  it('installs production dependencies from the lockfile', () => {
    assert.ok(
      instructions.some((line) => /\bnpm ci\b.*--omit=dev/.test(line)),
      'expected `npm ci --omit=dev`',
    );
  });

  it('runs as a non-root user with NODE_ENV=production', () => {
    const lastStage = instructions.slice(
      instructions.findLastIndex((line) => /^FROM\s/i.test(line)),
    );
    const user = lastStage.filter((line) => /^USER\s/i.test(line)).at(-1);
    assert.ok(user, 'the final stage sets no USER');
    assert.doesNotMatch(user, /^USER\s+(root|0)(:|\s|$)/i);
    assert.ok(lastStage.some((line) => /^ENV\s+NODE_ENV=production\b/i.test(line)));
  });
});

describe('deploy/ scripts', () => {
  const scripts = [
    'deploy/temporal/setup-schema.sh',
    'deploy/temporal/setup-namespace.sh',
    'deploy/postgres/initdb/10-create-kuji-database.sh',
  ];

  it('are valid POSIX shell', () => {
    for (const script of scripts) {
      const check = spawnSync('sh', ['-n', path.join(repoRoot, script)], { encoding: 'utf8' });
      assert.equal(check.status, 0, `${script}: ${check.stderr}`);
    }
  });

  it("create Kuji's search attributes with the types the workflow sets", () => {
    const namespaceScript = readFileSync(
      path.join(repoRoot, 'deploy/temporal/setup-namespace.sh'),
      'utf8',
    );
    for (const [name, type] of [
      ['CampaignId', 'Keyword'],
      ['CampaignPhase', 'Keyword'],
      ['SenderAccount', 'Keyword'],
      ['NeedsAttention', 'Bool'],
    ]) {
      assert.match(namespaceScript, new RegExp(`--name ${name} --type ${type}\\b`));
    }
  });
});
