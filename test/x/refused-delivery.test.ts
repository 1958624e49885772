/**
 * A delivery X refused inside a 2xx answer is never marked sent: sendDelivery, through the real
 * X activities and the emulator, records the classified failure (or halts the account) instead.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { createCampaignRuntimeActivities } from '../../activities';
import { createXAccess } from '../../activities/x-access';
import { findDelivery, listDeliveries } from '../../db/repositories/deliveries';
import { startXEmulator, type FaultRuleInput, type XEmulator } from '../../emulator';
import {
  dmKeywordDrawConfig,
  participants,
  seedCampaignWithEntries,
  seedLinkedAccount,
  worldScenario,
} from '../support/campaign-world';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { testCredentialsKey } from '../support/fixtures';
import { runActivity } from './support';

describe('sendDelivery when X refuses in a 2xx answer', () => {
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

  /** A drawn winner with a queued win DM, and the runtime activities that send it. */
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
      x: createXAccess({
        db: testDb.db,
        credentialsKey: testCredentialsKey,
        xApiBaseUrl: emulator.url,
        requestTimeoutMs: 2_000,
      }),
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
    assert.equal(delivery.channel, 'dm');
    return { runtime, deliveryId: delivery.id };
  }

  const refusal = (status: number, body: unknown): FaultRuleInput => ({
    endpoint: 'dm.send',
    fault: { kind: 'response', status, body },
  });

  it('fails the delivery when the 201 carries "data": {} and a refusal', async () => {
    const { runtime, deliveryId } = await queuedWin('refused');
    emulator.injectFault(
      refusal(201, {
        data: {},
        errors: [
          {
            title: 'Forbidden',
            detail: 'You cannot send messages to this user.',
            type: 'about:blank',
            status: 403,
          },
        ],
      }),
    );
    const run = await runActivity(() =>
      runtime.sendDelivery({ deliveryId, now: new Date().toISOString() }),
    );
    assert.deepEqual(run.result, {
      status: 'failed',
      code: 'dm_not_permitted',
      category: 'recipient_unreachable',
    });
    const stored = await findDelivery(testDb.db, deliveryId);
    assert.equal(stored?.state, 'failed');
    assert.equal(stored?.errorCode, 'dm_not_permitted');
    assert.equal(stored?.sentAt, null);
    assert.equal(emulator.sent().dms.length, 0);
  });

  it('never marks sent a DM answered without dm_event_id', async () => {
    const { runtime, deliveryId } = await queuedWin('noevent');
    emulator.injectFault(refusal(201, { data: { dm_conversation_id: '1-2' } }));
    const run = await runActivity(() =>
      runtime.sendDelivery({ deliveryId, now: new Date().toISOString() }),
    );
    assert.notEqual(run.result?.status, 'sent');
    const stored = await findDelivery(testDb.db, deliveryId);
    assert.notEqual(stored?.state, 'sent');
    assert.equal(stored?.sentAt, null);
    assert.equal(stored?.errorCode, 'unknown');
  });
});
