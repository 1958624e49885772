/**
 * Counting Kuji's own X calls at the X access layer, against the emulator: only what X answered
 * counts, reads once per resource and UTC day, writes once per X id even when a retry finds them.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { sumAccountWideXUsageByKind, sumXUsageByKind } from '../../db/repositories/x-api-usage';
import { campaignOfActivity } from '../../activities/x-access/usage';
import { createTestDatabase, type TestDatabase } from '../support/database';
import {
  ALICE_ID,
  baseScenario,
  CAMPAIGN_POST_ID,
  createHarness,
  DAVE_ID,
  runActivity,
  type Harness,
} from './support';

const T0 = Date.parse('2026-11-22T03:00:00.000Z');
const campaignId = 'cmp_usage';

describe('X call counting (createXAccess)', () => {
  let database: TestDatabase;
  let h: Harness;

  before(async () => {
    database = await createTestDatabase();
    h = await createHarness(database.db, baseScenario(), { campaignOf: () => campaignId });
  });

  after(async () => {
    await h?.emulator.close();
    await database?.close();
  });

  beforeEach(async () => {
    await h.emulator.loadScenario(baseScenario());
    await database.db.deleteFrom('x_api_usage').execute();
    await database.db.deleteFrom('x_api_read_days').execute();
  });

  const usage = () => sumXUsageByKind(database.db, campaignId);
  const send = (participantId: string) => () =>
    h.activities.xSendDm({ accountId: h.accountId, participantId, text: 'You won! A1' });

  it('counts a DM X accepted once, and nothing for DMs X refused or failed', async () => {
    assert.equal((await runActivity(send(ALICE_ID))).error, undefined);
    // Refused by the recipient's settings (403), then a 503 and a 429: X bills none of them.
    assert.ok((await runActivity(send(DAVE_ID))).error);
    h.emulator.injectFault({ endpoint: 'dm.send', fault: 'service_unavailable' });
    assert.ok((await runActivity(send(ALICE_ID), { scheduledTimestampMs: T0 })).error);
    h.emulator.injectFault({ endpoint: 'dm.send', fault: 'rate_limited' });
    assert.ok((await runActivity(send(ALICE_ID), { scheduledTimestampMs: T0 })).error);
    assert.deepEqual(await usage(), { dm_create: 1 });
  });

  it('counts a DM delivered before a timeout once, with the conversation read that found it', async () => {
    h.emulator.injectFault({ endpoint: 'dm.send', fault: 'timeout', applyEffect: true });
    const first = await runActivity(send(ALICE_ID), { scheduledTimestampMs: T0 });
    assert.equal(first.result?.reconciled, true);
    // A later attempt of the same send finds the same DM again: still one DM billed.
    const again = await runActivity(send(ALICE_ID), { attempt: 2, scheduledTimestampMs: T0 });
    assert.equal(again.result?.reconciled, true);
    assert.equal(h.emulator.sent().dms.length, 1);
    assert.deepEqual(await usage(), { dm_create: 1, dm_event_read: 1 });
  });

  it('counts the users a list read returned once per UTC day, however often it is polled', async () => {
    const read = () =>
      runActivity(() =>
        h.activities.xListReposters({ accountId: h.accountId, postId: CAMPAIGN_POST_ID }),
      );
    const first = await read();
    const returned = first.result?.items.length ?? 0;
    assert.ok(returned > 0);
    await read();
    assert.deepEqual(await usage(), { user_read: returned });
  });

  it("keeps reads of the account's whole DM inbox and mentions apart from the campaign's own cost", async () => {
    // Other campaigns' keyword DMs and mentions of the account: whichever campaign polls first
    // reads them, so they must not land on its budget.
    await h.emulator.loadScenario(
      baseScenario({
        dms: [
          { from: 'alice', to: 'kuji_sender', text: '参加' },
          { from: 'carol', to: 'kuji_sender', text: 'ENTER' },
          { from: 'erin', to: 'kuji_sender', text: 'hello' },
        ],
        posts: [
          ...(baseScenario().posts ?? []),
          { author: 'alice', text: '@kuji_sender entering!' },
          { author: 'carol', text: '@kuji_sender me too' },
        ],
      }),
    );
    const inbox = await runActivity(() =>
      h.activities.xListAccountDmEvents({ accountId: h.accountId }),
    );
    const mentions = await runActivity(() =>
      h.activities.xListMentions({ accountId: h.accountId }),
    );
    const dmEvents = inbox.result?.items.length ?? 0;
    const posts = mentions.result?.items.length ?? 0;
    assert.equal(dmEvents, 3);
    assert.equal(posts, 2);
    assert.deepEqual(await usage(), {});
    assert.deepEqual(await sumAccountWideXUsageByKind(database.db, campaignId), {
      dm_event_read: dmEvents,
      post_read: posts,
    });
  });

  it('counts a reply with a link at the with-URL kind', async () => {
    const run = await runActivity(() =>
      h.activities.xReply({
        accountId: h.accountId,
        inReplyToPostId: CAMPAIGN_POST_ID,
        text: 'Your result: https://kuji.example/r/abc',
      }),
    );
    assert.equal(run.error, undefined);
    assert.deepEqual(await usage(), { post_create_url: 1 });
  });
});

describe('campaignOfActivity', () => {
  it('names the campaign of the running campaign workflow, and nothing for other workflows', async () => {
    const inCampaign = new MockActivityEnvironment({
      workflowExecution: { workflowId: 'campaign:cmp_42', runId: 'r1' },
    });
    assert.equal(await inCampaign.run(() => Promise.resolve(campaignOfActivity())), 'cmp_42');
    const elsewhere = new MockActivityEnvironment({
      workflowExecution: { workflowId: 'test', runId: 'r1' },
    });
    assert.equal(await elsewhere.run(() => Promise.resolve(campaignOfActivity())), null);
    assert.equal(campaignOfActivity(), null);
  });
});
