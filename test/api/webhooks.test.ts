import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { defaultPayloadConverter } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { hasAccountCredentials } from '../../db/repositories/credential-envelopes';
import { buildApp } from '../../api/app';
import { notReceivedComplaints } from '../../api/x-activity-events';
import type { ActivityEvent } from '../../api/schemas/webhooks';
import { insertApiKey } from '../../db/repositories/api-keys';
import { listAuditEntries } from '../../db/repositories/audit-log';
import { insertCampaign, updateCampaignPhase } from '../../db/repositories/campaigns';
import {
  insertDeliveries,
  markDeliveryFailed,
  markDeliverySent,
} from '../../db/repositories/deliveries';
import { listInterventions } from '../../db/repositories/interventions';
import { campaignConfigSchema, exampleCampaignConfig } from '../../domain/campaign-config';
import { detectNotReceived } from '../../domain/not-received';

import {
  applyAction,
  DEMO_CAMPAIGN_POST_ID,
  DEMO_CONSUMER_SECRET,
  DEMO_SENDER_USER_ID,
  DEMO_SENDER_USERNAME,
  startXEmulator,
  type XEmulator,
} from '../../emulator';
import { crcResponseToken, signWebhookBody } from '../../x/webhook-signature';
import { campaignWorkflowId } from '../../workflows/search-attributes';
import {
  type Participant,
  participants,
  seedLinkedAccount,
  worldScenario,
} from '../support/campaign-world';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { uniqueId } from '../support/fixtures';
import { createDevServerEnv } from '../support/temporal';

/** No worker polls it: a workflow started here only records the signals it receives. */
const unpolledTaskQueue = `webhook-test-unpolled-${process.pid}`;

