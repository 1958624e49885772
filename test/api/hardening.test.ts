import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance, InjectOptions } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { buildApp } from '../../api/app';
import type { ApiDependencies } from '../../api/plugins/dependencies';
import type { ApiRole } from '../../db/database';
import { insertAccount } from '../../db/repositories/accounts';
import { ensureApiKey, findApiKeyBySecret, insertApiKey } from '../../db/repositories/api-keys';
import { openIntervention } from '../../db/repositories/interventions';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { reachableExampleConfig, uniqueId } from '../support/fixtures';
import type { CampaignConfig } from '../../domain/campaign-config';

interface ErrorBody {
  code: string;
  message: string;
  details?: { path: string; message: string }[];
}

/** These routes answer from PostgreSQL; a lazy client that never connects stands in for Temporal. */
async function appWith(
  testDb: TestDatabase,
  extra: Partial<ApiDependencies> = {},
  options: Parameters<typeof buildApp>[1] = {},
) {
  return buildApp(
    {
      db: testDb.db,
      temporal: new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) }),
      temporalConfig: { namespace: 'default', taskQueue: 'unused' },
      ...extra,
    },
    options,
  );
}

describe('hostile input through the API', () => {
  let testDb: TestDatabase;
  let app: FastifyInstance;
  let accountId: string;
  const keys = {} as Record<ApiRole, string>;
  const auth = (role: ApiRole) => ({ authorization: `Bearer ${keys[role]}` });

  before(async () => {
    testDb = await createTestDatabase();
    app = await appWith(testDb);
    for (const role of ['admin', 'operator', 'approver', 'viewer'] as const) {
      keys[role] = (await insertApiKey(testDb.db, { name: `${role}-key`, role })).secret;
    }
    accountId = uniqueId('acct');
    await insertAccount(testDb.db, { id: accountId, handle: 'hardening' });
  });
  after(async () => {
    await app?.close();
    await testDb?.close();
  });

  const campaignCount = async () =>
    Number(
      (
        await testDb.db
          .selectFrom('campaigns')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  async function inject(options: InjectOptions) {
    const response = await app.inject(options);
    assert.ok(
      response.statusCode < 500,
      `${options.method ?? 'GET'} ${JSON.stringify(options.url)} answered ${response.statusCode}: ${response.body}`,
    );
    return response;
  }

  describe('%00 and other unstorable text in path ids', () => {
    const routes: [NonNullable<InjectOptions['method']>, string, ApiRole][] = [
      ['GET', '/v1/campaigns/%00', 'viewer'],
      ['GET', '/v1/campaigns/%00/deliveries', 'viewer'],
      ['GET', '/v1/campaigns/%00/entries', 'viewer'],
      ['GET', '/v1/campaigns/%00/interventions', 'viewer'],
      ['GET', '/v1/campaigns/%00/report', 'viewer'],
      ['GET', '/v1/campaigns/%00/report.csv', 'viewer'],
      ['POST', '/v1/campaigns/%00/pause', 'operator'],
      ['POST', '/v1/campaigns/a%00b/interventions/%00/resolve', 'operator'],
      ['GET', '/v1/accounts/%00', 'viewer'],
      ['POST', '/v1/accounts/%00/resume', 'operator'],
      ['DELETE', '/v1/api-keys/%00', 'admin'],
      ['GET', '/r/%00/1/token', 'viewer'],
    ];
    for (const [method, url, role] of routes) {
      it(`${method} ${url} answers 400 naming the parameter, not 500`, async () => {
        const response = await inject({
          method,
          url,
          headers: auth(role),
          ...(method === 'POST' ? { payload: {} } : {}),
        });
        assert.equal(response.statusCode, 400, response.body);
        const body = response.json<ErrorBody>();
        assert.ok(
          body.details?.some((d) => d.path.startsWith('params.')),
          response.body,
        );
      });
    }

    it('answers 400 for NUL in a query string', async () => {
      const response = await inject({
        url: '/v1/interventions?status=%00',
        headers: auth('viewer'),
      });
      assert.equal(response.statusCode, 400);
    });
  });

  describe('POST /v1/campaigns with text PostgreSQL cannot store', () => {
    const cases: [string, (config: CampaignConfig) => void, string][] = [
      ['a NUL in the name', (c) => (c.name = 'win\u0000ter'), 'config.name'],
      [
        'a lone surrogate in a prize code',
        (c) => (c.prizes[0]!.codes![1] = '\ud800'),
        'config.prizes.0.codes.1',
      ],
      [
        'a NUL in a template',
        (c) => (c.templates.win.dm = '{name}\u0000{resultUrl}'),
        'config.templates.win.dm',
      ],
      [
        'a NUL in a keyword',
        (c) => (c.entryRules.all = [{ type: 'dm_keyword', keyword: 'ほしい\u0000' }]),
        'config.entryRules.all.0.keyword',
      ],
    ];
    for (const [label, mutate, path] of cases) {
      it(`answers 400 naming ${path} for ${label}, and stores nothing`, async () => {
        const config = { ...structuredClone(reachableExampleConfig(new Date())), accountId };
        mutate(config);
        const before = await campaignCount();
        const response = await inject({
          method: 'POST',
          url: '/v1/campaigns',
          headers: auth('operator'),
          payload: { config, start: false },
        });
        assert.equal(response.statusCode, 400, response.body);
        const body = response.json<ErrorBody>();
        assert.ok(
          body.details?.some((d) => d.path === `body.${path}`),
          response.body,
        );
        assert.equal(await campaignCount(), before);
      });
    }

    it('answers 400 for pacing of 1e308 seconds', async () => {
      const config = { ...reachableExampleConfig(new Date()), accountId };
      const response = await inject({
        method: 'POST',
        url: '/v1/campaigns',
        headers: auth('operator'),
        payload: {
          config: { ...config, pacing: { minGapSeconds: 1e308, jitterSeconds: 0 } },
          start: false,
        },
      });
      assert.equal(response.statusCode, 400, response.body);
      assert.match(response.body, /pacing\.minGapSeconds/);
    });

    it('answers 400 for a lone surrogate escaped in the JSON text itself', async () => {
      const config = { ...reachableExampleConfig(new Date()), accountId };
      const payload = JSON.stringify({ config, start: false }).replace(
        '"name":"',
        '"name":"\\ud800',
      );
      const response = await inject({
        method: 'POST',
        url: '/v1/campaigns',
        headers: { ...auth('operator'), 'content-type': 'application/json' },
        payload,
      });
      assert.equal(response.statusCode, 400, response.body);
    });
  });

  describe('methods, long ids and unknown paths', () => {
    it('answers 405 with allow for an unknown method on a known path', async () => {
      const response = await inject({
        method: 'PUT',
        url: '/v1/campaigns/abc',
        headers: auth('admin'),
      });
      assert.equal(response.statusCode, 405);
      assert.equal(response.json<ErrorBody>().code, 'method_not_allowed');
      assert.match(String(response.headers.allow), /GET/);
    });

    it('answers 405 for DELETE on a collection that only lists and creates', async () => {
      const response = await inject({
        method: 'DELETE',
        url: '/v1/api-keys',
        headers: auth('admin'),
      });
      assert.equal(response.statusCode, 405);
      assert.deepEqual(String(response.headers.allow).split(', ').sort(), ['GET', 'HEAD', 'POST']);
    });

    it('answers 405 for a method Fastify parses with a body but no route takes (QUERY)', async () => {
      const response = await inject({
        method: 'QUERY',
        url: '/v1/interventions',
        headers: auth('admin'),
      });
      assert.equal(response.statusCode, 405, response.body);
    });

    it('answers 404 for a path no route has', async () => {
      const response = await inject({ url: '/v1/nothing-here', headers: auth('admin') });
      assert.equal(response.statusCode, 404);
    });

    it('answers 414 in the API error shape for a path id longer than the router takes', async () => {
      const response = await inject({
        url: `/v1/campaigns/${'a'.repeat(5000)}`,
        headers: auth('viewer'),
      });
      assert.equal(response.statusCode, 414);
      assert.equal(response.json<ErrorBody>().code, 'uri_too_long');
    });

    it('answers 400 in the API error shape for a path that does not decode', async () => {
      const response = await inject({ url: '/v1/campaigns/%E0%A4%A', headers: auth('viewer') });
      assert.equal(response.statusCode, 400);
      assert.equal(response.json<ErrorBody>().code, 'bad_url');
    });
  });

  describe('unique names', () => {
    it('refuses a second active API key of the same name, case-insensitively', async () => {
      const first = await inject({
        method: 'POST',
        url: '/v1/api-keys',
        headers: auth('admin'),
        payload: { name: 'ci-deploy', role: 'operator' },
      });
      assert.equal(first.statusCode, 201);
      const second = await inject({
        method: 'POST',
        url: '/v1/api-keys',
        headers: auth('admin'),
        payload: { name: 'CI-Deploy', role: 'admin' },
      });
      assert.equal(second.statusCode, 409);
      assert.equal(second.json<ErrorBody>().code, 'api_key_name_taken');
    });

    it('gives a revoked key’s name back', async () => {
      const created = await inject({
        method: 'POST',
        url: '/v1/api-keys',
        headers: auth('admin'),
        payload: { name: 'rotating', role: 'viewer' },
      });
      const { id } = created.json<{ id: string }>();
      const revoked = await inject({
        method: 'DELETE',
        url: `/v1/api-keys/${id}`,
        headers: auth('admin'),
      });
      assert.equal(revoked.statusCode, 204);
      const again = await inject({
        method: 'POST',
        url: '/v1/api-keys',
        headers: auth('admin'),
        payload: { name: 'rotating', role: 'viewer' },
      });
      assert.equal(again.statusCode, 201);
    });

    it('refuses the bootstrap admin names', async () => {
      for (const name of ['admin', 'Local-Admin']) {
        const response = await inject({
          method: 'POST',
          url: '/v1/api-keys',
          headers: auth('admin'),
          payload: { name, role: 'admin' },
        });
        assert.equal(response.statusCode, 409, name);
      }
    });

    it('refuses a second account with the same handle, case-insensitively', async () => {
      const create = (id: string, handle: string) =>
        inject({
          method: 'POST',
          url: '/v1/accounts',
          headers: auth('admin'),
          payload: { id, handle },
        });
      assert.equal((await create('brand-a', '@BrandJP')).statusCode, 201);
      const duplicate = await create('brand-b', 'brandjp');
      assert.equal(duplicate.statusCode, 409);
      assert.equal(duplicate.json<ErrorBody>().code, 'account_exists');
    });

    it('rotates a configured key: a new secret under a known name revokes the old one', async () => {
      await ensureApiKey(testDb.db, {
        name: 'boot-admin',
        role: 'admin',
        secret: 'kuji_old_secret_0123456789abcdef',
      });
      await ensureApiKey(testDb.db, {
        name: 'boot-admin',
        role: 'admin',
        secret: 'kuji_new_secret_0123456789abcdef',
      });
      assert.equal(
        await findApiKeyBySecret(testDb.db, 'kuji_old_secret_0123456789abcdef'),
        undefined,
      );
      assert.equal(
        (await findApiKeyBySecret(testDb.db, 'kuji_new_secret_0123456789abcdef'))?.name,
        'boot-admin',
      );
    });
  });

  describe('paginated lists', () => {
    it('pages API keys, accounts and interventions with limit and offset', async () => {
      for (let i = 0; i < 3; i++) {
        await openIntervention(testDb.db, {
          campaignId: null,
          accountId,
          kind: 'sender_halted',
          dedupeKey: `page-${i}`,
          details: {},
          openedBy: 'test',
        });
      }
      for (const url of ['/v1/api-keys', '/v1/accounts', '/v1/interventions']) {
        const first = await inject({ url: `${url}?limit=1`, headers: auth('admin') });
        const second = await inject({ url: `${url}?limit=1&offset=1`, headers: auth('admin') });
        assert.equal(first.statusCode, 200, first.body);
        const [a] = Object.values(first.json<Record<string, { id: string }[]>>());
        const [b] = Object.values(second.json<Record<string, { id: string }[]>>());
        assert.equal(a?.length, 1, url);
        assert.equal(b?.length, 1, url);
        assert.notEqual(a?.[0]?.id, b?.[0]?.id, url);
      }
      const tooMany = await inject({
        url: '/v1/interventions?limit=100000',
        headers: auth('admin'),
      });
      assert.equal(tooMany.statusCode, 400);
    });
  });
});

describe('the OpenAPI document', () => {
  let testDb: TestDatabase;
  let doc: {
    paths: Record<string, Record<string, OpenApiOperationShape>>;
  };
  interface OpenApiOperationShape {
    requestBody?: { content?: Record<string, { schema?: unknown }> };
    responses: Record<string, { content?: Record<string, unknown> }>;
  }
  before(async () => {
    testDb = await createTestDatabase();
    const app = await appWith(testDb);
    doc = (await app.inject({ url: '/docs/json' })).json();
    await app.close();
  });
  after(async () => {
    await testDb?.close();
  });

  it('states the campaign rules the schema alone cannot show', () => {
    const body = JSON.stringify(doc.paths['/v1/campaigns']?.post?.requestBody);
    for (const rule of [
      /IANA/,
      /endAt is after startAt/,
      /winners is at most the total stock/,
      /prize ids are unique/,
      /NUL character/,
      /unpaired surrogate/,
    ]) {
      assert.match(body, rule);
    }
  });

  it('documents DELETE /v1/api-keys/{id} without a body in either direction', () => {
    const operation = doc.paths['/v1/api-keys/{id}']?.delete;
    assert.equal(operation?.requestBody, undefined);
    assert.equal(operation?.responses['204']?.content, undefined);
  });

  it('documents the JSON errors of report.csv besides its CSV', () => {
    const responses = doc.paths['/v1/campaigns/{id}/report.csv']?.get?.responses ?? {};
    assert.deepEqual(Object.keys(responses['200']?.content ?? {}), ['text/csv']);
    for (const status of ['400', '401', '403', '404', '409']) {
      assert.deepEqual(Object.keys(responses[status]?.content ?? {}), ['application/json'], status);
    }
  });

  it('declares 400, 413, 414, 415 and 429 on every operation', () => {
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        for (const status of ['400', '413', '414', '415', '429']) {
          assert.ok(operation.responses[status], `${method} ${path} declares ${status}`);
        }
      }
    }
  });
});

