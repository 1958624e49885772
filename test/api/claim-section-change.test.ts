/**
 * Once a campaign has opened claims, a configuration change may not remove or alter its `claim`
 * section (docs/claims.md): refused with 409 claim_section_fixed, in Japanese and English,
 * before anything is stored.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { insertAccount } from '../../db/repositories/accounts';
import { insertApiKey } from '../../db/repositories/api-keys';
import { findCampaignById } from '../../db/repositories/campaigns';
import { insertClaims } from '../../db/repositories/claims';
import type { CampaignConfig } from '../../domain/campaign-config';
import { startXEmulator, type XEmulator } from '../../emulator';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { reachableExampleConfig, seedCampaign } from '../support/fixtures';
import { buildLinkingApp, emulatorLinking } from '../support/linking';
import { app as emulatorApp } from '../x/support';

describe('configuration changes once claims have opened', () => {
  let testDb: TestDatabase;
  let emulator: XEmulator;
  let api: FastifyInstance;
  let auth: { authorization: string };
  const campaignId = 'claims-fixed';

  before(async () => {
    [testDb, emulator] = await Promise.all([createTestDatabase(), startXEmulator({ port: 0 })]);
    api = await buildLinkingApp(testDb.db, emulatorLinking(emulator, emulatorApp));
  });
  after(async () => {
    await api?.close();
    await emulator?.close();
    await testDb?.close();
  });
  beforeEach(async () => {
    await testDb.truncate();
    await insertAccount(testDb.db, { id: 'brand', handle: 'kuji_sender' });
    const base = reachableExampleConfig(new Date());
    await seedCampaign(testDb.db, {
      accountId: 'brand',
      id: campaignId,
      overrides: {
        claim: { fields: ['name', 'email'], retentionDays: 30 },
        schedule: { ...base.schedule, claimDeadlineHours: 48 },
        // With claims the code shows after the claim, never in the win DM.
        templates: {
          ...base.templates,
          win: { ...base.templates.win, dm: '{name}さん、当選です！受け取りはこちら: {resultUrl}' },
        },
      },
    });
    const { secret } = await insertApiKey(testDb.db, { id: 'op', name: 'op', role: 'operator' });
    auth = { authorization: `Bearer ${secret}` };
  });

  async function stored(): Promise<CampaignConfig> {
    return (await findCampaignById(testDb.db, campaignId))!.config as CampaignConfig;
  }

  const put = (config: unknown) =>
    api.inject({
      method: 'PUT',
      url: `/v1/campaigns/${campaignId}/config`,
      headers: auth,
      payload: { config },
    });

  it('refuses removing or altering the claim section once a claim is open, storing nothing', async () => {
    const now = new Date();
    await insertClaims(testDb.db, [
      {
        campaignId,
        xUserId: '1800000000000000001',
        prizeId: null,
        openedAt: now,
        deadlineAt: new Date(now.getTime() + 48 * 3600_000),
      },
    ]);
    const before = await stored();
    const { claim: _claim, ...withoutClaim } = before;
    for (const config of [
      withoutClaim,
      { ...before, claim: { fields: ['name'], retentionDays: 30 } },
      { ...before, claim: { fields: ['name', 'email'], retentionDays: 365 } },
      // The deadline lives in schedule, outside the section, and is as fixed.
      { ...before, schedule: { ...before.schedule, claimDeadlineHours: 1 } },
    ]) {
      const response = await put(config);
      assert.equal(response.statusCode, 409, response.body);
      const body = response.json<{
        code: string;
        details: { reason: { ja: string; en: string } };
      }>();
      assert.equal(body.code, 'claim_section_fixed');
      assert.match(body.details.reason.ja, /受け取り/);
      assert.match(body.details.reason.en, /claim section/);
    }
    assert.deepEqual(await stored(), before, 'nothing stored');
  });

  it('lets the claim section change while no claim has opened, and other changes at any time', async () => {
    const before = await stored();
    const changed = { ...before, claim: { fields: ['name'], retentionDays: 60 } };
    assert.equal((await put(changed)).statusCode, 200);
    assert.deepEqual((await stored()).claim, { fields: ['name'], retentionDays: 60 });

    const now = new Date();
    await insertClaims(testDb.db, [
      {
        campaignId,
        xUserId: '1800000000000000001',
        prizeId: null,
        openedAt: now,
        deadlineAt: new Date(now.getTime() + 48 * 3600_000),
      },
    ]);
    const renamed = { ...(await stored()), name: 'renamed' };
    const response = await put(renamed);
    assert.equal(response.statusCode, 200, response.body);
    assert.equal((await stored()).name, 'renamed');
  });
});
