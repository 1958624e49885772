/**
 * Rehearsal DMs go through the one send pipeline, like a participant's result: a DM that reached
 * X before the worker was lost is found by the retry of the same round, not sent again, recorded
 * with X's own time, and keeps the one quota slot of the day it was sent — and sendDelivery, the
 * participants' path, never sends a rehearsal row.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { createCampaignRuntimeActivities } from '../../activities';
import { createPreflightActivities, type StoredPreflight } from '../../activities/preflight';
import { createXAccess } from '../../activities/x-access';
import { findCampaignById } from '../../db/repositories/campaigns';
import { findDelivery } from '../../db/repositories/deliveries';
import { startXEmulator, type XEmulator } from '../../emulator';
import {
  dmKeywordDrawConfig,
  participants,
  seedCampaignWithEntries,
  seedLinkedAccount,
  worldScenario,
} from '../support/campaign-world';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { testCredentialsKey } from '../support/fixtures';
import { registerTestAccounts } from '../support/test-accounts';
import { runActivity } from '../x/support';

const DAY_MS = 24 * 60 * 60_000;

describe('rehearsal DMs on the send pipeline', () => {
  let testDb: TestDatabase;
  let emulator: XEmulator;
  before(async () => {
    [testDb, emulator] = await Promise.all([
      createTestDatabase(),
      startXEmulator({ port: 0, holdTimeoutMs: 300 }),
    ]);
  });
  afterEach(async () => {
    await testDb.truncate();
  });
  after(async () => {
    await emulator?.close();
    await testDb?.close();
  });

  const x = () =>
    createXAccess({
      db: testDb.db,
      credentialsKey: testCredentialsKey,
      xApiBaseUrl: emulator.url,
      requestTimeoutMs: 2_000,
    });

  /** A campaign whose win DM is rehearsed with one registered test account. */
  async function rehearsedCampaign(prefix: string) {
    const [tester] = participants(1, prefix);
    await emulator.loadScenario(worldScenario([tester!]));
    const accountId = await seedLinkedAccount(testDb.db);
    await registerTestAccounts(testDb.db, accountId, [tester!.id]);
    const campaign = await seedCampaignWithEntries(testDb.db, {
      accountId,
      people: [],
      config: dmKeywordDrawConfig(accountId, new Date(), {
        winners: 1,
        overrides: {
          testAccounts: [tester!.id],
          templates: { win: { dm: '{name}さん、当選です！{prize}をお送りします。' }, lose: {} },
        },
      }),
    });
    return {
      accountId,
      campaignId: campaign.id,
      testerId: tester!.id,
      rowId: `${campaign.id}:rehearsal:1:win.dm:${tester!.id}`,
    };
  }

  const quotaSlots = (accountId: string) =>
    testDb.db
      .selectFrom('dm_quota_slots')
      .select(['delivery_id', 'day_key'])
      .where('account_id', '=', accountId)
      .execute();

  it('finds a rehearsal DM X took before the worker was lost, sends it once and dates it by X', async () => {
    const { accountId, campaignId, testerId, rowId } = await rehearsedCampaign('lost');
    const real = x();
    const crashing = createPreflightActivities({
      db: testDb.db,
      x: {
        ...real,
        xSendDm: async (input) => {
          await real.xSendDm(input);
          throw new Error('worker lost after X accepted the DM');
        },
      },
    });

    const first = await runActivity(() => crashing.runPreflight({ campaignId }));

    assert.match(String(first.error), /worker lost/);
    const dm = emulator.sent().dms.find((sent) => sent.recipientId === testerId);
    assert.ok(dm, 'X took the rehearsal DM');
    assert.equal((await findDelivery(testDb.db, rowId))?.state, 'sending');
    const slotsBefore = await quotaSlots(accountId);
    assert.deepEqual(
      slotsBefore.map((slot) => slot.delivery_id),
      [rowId],
    );

    // Temporal retries preflight the next day: the same round, so the same row.
    const nextDay = new Date(Date.parse(dm.createdAt) + DAY_MS);
    const retried = createPreflightActivities({ db: testDb.db, x: real, now: () => nextDay });
    const second = await runActivity(() => retried.runPreflight({ campaignId }), { attempt: 2 });

    assert.equal(second.error, undefined);
    assert.equal(second.result?.ok, true);
    assert.equal(emulator.sent().dms.length, 1, 'the retry found the DM instead of sending again');
    const row = await findDelivery(testDb.db, rowId);
    assert.equal(row?.state, 'sent');
    assert.equal(row?.xEventId, dm.id);
    assert.equal(row?.sentAt?.toISOString(), new Date(dm.createdAt).toISOString());
    assert.deepEqual(await quotaSlots(accountId), slotsBefore, 'one slot, on the day it was sent');
    const stored = (await findCampaignById(testDb.db, campaignId))?.preflight as StoredPreflight;
    assert.equal(stored.round, 1);
    assert.deepEqual(stored.rehearsal, [
      { testUserId: testerId, template: 'win.dm', arrived: true, dmEventId: dm.id },
    ]);
  });

  it('never sends a rehearsal row as a participant delivery', async () => {
    const { campaignId, rowId } = await rehearsedCampaign('queued');
    const real = x();
    // The rehearsal's row is stored, then preflight stops before X takes the DM.
    const stopped = createPreflightActivities({
      db: testDb.db,
      x: { ...real, xSendDm: () => Promise.reject(new Error('worker lost before sending')) },
    });
    await runActivity(() => stopped.runPreflight({ campaignId }));
    const row = await findDelivery(testDb.db, rowId);
    assert.ok(row && row.state !== 'sent', 'the rehearsal row waits for preflight');

    const runtime = createCampaignRuntimeActivities({
      db: testDb.db,
      x: real,
      publicBaseUrl: 'http://kuji.test',
    });
    const run = await runActivity(() =>
      runtime.sendDelivery({ deliveryId: rowId, now: new Date().toISOString() }),
    );

    assert.ok(run.error instanceof ApplicationFailure);
    assert.equal(run.error.type, 'not_a_campaign_delivery');
    assert.equal(run.error.nonRetryable, true);
    assert.deepEqual(emulator.sent().dms, []);
  });
});