describe('errors on a route that declares an HTML page for 400', () => {
  it('still answer the JSON error, never a 500 from the route serializer', async () => {
    const testDb = await createTestDatabase();
    const app = await appWith(testDb);
    try {
      app.withTypeProvider<ZodTypeProvider>().get(
        '/test/html-page',
        {
          schema: {
            querystring: z.object({ q: z.string() }),
            response: { 200: z.string(), 400: z.string().describe('text/html') },
          },
        },
        () => '<p>ok</p>',
      );
      const response = await app.inject({ url: '/test/html-page?q=%00' });
      assert.equal(response.statusCode, 400, response.body);
      assert.equal(response.json<ErrorBody>().code, 'validation_failed');
    } finally {
      await app.close();
      await testDb.close();
    }
  });
});

describe('requests Node refuses before Fastify', () => {
  it('answers a URL over the header limit with 431 in the API error shape', async () => {
    const testDb = await createTestDatabase();
    const app = await appWith(testDb);
    try {
      await app.listen({ host: '127.0.0.1', port: 0 });
      const address = app.server.address();
      assert.ok(address && typeof address === 'object');
      const response = await fetch(
        `http://127.0.0.1:${address.port}/v1/accounts?${'x'.repeat(20_000)}=1`,
      );
      assert.equal(response.status, 431);
      assert.equal(((await response.json()) as ErrorBody).code, 'headers_too_large');
    } finally {
      await app.close();
      await testDb.close();
    }
  });
});

