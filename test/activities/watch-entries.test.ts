/**
 * watchEntries: polling as an activity retried by its retry policy. Each attempt reads X's lists
 * (the emulator) into entry events once per interval, from cursors kept in campaign_watch; checks
 * the webhook subscription when due; and completes only with something for the workflow (entries
 * to decide, the automation disarmed), else fails with `nothing_new_yet`. Attempts are dated by
 * their schedule time on the server, as the time-skipping server dates them.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { loadRunningCampaign } from '../../activities/campaign/campaign-loader';
import {
  createWatchEntriesActivity,
  type WatchEntriesInput,
  type WatchOutcome,
} from '../../activities/entries/watch-entries';
import { createXAccess } from '../../activities/x-access';
import { findCampaignWatch } from '../../db/repositories/campaign-watch';
import { updateCampaignPhase } from '../../db/repositories/campaigns';
import type { CampaignConfigInput } from '../../domain/campaign-config';
import {
  DEMO_CAMPAIGN_POST_ID,
  DEMO_CONSUMER_SECRET,
  DEMO_SENDER_USERNAME,
  startXEmulator,
  type XEmulator,
} from '../../emulator';
import { crcResponseToken } from '../../x/webhook-signature';
import {
  dmKeywordDrawConfig,
  participants,
  seedCampaignWithEntries,
  seedLinkedAccount,
  worldScenario,
} from '../support/campaign-world';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { testCredentialsKey } from '../support/fixtures';
import { silentLogger } from '../support/silent-logger';

const S = Date.parse('2026-12-03T02:00:00.000Z');
const MINUTE = 60_000;
describe('watchEntries activity', () => {
  let testDb: TestDatabase;
  let emulator: XEmulator;
  let receiver: Server;
  let webhookUrl: string;
  before(async () => {
    // Kuji's webhook receiver as far as X's CRC check goes: the armed check wants it valid.
    receiver = createServer((req, res) => {
      const token = new URL(req.url ?? '/', 'http://localhost').searchParams.get('crc_token');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        token
          ? JSON.stringify({ response_token: crcResponseToken(DEMO_CONSUMER_SECRET, token) })
          : '{}',
      );
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    webhookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/v1/webhooks/x`;
    [testDb, emulator] = await Promise.all([createTestDatabase(), startXEmulator({ port: 0 })]);
  });
  afterEach(async () => {
    await testDb.truncate();
  });
  after(async () => {
    await emulator?.close();
    await testDb?.close();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  /** A collecting campaign entered by reply and repost; `engaged` replied and reposted already. */
  async function collectingCampaign(prefix: string, options: { engaged?: boolean } = {}) {
    const people = participants(2, prefix);
    const [fan] = people;
    assert.ok(fan);
    const scenario = worldScenario(people);
    if (options.engaged) {
      scenario.posts = [
        ...(scenario.posts ?? []),
        { author: fan.username, text: '参加 #くじ', replyTo: DEMO_CAMPAIGN_POST_ID },
      ];
      scenario.reposts = [{ user: fan.username, post: DEMO_CAMPAIGN_POST_ID }];
    }
    await emulator.loadScenario(scenario);
    const crc = await emulator.configureWebhook(webhookUrl, DEMO_CONSUMER_SECRET);
    assert.equal(crc.valid, true, JSON.stringify(crc));
    const accountId = await seedLinkedAccount(testDb.db);
    const base = dmKeywordDrawConfig(accountId, new Date(), { winners: 1 });
    const config: CampaignConfigInput = {
      ...base,
      entryRules: { all: [{ type: 'repost' }, { type: 'reply', hashtags: ['#くじ'] }] },
    };
    const campaign = await seedCampaignWithEntries(testDb.db, { accountId, people: [], config });
    await updateCampaignPhase(testDb.db, campaign.id, 'collecting');
    return { campaignId: campaign.id, people };
  }

  const activity = (options: { webhook?: boolean; now?: () => Date } = {}) =>
    createWatchEntriesActivity({
      db: testDb.db,
      x: createXAccess({
        db: testDb.db,
        credentialsKey: testCredentialsKey,
        xApiBaseUrl: emulator.url,
        requestTimeoutMs: 2_000,
      }),
      loadConfig: (campaignId) => loadRunningCampaign(testDb.db, campaignId),
      ...(options.webhook ? { webhookUrl } : {}),
      ...(options.now ? { now: options.now } : {}),
    });

  /** One attempt, scheduled `atMs` on the server's clock. */
  async function attempt(
    watch: ReturnType<typeof activity>,
    input: WatchEntriesInput,
    atMs: number,
  ): Promise<{ result?: WatchOutcome; error?: unknown }> {
    const environment = new MockActivityEnvironment(
      { scheduledTimestampMs: S, currentAttemptScheduledTimestampMs: atMs },
      { logger: silentLogger },
    );
    try {
      const result: WatchOutcome = await environment.run(() => watch.watchEntries(input));
      return { result };
    } catch (error) {
      return { error };
    }
  }

  function assertNothingNewYet(run: { result?: WatchOutcome; error?: unknown }) {
    assert.equal(run.result, undefined, JSON.stringify(run.result));
    assert.ok(run.error instanceof ApplicationFailure, String(run.error));
    assert.equal(run.error.type, 'nothing_new_yet');
    assert.notEqual(run.error.nonRetryable, true, 'the retry policy runs it again');
  }

  const searches = () => emulator.requestLog.filter((r) => r.endpoint === 'search.recent').length;
  const decideAll = (campaignId: string) =>
    testDb.db
      .updateTable('entry_events')
      .set({ processed_at: new Date() })
      .where('campaign_id', '=', campaignId)
      .execute();

  it('returns the undecided entries it polled, and keeps the reply cursor for the next attempt', async () => {
    const { campaignId } = await collectingCampaign('watched', { engaged: true });
    const watch = activity();
    const input = { campaignId, watchArmed: false, armedCheckIntervalMs: 10 * MINUTE };

    const first = await attempt(watch, input, S);
    assert.deepEqual(first.result, { kind: 'entries', undecided: 2 });
    const stored = await findCampaignWatch(testDb.db, campaignId);
    assert.ok(stored?.cursors.repliesSinceId, 'the newest reply is the next since_id');
    assert.equal(stored.polledAt?.getTime(), S);

    // Decided and forgotten: only a poll that ignored the stored cursor would find the reply
    // again (the repost is keyed by its user and found again, but is no new event).
    await testDb.db.deleteFrom('entry_events').where('source', '=', 'reply').execute();
    await decideAll(campaignId);
    assertNothingNewYet(await attempt(watch, input, S + MINUTE));
    assert.equal((await findCampaignWatch(testDb.db, campaignId))?.polledAt?.getTime(), S + MINUTE);
  });

  it('fails with nothing_new_yet while nothing is undecided, reading X once per interval', async () => {
    const { campaignId, people } = await collectingCampaign('idle');
    const watch = activity();
    const input = { campaignId, watchArmed: false, armedCheckIntervalMs: 10 * MINUTE };

    const before = searches();
    assertNothingNewYet(await attempt(watch, input, S));
    assert.equal(searches(), before + 1);

    emulator.state.createPost({
      author: people[1]!.username,
      text: '参加 #くじ',
      replyTo: DEMO_CAMPAIGN_POST_ID,
    });
    // Started again 20 s later (the workflow took other entries meanwhile): X is not read again.
    assertNothingNewYet(await attempt(watch, input, S + 20_000));
    assert.equal(searches(), before + 1);

    // A minute after the last read, the retry reads X and finds the reply.
    const found = await attempt(watch, input, S + 20_000 + MINUTE);
    assert.deepEqual(found.result, { kind: 'entries', undecided: 1 });
    assert.equal(searches(), before + 2);
  });

  it('counts a failed read of X as nothing new, not as a failure of its own', async () => {
    const { campaignId } = await collectingCampaign('xdown');
    emulator.injectFault({
      endpoint: 'posts.retweeted_by',
      fault: 'service_unavailable',
      count: 1,
    });
    const run = await attempt(
      activity(),
      { campaignId, watchArmed: false, armedCheckIntervalMs: 10 * MINUTE },
      S,
    );
    assertNothingNewYet(run);
  });

  it('reads X once and returns with once, whatever it found', async () => {
    const { campaignId } = await collectingCampaign('once');
    const watch = activity();
    const input = { campaignId, watchArmed: true, armedCheckIntervalMs: 10 * MINUTE, once: true };
    assert.deepEqual((await attempt(watch, input, S)).result, { kind: 'polled', undecided: 0 });
    // Right after, still a read: the last read past the end is never skipped.
    const before = searches();
    assert.deepEqual((await attempt(watch, input, S + 1_000)).result, {
      kind: 'polled',
      undecided: 0,
    });
    assert.equal(searches(), before + 1);
  });

  it('returns disarmed when the webhook subscription is gone, with the last time it was armed', async () => {
    const { campaignId } = await collectingCampaign('disarmed');
    // X's clock (the wall clock) runs behind the server's, as under time skipping: the last
    // armed time starts X's replay window, so it is X's, while checks are scheduled by the server's.
    const X_NOW = S - 7 * MINUTE;
    const watch = activity({ webhook: true, now: () => new Date(X_NOW) });
    const input = { campaignId, watchArmed: true, armedCheckIntervalMs: 10 * MINUTE };

    // Armed: recorded, and nothing for the workflow yet.
    assertNothingNewYet(await attempt(watch, input, S));
    const armed = await findCampaignWatch(testDb.db, campaignId);
    assert.equal(armed?.armedCheckedAt?.getTime(), S);
    assert.equal(armed?.lastArmedAt?.getTime(), X_NOW);

    emulator.unsubscribe(DEMO_SENDER_USERNAME);
    // The next check is due 10 minutes after the last one, not on every attempt.
    assertNothingNewYet(await attempt(watch, input, S + MINUTE));
    // Not watched (a disarmed stop is open, or it was dismissed): never reported.
    assertNothingNewYet(await attempt(watch, { ...input, watchArmed: false }, S + 10 * MINUTE));

    const found = await attempt(watch, input, S + 10 * MINUTE);
    assert.equal(found.result?.kind, 'disarmed', JSON.stringify(found));
    assert.ok(found.result?.kind === 'disarmed');
    assert.equal(found.result.checkedAt, new Date(S + 10 * MINUTE).toISOString());
    assert.equal(found.result.lastArmedAt, new Date(X_NOW).toISOString());
    assert.equal(found.result.problem?.code, 'not_subscribed');
    assert.ok(found.result.problem?.ja && found.result.problem.en, 'a reason in both languages');
    const after = await findCampaignWatch(testDb.db, campaignId);
    assert.equal(after?.armedCheckedAt?.getTime(), S + 10 * MINUTE);
    assert.equal(
      after?.lastArmedAt?.getTime(),
      X_NOW,
      'a disarmed finding keeps the last armed time',
    );
  });
});
