/**
 * The abuse suite: about a thousand hostile requests generated from Kuji's own OpenAPI document,
 * sent through the real app on a real PostgreSQL and a real Temporal dev server. No answer may be
 * a 5xx (bar a 503 the document declares), every status must be one the document declares for
 * that operation, in the content type it declares, no campaign may be created nor workflow
 * started, and no answer may carry a credential or a prize code. Counts are printed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../api/app';
import { insertApiKey } from '../../db/repositories/api-keys';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { reachableExampleConfig, seedAccount, seedCampaign } from '../support/fixtures';
import { createDevServerEnv } from '../support/temporal';
import {
  generateHostileRequests,
  type HostileRequest,
  type OpenApiDocument,
} from './hostile-requests';

const seed = Number(process.env.KUJI_FUZZ_SEED ?? 20261203);
const requestCount = 1_000;

interface Outcome {
  request: HostileRequest;
  status: number;
  contentType: string;
  body: string;
}

function declaredContentTypes(doc: OpenApiDocument, request: HostileRequest, status: number) {
  const operation = doc.paths[request.template]?.[request.method.toLowerCase()];
  const response = operation?.responses[String(status)];
  return response ? Object.keys(response.content ?? {}) : undefined;
}

describe('abuse suite: hostile requests from the OpenAPI document', () => {
  let env: TestWorkflowEnvironment;
  let testDb: TestDatabase;
  let app: FastifyInstance;
  let doc: OpenApiDocument;
  let secrets: string[] = [];
  let prizeCodes: string[] = [];
  let campaignsBefore = 0;
  const outcomes: Outcome[] = [];
  const namespace = 'default';
  const taskQueue = `fuzz-${process.pid}`;

  const countCampaigns = async () =>
    Number(
      (
        await testDb.db
          .selectFrom('campaigns')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  before(async () => {
    [env, testDb] = await Promise.all([createDevServerEnv(), createTestDatabase()]);
    app = await buildApp({
      db: testDb.db,
      temporal: env.client,
      temporalConfig: { namespace, taskQueue },
      webhookSecret: 'fuzz-consumer-secret',
      metricsToken: 'fuzz-metrics-token-0123',
      // The limits have their own tests; here they would only turn the run into 429s.
      rateLimits: { perKey: 1_000_000, perAddress: 1_000_000 },
    });
    const credentials: Record<string, string | undefined> = {
      none: undefined,
      garbage: 'Bearer kuji_not_a_real_key',
      basic: 'Basic YWRtaW46YWRtaW4=',
      long: `Bearer ${'k'.repeat(10_000)}`,
      nul: 'Bearer kuji_\u0000',
    };
    for (const role of ['admin', 'operator', 'approver', 'viewer'] as const) {
      const { secret } = await insertApiKey(testDb.db, { name: `fuzz-${role}`, role });
      credentials[role] = `Bearer ${secret}`;
      secrets.push(secret);
    }
    secrets = [...secrets, 'fuzz-consumer-secret', 'fuzz-metrics-token-0123'];
    const accountId = await seedAccount(testDb.db);
    const campaign = await seedCampaign(testDb.db, { accountId });
    prizeCodes = reachableExampleConfig(new Date()).prizes.flatMap((prize) => prize.codes ?? []);
    campaignsBefore = await countCampaigns();

    doc = (await app.inject({ url: '/docs/json' })).json<OpenApiDocument>();
    const requests = generateHostileRequests(
      doc,
      {
        credentials,
        validRoles: ['admin', 'operator', 'approver', 'viewer'],
        knownIds: { id: campaign.id, campaignId: campaign.id, xUserId: '1000000000000000001' },
        exampleBodies: {
          'POST /v1/campaigns': { config: { ...reachableExampleConfig(new Date()), accountId } },
          'PUT /v1/campaigns/{id}/config': {
            config: { ...reachableExampleConfig(new Date()), accountId },
          },
        },
      },
      seed,
      requestCount,
    );
    for (const request of requests) {
      const response = await app.inject(request.options);
      outcomes.push({
        request,
        status: response.statusCode,
        contentType: String(response.headers['content-type'] ?? ''),
        body: response.body,
      });
    }

    const byStatus = new Map<number, number>();
    for (const outcome of outcomes) {
      byStatus.set(outcome.status, (byStatus.get(outcome.status) ?? 0) + 1);
    }
    const operations = new Set(outcomes.map((o) => o.request.operation)).size;
    console.log(
      `[abuse suite] seed ${seed}: ${outcomes.length} requests over ${operations} operations; ` +
        `by status: ${[...byStatus.entries()]
          .sort(([a], [b]) => a - b)
          .map(([status, count]) => `${status}×${count}`)
          .join(', ')}`,
    );
  });

  after(async () => {
    await app?.close();
    await testDb?.close();
    await env?.teardown();
  });

  const describeOutcome = (o: Outcome) =>
    `${o.request.operation} [${o.request.kind}] ${JSON.stringify(o.request.options.url)?.slice(0, 200)} → ${o.status} ${o.body.slice(0, 200)}`;

  it('sends about a thousand requests covering every operation of the document', () => {
    assert.ok(outcomes.length >= requestCount, `${outcomes.length} requests`);
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const covered = new Set(outcomes.map((o) => o.request.operation));
    assert.deepEqual(
      operations.filter((operation) => !covered.has(operation)),
      [],
    );
  });

  it('answers no 5xx but the 503s the document declares', () => {
    const failures = outcomes.filter(
      (o) => o.status >= 500 && !(o.status === 503 && declaredContentTypes(doc, o.request, 503)),
    );
    assert.deepEqual(failures.map(describeOutcome), []);
  });

  it('answers only statuses the document declares for the operation, in its content type', () => {
    const undeclared = outcomes.filter((o) => {
      const types = declaredContentTypes(doc, o.request, o.status);
      if (types === undefined) return true;
      if (types.length === 0) return o.body.length > 0;
      return !types.some((type) => o.contentType.startsWith(type));
    });
    assert.deepEqual(undeclared.map(describeOutcome), []);
  });

  it('answers every error as JSON with a code and a message', () => {
    const shapeless = outcomes.filter((o) => {
      if (o.status < 400 || !o.contentType.startsWith('application/json')) return false;
      const body = JSON.parse(o.body) as { code?: unknown; message?: unknown };
      return typeof body.code !== 'string' || typeof body.message !== 'string';
    });
    assert.deepEqual(shapeless.map(describeOutcome), []);
  });

  it('creates no campaign and starts no workflow', async () => {
    assert.equal(await countCampaigns(), campaignsBefore);
    let workflows = 0;
    for await (const _workflow of env.client.workflow.list()) workflows += 1;
    assert.equal(workflows, 0);
  });

  it('shows no credential in any answer, and no prize code to anyone without a role', () => {
    const leaks = outcomes.filter((o) => {
      if (secrets.some((secret) => o.body.includes(secret))) return true;
      const authorization = (o.request.options.headers as Record<string, string>).authorization;
      const anonymous = !authorization || !/^Bearer kuji_[A-Za-z0-9_-]{40,}$/.test(authorization);
      return anonymous && prizeCodes.some((code) => o.body.includes(code));
    });
    assert.deepEqual(leaks.map(describeOutcome), []);
  });
});
