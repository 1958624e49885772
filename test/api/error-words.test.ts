/**
 * A failure code in words wherever the API names one outside deliveries: a stop's `error` and an
 * account halt's `error` carry the code's category, reason and remedy in ja and en from the same
 * catalogue deliveries use (API → PostgreSQL; no workflow needed).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../api/app';
import { haltAccount, insertAccount } from '../../db/repositories/accounts';
import { insertApiKey } from '../../db/repositories/api-keys';
import { insertCampaign } from '../../db/repositories/campaigns';
import { openIntervention } from '../../db/repositories/interventions';
import { exampleCampaignConfig } from '../../domain/campaign-config';
import { xErrorCatalog } from '../../domain/x-error-catalog';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { uniqueId } from '../support/fixtures';

interface ErrorWords {
  code: string;
  category: string;
  reason: { ja: string; en: string };
  remedy: { ja: string; en: string };
}

interface StopBody {
  id: string;
  kind: string;
  error: ErrorWords | null;
}

interface AccountBody {
  id: string;
  halt: { code: string; category: string; campaignId: string | null; error: ErrorWords | null };
}

describe('failure codes in words (API → PostgreSQL)', () => {
  let testDb: TestDatabase;
  let app: FastifyInstance;
  let viewerKey: string;
  let campaignId: string;
  let accountId: string;
  const stopIds: Record<string, string> = {};

  before(async () => {
    testDb = await createTestDatabase();
    app = await buildApp({
      db: testDb.db,
      temporal: new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) }),
      temporalConfig: { namespace: 'default', taskQueue: 'unused' },
    });
    viewerKey = (await insertApiKey(testDb.db, { id: 'viewer', name: 'viewer', role: 'viewer' }))
      .secret;
    accountId = uniqueId('acct');
    await insertAccount(testDb.db, { id: accountId, handle: uniqueId('kuji_words') });
    campaignId = uniqueId('cmp');
    await insertCampaign(testDb.db, {
      id: campaignId,
      name: 'words',
      accountId,
      config: { ...exampleCampaignConfig(new Date()), accountId },
      author: 'alice',
    });
    const open = async (name: string, kind: string, details: Record<string, unknown>) => {
      const { intervention } = await openIntervention(testDb.db, {
        campaignId,
        accountId,
        kind,
        dedupeKey: name,
        details,
        openedBy: 'kuji',
      });
      stopIds[name] = intervention.id;
    };
    await open('halted', 'sender_halted', {
      code: 'sender_locked',
      category: 'sender_restricted',
      deliveryId: 'd-1',
      accountId,
      accountHalted: true,
    });
    await open('refused', 'send_error', {
      code: 'dm_not_permitted',
      category: 'recipient_unreachable',
      deliveryId: 'd-2',
      accountId,
      accountHalted: false,
    });
    await open('budget', 'send_error', {
      code: 'x_budget_reached',
      category: 'budget',
      deliveryId: 'd-3',
      reason: { ja: '予算に達しました', en: 'The budget is reached' },
      remedy: { ja: '予算を増やしてください', en: 'Raise the budget' },
    });
    await open('misdelivery', 'misdelivery', { reason: 'wrong prize', reportedBy: 'alice' });
    await haltAccount(testDb.db, accountId, {
      code: 'sender_locked',
      category: 'sender_restricted',
      campaignId,
    });
  });
  after(async () => {
    await app?.close();
    await testDb?.close();
  });

  const get = async <T>(url: string): Promise<T> => {
    const response = await app.inject({ url, headers: { authorization: `Bearer ${viewerKey}` } });
    assert.equal(response.statusCode, 200, response.body);
    return response.json<T>();
  };
  const catalogued = (code: keyof typeof xErrorCatalog): ErrorWords => ({
    code,
    category: xErrorCatalog[code].category,
    reason: xErrorCatalog[code].reason,
    remedy: xErrorCatalog[code].remedy,
  });

  describe('GET /v1/interventions', () => {
    it("gives a stop naming an X error code that code's reason and remedy in ja and en, and null to a stop naming none", async () => {
      const { interventions } = await get<{ interventions: StopBody[] }>(
        '/v1/interventions?status=open',
      );
      const byId = new Map(interventions.map((i) => [i.id, i]));
      assert.deepEqual(byId.get(stopIds.halted!)?.error, catalogued('sender_locked'));
      assert.deepEqual(byId.get(stopIds.refused!)?.error, catalogued('dm_not_permitted'));
      assert.equal(byId.get(stopIds.misdelivery!)?.error, null);
    });

    it('keeps the words a stop brought for a code of Kuji’s own (the X API budget)', async () => {
      const { interventions } = await get<{ interventions: StopBody[] }>('/v1/interventions');
      const budget = interventions.find((i) => i.id === stopIds.budget);
      assert.deepEqual(budget?.error, {
        code: 'x_budget_reached',
        category: 'budget',
        reason: { ja: '予算に達しました', en: 'The budget is reached' },
        remedy: { ja: '予算を増やしてください', en: 'Raise the budget' },
      });
    });
  });

  describe('GET /v1/campaigns/:id/interventions', () => {
    it('answers the same words for the campaign’s stops', async () => {
      const { interventions } = await get<{ interventions: StopBody[] }>(
        `/v1/campaigns/${campaignId}/interventions`,
      );
      const refused = interventions.find((i) => i.id === stopIds.refused);
      assert.deepEqual(refused?.error, catalogued('dm_not_permitted'));
    });
  });

  describe('GET /v1/accounts and /v1/accounts/:id', () => {
    it("gives a halted account's halt code its reason and remedy in ja and en", async () => {
      const { account } = await get<{ account: AccountBody }>(`/v1/accounts/${accountId}`);
      assert.equal(account.halt.code, 'sender_locked');
      assert.deepEqual(account.halt.error, catalogued('sender_locked'));
      const { accounts } = await get<{ accounts: AccountBody[] }>('/v1/accounts');
      const listed = accounts.find((a) => a.id === accountId);
      assert.deepEqual(listed?.halt.error, catalogued('sender_locked'));
    });
  });
});