describe('rate limits', () => {
  let testDb: TestDatabase;
  before(async () => {
    testDb = await createTestDatabase();
  });
  after(async () => {
    await testDb?.close();
  });

  it('answers a JSON 429 with retry-after past the per-key limit', async () => {
    const app = await appWith(testDb, { rateLimits: { perKey: 3, perAddress: 100 } });
    try {
      const { secret } = await insertApiKey(testDb.db, { name: 'limited', role: 'viewer' });
      const headers = { authorization: `Bearer ${secret}` };
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++)
        statuses.push((await app.inject({ url: '/v1/accounts', headers })).statusCode);
      assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
      const limited = await app.inject({ url: '/v1/accounts', headers });
      assert.equal(limited.json<ErrorBody>().code, 'rate_limited');
      assert.ok(Number(limited.headers['retry-after']) > 0);
      // Another key from the same address still gets through.
      const other = await insertApiKey(testDb.db, { name: 'unlimited', role: 'viewer' });
      const fresh = await app.inject({
        url: '/v1/accounts',
        headers: { authorization: `Bearer ${other.secret}` },
      });
      assert.equal(fresh.statusCode, 200);
    } finally {
      await app.close();
    }
  });

  it('behind a trusted proxy, limits each forwarded client on its own', async () => {
    const app = await appWith(
      testDb,
      { rateLimits: { perKey: 100, perAddress: 2 } },
      { trustProxy: ['127.0.0.1'] },
    );
    try {
      const from = (client: string) =>
        app.inject({
          url: '/v1/accounts',
          remoteAddress: '127.0.0.1',
          headers: { authorization: 'Bearer guess', 'x-forwarded-for': client },
        });
      const first = [];
      for (let i = 0; i < 3; i++) first.push((await from('203.0.113.7')).statusCode);
      assert.deepEqual(first, [401, 401, 429]);
      // Another client behind the same proxy has its own bucket.
      assert.equal((await from('198.51.100.4')).statusCode, 401);
    } finally {
      await app.close();
    }
  });

  it('limits an address whatever keys it makes up', async () => {
    const app = await appWith(testDb, { rateLimits: { perKey: 100, perAddress: 4 } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        statuses.push(
          (
            await app.inject({
              url: '/v1/accounts',
              // Its own address: the counters are in the database the other tests here share.
              remoteAddress: '192.0.2.33',
              headers: { authorization: `Bearer guess-${i}` },
            })
          ).statusCode,
        );
      }
      assert.deepEqual(statuses, [401, 401, 401, 401, 429, 429]);
    } finally {
      await app.close();
    }
  });
});

describe('GET /metrics with METRICS_TOKEN', () => {
  let testDb: TestDatabase;
  let app: FastifyInstance;
  before(async () => {
    testDb = await createTestDatabase();
    app = await appWith(testDb, { metricsToken: 'metrics-token-0123456789' });
  });
  after(async () => {
    await app?.close();
    await testDb?.close();
  });

  it('answers 401 without the token or with another one', async () => {
    assert.equal((await app.inject({ url: '/metrics' })).statusCode, 401);
    const wrong = await app.inject({ url: '/metrics', headers: { authorization: 'Bearer nope' } });
    assert.equal(wrong.statusCode, 401);
  });

  it('answers the metrics with the token', async () => {
    const response = await app.inject({
      url: '/metrics',
      headers: { authorization: 'Bearer metrics-token-0123456789' },
    });
    assert.equal(response.statusCode, 200);
    assert.match(response.body, /kuji_http_requests_total/);
  });
});
