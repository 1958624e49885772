import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../api/app';
import { insertCampaign, updateCampaignPhase } from '../../db/repositories/campaigns';
import { campaignConfigSchema, exampleCampaignConfig } from '../../domain/campaign-config';
import { hasAccountCredentials } from '../../x/credentials';
import {
  applyAction,
  DEMO_CAMPAIGN_POST_ID,
  DEMO_CONSUMER_SECRET,
  DEMO_SENDER_USER_ID,
  DEMO_SENDER_USERNAME,
  startXEmulator,
  type XEmulator,
} from '../../x/emulator';
import { crcResponseToken, signWebhookBody } from '../../x/webhook-signature';
import { campaignWorkflowId } from '../../workflows/search-attributes';
import { participants, seedLinkedAccount, worldScenario } from '../support/campaign-world';
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
  const people = participants(10);
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
    const handle = await env.client.workflow.start('campaignWorkflow', {
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
      assert.deepEqual(await storedEvents(scheduledId), []);
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
      assert.deepEqual(signed.body, { accepted: 1, stored: 1 });
      assert.equal((await storedEvents(collectingId)).length, before.length + 1);
    });

    it('accepts and ignores events for nobody Kuji knows', async () => {
      const withoutUser = dmDelivery('42', '1795000000000000100', '参加', {});
      const unknownUser = dmDelivery('42', '1795000000000000101', '参加', { user_id: '999' });
      const before = await storedEvents(collectingId);
      for (const delivery of [withoutUser, unknownUser]) {
        const response = await post(delivery, signWebhookBody(DEMO_CONSUMER_SECRET, delivery));
        assert.equal(response.status, 200, JSON.stringify(response.body));
        assert.deepEqual(response.body, { accepted: 1, stored: 0 });
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
