/**
 * sendDelivery records when X accepted a message: not the workflow's time handed to the first
 * attempt, which a retry after a crash carries unchanged, minutes before X took the message.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { createCampaignRuntimeActivities } from '../../activities';
import { createXAccess } from '../../activities/x-access';
import { findDelivery, listDeliveries } from '../../db/repositories/deliveries';
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
import { runActivity } from '../x/support';

describe('sendDelivery sent_at', () => {
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

  /** A drawn winner with a queued win DM; returns the delivery id and the first attempt's time. */
  async function queuedWin(prefix: string) {
    const people = participants(1, prefix);
    await emulator.loadScenario(worldScenario(people));
    const accountId = await seedLinkedAccount(testDb.db);
    const campaign = await seedCampaignWithEntries(testDb.db, {
      accountId,
      people,
      config: dmKeywordDrawConfig(accountId, new Date(), { winners: 1 }),
    });
    const runtime = createCampaignRuntimeActivities({
      db: testDb.db,
      x: x(),
      publicBaseUrl: 'http://kuji.test',
    });
    await runtime.prepareCampaign({ campaignId: campaign.id });
    await runtime.processEntries({
      campaignId: campaign.id,
      now: new Date().toISOString(),
      limit: 10,
    });
    await runtime.drawCampaign({ campaignId: campaign.id });
    const [delivery] = await listDeliveries(testDb.db, { campaignId: campaign.id, limit: 10 });
    assert.ok(delivery);
    return { deliveryId: delivery.id, recipientId: people[0]?.id ?? '' };
  }

  it('records the moment X accepted a retried send, not the first attempt’s time', async () => {
    const { deliveryId } = await queuedWin('resend');
    const firstAttemptAt = new Date(Date.now() - 7 * 60_000);
    const acceptedAt = new Date();
    const crashing = createCampaignRuntimeActivities({
      db: testDb.db,
      x: {
        ...x(),
        xSendDm: () => Promise.reject(new Error('worker lost before reaching X')),
      },
      publicBaseUrl: 'http://kuji.test',
    });
    const first = await runActivity(() =>
      crashing.sendDelivery({ deliveryId, now: firstAttemptAt.toISOString() }),
    );
    assert.ok(first.error, 'the first attempt failed before X took the message');

    const runtime = createCampaignRuntimeActivities({
      db: testDb.db,
      x: x(),
      publicBaseUrl: 'http://kuji.test',
      now: () => acceptedAt,
    });
    // Temporal retries with the same input: the workflow's time of the first attempt.
    const retry = await runActivity(
      () => runtime.sendDelivery({ deliveryId, now: firstAttemptAt.toISOString() }),
      { attempt: 2 },
    );

    assert.deepEqual(retry.result, { status: 'sent', reconciled: false });
    const stored = await findDelivery(testDb.db, deliveryId);
    assert.equal(stored?.sentAt?.toISOString(), acceptedAt.toISOString());
  });

  it('dates a send found on X after a crash by X’s own time of the message', async () => {
    const { deliveryId, recipientId } = await queuedWin('reconciled');
    const firstAttemptAt = new Date(Date.now() - 5 * 60_000);
    const real = x();
    const crashing = createCampaignRuntimeActivities({
      db: testDb.db,
      x: {
        ...real,
        xSendDm: async (input) => {
          await real.xSendDm(input);
          throw new Error('worker lost after X accepted the DM');
        },
      },
      publicBaseUrl: 'http://kuji.test',
    });
    const first = await runActivity(() =>
      crashing.sendDelivery({ deliveryId, now: firstAttemptAt.toISOString() }),
    );
    assert.ok(first.error);
    const dm = emulator.sent().dms.find((sent) => sent.recipientId === recipientId);
    assert.ok(dm, 'X took the DM');

    const muchLater = new Date(Date.parse(dm.createdAt) + 30 * 60_000);
    const runtime = createCampaignRuntimeActivities({
      db: testDb.db,
      x: real,
      publicBaseUrl: 'http://kuji.test',
      now: () => muchLater,
    });
    const retry = await runActivity(
      () => runtime.sendDelivery({ deliveryId, now: firstAttemptAt.toISOString() }),
      { attempt: 2 },
    );

    assert.deepEqual(retry.result, { status: 'sent', reconciled: true });
    assert.equal(
      emulator.sent().dms.filter((sent) => sent.recipientId === recipientId).length,
      1,
      'not sent twice',
    );
    const stored = await findDelivery(testDb.db, deliveryId);
    assert.equal(stored?.sentAt?.toISOString(), new Date(dm.createdAt).toISOString());
  });
});
