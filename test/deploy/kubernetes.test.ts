import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { parse } from 'yaml';
import { buildApp } from '../../api/app';
import { settingNames } from '../../config/settings';
import { createDb, type Db } from '../../db/client';
import { workerHealthPaths } from '../../worker/health';
import {
  type Container,
  type KubeObject,
  type KubeSpec,
  kujiRuleProblems,
  kustomizationProblems,
  parseManifests,
  type RuleContext,
  schemaProblems,
} from './manifest-rules';

const root = path.join(__dirname, '..', '..');
const dir = path.join(root, 'deploy', 'kubernetes');
const manifestPaths = readdirSync(dir)
  .filter((name) => name.endsWith('.yaml') && name !== 'kustomization.yaml')
  .sort();
const files = manifestPaths.map((name) => ({
  path: name,
  text: readFileSync(path.join(dir, name), 'utf8'),
}));

/** Read outside config/settings.ts: the credentials key loader, prices, the prebuilt bundle. */
const otherEnv = ['KUJI_ENCRYPTION_KEYS_OLD', 'KUJI_X_PRICES', 'KUJI_WORKFLOW_BUNDLE', 'NODE_ENV'];

describe('deploy/kubernetes manifests', () => {
  let app: FastifyInstance;
  let db: Db;
  let context: RuleContext;
  const { objects, problems: parseProblems } = parseManifests(files);

  before(async () => {
    // Never connected: the app is built only to ask which paths it serves.
    db = createDb('postgres://kuji:kuji@127.0.0.1:9/kuji');
    app = await buildApp({
      db,
      temporal: new Client({ connection: Connection.lazy({ address: '127.0.0.1:9' }) }),
      temporalConfig: { namespace: 'default', taskQueue: 'unused' },
    });
    await app.ready();
    context = {
      knownEnv: new Set<string>([...settingNames, ...otherEnv]),
      apiServes: (url) => app.hasRoute({ method: 'GET', url }),
      workerPaths: Object.values(workerHealthPaths),
      repoFileExists: (file) => existsSync(path.join(root, file)),
    };
  });
  after(async () => {
    await app?.close();
    await db?.destroy();
  });

  const clone = () => structuredClone(objects);
  const find = (all: KubeObject[], kind: string, name: string) => {
    const found = all.find((o) => o.kind === kind && o.metadata.name === name);
    assert.ok(found, `${kind}/${name}`);
    return found;
  };
  const container = (all: KubeObject[], name: string): Container => {
    const found = find(all, 'Deployment', name).spec?.template?.spec?.containers[0];
    assert.ok(found);
    return found;
  };
  const spec = (all: KubeObject[], kind: string, name: string): KubeSpec => {
    const found = find(all, kind, name).spec;
    assert.ok(found);
    return found;
  };
  const envOf = (all: KubeObject[], deployment: string, name: string) => {
    const found = container(all, deployment).env?.find((e) => e.name === name);
    assert.ok(found, name);
    return found;
  };
  const allProblems = (all: KubeObject[]) => [
    ...schemaProblems(all),
    ...kujiRuleProblems(all, context),
  ];

  it('parses every file, and holds the API, worker, migrate Job, Service, ConfigMap, Secret', () => {
    assert.deepEqual(parseProblems, []);
    const names = objects.map((o) => `${o.kind}/${o.metadata.name}`).sort();
    for (const expected of [
      'ConfigMap/kuji-settings',
      'Deployment/kuji-api',
      'Deployment/kuji-worker',
      'Job/kuji-migrate',
      'Secret/kuji-secrets',
      'Service/kuji-api',
    ]) {
      assert.ok(names.includes(expected), `${expected} in ${names.join(', ')}`);
    }
  });

  it("validates each object against Kubernetes' schema (kubernetes-models)", () => {
    assert.deepEqual(schemaProblems(objects), []);
  });

  it("keeps Kuji's rules: probes, settings, secrets, images, selectors, replicas, security", () => {
    assert.deepEqual(kujiRuleProblems(objects, context), []);
  });

  it('the example Secret holds no real value', () => {
    const secret = find(objects, 'Secret', 'kuji-secrets');
    for (const [key, value] of Object.entries(secret.stringData ?? {})) {
      assert.ok(value === '' || value.includes('CHANGE_ME'), `${key} = ${value}`);
    }
    assert.equal(secret.data, undefined);
  });

  it('kustomization.yaml applies every manifest but the example Secret and sets the image', () => {
    const kustomization = parse(readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8')) as {
      resources?: string[];
      images?: { name: string }[];
    };
    assert.deepEqual(kustomizationProblems(kustomization, manifestPaths, objects), []);
    const broken = { ...kustomization, resources: [...(kustomization.resources ?? []), 'x.yaml'] };
    assert.match(kustomizationProblems(broken, manifestPaths, objects).join('\n'), /x.yaml/);
    const withSecret = {
      ...kustomization,
      resources: [...(kustomization.resources ?? []), 'secret.example.yaml'],
    };
    assert.match(
      kustomizationProblems(withSecret, manifestPaths, objects).join('\n'),
      /example Secret must not be applied/,
    );
  });

  describe('fails on a broken manifest', () => {
    const breakages: [string, (all: KubeObject[]) => void, RegExp][] = [
      [
        'replicas not a number (schema)',
        (all) => (spec(all, 'Deployment', 'kuji-api').replicas = 'two'),
        /schema: .*replicas must be integer/,
      ],
      [
        'a probe on a path the API does not serve',
        (all) => (container(all, 'kuji-api').readinessProbe!.httpGet!.path = '/health'),
        /readiness probe path \/health is not served/,
      ],
      [
        'a probe on a path the worker does not serve',
        (all) => (container(all, 'kuji-worker').livenessProbe!.httpGet!.path = '/ready'),
        /liveness probe path \/ready is not served/,
      ],
      [
        'a probe on a port the container does not declare',
        (all) => (container(all, 'kuji-worker').livenessProbe!.httpGet!.port = 9090),
        /liveness probe port 9090 is not a container port/,
      ],
      [
        'the worker health server on another port than its probes',
        (all) => (envOf(all, 'kuji-worker', 'KUJI_WORKER_HEALTH_PORT').value = '9000'),
        /probe port 8081, but the process listens on 9000/,
      ],
      [
        'liveness on /healthz (restarts on a database outage)',
        (all) => (container(all, 'kuji-api').livenessProbe!.httpGet!.path = '/healthz'),
        /liveness on \/healthz/,
      ],
      [
        'a misspelt setting',
        (all) => container(all, 'kuji-api').env!.push({ name: 'DATABSE_URL', value: 'x' }),
        /unknown environment variable DATABSE_URL/,
      ],
      [
        'an unknown setting in the ConfigMap',
        (all) => (find(all, 'ConfigMap', 'kuji-settings').data!.TEMPORAL_ADRESS = 'x:7233'),
        /unknown setting TEMPORAL_ADRESS/,
      ],
      [
        'a secret as a plain value',
        (all) => {
          const env = envOf(all, 'kuji-worker', 'X_WEBHOOK_SECRET');
          delete env.valueFrom;
          env.value = 'hunter2';
        },
        /X_WEBHOOK_SECRET looks secret: it must come from a secretKeyRef/,
      ],
      [
        'a secret in the ConfigMap',
        (all) => (find(all, 'ConfigMap', 'kuji-settings').data!.METRICS_TOKEN = 'x'),
        /ConfigMap\/kuji-settings: METRICS_TOKEN looks secret/,
      ],
      [
        'a secretKeyRef to a key the Secret lacks',
        (all) => (envOf(all, 'kuji-api', 'DATABASE_URL').valueFrom!.secretKeyRef!.key = 'DB_URL'),
        /Secret kuji-secrets has no key DB_URL/,
      ],
      [
        'a worker image other than the API image',
        (all) => (container(all, 'kuji-worker').image = 'kuji:other'),
        /must share one image/,
      ],
      [
        'a Deployment selector that misses its pods',
        (all) =>
          (spec(all, 'Deployment', 'kuji-worker').selector!.matchLabels![
            'app.kubernetes.io/component'
          ] = 'workers'),
        /Deployment\/kuji-worker: selector .* does not match its pods/,
      ],
      [
        'a Service selecting no pods',
        (all) =>
          (spec(all, 'Service', 'kuji-api').selector!['app.kubernetes.io/component'] = 'apis'),
        /Service\/kuji-api: selects 0 Deployments/,
      ],
      [
        'a Service targeting a port no pod declares',
        (all) => (spec(all, 'Service', 'kuji-api').ports![0]!.targetPort = 'web'),
        /targetPort web is not a pod port/,
      ],
      [
        'a single API replica',
        (all) => (spec(all, 'Deployment', 'kuji-api').replicas = 1),
        /kuji-api: at least 2 replicas/,
      ],
      [
        'a writable root filesystem',
        (all) => (container(all, 'kuji-worker').securityContext!.readOnlyRootFilesystem = false),
        /readOnlyRootFilesystem must be true/,
      ],
      [
        'an entry script that does not exist',
        (all) => (container(all, 'kuji-api').command = ['node_modules/.bin/tsx', 'api/main.ts']),
        /runs none of/,
      ],
    ];
    for (const [name, breakIt, expected] of breakages) {
      it(name, () => {
        const all = clone();
        breakIt(all);
        const problems = allProblems(all);
        assert.ok(
          problems.some((p) => expected.test(p)),
          `expected ${expected} among:\n${problems.join('\n')}`,
        );
      });
    }

    it('a YAML syntax error', () => {
      const { problems } = parseManifests([{ path: 'bad.yaml', text: 'kind: [Deployment\n' }]);
      assert.match(problems.join('\n'), /bad.yaml: YAML/);
    });
  });
});
