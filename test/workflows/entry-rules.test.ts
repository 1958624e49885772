/**
 * Every entry rule and exclusion applies through the campaign workflow, on facts read from the
 * X emulator while the campaign runs: profiles (protected, suspended), follows of the sender and
 * of the follow rule's other accounts, earlier winners, duplicate entries, entries outside the
 * entry period, and follows and reposts read again before the draw.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { buildApp } from '../../api/app';
import { insertApiKey } from '../../db/repositories/api-keys';
import { insertEntryEvents, listEntries, setEntryOutcomes } from '../../db/repositories/entries';
import { findReport } from '../../db/repositories/reports';
import type { CampaignConfigInput } from '../../domain/campaign-config';
import type { Activities } from '../../activities';
import { campaignV2 } from '../../workflows';
import { approveSignal, statusQuery } from '../../workflows/messages';
import { CampaignIdKey, campaignWorkflowId } from '../../workflows/search-attributes';
import {
  DEMO_CAMPAIGN_POST_ID,
  DEMO_SENDER_USERNAME,
  startXEmulator,
  type XEmulator,
} from '../../emulator';
import {
  dmKeywordDrawConfig,
  type Participant,
  participants,
  seedCampaignWithEntries,
  seedLinkedAccount,
  worldScenario,
} from '../support/campaign-world';
import { registerTestAccounts } from '../support/test-accounts';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedApprovers, testCredentialsKey } from '../support/fixtures';
import { runScenario } from '../support/scenario';
import {
  createTimeSkippingEnv,
  testActivities,
  testWorker,
  workflowBundle,
} from '../support/temporal';

const SCENARIO_DEADLINE_MS = 300_000;

describe('campaign workflow entry rules', () => {
  let env: TestWorkflowEnvironment;
  let testDb: TestDatabase;
  let emulator: XEmulator;
  let queue = 0;
  const started: string[] = [];

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

  /** Real activities against the emulator; `beforeDraw` runs just before the draw activity. */
  async function runWorker<T>(work: () => Promise<T>, beforeDraw?: () => void): Promise<T> {
    queue += 1;
    const activities = testActivities({
      db: testDb.db,
      credentialsKey: testCredentialsKey,
      xApiBaseUrl: emulator.url,
      publicBaseUrl: 'http://kuji.test',
      x: { requestTimeoutMs: 2_000 },
    });
    const drawCampaign: Activities['drawCampaign'] = (input) => {
      beforeDraw?.();
      return activities.drawCampaign(input);
    };
    const worker = await testWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue: `entry-rules-${queue}`,
      activities: { ...activities, drawCampaign },
      workflowBundle: await workflowBundle(),
    });
    const first = started.length;
    return runScenario(
      worker,
      {
        deadlineMs: SCENARIO_DEADLINE_MS,
        handles: () => started.slice(first).map((id) => env.client.workflow.getHandle(id)),
        env,
      },
      work,
    );
  }

  async function runCampaign(campaignId: string, accountId: string) {
    const handle = await env.client.workflow.start(campaignV2, {
      workflowId: campaignWorkflowId(campaignId),
      taskQueue: `entry-rules-${queue}`,
      args: [{ campaignId, accountId, author: 'alice' }],
      typedSearchAttributes: [{ key: CampaignIdKey, value: campaignId }],
    });
    started.push(handle.workflowId);
    for (let i = 0; (await handle.query(statusQuery)).phase !== 'awaiting_approval'; i += 1) {
      if (i >= 3000) throw new Error(`${handle.workflowId} never reached awaiting_approval`);
      await env.sleep('100 milliseconds');
    }
    await handle.signal(approveSignal, { by: 'bob' });
    let afterApproval = await handle.query(statusQuery);
    for (let i = 0; afterApproval.phase === 'awaiting_approval' && i < 100; i += 1) {
      if (afterApproval.refusedApprovals.length > 0) break;
      await env.sleep('100 milliseconds');
      afterApproval = await handle.query(statusQuery);
    }
    // A refused approval would leave the run waiting for ever: say why instead.
    if (afterApproval.refusedApprovals.length > 0) {
      const stored = await testDb.db
        .selectFrom('campaigns')
        .select('preflight')
        .where('id', '=', campaignId)
        .executeTakeFirst();
      throw new Error(
        `approval refused: ${JSON.stringify(afterApproval.refusedApprovals)} ${JSON.stringify(stored?.preflight)}`,
      );
    }
    return handle.result();
  }

  async function verdicts(campaignId: string) {
    const entries = await listEntries(testDb.db, campaignId, { limit: 1000 });
    return new Map(
      entries.map((entry) => [
        entry.username ?? entry.xUserId,
        {
          eligible: entry.eligible,
          outcome: entry.outcome,
          codes: entry.reasons.map((r) => r.code),
        },
      ]),
    );
  }

  interface StoredReconciliation {
    events: number;
    processedEvents: number;
    participants: number;
    winners: number;
    losers: number;
    ineligible: number;
    held: number;
    reconciled: boolean;
  }

  async function reconciliationOf(campaignId: string): Promise<StoredReconciliation> {
    const report = (await findReport(testDb.db, campaignId))?.report as {
      reconciliation: StoredReconciliation;
    };
    return report.reconciliation;
  }

  it('applies every exclusion and the follow rule on facts read from X, each with its reason', async () => {
    const people = participants(14, 'rule');
    const partner: Participant = { id: '1790000000000000777', username: 'partner_brand' };
    const [ok, locked, frozen, earlierWinner, staff, blocked, tester, noPartner, noFollow] = people;
    const [twice, late, early, inAndLate, unfollows] = people.slice(9);
    assert.ok(ok && locked && frozen && earlierWinner && staff && blocked && tester);
    assert.ok(noPartner && noFollow && twice && late && early && inAndLate && unfollows);

    const scenario = worldScenario([...people, partner]);
    scenario.users = scenario.users?.map((user) =>
      user.username === locked.username
        ? { ...user, protected: true }
        : user.username === frozen.username
          ? { ...user, suspended: true }
          : user,
    );
    const followers = people.filter((p) => p !== noFollow && p !== late);
    scenario.follows = [
      ...followers.map((p): [string, string] => [p.username, DEMO_SENDER_USERNAME]),
      ...followers
        .filter((p) => p !== noPartner)
        .map((p): [string, string] => [p.username, partner.username]),
    ];
    await emulator.loadScenario(scenario);

    const accountId = await seedLinkedAccount(testDb.db);
    const now = new Date();
    // An earlier campaign that `earlierWinner` won.
    const earlier = await seedCampaignWithEntries(testDb.db, {
      accountId,
      people: [earlierWinner],
      // Long over, and on another keyword: the new campaign's keyword routes only to itself.
      config: dmKeywordDrawConfig(accountId, new Date(now.getTime() - 30 * 86_400_000), {
        winners: 1,
        overrides: { entryRules: { all: [{ type: 'dm_keyword', keyword: '夏' }] } },
      }),
    });
    await testDb.db
      .insertInto('entries')
      .values({
        campaign_id: earlier.id,
        x_user_id: earlierWinner.id,
        username: earlierWinner.username,
        consent_basis: 'dm_opt_in',
        facts: '{}',
        eligible: true,
        reasons: '[]',
        outcome: 'pending',
        prize_id: null,
        prize_code: null,
      })
      .execute();
    await setEntryOutcomes(testDb.db, earlier.id, [{ xUserId: earlierWinner.id, outcome: 'won' }]);

    const base = dmKeywordDrawConfig(accountId, now, { winners: 10 });
    const config: CampaignConfigInput = {
      ...base,
      entryRules: {
        all: [
          { type: 'dm_keyword', keyword: '参加' },
          { type: 'follow', alsoUserIds: [partner.id] },
        ],
      },
      exclusions: {
        staffUserIds: [staff.id],
        blockedUserIds: [blocked.id],
        excludeProtected: true,
        excludeSuspended: true,
        excludePreviousWinnersOf: [earlier.id],
        maxEntriesPerUser: 1,
      },
      testAccounts: [tester.id],
    };
    const startMs = Date.parse(base.schedule.startAt);
    const endMs = Date.parse(base.schedule.endAt);
    const inPeriod = new Date(startMs + 60_000);
    await registerTestAccounts(testDb.db, accountId, [tester.id]);
    const campaign = await seedCampaignWithEntries(testDb.db, { accountId, people: [], config });
    const dm = (person: Participant, n: number, occurredAt: Date) => ({
      campaignId: campaign.id,
      xEventId: `dm-${person.id}-${n}`,
      source: 'dm_keyword' as const,
      xUserId: person.id,
      username: person.username,
      text: '参加します',
      receivedVia: 'webhook' as const,
      occurredAt,
    });
    const onTime = [ok, locked, frozen, earlierWinner, staff, blocked, tester, noPartner];
    await insertEntryEvents(testDb.db, [
      ...[...onTime, noFollow, twice, inAndLate, unfollows].map((p) => dm(p, 1, inPeriod)),
      dm(twice, 2, new Date(startMs + 120_000)),
      dm(late, 1, new Date(endMs + 60_000)),
      dm(early, 1, new Date(startMs - 60_000)),
      dm(inAndLate, 2, new Date(endMs + 60_000)),
    ]);

    const result = await runWorker(
      () => runCampaign(campaign.id, accountId),
      // Between the end of collection and the draw, one entrant unfollows the partner account.
      () => emulator.state.unfollow(unfollows.username, partner.username),
    );

    assert.equal(result.outcome, 'completed');
    const byName = await verdicts(campaign.id);
    const codes = (p: Participant) => byName.get(p.username)?.codes;
    assert.deepEqual(codes(ok), []);
    // Their follows cannot be read either (X hides them), so the follow rule is not met.
    assert.ok(codes(locked)?.includes('protected_account'), String(codes(locked)));
    assert.ok(codes(frozen)?.includes('suspended_account'), String(codes(frozen)));
    assert.deepEqual(codes(earlierWinner), ['previous_winner']);
    assert.deepEqual(codes(staff), ['staff_account']);
    assert.deepEqual(codes(blocked), ['blocklisted']);
    assert.deepEqual(codes(tester), ['test_account']);
    assert.deepEqual(codes(noPartner), ['follow_missing']);
    assert.deepEqual(codes(noFollow), ['follow_missing']);
    // Nothing in the period but a DM after the end: that is the one reason.
    assert.deepEqual(codes(late), ['outside_entry_period']);
    // A follow in time (polled, undated), the keyword DM before the start: both are said.
    assert.deepEqual(codes(early), ['dm_keyword_missing', 'outside_entry_period']);
    assert.deepEqual(codes(unfollows), ['follow_missing'], 'the draw read the follows again');
    // A second DM with the keyword is a refused duplicate; the person keeps the one entry.
    assert.deepEqual(codes(twice), []);
    // A DM after the end adds nothing, and takes nothing away from one sent in time.
    assert.deepEqual(codes(inAndLate), []);
    const winners = [...byName].filter(([, v]) => v.outcome === 'won').map(([name]) => name);
    assert.deepEqual(winners.sort(), [ok, twice, inAndLate].map((p) => p.username).sort());

    const reconciliation = await reconciliationOf(campaign.id);
    assert.deepEqual(reconciliation, {
      ...reconciliation,
      // 17 DMs, and the follows polled from the sender's followers (X lists neither the
      // protected nor the suspended follower).
      events: 27,
      processedEvents: 27,
      participants: 14,
      winners: 3,
      losers: 0,
      ineligible: 11,
      held: 0,
      reconciled: true,
    });
    const report = (await findReport(testDb.db, campaign.id))?.report as {
      funnel: { refusedDuplicateEntries: number };
    };
    assert.equal(report.funnel.refusedDuplicateEntries, 1);

    // The operator sees each ineligible entrant with its reason in both languages.
    const app = await buildApp({
      db: testDb.db,
      temporal: env.client,
      temporalConfig: { namespace: env.namespace ?? 'default', taskQueue: 'entry-rules-api' },
    });
    try {
      const { secret } = await insertApiKey(testDb.db, { name: 'operator', role: 'operator' });
      const response = await app.inject({
        method: 'GET',
        url: `/v1/campaigns/${campaign.id}/entries?eligible=false`,
        headers: { authorization: `Bearer ${secret}` },
      });
      assert.equal(response.statusCode, 200, response.body);
      const listed = response.json<{
        entries: { username: string; reasons: { code: string; ja: string; en: string }[] }[];
      }>().entries;
      assert.equal(listed.length, 11);
      const lateListed = listed.find((entry) => entry.username === late.username);
      assert.deepEqual(lateListed?.reasons, [
        {
          code: 'outside_entry_period',
          ja: '応募期間外の応募です。',
          en: 'The entry was made outside the entry period.',
        },
      ]);
      for (const entry of listed) {
        for (const reason of entry.reasons) {
          assert.ok(reason.ja && reason.en, `${entry.username}: ${reason.code} in ja and en`);
        }
      }
    } finally {
      await app.close();
    }
  });

  it('takes a follow + repost + reply campaign in by polling alone, and drops a repost undone before the draw', async () => {
    const people = participants(5, 'poll');
    const [all, noHashtag, noFollow, noRepost, undoes] = people;
    assert.ok(all && noHashtag && noFollow && noRepost && undoes);
    const scenario = worldScenario(people);
    const repliedAt = new Date(Date.now() - 60_000).toISOString();
    const reply = (person: Participant, text: string) => ({
      author: person.username,
      text,
      replyTo: DEMO_CAMPAIGN_POST_ID,
      createdAt: repliedAt,
    });
    scenario.posts = [
      ...(scenario.posts ?? []),
      reply(all, '当たれ！ #くじ'),
      reply(noHashtag, '当たれ！'),
      reply(noFollow, '当たれ！ #くじ'),
      reply(noRepost, '当たれ！ #くじ'),
      reply(undoes, '当たれ！ #くじ'),
    ];
    scenario.follows = [all, noHashtag, noRepost, undoes].map((p): [string, string] => [
      p.username,
      DEMO_SENDER_USERNAME,
    ]);
    scenario.reposts = [all, noHashtag, noFollow, undoes].map((p) => ({
      user: p.username,
      post: DEMO_CAMPAIGN_POST_ID,
    }));
    await emulator.loadScenario(scenario);

    const accountId = await seedLinkedAccount(testDb.db);
    const now = new Date();
    const base = dmKeywordDrawConfig(accountId, now, { winners: 5 });
    const config: CampaignConfigInput = {
      ...base,
      entryRules: {
        all: [{ type: 'follow' }, { type: 'repost' }, { type: 'reply', hashtags: ['#くじ'] }],
      },
      templates: {
        ...base.templates,
        win: { ...base.templates.win, reply: '{name}さん、当選です！詳細: {resultUrl}' },
      },
      // The replies were posted just now: the entry period began earlier.
      schedule: {
        ...base.schedule,
        startAt: new Date(now.getTime() - 5 * 60_000).toISOString(),
      },
    };
    // No event is stored beforehand: every entry comes from polling X.
    const campaign = await seedCampaignWithEntries(testDb.db, { accountId, people: [], config });

    const undoRepost = () => {
      for (const [id, post] of emulator.state.posts) {
        if (post.authorId === undoes.id && post.repostOfId === DEMO_CAMPAIGN_POST_ID) {
          emulator.state.posts.delete(id);
        }
      }
    };
    const result = await runWorker(() => runCampaign(campaign.id, accountId), undoRepost);

    assert.equal(result.outcome, 'completed');
    const byName = await verdicts(campaign.id);
    const codes = (p: Participant) => byName.get(p.username)?.codes;
    assert.deepEqual(codes(all), []);
    assert.deepEqual(codes(noHashtag), ['reply_hashtag_missing']);
    assert.deepEqual(codes(noFollow), ['follow_missing']);
    assert.deepEqual(codes(noRepost), ['repost_missing']);
    assert.deepEqual(codes(undoes), ['repost_missing'], 'the undone repost no longer counts');
    assert.equal(byName.get(all.username)?.outcome, 'won');
    const polled = await testDb.db
      .selectFrom('entry_events')
      .select(['source', 'received_via'])
      .where('campaign_id', '=', campaign.id)
      .execute();
    assert.ok(polled.length >= 13, `reposts, follows and replies were polled (${polled.length})`);
    assert.ok(polled.every((event) => event.received_via === 'poll'));
    const reconciliation = await reconciliationOf(campaign.id);
    assert.equal(reconciliation.reconciled, true);
    assert.equal(reconciliation.processedEvents, reconciliation.events);
    assert.equal(
      reconciliation.winners +
        reconciliation.losers +
        reconciliation.ineligible +
        reconciliation.held,
      reconciliation.participants,
    );
  });
});
