import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { KyselyPlugin } from 'kysely';
import { buildApp } from '../../api/app';
import type { ApiRole } from '../../db/database';
import { insertAccount, recordXDmDayLimit } from '../../db/repositories/accounts';
import { insertApiKey } from '../../db/repositories/api-keys';
import { insertCampaign } from '../../db/repositories/campaigns';
import {
  insertDeliveries,
  markDeliveryFailed,
  markDeliverySent,
  type NewDelivery,
} from '../../db/repositories/deliveries';
import { setEntryOutcomes, upsertEntry } from '../../db/repositories/entries';
import { reserveQuotaSlot } from '../../db/repositories/quota';
import { exampleCampaignConfig } from '../../domain/campaign-config';
import {
  addDaysToDayKey,
  localDayKey,
  startOfLocalDay,
  startOfNextLocalDay,
} from '../../domain/day-window';
import { makeXError } from '../../domain/x-errors';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { uniqueId } from '../support/fixtures';

const timeZone = 'Asia/Tokyo';

interface DeliveryBody {
  id: string;
  state: string;
  channel: string;
  errorCode: string | null;
  errorCategory: string | null;
  errorReason: { ja: string; en: string } | null;
  errorRemedy: { ja: string; en: string } | null;
  eta: string | null;
  etaDay: string | null;
  sentAt: string | null;
}
interface DeliveriesBody {
  deliveries: DeliveryBody[];
  counts: Record<string, number>;
  quota: {
    dayKey: string;
    used: number;
    cap: number;
    remaining: number;
    nextWindowAt: string | null;
  };
}
interface EntriesBody {
  entries: {
    xUserId: string;
    eligible: boolean | null;
    reasons: { code: string; ja: string; en: string }[];
    consentBasis: string;
    outcome: string;
    prize: { id: string; name: string | null; code: string | null } | null;
  }[];
  nextAfter: string | null;
}