describe('X webhook (X emulator → API → PostgreSQL, signals to Temporal)', () => {
  let env: TestWorkflowEnvironment;
  let testDb: TestDatabase;
  let emulator: XEmulator;
  let app: FastifyInstance;
  let webhookUrl: string;
  let accountId: string;
  let collectingId: string;
  let scheduledId: string;
  const people = participants(22);
  const person = (index: number) => {
    const found = people[index];
    if (!found) throw new Error(`no participant ${index}`);
    return found;
  };

  async function storedEvents(campaignId: string) {
    return testDb.db
      .selectFrom('entry_events')
      .select(['source', 'x_user_id', 'x_event_id', 'received_via', 'username'])
      .where('campaign_id', '=', campaignId)
      .orderBy('source')
      .orderBy('x_user_id')
      .execute();
  }

  async function seedCampaign(phase: string): Promise<string> {
    const config = campaignConfigSchema.parse({
      ...exampleCampaignConfig(new Date()),
      accountId,
      post: { tweetId: DEMO_CAMPAIGN_POST_ID },
      entryRules: {
        all: [
          { type: 'repost' },
          { type: 'follow' },
          { type: 'like' },
          { type: 'reply', hashtags: ['#クジ当たれ'] },
          { type: 'quote' },
          { type: 'dm_keyword', keyword: '参加' },
        ],
      },
    });
    const campaign = await insertCampaign(testDb.db, {
      id: uniqueId('cmp'),
      name: config.name,
      accountId,
      config,
      author: 'alice',
    });
    if (!campaign) throw new Error('campaign id collision');
    await updateCampaignPhase(testDb.db, campaign.id, phase);
    return campaign.id;
  }

  async function post(body: string, signature: string | undefined) {
    const response = await fetch(webhookUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(signature === undefined ? {} : { 'x-twitter-webhooks-signature': signature }),
      },
      body,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  const dmDelivery = (
    from: string,
    eventId: string,
    text: string,
    filter: { user_id?: string } = { user_id: DEMO_SENDER_USER_ID },
  ) =>
    JSON.stringify({
      data: {
        event_type: 'dm.received',
        filter,
        payload: {
          direct_message_events: [
            {
              type: 'message_create',
              id: eventId,
              created_timestamp: '1795000000000',
              message_create: {
                sender_id: from,
                target: { recipient_id: DEMO_SENDER_USER_ID },
                message_data: { text },
              },
            },
          ],
        },
      },
    });

  before(async () => {
    [env, testDb, emulator] = await Promise.all([
      createDevServerEnv(),
      createTestDatabase(),
      startXEmulator({ port: 0, scenario: worldScenario(people) }),
    ]);
    app = await buildApp({
      db: testDb.db,
      temporal: env.client,
      temporalConfig: { namespace: env.namespace ?? 'default', taskQueue: unpolledTaskQueue },
      webhookSecret: DEMO_CONSUMER_SECRET,
    });
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    webhookUrl = `${base}/v1/webhooks/x`;
    accountId = await seedLinkedAccount(testDb.db);
    collectingId = await seedCampaign('collecting');
    scheduledId = await seedCampaign('scheduled');
    const handle = await env.client.workflow.start('campaignV2', {
      workflowId: campaignWorkflowId(collectingId),
      taskQueue: unpolledTaskQueue,
      args: [{ campaignId: collectingId, accountId, author: 'alice' }],
    });
    await testDb.db
      .updateTable('campaigns')
      .set({ workflow_id: handle.workflowId, workflow_run_id: handle.firstExecutionRunId })
      .where('id', '=', collectingId)
      .execute();
  });
  after(async () => {
    await emulator?.close();
    await app?.close();
    await env?.teardown();
    await testDb?.close();
  });

  describe('GET /v1/webhooks/x', () => {
    it("passes the emulator's CRC challenge when the webhook is registered", async () => {
      const crc = await emulator.configureWebhook(webhookUrl, DEMO_CONSUMER_SECRET);
      assert.equal(crc.valid, true, JSON.stringify(crc));
      assert.equal(crc.status, 200);
    });

    it('answers sha256= + base64 HMAC of crc_token with the consumer secret', async () => {
      const response = await app.inject({ url: '/v1/webhooks/x?crc_token=challenge-123' });
      assert.equal(response.statusCode, 200, response.body);
      assert.deepEqual(response.json(), {
        response_token: crcResponseToken(DEMO_CONSUMER_SECRET, 'challenge-123'),
      });
      const other = await app.inject({ url: '/v1/webhooks/x?crc_token=challenge-456' });
      assert.notEqual(
        other.json<{ response_token: string }>().response_token,
        response.json<{ response_token: string }>().response_token,
      );
    });

    it('answers 400 without a crc_token', async () => {
      const response = await app.inject({ url: '/v1/webhooks/x' });
      assert.equal(response.statusCode, 400);
      assert.equal(response.json<{ code: string }>().code, 'validation_failed');
    });
  });

  describe('POST /v1/webhooks/x', () => {
    it("stores each person's action once, under its source, for the collecting campaign only", async () => {
      const actions = [
        { type: 'dm', from: person(0).username, to: DEMO_SENDER_USERNAME, text: '参加します' },
        { type: 'dm', from: person(1).username, to: DEMO_SENDER_USERNAME, text: 'こんにちは' },
        {
          type: 'reply',
          user: person(2).username,
          post: DEMO_CAMPAIGN_POST_ID,
          text: `@${DEMO_SENDER_USERNAME} 欲しい #クジ当たれ`,
        },
        { type: 'quote', user: person(3).username, post: DEMO_CAMPAIGN_POST_ID, text: 'これ良い' },
        { type: 'repost', user: person(4).username, post: DEMO_CAMPAIGN_POST_ID },
        { type: 'like', user: person(5).username, post: DEMO_CAMPAIGN_POST_ID },
        { type: 'follow', user: person(6).username, target: DEMO_SENDER_USERNAME },
        // Between two participants: the sender is not subscribed to it, nothing arrives.
        { type: 'dm', from: person(7).username, to: person(8).username, text: '参加' },
      ] as const;
      for (const action of actions) applyAction(emulator, action);
      await emulator.webhookIdle();

      const deliveries = emulator.webhooks.deliveries;
      assert.ok(deliveries.length >= 7, `only ${deliveries.length} deliveries`);
      assert.deepEqual(
        deliveries.filter((d) => !d.ok),
        [],
      );

      const events = await storedEvents(collectingId);
      assert.deepEqual(
        events.map((e) => [e.source, e.x_user_id]),
        [
          ['dm_keyword', person(0).id],
          ['follow', person(6).id],
          ['like', person(5).id],
          // The reply mentions the sender, so X also delivers it as a mention.
          ['mention', person(2).id],
          ['quote', person(3).id],
          ['reply', person(2).id],
          ['repost', person(4).id],
        ],
      );
      assert.ok(events.every((e) => e.received_via === 'webhook'));
      const byUser = new Map(events.map((e) => [`${e.source}:${e.x_user_id}`, e]));
      assert.equal(byUser.get(`repost:${person(4).id}`)?.x_event_id, `repost:${person(4).id}`);
      assert.equal(byUser.get(`like:${person(5).id}`)?.x_event_id, `like:${person(5).id}`);
      assert.equal(byUser.get(`follow:${person(6).id}`)?.x_event_id, `follow:${person(6).id}`);
      assert.equal(byUser.get(`dm_keyword:${person(0).id}`)?.username, person(0).username);
      // An approved campaign waiting for its start takes X's events too (their dates decide
      // whether they count); a keyword DM enters one campaign only, the older one here.
      assert.deepEqual(
        (await storedEvents(scheduledId)).map((e) => [e.source, e.x_user_id]),
        [
          ['follow', person(6).id],
          ['like', person(5).id],
          ['mention', person(2).id],
          ['quote', person(3).id],
          ['reply', person(2).id],
          ['repost', person(4).id],
        ],
      );
    });

    it("signals the campaign's workflow that entries arrived", async () => {
      const history = await env.client.workflow
        .getHandle(campaignWorkflowId(collectingId))
        .fetchHistory();
      const signals = (history.events ?? []).flatMap((event) =>
        event.workflowExecutionSignaledEventAttributes
          ? [event.workflowExecutionSignaledEventAttributes.signalName]
          : [],
      );
      assert.ok(signals.length >= 1, 'no signal recorded');
      assert.ok(signals.every((name) => name === 'entriesArrived'));
    });

    it('stores nothing new when X replays the same events', async () => {
      const before = await storedEvents(collectingId);
      const deliveredBefore = emulator.webhooks.deliveries.length;
      const replayed = emulator.replayEvents(0);
      await emulator.webhookIdle();
      assert.ok(replayed >= 7);
      const replays = emulator.webhooks.deliveries.slice(deliveredBefore);
      assert.equal(replays.length, replayed);
      assert.ok(replays.every((d) => d.status === 200));
      assert.deepEqual(await storedEvents(collectingId), before);
    });

    it('rejects a missing or wrong signature with 401 and stores nothing', async () => {
      const body = dmDelivery(person(9).id, '1795000000000000099', '参加します');
      const before = await storedEvents(collectingId);

      const unsigned = await post(body, undefined);
      assert.equal(unsigned.status, 401);
      assert.equal(unsigned.body.code, 'invalid_signature');
      const wrong = await post(body, signWebhookBody('not-the-consumer-secret', body));
      assert.equal(wrong.status, 401);
      assert.equal(wrong.body.code, 'invalid_signature');
      // Signed over other bytes (re-serialised JSON) is wrong too.
      const reformatted = await post(
        JSON.stringify(JSON.parse(body), null, 2),
        signWebhookBody(DEMO_CONSUMER_SECRET, body),
      );
      assert.equal(reformatted.status, 401);
      assert.deepEqual(await storedEvents(collectingId), before);

      // The same bytes, correctly signed, are an entry: the refusals above were the signature's.
      const signed = await post(body, signWebhookBody(DEMO_CONSUMER_SECRET, body));
      assert.equal(signed.status, 200, JSON.stringify(signed.body));
      assert.deepEqual(signed.body, { accepted: 1, replayed: 0, stored: 1, notReceived: 0 });
      assert.equal((await storedEvents(collectingId)).length, before.length + 1);
    });

    it('accepts and ignores events for nobody Kuji knows', async () => {
      const withoutUser = dmDelivery('42', '1795000000000000100', '参加', {});
      const unknownUser = dmDelivery('42', '1795000000000000101', '参加', { user_id: '999' });
      const before = await storedEvents(collectingId);
      for (const delivery of [withoutUser, unknownUser]) {
        const response = await post(delivery, signWebhookBody(DEMO_CONSUMER_SECRET, delivery));
        assert.equal(response.status, 200, JSON.stringify(response.body));
        assert.deepEqual(response.body, { accepted: 1, replayed: 0, stored: 0, notReceived: 0 });
      }
      assert.deepEqual(await storedEvents(collectingId), before);
    });

    it("clears the sender account's credentials on oauth.revoke", async () => {
      assert.equal(await hasAccountCredentials(testDb.db, accountId), true);
      applyAction(emulator, { type: 'revoke', user: DEMO_SENDER_USERNAME });
      await emulator.webhookIdle();
      assert.equal(emulator.webhooks.deliveries.at(-1)?.eventType, 'oauth.revoke');
      assert.equal(emulator.webhooks.deliveries.at(-1)?.status, 200);
      assert.equal(await hasAccountCredentials(testDb.db, accountId), false);
    });
  });

  describe("POST /v1/webhooks/x: a participant's “I didn't get it”", () => {
    let deliveringId: string;
    let unstartedId: string;
    let completedId: string;
    let otherPostId = 0;

    async function startUnpolledWorkflow(campaignId: string) {
      const handle = await env.client.workflow.start('campaignV2', {
        workflowId: campaignWorkflowId(campaignId),
        taskQueue: unpolledTaskQueue,
        args: [{ campaignId, accountId, author: 'alice' }],
      });
      await testDb.db
        .updateTable('campaigns')
        .set({ workflow_id: handle.workflowId, workflow_run_id: handle.firstExecutionRunId })
        .where('id', '=', campaignId)
        .execute();
    }

    async function seedDelivery(
      campaignId: string,
      who: Participant,
      kind: 'win' | 'lose' | 'follow_up',
      state: 'queued' | 'sent' | 'failed',
    ): Promise<string> {
      const id = uniqueId('dlv');
      await insertDeliveries(testDb.db, [
        { id, campaignId, accountId, xUserId: who.id, kind, channel: 'dm' },
      ]);
      if (state === 'sent') {
        await markDeliverySent(testDb.db, id, { xEventId: uniqueId('dm'), sentAt: new Date() });
      } else if (state === 'failed') {
        await markDeliveryFailed(testDb.db, id, {
          code: 'x_403_349',
          category: 'recipient_unreachable',
          reason: { ja: 'DMを送れません', en: 'Cannot DM this user' },
          remedy: null,
        });
      }
      return id;
    }

    async function complaintsBy(who: Participant) {
      const all = await listInterventions(testDb.db, { kind: 'not_received' });
      return all.filter((i) => i.openedBy === `participant:${who.id}`);
    }

    /** The audit log's record of what this participant's complaints did. */
    async function auditedBy(who: Participant) {
      const all = await listAuditEntries(testDb.db, { limit: 1000 });
      return all.filter((entry) => entry.actor === `participant:${who.id}`);
    }

    /** The `interventionOpened` signals the workflow received, with their arguments. */
    async function interventionSignals(campaignId: string) {
      const history = await env.client.workflow
        .getHandle(campaignWorkflowId(campaignId))
        .fetchHistory();
      return (history.events ?? []).flatMap((event) => {
        const signaled = event.workflowExecutionSignaledEventAttributes;
        const payload = signaled?.input?.payloads?.[0];
        if (signaled?.signalName !== 'interventionOpened' || !payload) return [];
        return [defaultPayloadConverter.fromPayload(payload)];
      });
    }

    const signed = (body: string) => post(body, signWebhookBody(DEMO_CONSUMER_SECRET, body));

    const directMessage = (from: Participant, eventId: string, text: string) =>
      JSON.stringify({
        data: {
          event_type: 'dm.received',
          filter: { user_id: DEMO_SENDER_USER_ID },
          payload: {
            direct_message_events: [
              {
                type: 'message_create',
                id: eventId,
                created_timestamp: '1795000000000',
                message_create: {
                  sender_id: from.id,
                  target: { recipient_id: DEMO_SENDER_USER_ID },
                  message_data: { text },
                },
              },
            ],
            users: {
              [from.id]: { data: { id: from.id, username: from.username } },
              [DEMO_SENDER_USER_ID]: {
                data: { id: DEMO_SENDER_USER_ID, username: DEMO_SENDER_USERNAME },
              },
            },
          },
        },
      });

    /** A reply to one of the sender's posts outside the campaign thread (so it is no entry). */
    const replyToSender = (from: Participant, postId: string, text: string) => {
      otherPostId += 1;
      const parentId = `18700000000000000${String(otherPostId).padStart(2, '0')}`;
      return JSON.stringify({
        data: {
          event_type: 'post.reply.create',
          filter: { user_id: DEMO_SENDER_USER_ID },
          payload: {
            id: postId,
            text,
            author_id: from.id,
            created_at: '2026-11-22T09:00:00.000Z',
            conversation_id: parentId,
            in_reply_to_user_id: DEMO_SENDER_USER_ID,
            referenced_tweets: [{ type: 'replied_to', id: parentId }],
          },
          includes: { users: [{ id: from.id, username: from.username }] },
        },
      });
    };

    before(async () => {
      deliveringId = await seedCampaign('delivering');
      unstartedId = await seedCampaign('drawing');
      completedId = await seedCampaign('completed');
      await startUnpolledWorkflow(deliveringId);
    });

    it('opens and audits one intervention for a Japanese DM from a winner whose DM was sent, and signals the workflow', async () => {
      const winner = person(10);
      const deliveryId = await seedDelivery(deliveringId, winner, 'win', 'sent');
      const text = '当選DMが届いていません';

      const response = await signed(directMessage(winner, '1795000000000000200', text));
      assert.equal(response.status, 200, JSON.stringify(response.body));
      assert.deepEqual(response.body, { accepted: 1, replayed: 0, stored: 0, notReceived: 1 });

      const [intervention, ...others] = await complaintsBy(winner);
      assert.ok(intervention, 'no intervention opened');
      assert.deepEqual(others, []);
      assert.equal(intervention.campaignId, deliveringId);
      assert.equal(intervention.accountId, accountId);
      assert.equal(intervention.status, 'open');
      const expected = detectNotReceived(text);
      assert.equal(expected?.language, 'ja');
      assert.deepEqual(intervention.details, {
        xUserId: winner.id,
        username: winner.username,
        deliveryId,
        deliveryState: 'sent',
        eventId: '1795000000000000200',
        language: 'ja',
        phrase: expected.phrase,
        via: 'dm',
      });
      // The participant's own words stay out of the record.
      assert.ok(!JSON.stringify(intervention.details).includes(text));
      const dedupe = await testDb.db
        .selectFrom('interventions')
        .select('dedupe_key')
        .where('id', '=', intervention.id)
        .executeTakeFirstOrThrow();
      assert.equal(dedupe.dedupe_key, `user:${winner.id}`);

      assert.deepEqual(await interventionSignals(deliveringId), [
        {
          interventionId: intervention.id,
          kind: 'not_received',
          openedBy: `participant:${winner.id}`,
        },
      ]);

      const audit = await auditedBy(winner);
      assert.deepEqual(
        audit.map((entry) => [entry.action, entry.campaignId, entry.subject, entry.outcome]),
        [['intervention.open', deliveringId, intervention.id, 'ok']],
      );
      assert.deepEqual(audit[0]?.details, {
        kind: 'not_received',
        interventionId: intervention.id,
        ...intervention.details,
      });
      assert.ok(!JSON.stringify(audit[0]?.details).includes(text));
    });

    it('opens one for an English reply to the sender, naming the newest result delivery', async () => {
      const loser = person(11);
      const failedId = await seedDelivery(deliveringId, loser, 'lose', 'failed');
      const resendId = await seedDelivery(deliveringId, loser, 'lose', 'queued');
      // A later follow-up is not the result the participant is asking about.
      await seedDelivery(deliveringId, loser, 'follow_up', 'sent');
      const signalsBefore = (await interventionSignals(deliveringId)).length;

      const response = await signed(
        replyToSender(loser, '1871000000000000001', "@kuji_demo I didn't get my DM :("),
      );
      assert.equal(response.status, 200, JSON.stringify(response.body));
      assert.deepEqual(response.body, { accepted: 1, replayed: 0, stored: 0, notReceived: 1 });

      const [intervention, ...others] = await complaintsBy(loser);
      assert.ok(intervention, 'no intervention opened');
      assert.deepEqual(others, []);
      assert.equal(intervention.campaignId, deliveringId);
      assert.deepEqual(intervention.details, {
        xUserId: loser.id,
        username: loser.username,
        deliveryId: resendId,
        deliveryState: 'queued',
        eventId: '1871000000000000001',
        language: 'en',
        phrase: detectNotReceived("I didn't get my DM")?.phrase,
        via: 'reply',
      });
      assert.notEqual(resendId, failedId);

      const signals = await interventionSignals(deliveringId);
      assert.equal(signals.length, signalsBefore + 1);
      assert.deepEqual(signals.at(-1), {
        interventionId: intervention.id,
        kind: 'not_received',
        openedBy: `participant:${loser.id}`,
      });
    });

    it('opens and audits no second intervention when the same person complains again', async () => {
      const winner = person(12);
      await seedDelivery(deliveringId, winner, 'win', 'sent');
      const first = await signed(
        directMessage(winner, '1795000000000000210', 'DMが届かないのですが…'),
      );
      assert.deepEqual(first.body, { accepted: 1, replayed: 0, stored: 0, notReceived: 1 });
      const signalsAfterFirst = (await interventionSignals(deliveringId)).length;

      const again = await signed(
        directMessage(winner, '1795000000000000211', 'still no DM, please check'),
      );
      assert.equal(again.status, 200, JSON.stringify(again.body));
      assert.deepEqual(again.body, { accepted: 1, replayed: 0, stored: 0, notReceived: 0 });
      const byReply = await signed(
        replyToSender(winner, '1871000000000000002', '当選したのに通知が来ない'),
      );
      assert.deepEqual(byReply.body, { accepted: 1, replayed: 0, stored: 0, notReceived: 0 });

      const interventions = await complaintsBy(winner);
      assert.equal(interventions.length, 1);
      assert.equal(interventions[0]?.details.eventId, '1795000000000000210');
      assert.equal((await interventionSignals(deliveringId)).length, signalsAfterFirst);
      assert.deepEqual(
        (await auditedBy(winner)).map((entry) => [
          entry.action,
          entry.subject,
          (entry.details as { eventId?: string }).eventId,
        ]),
        [['intervention.open', interventions[0]?.id, '1795000000000000210']],
        'only the complaint that opened the intervention is audited',
      );
    });

    it('opens one when X delivers a reply that mentions the sender twice (as reply and mention)', async () => {
      const winner = person(13);
      await seedDelivery(deliveringId, winner, 'win', 'sent');
      const deliveredBefore = emulator.webhooks.deliveries.length;
      applyAction(emulator, {
        type: 'reply',
        user: winner.username,
        post: DEMO_CAMPAIGN_POST_ID,
        text: `@${DEMO_SENDER_USERNAME} I never got my prize code`,
      });
      await emulator.webhookIdle();

      const delivered = emulator.webhooks.deliveries.slice(deliveredBefore);
      assert.deepEqual(
        delivered.map((d) => [d.eventType, d.status]),
        [
          ['post.reply.create', 200],
          ['post.mention.create', 200],
        ],
      );
      const interventions = await complaintsBy(winner);
      assert.equal(interventions.length, 1);
      assert.equal(interventions[0]?.details.via, 'reply');
      assert.equal(interventions[0]?.details.language, 'en');
      // Entry collection is unchanged: the reply is still an entry event of the collecting campaign.
      const entries = (await storedEvents(collectingId)).filter((e) => e.x_user_id === winner.id);
      assert.deepEqual(entries.map((e) => e.source).sort(), ['mention', 'reply']);
    });

    it('stores a keyword DM that also complains as an entry and opens the intervention', async () => {
      const winner = person(14);
      await seedDelivery(deliveringId, winner, 'win', 'sent');
      const response = await signed(
        directMessage(winner, '1795000000000000220', '参加したのに当選DMが届いていません'),
      );
      assert.deepEqual(response.body, { accepted: 1, replayed: 0, stored: 1, notReceived: 1 });
      const entries = (await storedEvents(collectingId)).filter((e) => e.x_user_id === winner.id);
      assert.deepEqual(
        entries.map((e) => e.source),
        ['dm_keyword'],
      );
      assert.equal((await complaintsBy(winner)).length, 1);
    });

    it('opens none for someone without a result delivery, or for an ordinary DM', async () => {
      const stranger = person(15);
      const entrant = person(17);
      await seedDelivery(deliveringId, entrant, 'win', 'sent');
      // Only a follow-up for the stranger: no result of theirs was ever planned.
      await seedDelivery(deliveringId, stranger, 'follow_up', 'sent');
      const signalsBefore = (await interventionSignals(deliveringId)).length;

      const fromStranger = await signed(
        directMessage(stranger, '1795000000000000230', '当選DMが届いていません'),
      );
      assert.deepEqual(fromStranger.body, { accepted: 1, replayed: 0, stored: 0, notReceived: 0 });
      const ordinary = await signed(directMessage(entrant, '1795000000000000231', '参加します'));
      assert.deepEqual(ordinary.body, { accepted: 1, replayed: 0, stored: 1, notReceived: 0 });

      for (const who of [stranger, entrant]) {
        assert.deepEqual(await complaintsBy(who), [], `${who.username} got an intervention`);
      }
      assert.equal((await interventionSignals(deliveringId)).length, signalsBefore);
    });

    it('keeps a complaint after completion against the newest completed campaign that sent a result in 30 days, for a person to dismiss', async () => {
      const completedWinner = person(16);
      /** A result planned and sent at `ms`. */
      const at = (ms: number) => ({ created_at: new Date(ms), sent_at: new Date(ms) });
      const sentAt = (deliveryId: string, ms: number) =>
        testDb.db.updateTable('deliveries').set(at(ms)).where('id', '=', deliveryId).execute();
      const olderCompletedId = await seedCampaign('completed');
      const longAgoId = await seedCampaign('completed');
      await seedDelivery(olderCompletedId, completedWinner, 'lose', 'sent');
      const newest = await seedDelivery(completedId, completedWinner, 'win', 'sent');
      const longAgo = await seedDelivery(longAgoId, completedWinner, 'win', 'sent');
      await sentAt(longAgo, Date.now() - 40 * 24 * 60 * 60 * 1000);
      await sentAt(newest, Date.now() - 60_000);
      await testDb.db
        .updateTable('deliveries')
        .set(at(Date.now() - 24 * 60 * 60 * 1000))
        .where('campaign_id', '=', olderCompletedId)
        .execute();

      // Someone whose only result went out over 30 days ago: too late to keep.
      const oldWinner = person(20);
      const oldResult = await seedDelivery(longAgoId, oldWinner, 'win', 'sent');
      await sentAt(oldResult, Date.now() - 31 * 24 * 60 * 60 * 1000);
      const tooLate = await signed(
        directMessage(oldWinner, '1795000000000000232', '当選DMが届いていません'),
      );
      assert.deepEqual(tooLate.body, { accepted: 1, replayed: 0, stored: 0, notReceived: 0 });

      const response = await signed(
        replyToSender(completedWinner, '1871000000000000003', "I didn't get my DM"),
      );
      assert.deepEqual(response.body, { accepted: 1, replayed: 0, stored: 0, notReceived: 1 });
      const [kept, ...others] = await complaintsBy(completedWinner);
      assert.deepEqual(others, []);
      assert.deepEqual(
        [kept?.campaignId, kept?.status, kept?.details.deliveryId, kept?.details.afterCompletion],
        [completedId, 'open', newest, true],
      );
      assert.deepEqual(
        (await auditedBy(completedWinner)).map((entry) => [entry.action, entry.campaignId]),
        [['intervention.open', completedId]],
      );

      // The API shows what a person can still do, and refuses what Kuji no longer does.
      const operator = (
        await insertApiKey(testDb.db, { id: 'after-close', name: 'after-close', role: 'operator' })
      ).secret;
      const call = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
        app.inject({
          method,
          url,
          headers: { authorization: `Bearer ${operator}` },
          ...(payload ? { payload } : {}),
        });
      const listed = await call('GET', `/v1/campaigns/${completedId}/interventions?status=open`);
      const shown = listed
        .json<{ interventions: { id: string; resolutions: string[]; remedy: { en: string } }[] }>()
        .interventions.find((i) => i.id === kept?.id);
      assert.deepEqual(shown?.resolutions, ['dismiss']);
      assert.match(shown?.remedy.en ?? '', /by hand/);
      const resolveUrl = `/v1/campaigns/${completedId}/interventions/${kept?.id}/resolve`;
      const resend = await call('POST', resolveUrl, { resolution: 'resend' });
      assert.equal(resend.statusCode, 409, resend.body);
      assert.deepEqual(
        [
          resend.json<{ code: string }>().code,
          resend.json<{ details: { phase: string } }>().details,
        ],
        ['campaign_closed', { phase: 'completed' }],
      );
      const dismissed = await call('POST', resolveUrl, {
        resolution: 'dismiss',
        note: 'sent by hand',
      });
      assert.equal(dismissed.statusCode, 200, dismissed.body);
      assert.deepEqual(
        [
          dismissed.json<{ intervention: { status: string } }>().intervention.status,
          dismissed.json<{ intervention: { resolvedBy: string } }>().intervention.resolvedBy,
        ],
        ['resolved', 'after-close'],
      );
      const again = await call('POST', resolveUrl, { resolution: 'dismiss' });
      assert.equal(again.statusCode, 409, again.body);
      assert.equal(again.json<{ code: string }>().code, 'intervention_not_open');
      const audited = (await listAuditEntries(testDb.db, { limit: 1000 })).filter(
        (entry) => entry.subject === kept?.id && entry.action === 'intervention.resolve',
      );
      assert.deepEqual(audited.map((entry) => entry.outcome).sort(), ['ok', 'refused', 'refused']);
    });

    it('files a complaint with a campaign back in approval mid-delivery, not with an older completed one', async () => {
      const winner = person(21);
      const reapprovingId = await seedCampaign('awaiting_approval');
      await seedDelivery(completedId, winner, 'win', 'sent');
      const current = await seedDelivery(reapprovingId, winner, 'win', 'sent');
      const response = await signed(
        directMessage(winner, '1795000000000000233', '当選DMが届いていません'),
      );
      assert.deepEqual(response.body, { accepted: 1, replayed: 0, stored: 0, notReceived: 1 });
      const [kept, ...others] = await complaintsBy(winner);
      assert.deepEqual(others, []);
      assert.deepEqual(
        [kept?.campaignId, kept?.details.deliveryId, kept?.details.afterCompletion],
        [reapprovingId, current, undefined],
      );
    });

    it('stores the intervention and answers 200 when the workflow cannot be signalled', async () => {
      const winner = person(18);
      const deliveryId = await seedDelivery(unstartedId, winner, 'win', 'sent');
      const response = await signed(
        directMessage(winner, '1795000000000000240', 'DM届いてないです'),
      );
      assert.equal(response.status, 200, JSON.stringify(response.body));
      assert.deepEqual(response.body, { accepted: 1, replayed: 0, stored: 0, notReceived: 1 });
      const [intervention] = await complaintsBy(winner);
      assert.equal(intervention?.campaignId, unstartedId);
      assert.equal(intervention?.details.deliveryId, deliveryId);
    });

    it('opens one per running campaign in which the person has a result', async () => {
      const winner = person(19);
      await seedDelivery(deliveringId, winner, 'win', 'sent');
      await seedDelivery(unstartedId, winner, 'lose', 'sent');
      await seedDelivery(completedId, winner, 'win', 'sent');
      const response = await signed(
        directMessage(winner, '1795000000000000250', '結果のDMが来ないです'),
      );
      assert.deepEqual(response.body, { accepted: 1, replayed: 0, stored: 0, notReceived: 2 });
      const campaigns = (await complaintsBy(winner)).map((i) => i.campaignId).sort();
      assert.deepEqual(campaigns, [deliveringId, unstartedId].sort());
      assert.deepEqual(
        (await auditedBy(winner)).map((entry) => entry.campaignId).sort(),
        [deliveringId, unstartedId].sort(),
      );
    });
  });

  describe('without a consumer secret', () => {
    it('answers 503 webhook_not_configured to CRC challenges and deliveries', async () => {
      const unconfigured = await buildApp({
        db: testDb.db,
        temporal: env.client,
        temporalConfig: { namespace: env.namespace ?? 'default', taskQueue: unpolledTaskQueue },
      });
      try {
        const crc = await unconfigured.inject({ url: '/v1/webhooks/x?crc_token=abc' });
        assert.equal(crc.statusCode, 503);
        assert.equal(crc.json<{ code: string }>().code, 'webhook_not_configured');
        const body = dmDelivery(person(9).id, '1795000000000000102', '参加');
        const delivery = await unconfigured.inject({
          method: 'POST',
          url: '/v1/webhooks/x',
          headers: {
            'content-type': 'application/json',
            'x-twitter-webhooks-signature': signWebhookBody(DEMO_CONSUMER_SECRET, body),
          },
          payload: body,
        });
        assert.equal(delivery.statusCode, 503);
        assert.equal(delivery.json<{ code: string }>().code, 'webhook_not_configured');
      } finally {
        await unconfigured.close();
      }
    });
  });
});

describe('notReceivedComplaints', () => {
  const sender = DEMO_SENDER_USER_ID;
  const fan = { id: '1800000000000000042', username: 'fan42' };

  const dm = (
    from: string,
    to: string,
    text: string,
    eventType = 'dm.received',
  ): ActivityEvent => ({
    event_type: eventType,
    filter: { user_id: sender },
    payload: {
      direct_message_events: [
        {
          type: 'message_create',
          id: '1795000000000000900',
          message_create: {
            sender_id: from,
            target: { recipient_id: to },
            message_data: { text },
          },
        },
      ],
      users: { [fan.id]: { data: fan } },
    },
  });

  const postEvent = (eventType: string, authorId: string, text: string): ActivityEvent => ({
    event_type: eventType,
    filter: { user_id: sender },
    payload: { id: '1871000000000000900', text, author_id: authorId },
    includes: { users: [fan] },
  });

  it('reads a DM to the sender that says the result did not arrive', () => {
    assert.deepEqual(notReceivedComplaints(dm(fan.id, sender, '当選DMが届いていません'), sender), [
      {
        xUserId: fan.id,
        username: fan.username,
        eventId: '1795000000000000900',
        via: 'dm',
        match: detectNotReceived('当選DMが届いていません'),
      },
    ]);
  });

  it('reads replies and mentions by others, naming the channel', () => {
    const reply = notReceivedComplaints(
      postEvent('post.reply.create', fan.id, "I didn't get my DM"),
      sender,
    );
    const mention = notReceivedComplaints(
      postEvent('post.mention.create', fan.id, '@kuji_demo DMが来ない'),
      sender,
    );
    assert.deepEqual(
      [...reply, ...mention].map((c) => [c.via, c.xUserId, c.username, c.match.language]),
      [
        ['reply', fan.id, fan.username, 'en'],
        ['mention', fan.id, fan.username, 'ja'],
      ],
    );
  });

  it("ignores the sender's own messages, other event types and ordinary words", () => {
    const ignored: ActivityEvent[] = [
      dm(sender, fan.id, '当選DMが届いていません'),
      dm(fan.id, sender, '当選DMが届いていません', 'dm.sent'),
      dm(fan.id, '1800000000000000043', '当選DMが届いていません'),
      dm(fan.id, sender, '参加します'),
      postEvent('post.reply.create', sender, "Sorry if you didn't get my DM"),
      postEvent('post.quote.create', fan.id, "I didn't get my DM"),
      postEvent('post.reply.create', fan.id, '当選DM届かないかな〜'),
      {
        ...postEvent('post.reply.create', fan.id, "I didn't get my DM"),
        filter: { user_id: sender, direction: 'outbound' },
      },
      { event_type: 'post.reply.create', filter: { user_id: sender }, payload: { text: 'no id' } },
    ];
    for (const event of ignored) {
      assert.deepEqual(notReceivedComplaints(event, sender), [], JSON.stringify(event));
    }
  });
});
