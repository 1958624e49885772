import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { LIVE_STATUS_DEADLINE_MS } from '../../api/campaign-status';
import { markCampaignStarted } from '../../db/repositories/campaigns';
import { pauseSignal, resumeSignal, statusQuery } from '../../workflows/messages';
import { CampaignPhaseKey, campaignWorkflowId } from '../../workflows/search-attributes';
import { type ApiHarness, startApiHarness } from '../support/api';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { reachableExampleConfig, seedAccount, seedCampaign } from '../support/fixtures';
import { ensureTemporalCli } from '../../scripts/lib/provision';
import { createDevServerEnv } from '../support/temporal';

interface LiveDetail {
  campaign: { phase: string; paused: boolean };
  workflow: {
    status: string | null;
    live: boolean;
    liveError: { code: string; reason: { ja: string; en: string } } | null;
    state: Record<string, unknown> | null;
  };
}

async function eventually<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('campaigns API (API → Temporal dev server → worker → PostgreSQL)', () => {
  let env: TestWorkflowEnvironment;
  let testDb: TestDatabase;
  let api: ApiHarness;
  let accountId: string;

  before(async () => {
    [env, testDb] = await Promise.all([createDevServerEnv(), createTestDatabase()]);
    api = await startApiHarness(env, testDb);
    accountId = await seedAccount(testDb.db);
  });
  after(async () => {
    await api?.close();
    await env?.teardown();
    await testDb?.close();
  });

  const draft = (overrides: Record<string, unknown> = {}) => ({
    ...reachableExampleConfig(new Date()),
    accountId,
    ...overrides,
  });

  async function countCampaigns() {
    const row = await testDb.db
      .selectFrom('campaigns')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  describe('POST /v1/campaigns', () => {
    it('stores the draft, starts campaign:<id>, and the workflow reaches awaiting_approval', async () => {
      const response = await api.app.inject({
        method: 'POST',
        url: '/v1/campaigns',
        headers: api.auth('operator'),
        payload: { id: 'winter-2026', config: draft() },
      });
      assert.equal(response.statusCode, 201, response.body);
      const { campaign } = response.json<{
        campaign: { id: string; workflowId: string; author: string };
      }>();
      assert.equal(campaign.workflowId, 'campaign:winter-2026');
      assert.equal(campaign.author, 'operator');

      const detail = await eventually(async () => {
        const res = await api.app.inject({
          url: '/v1/campaigns/winter-2026',
          headers: api.auth('viewer'),
        });
        const body = res.json<{
          campaign: { phase: string };
          workflow: { status: string; state: { phase: string } };
        }>();
        return body.campaign.phase === 'awaiting_approval' ? body : undefined;
      }, 'phase awaiting_approval');
      assert.equal(detail.workflow.status, 'RUNNING');
      assert.equal(detail.workflow.state.phase, 'awaiting_approval');

      const description = await env.client.workflow
        .getHandle(campaignWorkflowId('winter-2026'))
        .describe();
      assert.equal(description.typedSearchAttributes.get(CampaignPhaseKey), 'awaiting_approval');
    });

    it('answers 409 for the same id and never starts a second workflow', async () => {
      const response = await api.app.inject({
        method: 'POST',
        url: '/v1/campaigns',
        headers: api.auth('operator'),
        payload: { id: 'winter-2026', config: draft() },
      });
      assert.equal(response.statusCode, 409);
      assert.equal(response.json<{ code: string }>().code, 'campaign_exists');
      const runs = [];
      for await (const execution of env.client.workflow.list({
        query: `WorkflowId = 'campaign:winter-2026'`,
      })) {
        runs.push(execution);
      }
      assert.equal(runs.length, 1);
    });

    it('rejects an invalid draft with 400 naming each failing field, storing nothing', async () => {
      const before = await countCampaigns();
      const config = draft({
        name: '',
        schedule: { startAt: 'tomorrow', endAt: '2026-01-01T00:00:00+09:00' },
      });
      const response = await api.app.inject({
        method: 'POST',
        url: '/v1/campaigns',
        headers: api.auth('operator'),
        payload: { id: 'bad-draft', config },
      });
      assert.equal(response.statusCode, 400);
      const body = response.json<{ code: string; details: { path: string }[] }>();
      assert.equal(body.code, 'validation_failed');
      const paths = body.details.map((d) => d.path);
      assert.ok(paths.includes('body.config.name'), paths.join(', '));
      assert.ok(paths.includes('body.config.schedule.startAt'), paths.join(', '));
      assert.equal(await countCampaigns(), before);
    });

    it('rejects an unknown sender account with 400, storing nothing', async () => {
      const before = await countCampaigns();
      const response = await api.app.inject({
        method: 'POST',
        url: '/v1/campaigns',
        headers: api.auth('operator'),
        payload: { config: draft({ accountId: 'nobody' }) },
      });
      assert.equal(response.statusCode, 400);
      assert.equal(response.json<{ code: string }>().code, 'unknown_account');
      assert.equal(await countCampaigns(), before);
    });

    it('answers 401 without a key and 403 for a viewer', async () => {
      const anonymous = await api.app.inject({ method: 'POST', url: '/v1/campaigns', payload: {} });
      assert.equal(anonymous.statusCode, 401);
      assert.equal(anonymous.json<{ code: string }>().code, 'unauthorized');
      const viewer = await api.app.inject({
        method: 'POST',
        url: '/v1/campaigns',
        headers: api.auth('viewer'),
        payload: { config: draft() },
      });
      assert.equal(viewer.statusCode, 403);
      assert.equal(viewer.json<{ code: string }>().code, 'forbidden');
    });
  });

  describe('POST /v1/campaigns/:id/start', () => {
    it('starts a stored draft once and answers 409 the second time', async () => {
      const created = await api.app.inject({
        method: 'POST',
        url: '/v1/campaigns',
        headers: api.auth('operator'),
        payload: { id: 'draft-only', config: draft(), start: false },
      });
      assert.equal(created.statusCode, 201);
      assert.equal(created.json<{ campaign: { phase: string } }>().campaign.phase, 'draft');

      const [first, second] = await Promise.all(
        [1, 2].map(() =>
          api.app.inject({
            method: 'POST',
            url: '/v1/campaigns/draft-only/start',
            headers: api.auth('operator'),
          }),
        ),
      );
      assert.deepEqual([first?.statusCode, second?.statusCode].sort(), [202, 409]);
    });

    it('answers 404 for an unknown campaign', async () => {
      const response = await api.app.inject({
        method: 'POST',
        url: '/v1/campaigns/no-such-campaign/start',
        headers: api.auth('operator'),
      });
      assert.equal(response.statusCode, 404);
      assert.deepEqual(response.json(), {
        code: 'campaign_not_found',
        message: "campaign 'no-such-campaign' does not exist",
      });
    });
  });

  describe('POST /v1/campaigns/:id/approve', () => {
    it('moves the campaign on when an approver other than the author approves', async () => {
      await eventually(async () => {
        const res = await api.app.inject({
          url: '/v1/campaigns/winter-2026',
          headers: api.auth('viewer'),
        });
        return res.json<{ campaign: { phase: string } }>().campaign.phase === 'awaiting_approval'
          ? true
          : undefined;
      }, 'awaiting approval');
      const response = await api.app.inject({
        method: 'POST',
        url: '/v1/campaigns/winter-2026/approve',
        headers: api.auth('approver'),
        payload: {},
      });
      assert.equal(response.statusCode, 200);
      assert.deepEqual(response.json(), { approvedBy: 'approver' });
      await eventually(async () => {
        const res = await api.app.inject({
          url: '/v1/campaigns/winter-2026',
          headers: api.auth('viewer'),
        });
        return res.json<{ campaign: { phase: string } }>().campaign.phase === 'scheduled'
          ? true
          : undefined;
      }, 'phase scheduled');
      const audit = await testDb.db
        .selectFrom('audit_log')
        .select(['actor', 'action'])
        .where('campaign_id', '=', 'winter-2026')
        .orderBy('id')
        .execute();
      const entries = audit.map((a) => `${a.actor}:${a.action}`);
      assert.deepEqual(entries.slice(0, 3), [
        'operator:campaign.create',
        'operator:campaign.start',
        'kuji:intervention.open',
      ]);
      // The approval's own record and the intervention it resolves are written concurrently.
      assert.deepEqual(entries.slice(3).sort(), [
        'approver:campaign.approve',
        'approver:intervention.resolve',
      ]);
    });

    it('forbids operators from approving', async () => {
      const response = await api.app.inject({
        method: 'POST',
        url: '/v1/campaigns/winter-2026/approve',
        headers: api.auth('operator2'),
        payload: {},
      });
      assert.equal(response.statusCode, 403);
    });
  });

  describe('GET /v1/campaigns', () => {
    it('pages with limit and offset, newest first, without repeating a campaign', async () => {
      for (const id of ['page-a', 'page-b', 'page-c']) {
        const created = await api.app.inject({
          method: 'POST',
          url: '/v1/campaigns',
          headers: api.auth('operator'),
          payload: { id, config: draft(), start: false },
        });
        assert.equal(created.statusCode, 201, created.body);
      }
      const page = async (offset: number) => {
        const response = await api.app.inject({
          url: `/v1/campaigns?phase=draft&limit=2&offset=${offset}`,
          headers: api.auth('viewer'),
        });
        assert.equal(response.statusCode, 200, response.body);
        return response.json<{ campaigns: { id: string }[] }>().campaigns.map((c) => c.id);
      };
      const [first, second] = [await page(0), await page(2)];
      assert.equal(first.length, 2);
      const all = [...first, ...second];
      assert.equal(new Set(all).size, all.length, `a campaign on two pages: ${all.join(', ')}`);
      for (const id of ['page-a', 'page-b', 'page-c']) assert.ok(all.includes(id), id);
    });
  });

  describe('GET /v1/campaigns/:id', () => {
    it('shows a pause sent by a raw Temporal signal: live, every field of the status query kept', async () => {
      const handle = env.client.workflow.getHandle(campaignWorkflowId('winter-2026'));
      await handle.signal(pauseSignal, { by: 'temporal-client' });
      const detail = await eventually(async () => {
        const res = await api.app.inject({
          url: '/v1/campaigns/winter-2026',
          headers: api.auth('viewer'),
        });
        const body = res.json<LiveDetail>();
        return body.campaign.paused ? body : undefined;
      }, 'paused through the API');
      assert.equal(detail.workflow.live, true);
      assert.equal(detail.workflow.liveError, null);
      assert.equal(detail.workflow.status, 'RUNNING');
      assert.equal(detail.workflow.state?.paused, true);
      assert.equal(detail.campaign.phase, detail.workflow.state?.phase);
      // Nothing the workflow answers is stripped: queue, next window, halt, draw, stops, counts…
      const raw = await handle.query(statusQuery);
      assert.deepEqual(detail.workflow.state, JSON.parse(JSON.stringify(raw)));
      for (const field of ['queueLength', 'nextWindowAt', 'halt', 'draw', 'interventions']) {
        assert.ok(field in (detail.workflow.state ?? {}), `workflow.state.${field}`);
      }

      await handle.signal(resumeSignal, { by: 'temporal-client' });
      await eventually(async () => {
        const res = await api.app.inject({
          url: '/v1/campaigns/winter-2026',
          headers: api.auth('viewer'),
        });
        return res.json<LiveDetail>().campaign.paused ? undefined : true;
      }, 'resumed through the API');
    });

    it('answers within the deadline with the stored state, marked, when no worker answers', async () => {
      const campaign = await seedCampaign(testDb.db, { accountId, id: 'no-worker' });
      const workflowId = campaignWorkflowId(campaign.id);
      const started = await env.client.workflow.start('campaignV2', {
        workflowId,
        taskQueue: 'no-worker-polls-this',
        args: [{ campaignId: campaign.id, accountId, author: campaign.author }],
      });
      await markCampaignStarted(testDb.db, campaign.id, workflowId, started.firstExecutionRunId);

      const startedAt = Date.now();
      const response = await api.app.inject({
        url: '/v1/campaigns/no-worker',
        headers: api.auth('viewer'),
      });
      const elapsed = Date.now() - startedAt;
      assert.equal(response.statusCode, 200, response.body);
      assert.ok(elapsed < LIVE_STATUS_DEADLINE_MS + 1_500, `answered in ${elapsed} ms`);
      const detail = response.json<LiveDetail>();
      assert.equal(detail.campaign.phase, 'preflight');
      assert.equal(detail.campaign.paused, false);
      assert.equal(detail.workflow.live, false);
      assert.equal(detail.workflow.state, null);
      assert.equal(detail.workflow.status, 'RUNNING');
      assert.equal(detail.workflow.liveError?.code, 'status_query_timeout');
      assert.match(detail.workflow.liveError?.reason.ja ?? '', /保存された状態/);
      assert.match(detail.workflow.liveError?.reason.en ?? '', /stored in the database/);

      // A configuration change needs the workflow's answer: refused at once, saying why.
      const change = await api.app.inject({
        method: 'PUT',
        url: '/v1/campaigns/no-worker/config',
        headers: api.auth('operator'),
        payload: { config: campaign.config },
      });
      assert.equal(change.statusCode, 503, change.body);
      assert.equal(change.json<{ code: string }>().code, 'workflow_unavailable');
      await started.terminate('test over');
    });
  });

  describe('GET /v1/campaigns/:id (workflow gone)', () => {
    it('answers the stored state, marked workflow_not_found, when Temporal no longer has the run', async () => {
      const campaign = await seedCampaign(testDb.db, { accountId, id: 'retention-passed' });
      await markCampaignStarted(
        testDb.db,
        campaign.id,
        campaignWorkflowId(campaign.id),
        '00000000-0000-4000-8000-000000000000',
      );
      const response = await api.app.inject({
        url: '/v1/campaigns/retention-passed',
        headers: api.auth('viewer'),
      });
      assert.equal(response.statusCode, 200, response.body);
      const detail = response.json<LiveDetail>();
      assert.equal(detail.campaign.phase, 'preflight');
      assert.equal(detail.workflow.live, false);
      assert.equal(detail.workflow.status, null);
      assert.equal(detail.workflow.state, null);
      assert.equal(detail.workflow.liveError?.code, 'workflow_not_found');
    });
  });

  describe('GET /healthz', () => {
    it('reports the database and Temporal as up', async () => {
      const response = await api.app.inject({ url: '/healthz' });
      assert.equal(response.statusCode, 200);
      const body = response.json<{ status: string; checks: Record<string, { ok: boolean }> }>();
      assert.equal(body.status, 'ok');
      assert.equal(body.checks.database?.ok, true);
      assert.equal(body.checks.temporal?.ok, true);
    });
  });

  describe('GET /docs', () => {
    it('serves the OpenAPI document with the campaign routes', async () => {
      const response = await api.app.inject({ url: '/docs/json' });
      assert.equal(response.statusCode, 200);
      const spec = response.json<{ paths: Record<string, unknown> }>();
      assert.ok(spec.paths['/v1/campaigns']);
      assert.ok(spec.paths['/v1/campaigns/{id}/approve']);
    });
  });

  describe('the Temporal CLI', () => {
    it('pauses a running campaign with `temporal workflow signal --name pause`', async () => {
      const cli = await ensureTemporalCli();
      assert.equal(cli.type, 'existing-path', 'the Temporal CLI is provisioned');
      if (cli.type !== 'existing-path') return;
      const args = [
        'workflow',
        'signal',
        '--address',
        env.address,
        '--namespace',
        env.namespace ?? 'default',
        '--workflow-id',
        'campaign:winter-2026',
        '--name',
        'pause',
        '--input',
        '{"by":"hanako"}',
      ];
      await promisify(execFile)(cli.path, args);
      const detail = await eventually(async () => {
        const res = await api.app.inject({
          url: '/v1/campaigns/winter-2026',
          headers: api.auth('viewer'),
        });
        const body = res.json<LiveDetail>();
        return body.campaign.paused ? body : undefined;
      }, 'paused');
      assert.equal(detail.workflow.live, true);
      assert.equal(detail.workflow.state?.paused, true);
    });
  });
});