describe('delivery and entry routes (API → PostgreSQL)', () => {
  let testDb: TestDatabase;
  let app: FastifyInstance;
  const keys = {} as Record<ApiRole, string>;
  const auth = (role: ApiRole) => ({ authorization: `Bearer ${keys[role]}` });

  before(async () => {
    testDb = await createTestDatabase();
    // These routes read PostgreSQL only; a lazy client that never connects stands in for Temporal.
    app = await buildApp({
      db: testDb.db,
      temporal: new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) }),
      temporalConfig: { namespace: 'default', taskQueue: 'unused' },
    });
    for (const role of ['admin', 'operator', 'approver', 'viewer'] as const) {
      keys[role] = (await insertApiKey(testDb.db, { id: role, name: role, role })).secret;
    }
  });
  after(async () => {
    await app?.close();
    await testDb?.close();
  });

  async function seedCampaign(options: { dmDailyCap?: number; minGapSeconds: number }) {
    const accountId = uniqueId('acct');
    await insertAccount(testDb.db, {
      id: accountId,
      handle: accountId.replace(/-/g, '_'),
      timezone: timeZone,
      dmDailyCap: options.dmDailyCap ?? 100,
    });
    const config = {
      ...exampleCampaignConfig(new Date()),
      accountId,
      pacing: { minGapSeconds: options.minGapSeconds, jitterSeconds: 0 },
    };
    const campaignId = uniqueId('cmp');
    await insertCampaign(testDb.db, {
      id: campaignId,
      name: config.name,
      accountId,
      config,
      author: 'alice',
    });
    return { accountId, campaignId };
  }

  function queued(
    seeded: { accountId: string; campaignId: string },
    count: number,
    channel: (index: number) => NewDelivery['channel'] = () => 'dm',
  ): NewDelivery[] {
    // Zero-padded ids keep the insert order when created_at ties within one statement.
    return Array.from({ length: count }, (_, index) => ({
      id: `${seeded.campaignId}-d${String(index).padStart(4, '0')}`,
      campaignId: seeded.campaignId,
      accountId: seeded.accountId,
      xUserId: `${1000 + index}`,
      kind: 'win' as const,
      channel: channel(index),
      replyToTweetId: channel(index) === 'reply' ? '1900000000000000001' : null,
    }));
  }

  /** Uses `count` DM slots of the account's current local day, as other campaigns would. */
  async function useSlotsToday(accountId: string, count: number, cap: number) {
    const dayKey = localDayKey(new Date(), timeZone);
    for (let i = 0; i < count; i++) {
      const reservation = await reserveQuotaSlot(testDb.db, {
        accountId,
        deliveryId: `other-${dayKey}-${i}`,
        dayKey,
        cap,
      });
      assert.equal(reservation.reserved, true);
    }
    return dayKey;
  }

  async function getDeliveries(campaignId: string, query = 'limit=500') {
    const response = await app.inject({
      url: `/v1/campaigns/${campaignId}/deliveries?${query}`,
      headers: auth('viewer'),
    });
    assert.equal(response.statusCode, 200, response.body);
    return response.json<DeliveriesBody>();
  }

  describe('GET /v1/campaigns/:id/deliveries', () => {
    it('spreads 150 queued DMs with cap 100 and 30 used today as 70 today and 80 tomorrow', async () => {
      const seeded = await seedCampaign({ minGapSeconds: 0 });
      await insertDeliveries(testDb.db, queued(seeded, 150));

      // Should local midnight pass between seeding and the request, seed the new day and ask again.
      let body: DeliveriesBody | undefined;
      let today = '';
      for (let attempt = 0; attempt < 2 && !body; attempt++) {
        today = await useSlotsToday(seeded.accountId, 30, 100);
        const answer = await getDeliveries(seeded.campaignId);
        if (answer.quota.dayKey === today) body = answer;
      }
      assert.ok(body, 'the local day kept changing');
      const tomorrow = addDaysToDayKey(today, 1);

      assert.deepEqual(body.quota, {
        timezone: timeZone,
        dayKey: today,
        used: 30,
        cap: 100,
        remaining: 70,
        nextWindowAt: null,
      });
      assert.equal(body.counts.queued, 150);
      assert.equal(body.deliveries.length, 150);
      const days = body.deliveries.map((delivery) => delivery.etaDay);
      assert.deepEqual(days.slice(0, 70), Array<string>(70).fill(today));
      assert.deepEqual(days.slice(70), Array<string>(80).fill(tomorrow));
      // Tomorrow's share waits for the window to open at local midnight.
      const windowOpens = startOfLocalDay(tomorrow, timeZone).toISOString();
      assert.ok(body.deliveries.slice(70).every((delivery) => delivery.eta === windowOpens));
      assert.ok(body.deliveries.slice(0, 70).every((delivery) => delivery.eta! < windowOpens));
    });

    it('reports nextWindowAt while the quota is full and puts the whole queue on a later day', async () => {
      const seeded = await seedCampaign({ dmDailyCap: 2, minGapSeconds: 0 });
      await insertDeliveries(testDb.db, queued(seeded, 3));
      let body: DeliveriesBody | undefined;
      for (let attempt = 0; attempt < 2 && !body; attempt++) {
        const today = await useSlotsToday(seeded.accountId, 2, 2);
        const answer = await getDeliveries(seeded.campaignId);
        if (answer.quota.dayKey === today) body = answer;
      }
      assert.ok(body, 'the local day kept changing');
      const nextWindowAt = startOfNextLocalDay(
        startOfLocalDay(body.quota.dayKey, timeZone),
        timeZone,
      ).toISOString();
      assert.equal(body.quota.remaining, 0);
      assert.equal(body.quota.nextWindowAt, nextWindowAt);
      assert.deepEqual(
        body.deliveries.map((delivery) => delivery.eta),
        [
          nextWindowAt,
          nextWindowAt,
          startOfLocalDay(addDaysToDayKey(body.quota.dayKey, 2), timeZone).toISOString(),
        ],
      );
    });

    it("uses X's DM limit for the quota and ETAs when X allows less than the configured cap", async () => {
      const seeded = await seedCampaign({ dmDailyCap: 100, minGapSeconds: 0 });
      await recordXDmDayLimit(testDb.db, seeded.accountId, 2);
      await insertDeliveries(testDb.db, queued(seeded, 3));
      const body = await getDeliveries(seeded.campaignId);
      assert.equal(body.quota.cap, 2);
      assert.equal(body.quota.remaining, 2);
      const nextWindowAt = startOfNextLocalDay(
        startOfLocalDay(body.quota.dayKey, timeZone),
        timeZone,
      ).toISOString();
      const etas = body.deliveries.map((delivery) => delivery.eta ?? '');
      assert.ok(
        etas.slice(0, 2).every((eta) => eta < nextWindowAt),
        etas.join(', '),
      );
      assert.equal(etas[2], nextWindowAt);
    });

    it('spaces ETAs by the pacing gap, replies included', async () => {
      const seeded = await seedCampaign({ minGapSeconds: 60 });
      await insertDeliveries(
        testDb.db,
        queued(seeded, 3, (index) => (index === 1 ? 'reply' : 'dm')),
      );
      const { deliveries } = await getDeliveries(seeded.campaignId);
      const etas = deliveries.map((delivery) => Date.parse(delivery.eta ?? ''));
      assert.deepEqual(
        [etas[1]! - etas[0]!, etas[2]! - etas[1]!],
        [60_000, 60_000],
        deliveries.map((d) => `${d.channel} ${d.eta}`).join(', '),
      );
    });

    it('reads the waiting queue only up to the page: a page of 2 reads no more than 2 of 300', async () => {
      const seeded = await seedCampaign({ minGapSeconds: 30 });
      await insertDeliveries(testDb.db, queued(seeded, 300));
      const largestResult: number[] = [];
      const counting: KyselyPlugin = {
        transformQuery: (args) => args.node,
        transformResult: (args) => {
          largestResult.push(args.result.rows.length);
          return Promise.resolve(args.result);
        },
      };
      const counted = await buildApp({
        db: testDb.db.withPlugin(counting),
        temporal: new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) }),
        temporalConfig: { namespace: 'default', taskQueue: 'unused' },
      });
      try {
        const response = await counted.inject({
          url: `/v1/campaigns/${seeded.campaignId}/deliveries?limit=2&offset=3`,
          headers: auth('viewer'),
        });
        assert.equal(response.statusCode, 200, response.body);
        const page = response.json<DeliveriesBody>().deliveries;
        // The same ETAs as the whole list gives those two (asked a moment later).
        const whole = (await getDeliveries(seeded.campaignId)).deliveries.slice(3, 5);
        assert.deepEqual(
          page.map((d) => d.id),
          whole.map((d) => d.id),
        );
        page.forEach((d, i) => {
          const drift = Math.abs(Date.parse(d.eta ?? '') - Date.parse(whole[i]?.eta ?? ''));
          assert.ok(drift < 5_000, `${d.id}: ${d.eta} vs ${whole[i]?.eta}`);
        });
        assert.equal(Date.parse(page[1]?.eta ?? '') - Date.parse(page[0]?.eta ?? ''), 30_000);
        assert.ok(
          Math.max(...largestResult) <= 5,
          `the largest query result had ${Math.max(...largestResult)} rows`,
        );
      } finally {
        await counted.close();
      }
    });

    it('filters by state and error category and shows errors in Japanese and English', async () => {
      const seeded = await seedCampaign({ minGapSeconds: 0 });
      const rows = queued(seeded, 4);
      await insertDeliveries(testDb.db, rows);
      const closed = makeXError('dm_not_permitted');
      const tooLong = makeXError('text_too_long');
      await markDeliveryFailed(testDb.db, rows[0]!.id, closed);
      await markDeliveryFailed(testDb.db, rows[1]!.id, tooLong);
      const sentAt = new Date('2026-01-05T01:00:00Z');
      await markDeliverySent(testDb.db, rows[2]!.id, { xEventId: '42', sentAt });

      const all = await getDeliveries(seeded.campaignId);
      assert.deepEqual(all.counts, {
        queued: 1,
        reserved: 0,
        sending: 0,
        sent: 1,
        failed: 2,
        skipped: 0,
      });
      const failed = await getDeliveries(seeded.campaignId, 'state=failed');
      assert.deepEqual(
        failed.deliveries.map((d) => d.id),
        [rows[0]!.id, rows[1]!.id],
      );
      assert.ok(failed.deliveries.every((d) => d.eta === null));
      const byCategory = await getDeliveries(seeded.campaignId, `category=${closed.category}`);
      assert.equal(byCategory.deliveries.length, 1);
      const [first] = byCategory.deliveries;
      assert.equal(first?.errorCode, 'dm_not_permitted');
      assert.deepEqual(first?.errorReason, closed.reason);
      assert.deepEqual(first?.errorRemedy, closed.remedy);
      assert.match(first?.errorReason?.ja ?? '', /[\u3040-\u30ff\u4e00-\u9fff]/);

      const sent = await getDeliveries(seeded.campaignId, 'state=sent');
      assert.equal(sent.deliveries[0]?.sentAt, sentAt.toISOString());
      assert.equal(sent.deliveries[0]?.eta, null);
      const page = await getDeliveries(seeded.campaignId, 'limit=2&offset=2');
      assert.deepEqual(
        page.deliveries.map((d) => d.id),
        [rows[2]!.id, rows[3]!.id],
      );
      assert.notEqual(page.deliveries[1]?.eta, null);
    });

    it('answers 400 for an unknown state, 404 for an unknown campaign and 401 without a key', async () => {
      const seeded = await seedCampaign({ minGapSeconds: 0 });
      const badState = await app.inject({
        url: `/v1/campaigns/${seeded.campaignId}/deliveries?state=lost`,
        headers: auth('viewer'),
      });
      assert.equal(badState.statusCode, 400);
      assert.equal(badState.json<{ code: string }>().code, 'validation_failed');
      const unknown = await app.inject({
        url: '/v1/campaigns/no-such-campaign/deliveries',
        headers: auth('operator'),
      });
      assert.equal(unknown.statusCode, 404);
      assert.equal(unknown.json<{ code: string }>().code, 'campaign_not_found');
      const anonymous = await app.inject({ url: `/v1/campaigns/${seeded.campaignId}/deliveries` });
      assert.equal(anonymous.statusCode, 401);
    });
  });

  describe('GET /v1/campaigns/:id/entries', () => {
    it('lists entries with reasons, consent basis, outcome and prize, filtered and paged', async () => {
      const seeded = await seedCampaign({ minGapSeconds: 0 });
      const { campaignId } = seeded;
      const privateReason = {
        code: 'protected_account',
        ja: '非公開（鍵）アカウントは対象外です。',
        en: 'Protected accounts are not eligible.',
      };
      for (const [xUserId, eligible] of [
        ['101', true],
        ['102', true],
        ['103', false],
        ['104', true],
      ] as const) {
        await upsertEntry(testDb.db, {
          campaignId,
          xUserId,
          username: `user${xUserId}`,
          consentBasis: 'summoned',
          facts: {},
          eligible,
          reasons: eligible ? [] : [privateReason],
        });
      }
      const config = exampleCampaignConfig(new Date());
      const prize = config.prizes[0]!;
      await setEntryOutcomes(testDb.db, campaignId, [
        { xUserId: '102', outcome: 'won', prizeId: prize.id, prizeCode: 'CODE-1' },
        { xUserId: '101', outcome: 'lost' },
      ]);

      const get = async (query: string) => {
        const response = await app.inject({
          url: `/v1/campaigns/${campaignId}/entries?${query}`,
          headers: auth('viewer'),
        });
        assert.equal(response.statusCode, 200, response.body);
        return response.json<EntriesBody>();
      };
      const won = await get('outcome=won');
      assert.deepEqual(
        won.entries.map((e) => [e.xUserId, e.outcome, e.prize]),
        [['102', 'won', { id: prize.id, name: prize.name, code: '****' }]],
        'a viewer sees the prize code masked (test/api/least-privilege.test.ts)',
      );
      const ineligible = await get('eligible=false');
      assert.deepEqual(
        ineligible.entries.map((e) => [e.xUserId, e.eligible, e.reasons, e.consentBasis]),
        [['103', false, [privateReason], 'summoned']],
      );
      const firstPage = await get('limit=2');
      assert.deepEqual(
        firstPage.entries.map((e) => e.xUserId),
        ['101', '102'],
      );
      assert.equal(firstPage.nextAfter, '102');
      const secondPage = await get(`limit=2&after=${firstPage.nextAfter}`);
      assert.deepEqual(
        secondPage.entries.map((e) => e.xUserId),
        ['103', '104'],
      );
      const lastPage = await get('limit=2&after=104');
      assert.deepEqual(lastPage, { entries: [], nextAfter: null });
    });

    it('answers 404 for an unknown campaign and 401 without a key', async () => {
      const unknown = await app.inject({
        url: '/v1/campaigns/no-such-campaign/entries',
        headers: auth('viewer'),
      });
      assert.equal(unknown.statusCode, 404);
      assert.equal(unknown.json<{ code: string }>().code, 'campaign_not_found');
      const anonymous = await app.inject({ url: '/v1/campaigns/no-such-campaign/entries' });
      assert.equal(anonymous.statusCode, 401);
    });
  });
});
