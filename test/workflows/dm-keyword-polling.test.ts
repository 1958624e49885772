/**
 * A DM keyword campaign on a deployment with no webhook, through the campaign workflow on the
 * time-skipping server: participants DM the keyword while it collects (through the emulator's
 * admin API, dated by X's clock, which the server's skipped clock runs ahead of), the entry
 * watch's polling finds their DMs, and each of them wins. Before polling read DMs, the watch
 * failed with nothing_new_yet for the whole entry period and nobody entered.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { listEntries } from '../../db/repositories/entries';
import { campaignV2 } from '../../workflows';
import { approveSignal, statusQuery } from '../../workflows/messages';
import { CampaignIdKey, campaignWorkflowId } from '../../workflows/search-attributes';
import { DEMO_SENDER_USERNAME, startXEmulator, type XEmulator } from '../../emulator';
import {
  dmKeywordDrawConfig,
  participants,
  seedCampaignWithEntries,
  seedLinkedAccount,
  worldScenario,
} from '../support/campaign-world';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedApprovers, testCredentialsKey } from '../support/fixtures';
import { runScenario } from '../support/scenario';
import {
  createTimeSkippingEnv,
  testActivities,
  testWorker,
  workflowBundle,
} from '../support/temporal';

const MINUTE = 60_000;
const TASK_QUEUE = 'dm-keyword-polling';

describe('campaign workflow, DM keyword entries by polling (no webhook)', () => {
  let env: TestWorkflowEnvironment;
  let testDb: TestDatabase;
  let emulator: XEmulator;

  before(async () => {
    [env, testDb, emulator] = await Promise.all([
      createTimeSkippingEnv(),
      createTestDatabase(),
      startXEmulator({ port: 0, holdTimeoutMs: 300 }),
    ]);
  });
  beforeEach(async () => {
    await seedApprovers(testDb.db);
  });
  afterEach(async () => {
    await testDb.truncate();
  });
  after(async () => {
    await env?.teardown();
    await emulator?.close();
    await testDb?.close();
  });

  it('enters the participants who DM the keyword while it collects, and they win', async () => {
    const people = participants(4, 'dmpolled');
    await emulator.loadScenario(worldScenario(people));
    const accountId = await seedLinkedAccount(testDb.db);
    const now = Date.now();
    const config = dmKeywordDrawConfig(accountId, new Date(now), {
      winners: 4,
      overrides: {
        schedule: {
          startAt: new Date(now - MINUTE).toISOString(),
          endAt: new Date(now + 180 * MINUTE).toISOString(),
          timezone: 'Asia/Tokyo',
        },
      },
    });
    const campaign = await seedCampaignWithEntries(testDb.db, { accountId, people: [], config });

    // No webhookUrl: polling alone, as a deployment without X_WEBHOOK_SECRET runs.
    const worker = await testWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue: TASK_QUEUE,
      activities: testActivities({
        db: testDb.db,
        credentialsKey: testCredentialsKey,
        xApiBaseUrl: emulator.url,
        publicBaseUrl: 'http://kuji.test',
        x: { requestTimeoutMs: 2_000 },
      }),
      workflowBundle: await workflowBundle(),
    });
    const workflowId = campaignWorkflowId(campaign.id);
    await runScenario(
      worker,
      { deadlineMs: 300_000, handles: () => [env.client.workflow.getHandle(workflowId)], env },
      async () => {
        const handle = await env.client.workflow.start(campaignV2, {
          workflowId,
          taskQueue: TASK_QUEUE,
          args: [{ campaignId: campaign.id, accountId, author: 'alice' }],
          typedSearchAttributes: [{ key: CampaignIdKey, value: campaign.id }],
        });
        const phase = async () => (await handle.query(statusQuery)).phase;
        for (let i = 0; (await phase()) !== 'awaiting_approval'; i += 1) {
          assert.ok(i < 3000, 'never reached awaiting_approval');
          await env.sleep('100 milliseconds');
        }
        await handle.signal(approveSignal, { by: 'bob' });
        for (let i = 0; (await phase()) !== 'collecting'; i += 1) {
          assert.ok(i < 3000, 'never reached collecting');
          await env.sleep('100 milliseconds');
        }

        const posted = await fetch(`${emulator.url}/_admin/actions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(
            people.map((p) => ({
              type: 'dm',
              from: p.username,
              to: DEMO_SENDER_USERNAME,
              text: '参加',
            })),
          ),
        });
        assert.equal(posted.status, 200, await posted.text());

        // A few polls of skipped time, long before the end: the entries are decided by then.
        for (let i = 0; i < 10; i += 1) await env.sleep('30 seconds');
        const entered = await listEntries(testDb.db, campaign.id, { limit: 100 });
        assert.deepEqual(
          entered.map((e) => e.xUserId).sort(),
          people.map((p) => p.id).sort(),
          'every participant who DMed the keyword entered',
        );
        assert.ok(
          entered.every((e) => e.eligible),
          JSON.stringify(entered),
        );

        await handle.result();
      },
    );
    const entries = await listEntries(testDb.db, campaign.id, { limit: 100 });
    assert.deepEqual(
      entries.map((e) => e.outcome),
      people.map(() => 'won'),
    );
  });
});
