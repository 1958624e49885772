/**
 * Abuse of the X webhook, through the real app and PostgreSQL: forged signatures through the CRC
 * route, unsigned and replayed deliveries, a replayed revocation, and events for campaigns that
 * must not take them. Each test fails on the code before the fix it guards.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import {
  credentialsEnvelopeStore,
  hasAccountCredentials,
} from '../../db/repositories/credential-envelopes';
import { buildApp } from '../../api/app';
import { crcTokenPattern } from '../../api/schemas/webhooks';
import { insertCampaign, updateCampaignPhase } from '../../db/repositories/campaigns';
import { insertDeliveries, markDeliverySent } from '../../db/repositories/deliveries';
import { listInterventions } from '../../db/repositories/interventions';
import { campaignConfigSchema, exampleCampaignConfig } from '../../domain/campaign-config';
import { storeAccountCredentials } from '../../x/credentials';
import { DEMO_CONSUMER_SECRET, DEMO_SENDER_USER_ID, demoSenderCredentials } from '../../emulator';
import { signWebhookBody } from '../../x/webhook-signature';
import { participants, seedLinkedAccount } from '../support/campaign-world';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { testCredentialsKey, uniqueId } from '../support/fixtures';
import { createDevServerEnv } from '../support/temporal';

const unpolledTaskQueue = `webhook-abuse-unpolled-${process.pid}`;

describe('X webhook abuse', () => {
  let env: TestWorkflowEnvironment;
  let testDb: TestDatabase;
  let app: FastifyInstance;
  let accountId: string;
  const people = participants(10, 'abuser');
  let sequence = 0;
  const nextId = () => String(1796000000000000000n + BigInt((sequence += 1)));

  before(async () => {
    [env, testDb] = await Promise.all([createDevServerEnv(), createTestDatabase()]);
    app = await buildApp({
      db: testDb.db,
      temporal: env.client,
      temporalConfig: { namespace: env.namespace ?? 'default', taskQueue: unpolledTaskQueue },
      webhookSecret: DEMO_CONSUMER_SECRET,
    });
    accountId = await seedLinkedAccount(testDb.db);
  });
  after(async () => {
    await app?.close();
    await env?.teardown();
    await testDb?.close();
  });

  /** A campaign of the linked account in `phase`, with a DM keyword and the given period. */
  async function seedCampaign(
    phase: string,
    options: { keyword?: string; startAt?: Date; endAt?: Date; approved?: boolean } = {},
  ): Promise<string> {
    const example = exampleCampaignConfig(new Date());
    const config = campaignConfigSchema.parse({
      ...example,
      accountId,
      entryRules: { all: [{ type: 'dm_keyword', keyword: options.keyword ?? '参加' }] },
      schedule: {
        ...example.schedule,
        ...(options.startAt ? { startAt: options.startAt.toISOString() } : {}),
        ...(options.endAt ? { endAt: options.endAt.toISOString() } : {}),
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
    if (options.approved) {
      await testDb.db
        .updateTable('campaigns')
        .set({ approved_config_version: campaign.configVersion })
        .where('id', '=', campaign.id)
        .execute();
    }
    return campaign.id;
  }

  const keywordDm = (from: string, text: string, at: Date, eventUuid?: string) =>
    JSON.stringify({
      data: {
        ...(eventUuid ? { event_uuid: eventUuid } : {}),
        event_type: 'dm.received',
        filter: { user_id: DEMO_SENDER_USER_ID },
        payload: {
          direct_message_events: [
            {
              type: 'message_create',
              id: nextId(),
              created_timestamp: String(at.getTime()),
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

  const revocation = (at: Date, eventUuid: string) =>
    JSON.stringify({
      data: {
        event_uuid: eventUuid,
        event_type: 'oauth.revoke',
        filter: {},
        payload: { date_time: at.toISOString(), user_id: DEMO_SENDER_USER_ID, app_id: '1' },
      },
    });

  async function deliver(body: string, signature = signWebhookBody(DEMO_CONSUMER_SECRET, body)) {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/webhooks/x',
      headers: { 'content-type': 'application/json', 'x-twitter-webhooks-signature': signature },
      payload: body,
    });
    return { status: response.statusCode, body: response.json<Record<string, unknown>>() };
  }

  const eventsOf = (campaignId: string) =>
    testDb.db
      .selectFrom('entry_events')
      .select(['x_user_id', 'occurred_at'])
      .where('campaign_id', '=', campaignId)
      .execute();

  describe('GET /v1/webhooks/x: the CRC route signs only what X sends', () => {
    it('refuses, with 400 and no signature, a delivery body offered as crc_token, so it cannot be forged', async () => {
      const collecting = await seedCampaign('collecting', { keyword: '偽造' });
      const forged = keywordDm(people[0]!.id, '偽造', new Date());
      const crc = await app.inject({
        url: `/v1/webhooks/x?crc_token=${encodeURIComponent(forged)}`,
      });
      assert.equal(crc.statusCode, 400, crc.body);
      assert.equal(crc.json<Record<string, unknown>>().response_token, undefined);
      assert.ok(!crc.body.includes('sha256='), crc.body);
      // Whatever the attacker takes from that answer as the signature is refused.
      const attempt = await deliver(forged, `sha256=${crc.json<{ message?: string }>().message}`);
      assert.equal(attempt.status, 401);
      assert.deepEqual(await eventsOf(collecting), []);
    });

    it('refuses every token that is not 8–128 URL-safe base64 characters', async () => {
      const refused = [
        '{"data":{}}',
        '[1]',
        'short',
        'a'.repeat(129),
        'has space in it',
        'slash/and+plus',
        'nul\u0000byte',
        'ＡＢＣＤＥＦＧＨ',
        'x'.repeat(10_000),
      ].map((token) => encodeURIComponent(token));
      // Bytes that are no UTF-8 at all: a lone surrogate's encoding and raw NUL.
      refused.push('%ED%A0%80abcdefgh', 'abcdefgh%00', 'abc%ZZdefgh');
      for (const token of refused) {
        const response = await app.inject({ url: `/v1/webhooks/x?crc_token=${token}` });
        assert.equal(response.statusCode, 400, `${JSON.stringify(token)}: ${response.body}`);
        assert.ok(!response.body.includes('sha256='), token);
      }
      for (const token of ['abcdefgh', 'N2Y1MDk1ZDctYjQ0Zi00', 'a_b-c'.repeat(25) + '==']) {
        const response = await app.inject({
          url: `/v1/webhooks/x?crc_token=${encodeURIComponent(token)}`,
        });
        assert.equal(response.statusCode, 200, `${token}: ${response.body}`);
      }
    });

    it('admits no token that a JSON delivery body could be', () => {
      // Every delivery the POST route accepts is a JSON object; an object's text starts with '{'
      // (after optional whitespace), which the pattern never admits.
      for (const start of ['{', ' {', '\n{', '\t{', '\r{']) {
        assert.equal(crcTokenPattern.test(`${start}"data":{}}`), false, JSON.stringify(start));
      }
    });
  });

  describe('POST /v1/webhooks/x: replays change nothing', () => {
    it('takes an event in once: a replayed complaint opens no second stop after the first was dismissed', async () => {
      const delivering = await seedCampaign('delivering', { keyword: '再送' });
      const complainer = people[1]!;
      await insertDeliveries(testDb.db, [
        {
          id: `${delivering}:${complainer.id}:win`,
          campaignId: delivering,
          accountId,
          xUserId: complainer.id,
          kind: 'win',
          channel: 'dm',
          channelReason: 'dm_opt_in',
          state: 'queued',
          replyToTweetId: null,
        },
      ]);
      await markDeliverySent(testDb.db, `${delivering}:${complainer.id}:win`, {
        xEventId: nextId(),
        xConversationId: null,
        sentAt: new Date(),
      });
      const complaint = keywordDm(complainer.id, '当選DMが届いていません', new Date(), nextId());
      const first = await deliver(complaint);
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.equal(first.body.notReceived, 1);
      await testDb.db
        .updateTable('interventions')
        .set({
          status: 'resolved',
          resolution: 'dismiss',
          resolved_by: 'op',
          resolved_at: new Date(),
        })
        .where('campaign_id', '=', delivering)
        .execute();

      const replay = await deliver(complaint);
      assert.equal(replay.status, 200);
      assert.deepEqual(replay.body, { accepted: 1, replayed: 1, stored: 0, notReceived: 0 });
      const stops = await listInterventions(testDb.db, { campaignId: delivering });
      assert.equal(stops.length, 1, JSON.stringify(stops));
    });

    it('never clears credentials linked after the revocation it replays', async () => {
      const revokedAt = new Date(Date.now() - 60_000);
      await storeAccountCredentials(
        credentialsEnvelopeStore(testDb.db),
        testCredentialsKey,
        accountId,
        demoSenderCredentials(),
      );
      const stale = await deliver(revocation(revokedAt, nextId()));
      assert.equal(stale.status, 200, JSON.stringify(stale.body));
      assert.equal(await hasAccountCredentials(testDb.db, accountId), true);

      // A revocation after the link clears them, and its replay after a re-link does not.
      const current = revocation(new Date(Date.now() + 1000), nextId());
      assert.equal((await deliver(current)).status, 200);
      assert.equal(await hasAccountCredentials(testDb.db, accountId), false);
      await storeAccountCredentials(
        credentialsEnvelopeStore(testDb.db),
        testCredentialsKey,
        accountId,
        demoSenderCredentials(),
      );
      const replay = await deliver(current);
      assert.equal(replay.body.replayed, 1);
      assert.equal(await hasAccountCredentials(testDb.db, accountId), true);
    });

    it('clears credentials linked earlier in the second X dates its revocation to', async () => {
      await storeAccountCredentials(
        credentialsEnvelopeStore(testDb.db),
        testCredentialsKey,
        accountId,
        demoSenderCredentials(),
      );
      // X's date_time has no milliseconds: the link may carry some of the same second.
      const sameSecond = new Date(Math.floor(Date.now() / 1000) * 1000);
      assert.equal((await deliver(revocation(sameSecond, nextId()))).status, 200);
      assert.equal(await hasAccountCredentials(testDb.db, accountId), false);
      await storeAccountCredentials(
        credentialsEnvelopeStore(testDb.db),
        testCredentialsKey,
        accountId,
        demoSenderCredentials(),
      );
    });
  });

  describe('POST /v1/webhooks/x: which campaigns take an event', () => {
    it('stores a keyword DM for an approved campaign whatever phase its workflow recorded, dated by X', async () => {
      const sentAt = new Date(Date.now() - 5_000);
      const scheduled = await seedCampaign('scheduled', { keyword: '予定' });
      const reapproving = await seedCampaign('awaiting_approval', {
        keyword: '承認中',
        approved: true,
      });
      const unapproved = await seedCampaign('awaiting_approval', { keyword: '未承認' });
      const analyzing = await seedCampaign('analyzing', { keyword: '集計中' });
      const who = people[2]!;
      for (const text of ['予定', '承認中', '未承認', '集計中']) {
        assert.equal((await deliver(keywordDm(who.id, text, sentAt))).status, 200);
      }
      const [atScheduled] = await eventsOf(scheduled);
      assert.equal(atScheduled?.x_user_id, who.id);
      assert.equal(atScheduled?.occurred_at?.getTime(), sentAt.getTime());
      assert.equal((await eventsOf(reapproving)).length, 1);
      assert.deepEqual(await eventsOf(unapproved), []);
      // From analyzing on, the workflow has decided the last event: nothing more is stored.
      assert.deepEqual(await eventsOf(analyzing), []);
    });

    it('keeps a DM with characters PostgreSQL cannot store, cleaned, and drops a username X would not issue', async () => {
      const campaignId = await seedCampaign('collecting', { keyword: '清掃' });
      const who = people[4]!;
      const body = JSON.stringify({
        data: {
          event_type: 'dm.received',
          filter: { user_id: DEMO_SENDER_USER_ID },
          payload: {
            direct_message_events: [
              {
                type: 'message_create',
                id: nextId(),
                created_timestamp: String(Date.now()),
                message_create: {
                  sender_id: who.id,
                  target: { recipient_id: DEMO_SENDER_USER_ID },
                  message_data: { text: '清掃\u0000します\ud800' },
                },
              },
            ],
            users: { [who.id]: { data: { id: who.id, username: '<img src=x onerror=alert(1)>' } } },
          },
        },
      });
      const response = await deliver(body);
      assert.equal(response.status, 200, JSON.stringify(response.body));
      assert.equal(response.body.stored, 1);
      const [stored] = await testDb.db
        .selectFrom('entry_events')
        .select(['text', 'username'])
        .where('campaign_id', '=', campaignId)
        .execute();
      assert.equal(stored?.text, '清掃します');
      assert.equal(stored?.username, null);
    });

    it('routes a keyword DM to exactly one campaign of the account: the one whose period holds its date', async () => {
      const now = Date.now();
      const hour = 3_600_000;
      const past = await seedCampaign('delivering', {
        keyword: '重複',
        startAt: new Date(now - 3 * hour),
        endAt: new Date(now - 2 * hour),
      });
      const current = await seedCampaign('collecting', {
        keyword: '重複',
        startAt: new Date(now - hour),
        endAt: new Date(now + hour),
      });
      const who = people[3]!;
      const response = await deliver(keywordDm(who.id, '重複します', new Date(now)));
      assert.equal(response.body.stored, 1, JSON.stringify(response.body));
      assert.deepEqual(await eventsOf(past), []);
      assert.equal((await eventsOf(current)).length, 1);
    });
  });
});
