/**
 * The X API budget through the released campaignV2 workflow, with the real activities against
 * the emulator: a send that would pass the budget is not made, and the campaign stops for a
 * person with one send_error stop carrying the reason and remedy (opened by the batch, adopted by
 * the workflow), which a person resolves.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { listInterventions } from '../../db/repositories/interventions';
import { sumXUsageByKind } from '../../db/repositories/x-api-usage';
import { campaignV2 } from '../../workflows';
import {
  approveSignal,
  type CampaignStatus,
  resolveInterventionUpdate,
  statusQuery,
} from '../../workflows/messages';
import { CampaignIdKey, campaignWorkflowId } from '../../workflows/search-attributes';
import { recordingWorker, withCampaignHarness } from '../support/campaign-runs';
import {
  dmKeywordDrawConfig,
  participants,
  seedCampaignWithEntries,
  seedLinkedAccount,
  worldScenario,
} from '../support/campaign-world';

describe('campaignV2 with an X API budget', () => {
  it('stops for a person before a send would pass the budget, with the reason and remedy', async () => {
    await withCampaignHarness(async ({ env, testDb, emulator }) => {
      const people = participants(3, 'budgetwf');
      await emulator.loadScenario(worldScenario(people));
      const accountId = await seedLinkedAccount(testDb.db);
      const now = new Date(await env.currentTimeMs());
      const campaign = await seedCampaignWithEntries(testDb.db, {
        accountId,
        people,
        // Less than one DM: the very first send would pass it.
        config: dmKeywordDrawConfig(accountId, now, {
          winners: 3,
          overrides: { budget: { usd: 0.001 } },
        }),
      });
      const taskQueue = 'x-budget';
      const worker = await recordingWorker(env, testDb, emulator, taskQueue);
      await worker.runUntil(async () => {
        const handle = await env.client.workflow.start(campaignV2, {
          workflowId: campaignWorkflowId(campaign.id),
          taskQueue,
          args: [{ campaignId: campaign.id, accountId, author: 'alice' }],
          typedSearchAttributes: [{ key: CampaignIdKey, value: campaign.id }],
        });
        const until = async (what: string, probe: (s: CampaignStatus) => boolean) => {
          for (let i = 0; i < 400; i += 1) {
            const status = await handle.query(statusQuery);
            if (probe(status)) return status;
            await env.sleep('5 seconds');
          }
          throw new Error(`never saw ${what}`);
        };
        await until('awaiting_approval', (s) => s.phase === 'awaiting_approval');
        await handle.signal(approveSignal, { by: 'bob' });
        const stopped = await until('a send_error stop', (s) =>
          Boolean(s.interventions?.some((i) => i.kind === 'send_error')),
        );

        assert.equal(stopped.needsAttention, true);
        assert.equal(stopped.counts.sent, 0);
        assert.equal(emulator.sent().dms.length, 0, 'no DM went out');
        assert.equal((await sumXUsageByKind(testDb.db, campaign.id)).dm_create, undefined);
        const open = await listInterventions(testDb.db, {
          campaignId: campaign.id,
          status: 'open',
        });
        assert.equal(open.length, 1, 'the workflow adopted the batch’s stop, no second one');
        const [stop] = open;
        assert.equal(stop?.kind, 'send_error');
        assert.equal(stopped.interventions?.[0]?.id, stop?.id);
        const details = stop?.details as {
          code: string;
          reason: { ja: string; en: string };
          remedy: { ja: string; en: string };
        };
        assert.equal(details.code, 'x_budget_reached');
        assert.match(details.reason.en, /past its budget/);
        assert.match(details.reason.ja, /予算を超える/);
        assert.match(details.remedy.en, /Raise budget\.usd/);

        // Resumed without a raised budget, it stops again before sending.
        await handle.executeUpdate(resolveInterventionUpdate, {
          args: [{ by: 'carol', interventionId: stop.id, resolution: 'resume' }],
        });
        await until('the stop again', (s) =>
          Boolean(s.interventions?.some((i) => i.kind === 'send_error' && i.id !== stop.id)),
        );
        assert.equal(emulator.sent().dms.length, 0);
        const again = await listInterventions(testDb.db, {
          campaignId: campaign.id,
          status: 'open',
        });
        assert.equal(again.length, 1);
        await handle.executeUpdate(resolveInterventionUpdate, {
          args: [{ by: 'carol', interventionId: again[0]!.id, resolution: 'cancel' }],
        });
        await handle.result();
      });
    });
  });
});
