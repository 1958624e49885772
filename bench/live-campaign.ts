/**
 * An instant-win campaign collecting on a live stack (bench/live-stack.ts): keyword DMs enter
 * it through X's webhook and every entrant gets a result DM (win or lose), no pacing. Started as
 * the API starts one (workflow id stored on the campaign), approved by a second person.
 */
import type { CampaignConfigInput } from '../domain/campaign-config';
import { approveSignal, statusQuery } from '../workflows/messages';
import { CampaignIdKey, campaignWorkflowId } from '../workflows/search-attributes';
import {
  dmKeywordDrawConfig,
  seedCampaignWithEntries,
  seedLinkedAccount,
} from '../test/support/campaign-world';
import type { LiveStack } from './live-stack';

export interface LiveCampaign {
  campaignId: string;
  accountId: string;
  workflowId: string;
}

const PHASE_TIMEOUT_MS = 60_000;

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + PHASE_TIMEOUT_MS;
  for (;;) {
    const seen = await probe();
    if (seen !== undefined) return seen;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Seeds a sender account (its daily cap `dmDailyCap`) and an instant-win campaign entered by
 * DMing `keyword`, starts its workflow and returns once it collects (in the workflow and in
 * PostgreSQL, where the webhook looks for campaigns taking events).
 */
export async function startCollectingInstantWin(
  stack: LiveStack,
  options: { keyword: string; dmDailyCap: number; stock: number; workflowType: string },
): Promise<LiveCampaign> {
  const { testDb, env } = stack;
  const accountId = await seedLinkedAccount(testDb.db, { dmDailyCap: options.dmDailyCap });
  const now = new Date();
  const { draw: _draw, ...drawn } = dmKeywordDrawConfig(accountId, now, {
    winners: 1,
  }) as Extract<CampaignConfigInput, { kind: 'drawn' }>;
  const campaign = await seedCampaignWithEntries(testDb.db, {
    accountId,
    people: [],
    config: {
      ...drawn,
      kind: 'instant_win',
      name: `bench instant win ${options.keyword}`,
      entryRules: { all: [{ type: 'dm_keyword', keyword: options.keyword }] },
      schedule: {
        startAt: new Date(now.getTime() + 1_000).toISOString(),
        endAt: new Date(now.getTime() + 30 * 60_000).toISOString(),
        timezone: 'Asia/Tokyo',
      },
      pacing: { minGapSeconds: 0, jitterSeconds: 0 },
      prizes: [{ id: 'gift', name: 'ギフト券', stock: options.stock, valueYen: 500, odds: 0.5 }],
      templates: {
        win: { dm: '{name}さん、当選です！{prize}をお送りします。{resultUrl}' },
        lose: { dm: '{name}さん、今回は残念でした。{resultUrl}' },
      },
    },
  });
  const workflowId = campaignWorkflowId(campaign.id);
  const handle = await env.client.workflow.start(options.workflowType, {
    workflowId,
    taskQueue: stack.taskQueue,
    args: [{ campaignId: campaign.id, accountId, author: 'alice' }],
    typedSearchAttributes: [{ key: CampaignIdKey, value: campaign.id }],
  });
  await testDb.db
    .updateTable('campaigns')
    .set({ workflow_id: workflowId, workflow_run_id: handle.firstExecutionRunId })
    .where('id', '=', campaign.id)
    .execute();
  const phase = async (wanted: string) =>
    until(`${workflowId} ${wanted}`, async () =>
      (await handle.query(statusQuery)).phase === wanted ? true : undefined,
    );
  await phase('awaiting_approval');
  await handle.signal(approveSignal, { by: 'bob' });
  await phase('collecting');
  await until(`${campaign.id} collecting in PostgreSQL`, async () => {
    const row = await testDb.db
      .selectFrom('campaigns')
      .select('phase')
      .where('id', '=', campaign.id)
      .executeTakeFirst();
    return row?.phase === 'collecting' ? true : undefined;
  });
  return { campaignId: campaign.id, accountId, workflowId };
}
