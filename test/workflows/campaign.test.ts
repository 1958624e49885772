import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { CampaignConfig } from '../../domain/campaign-config';
import { type CampaignPhase, campaignPhases } from '../../domain/phases';
import { findCampaignById } from '../../db/repositories/campaigns';
import { campaignV2 } from '../../workflows';
import {
  approveSignal,
  approveUpdate,
  cancelSignal,
  pauseSignal,
  resumeSignal,
  statusQuery,
} from '../../workflows/messages';
import {
  CampaignIdKey,
  campaignWorkflowId,
  CampaignPhaseKey,
} from '../../workflows/search-attributes';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedAccount, seedCampaign, testCredentialsKey, seedApprovers } from '../support/fixtures';
import {
  createTimeSkippingEnv,
  workflowBundle,
  testActivities,
  testWorker,
} from '../support/temporal';

describe('campaign workflow', () => {
  let env: TestWorkflowEnvironment;
  let testDb: TestDatabase;
  let worker: Worker;
  let taskQueue = '';
  let queueCounter = 0;

  before(async () => {
    [env, testDb] = await Promise.all([createTimeSkippingEnv(), createTestDatabase()]);
    await seedApprovers(testDb.db);
  });
  after(async () => {
    await env?.teardown();
    await testDb?.close();
  });
  afterEach(async () => {
    await testDb.truncate();
    await seedApprovers(testDb.db);
  });

  async function newWorker() {
    queueCounter += 1;
    taskQueue = `campaign-test-${queueCounter}`;
    worker = await testWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      activities: testActivities({
        db: testDb.db,
        credentialsKey: testCredentialsKey,
        xApiBaseUrl: 'http://127.0.0.1:9',
        publicBaseUrl: 'http://kuji.test',
      }),
      workflowBundle: await workflowBundle(),
    });
    return worker;
  }

  async function startCampaign(
    options: { author?: string; linked?: boolean; overrides?: Partial<CampaignConfig> } = {},
  ) {
    const accountId = await seedAccount(testDb.db, { linked: options.linked });
    const campaign = await seedCampaign(testDb.db, {
      accountId,
      author: options.author ?? 'alice',
      overrides: options.overrides,
    });
    const handle = await env.client.workflow.start(campaignV2, {
      workflowId: campaignWorkflowId(campaign.id),
      taskQueue,
      args: [{ campaignId: campaign.id, accountId, author: campaign.author }],
      typedSearchAttributes: [
        { key: CampaignIdKey, value: campaign.id },
        { key: CampaignPhaseKey, value: 'preflight' },
      ],
    });
    return { campaign, handle };
  }

  async function waitForPhase(
    handle: Awaited<ReturnType<typeof startCampaign>>['handle'],
    phase: CampaignPhase,
  ) {
    for (let attempt = 0; attempt < 200; attempt += 1) {
      const status = await handle.query(statusQuery);
      // Reached or passed: the time-skipping server may jump over a timer between two queries.
      if (campaignPhases.indexOf(status.phase) >= campaignPhases.indexOf(phase)) return status;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`workflow never reached phase ${phase}`);
  }

  it('runs preflight, stores its findings, and waits for approval', async () => {
    await (
      await newWorker()
    ).runUntil(async () => {
      const { campaign, handle } = await startCampaign();
      const status = await waitForPhase(handle, 'awaiting_approval');
      assert.equal(status.needsAttention, true);
      assert.deepEqual(
        { ok: status.preflight?.ok, blocking: status.preflight?.blocking },
        { ok: true, blocking: 0 },
      );
      const stored = await findCampaignById(testDb.db, campaign.id);
      assert.equal(stored?.phase, 'awaiting_approval');
      assert.equal((stored?.preflight as { ok: boolean }).ok, true);
      await handle.signal(cancelSignal, { by: 'alice' });
      await handle.result();
    });
  });

  it('reports an unlinked sender account as a blocking preflight finding', async () => {
    await (
      await newWorker()
    ).runUntil(async () => {
      const { campaign, handle } = await startCampaign({ linked: false });
      const status = await waitForPhase(handle, 'awaiting_approval');
      assert.equal(status.preflight?.ok, false);
      const stored = await findCampaignById(testDb.db, campaign.id);
      const findings = (stored?.preflight as { findings: { code: string; severity: string }[] })
        .findings;
      assert.deepEqual(
        findings.filter((f) => f.severity === 'blocking').map((f) => f.code),
        ['account_not_linked'],
      );
      await handle.signal(cancelSignal, { by: 'alice' });
      await handle.result();
    });
  });

  it('refuses an approval by the author and accepts one by another person', async () => {
    await (
      await newWorker()
    ).runUntil(async () => {
      const { campaign, handle } = await startCampaign({ author: 'alice' });
      await waitForPhase(handle, 'awaiting_approval');
      await handle.signal(approveSignal, { by: 'alice' });
      const afterSelfApproval = await handle.query(statusQuery);
      assert.equal(afterSelfApproval.phase, 'awaiting_approval');
      assert.deepEqual(afterSelfApproval.refusedApprovals, [
        { by: 'alice', reason: 'author_cannot_approve' },
      ]);

      await handle.signal(approveSignal, { by: 'bob' });
      const approved = await waitForPhase(handle, 'scheduled');
      assert.equal(approved.approvedBy, 'bob');
      assert.equal(approved.needsAttention, false);
      // The workflow shows its phase before the activity that stores it has finished.
      let storedPhase = 'awaiting_approval' as CampaignPhase;
      for (let i = 0; i < 100 && storedPhase === 'awaiting_approval'; i += 1) {
        storedPhase = (await findCampaignById(testDb.db, campaign.id))?.phase as CampaignPhase;
        if (storedPhase === 'awaiting_approval') await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(
        campaignPhases.indexOf(storedPhase) >= campaignPhases.indexOf('scheduled'),
        `stored phase ${storedPhase} is past approval`,
      );

      await handle.signal(cancelSignal, { by: 'carol' });
      const result = await handle.result();
      assert.deepEqual(result, {
        campaignId: campaign.id,
        outcome: 'cancelled',
        reason: 'cancelled by carol',
      });
      assert.equal((await findCampaignById(testDb.db, campaign.id))?.phase, 'cancelled');
    });
  });

  it('refuses, and audits, an approval naming no live approver key, by signal or by update', async () => {
    await (
      await newWorker()
    ).runUntil(async () => {
      const { handle } = await startCampaign({ author: 'alice' });
      await waitForPhase(handle, 'awaiting_approval');
      // An operator's key, and an approver's key that was revoked: neither may approve.
      await seedApprovers(testDb.db, ['rita']);
      await testDb.db
        .updateTable('api_keys')
        .set({ revoked_at: new Date() })
        .where('id', '=', 'rita')
        .execute();
      await seedApprovers(testDb.db, ['olga']);
      await testDb.db
        .updateTable('api_keys')
        .set({ role: 'operator' })
        .where('id', '=', 'olga')
        .execute();

      for (const by of ['mallory', 'olga', 'rita']) {
        await handle.signal(approveSignal, { by });
      }
      // Typed by hand in the Web UI: what PostgreSQL cannot store is refused, not retried for ever.
      await handle.signal(approveSignal, { by: 'nul\u0000\ud800' });
      await assert.rejects(
        handle.executeUpdate(approveUpdate, { args: [{ by: 'mallory' }] }),
        (error: Error) => JSON.stringify(error.cause ?? error).includes('not_an_approver'),
      );
      const status = await handle.query(statusQuery);
      assert.equal(status.phase, 'awaiting_approval');
      assert.equal(status.approvedBy, null);
      // Signal handlers look the key up concurrently: their order is not the sending order.
      const byName = (a: { by: string }, b: { by: string }) => a.by.localeCompare(b.by);
      assert.deepEqual([...status.refusedApprovals].sort(byName), [
        { by: 'mallory', reason: 'not_an_approver' },
        { by: 'nul\u0000\ud800', reason: 'not_an_approver' },
        { by: 'olga', reason: 'not_an_approver' },
        { by: 'rita', reason: 'not_an_approver' },
      ]);
      const refused = await testDb.db
        .selectFrom('audit_log')
        .select(['actor', 'outcome'])
        .where('action', '=', 'campaign.approve')
        .orderBy('id')
        .execute();
      assert.deepEqual(refused.map((r) => [r.actor, r.outcome]).sort(), [
        ['mallory', 'refused'],
        ['mallory', 'refused'],
        ['nul', 'refused'],
        ['olga', 'refused'],
        ['rita', 'refused'],
      ]);

      await handle.signal(approveSignal, { by: 'bob' });
      assert.equal((await waitForPhase(handle, 'scheduled')).approvedBy, 'bob');
      await handle.signal(cancelSignal, { by: 'carol' });
      await handle.result();
    });
  });

  it('keeps its phase in the CampaignPhase search attribute', async () => {
    await (
      await newWorker()
    ).runUntil(async () => {
      const { handle } = await startCampaign();
      await waitForPhase(handle, 'awaiting_approval');
      const description = await handle.describe();
      assert.equal(description.typedSearchAttributes.get(CampaignPhaseKey), 'awaiting_approval');
      await handle.signal(cancelSignal, { by: 'alice' });
      await handle.result();
    });
  });

  it('tracks pause and resume', async () => {
    await (
      await newWorker()
    ).runUntil(async () => {
      const { handle } = await startCampaign();
      await waitForPhase(handle, 'awaiting_approval');
      await handle.signal(pauseSignal, { by: 'bob' });
      assert.equal((await handle.query(statusQuery)).paused, true);
      await handle.signal(resumeSignal, { by: 'bob' });
      assert.equal((await handle.query(statusQuery)).paused, false);
      await handle.signal(cancelSignal, { by: 'alice' });
      await handle.result();
    });
  });

  it('cannot launch while prizes break the 一般懸賞 caps: approval is refused with the reason', async () => {
    await (
      await newWorker()
    ).runUntil(async () => {
      const { campaign, handle } = await startCampaign({
        overrides: {
          prizes: [{ id: 'tv', name: '4Kテレビ', stock: 1, valueYen: 150_000, codes: ['TV-0001'] }],
          draw: { winners: 1, alternates: 0 },
          compliance: {
            premiumKind: 'general',
            transactionValueYen: 8_000,
            expectedSalesYen: 50_000_000,
          },
        },
      });
      const status = await waitForPhase(handle, 'awaiting_approval');
      assert.equal(status.preflight?.ok, false);
      const stored = await findCampaignById(testDb.db, campaign.id);
      const findings = (stored?.preflight as { findings: { code: string; ja: string }[] }).findings;
      const overCap = findings.find((f) => f.code === 'prize_value_over_cap');
      assert.ok(overCap, findings.map((f) => f.code).join(', '));
      assert.match(overCap.ja, /100,000円/);

      await handle.signal(approveSignal, { by: 'bob' });
      const after = await handle.query(statusQuery);
      assert.equal(after.phase, 'awaiting_approval');
      assert.deepEqual(after.refusedApprovals, [{ by: 'bob', reason: 'preflight_blocking' }]);
      await handle.signal(cancelSignal, { by: 'alice' });
      await handle.result();
    });
  });
});
