import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createDb, type Db } from '../../db/client';
import {
  deliveryCounts,
  failuresByCode,
  findDelivery,
  insertDeliveries,
  listDeliveries,
  markDeliveryFailed,
  markDeliveryQueued,
  markDeliveryReserved,
  markDeliverySending,
  markDeliverySent,
  type NewDelivery,
  nextQueuedDeliveries,
  requeueFailedDelivery,
  requeueFailedDeliveries,
  sentDeliveriesMatching,
  sentPerDay,
  setDeliveryWindow,
} from '../../db/repositories/deliveries';
import { quotaUsage, reserveQuotaSlot } from '../../db/repositories/quota';
import { createTestDatabase, type TestDatabase } from '../support/database';

const campaignId = 'cmp_deliveries';
const accountId = 'acct_deliveries';

function delivery(xUserId: string, overrides: Partial<NewDelivery> = {}): NewDelivery {
  return {
    id: `${campaignId}:win:${xUserId}`,
    campaignId,
    accountId,
    xUserId,
    kind: 'win',
    channel: 'dm',
    channelReason: { basis: 'dm_opt_in' },
    ...overrides,
  };
}

const dmClosed = {
  code: 'dm_not_permitted',
  category: 'recipient_unreachable' as const,
  reason: { ja: 'DMを送れません。', en: 'DMs are closed.' },
  remedy: { ja: 'リプライで通知します。', en: 'Notify by reply.' },
};
const serverError = {
  code: 'server_error',
  category: 'transient' as const,
  reason: { ja: 'Xのサーバーエラー。', en: 'X server error.' },
  remedy: null,
};

describe('deliveries repository', () => {
  let testDb: TestDatabase;
  let pool: Db;
  before(async () => {
    testDb = await createTestDatabase();
    pool = createDb(testDb.url, { max: 20 });
  });
  after(async () => {
    await pool.destroy();
    await testDb.close();
  });
  beforeEach(async () => {
    await testDb.truncate();
  });

  it('queues each delivery id once', async () => {
    assert.equal(await insertDeliveries(testDb.db, [delivery('u1'), delivery('u2')]), 2);
    assert.equal(await insertDeliveries(testDb.db, [delivery('u2'), delivery('u3')]), 1);
    assert.equal(await insertDeliveries(testDb.db, []), 0);

    const stored = await findDelivery(testDb.db, delivery('u1').id);
    assert.equal(stored?.state, 'queued');
    assert.equal(stored?.attempts, 0);
    assert.deepEqual(stored?.channelReason, { basis: 'dm_opt_in' });
    assert.equal(await findDelivery(testDb.db, 'missing'), undefined);
  });

  it('walks queued → reserved → sending → sent and reports the state each send replaced', async () => {
    const { id } = delivery('u1');
    await insertDeliveries(testDb.db, [delivery('u1')]);

    assert.equal(await markDeliveryReserved(testDb.db, id, { windowDay: '2026-12-01' }), true);
    assert.deepEqual(await markDeliverySending(testDb.db, id), {
      previousState: 'reserved',
      attempts: 1,
    });
    // A crash after X accepted: the retry learns an attempt may already have reached X.
    assert.deepEqual(await markDeliverySending(testDb.db, id), {
      previousState: 'sending',
      attempts: 2,
    });
    const sentAt = new Date('2026-12-01T01:02:03.000Z');
    assert.equal(
      await markDeliverySent(testDb.db, id, { xEventId: 'dm1', xConversationId: 'c1', sentAt }),
      true,
    );
    assert.deepEqual(await markDeliverySending(testDb.db, id), {
      previousState: 'sent',
      attempts: 2,
    });

    const stored = await findDelivery(testDb.db, id);
    assert.equal(stored?.state, 'sent');
    assert.equal(stored?.xEventId, 'dm1');
    assert.equal(stored?.xConversationId, 'c1');
    assert.equal(stored?.sentAt?.toISOString(), sentAt.toISOString());
    assert.ok(stored?.sendingStartedAt instanceof Date);
    assert.equal(stored?.windowDay, '2026-12-01');
  });

  it('counts each concurrent send attempt and hands exactly one of them the queued state', async () => {
    const { id } = delivery('u1');
    await insertDeliveries(testDb.db, [delivery('u1')]);

    const results = await Promise.all(
      Array.from({ length: 10 }, () => markDeliverySending(pool, id)),
    );

    assert.equal(results.filter((r) => r.previousState === 'queued').length, 1);
    assert.deepEqual(
      results.map((r) => r.attempts).sort((a, b) => a - b),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    );
  });

  it('refuses to mark an unknown delivery as sending', async () => {
    await assert.rejects(markDeliverySending(testDb.db, 'missing'), /missing/);
  });

  it('records failures, requeues only failed deliveries and never fails a sent one', async () => {
    await insertDeliveries(testDb.db, [delivery('u1'), delivery('u2'), delivery('u3')]);
    const [d1, d2, d3] = ['u1', 'u2', 'u3'].map((u) => delivery(u).id) as [string, string, string];

    assert.equal(await markDeliveryFailed(testDb.db, d1, dmClosed), true);
    assert.equal(await requeueFailedDelivery(testDb.db, d2), false);
    await markDeliverySent(testDb.db, d3, { xEventId: 'dm3', sentAt: new Date() });
    assert.equal(await markDeliveryFailed(testDb.db, d3, dmClosed), false);

    const failed = await findDelivery(testDb.db, d1);
    assert.equal(failed?.state, 'failed');
    assert.equal(failed?.errorCode, 'dm_not_permitted');
    assert.equal(failed?.errorCategory, 'recipient_unreachable');
    assert.deepEqual(failed?.errorReason, dmClosed.reason);
    assert.deepEqual(failed?.errorRemedy, dmClosed.remedy);

    assert.equal(await requeueFailedDelivery(testDb.db, d1), true);
    assert.equal(await requeueFailedDelivery(testDb.db, d1), false);
    assert.equal((await findDelivery(testDb.db, d1))?.state, 'queued');
    assert.equal((await findDelivery(testDb.db, d3))?.state, 'sent');
  });

  it('queues a failed delivery once when a resend is pressed many times at once', async () => {
    await insertDeliveries(testDb.db, [delivery('u1'), delivery('u2')]);
    const [d1, d2] = ['u1', 'u2'].map((u) => delivery(u).id) as [string, string];
    await markDeliveryFailed(testDb.db, d1, dmClosed);
    await markDeliverySent(testDb.db, d2, { xEventId: 'dm2', sentAt: new Date() });
    const campaignId = delivery('u1').campaignId;

    const presses = await Promise.all(
      Array.from({ length: 8 }, () => requeueFailedDeliveries(testDb.db, campaignId, [d1, d2])),
    );
    const outcomes = presses.map((results) => results.map((r) => r.outcome));
    assert.equal(outcomes.filter(([first]) => first === 'queued').length, 1);
    assert.equal(outcomes.filter(([first]) => first === 'already_pending').length, 7);
    assert.ok(outcomes.every(([, second]) => second === 'already_sent'));
    assert.deepEqual(
      (await requeueFailedDeliveries(testDb.db, campaignId, ['nope'])).map((r) => r.outcome),
      ['not_found'],
    );
  });

  it('puts a retryable failure back in the queue with its error', async () => {
    const { id } = delivery('u1');
    await insertDeliveries(testDb.db, [delivery('u1')]);
    await markDeliverySending(testDb.db, id);

    assert.equal(await markDeliveryQueued(testDb.db, id, serverError), true);

    const stored = await findDelivery(testDb.db, id);
    assert.equal(stored?.state, 'queued');
    assert.equal(stored?.errorCategory, 'transient');
    assert.equal(stored?.errorRemedy, null);
    await markDeliverySent(testDb.db, id, { xEventId: 'dm1', sentAt: new Date() });
    assert.equal((await findDelivery(testDb.db, id))?.errorCode, null);
    assert.equal(await markDeliveryQueued(testDb.db, id), false);
  });

  it('offers open deliveries oldest first, in-doubt ones included', async () => {
    await insertDeliveries(testDb.db, [delivery('u1')]);
    await insertDeliveries(testDb.db, [delivery('u2')]);
    await insertDeliveries(testDb.db, [delivery('u3'), delivery('u4'), delivery('u5')]);
    await markDeliverySending(testDb.db, delivery('u1').id);
    await markDeliverySent(testDb.db, delivery('u2').id, { xEventId: 'dm2', sentAt: new Date() });
    await markDeliveryFailed(testDb.db, delivery('u3').id, dmClosed);
    await insertDeliveries(testDb.db, [delivery('u6', { state: 'skipped' })]);

    const next = await nextQueuedDeliveries(testDb.db, campaignId, 10);
    const limited = await nextQueuedDeliveries(testDb.db, campaignId, 2);

    assert.deepEqual(
      next.map((d) => [d.xUserId, d.state]),
      [
        ['u1', 'sending'],
        ['u4', 'queued'],
        ['u5', 'queued'],
      ],
    );
    assert.deepEqual(
      limited.map((d) => d.xUserId),
      ['u1', 'u4'],
    );
  });

  it('lists deliveries by state and error category, page by page', async () => {
    await insertDeliveries(
      testDb.db,
      ['u1', 'u2', 'u3', 'u4'].map((u) => delivery(u)),
    );
    await markDeliveryFailed(testDb.db, delivery('u1').id, dmClosed);
    await markDeliveryFailed(testDb.db, delivery('u2').id, { ...serverError, remedy: null });

    const unreachable = await listDeliveries(testDb.db, {
      campaignId,
      category: 'recipient_unreachable',
      limit: 10,
    });
    const queued = await listDeliveries(testDb.db, { campaignId, state: 'queued', limit: 10 });
    const secondPage = await listDeliveries(testDb.db, { campaignId, limit: 2, offset: 2 });

    assert.deepEqual(
      unreachable.map((d) => d.xUserId),
      ['u1'],
    );
    assert.deepEqual(
      queued.map((d) => d.xUserId),
      ['u3', 'u4'],
    );
    assert.deepEqual(
      secondPage.map((d) => d.xUserId),
      ['u3', 'u4'],
    );
  });

  it('counts deliveries per state and failures per code', async () => {
    await insertDeliveries(
      testDb.db,
      ['u1', 'u2', 'u3', 'u4', 'u5', 'u6'].map((u) => delivery(u)),
    );
    await insertDeliveries(testDb.db, [delivery('x1', { campaignId: 'cmp_other', id: 'other' })]);
    await markDeliveryFailed(testDb.db, delivery('u1').id, dmClosed);
    await markDeliveryFailed(testDb.db, delivery('u2').id, dmClosed);
    await markDeliveryFailed(testDb.db, delivery('u3').id, serverError);
    await markDeliverySent(testDb.db, delivery('u4').id, { xEventId: 'dm4', sentAt: new Date() });
    await markDeliverySending(testDb.db, delivery('u5').id);

    assert.deepEqual(await deliveryCounts(testDb.db, campaignId), {
      queued: 1,
      reserved: 0,
      sending: 1,
      sent: 1,
      failed: 3,
      skipped: 0,
    });
    assert.deepEqual(await failuresByCode(testDb.db, campaignId), [
      { code: 'dm_not_permitted', category: 'recipient_unreachable', count: 2 },
      { code: 'server_error', category: 'transient', count: 1 },
    ]);
  });

  it('counts sent deliveries per day of their quota slot, else of their window', async () => {
    const other = 'cmp_other';
    await insertDeliveries(testDb.db, [
      delivery('u1'),
      delivery('u2'),
      delivery('u3'),
      delivery('u4', { channel: 'reply', windowDay: '2026-12-03' }),
      delivery('u5'),
      delivery('v1', { campaignId: other, id: `${other}:win:v1` }),
    ]);
    const slots: [string, string][] = [
      [delivery('u1').id, '2026-12-01'],
      [delivery('u2').id, '2026-12-01'],
      [delivery('u3').id, '2026-12-02'],
      [delivery('u5').id, '2026-12-02'],
      [`${other}:win:v1`, '2026-12-01'],
    ];
    for (const [deliveryId, dayKey] of slots) {
      await reserveQuotaSlot(testDb.db, { accountId, deliveryId, dayKey, cap: 100 });
      await setDeliveryWindow(testDb.db, deliveryId, { windowDay: dayKey });
    }
    for (const id of [
      delivery('u1').id,
      delivery('u2').id,
      delivery('u3').id,
      delivery('u4').id,
      `${other}:win:v1`,
    ]) {
      await markDeliverySent(testDb.db, id, { xEventId: `dm:${id}`, sentAt: new Date() });
    }

    assert.deepEqual(await sentPerDay(testDb.db, { accountId }), [
      { dayKey: '2026-12-01', count: 3 },
      { dayKey: '2026-12-02', count: 1 },
      { dayKey: '2026-12-03', count: 1 },
    ]);
    assert.deepEqual(await sentPerDay(testDb.db, { accountId, campaignId }), [
      { dayKey: '2026-12-01', count: 2 },
      { dayKey: '2026-12-02', count: 1 },
      { dayKey: '2026-12-03', count: 1 },
    ]);
    assert.deepEqual(await sentPerDay(testDb.db, { accountId: 'acct_none' }), []);
  });

  it('leaves rehearsal DMs out of the queue, resends, counts, failures and sends per day', async () => {
    const rehearsal = (xUserId: string) =>
      delivery(xUserId, { id: `${campaignId}:rehearsal:1:win.dm:${xUserId}`, kind: 'rehearsal' });
    const day = '2026-12-01';
    await insertDeliveries(testDb.db, [
      delivery('u1'),
      delivery('u2'),
      delivery('u3'),
      rehearsal('t1'),
      rehearsal('t2'),
      rehearsal('t3'),
      rehearsal('t4'),
    ]);
    for (const id of [delivery('u1').id, rehearsal('t1').id]) {
      await reserveQuotaSlot(testDb.db, { accountId, deliveryId: id, dayKey: day, cap: 100 });
      await markDeliveryReserved(testDb.db, id, { windowDay: day });
      await markDeliverySent(testDb.db, id, { xEventId: `dm:${id}`, sentAt: new Date() });
    }
    await markDeliveryFailed(testDb.db, delivery('u2').id, dmClosed);
    await markDeliveryFailed(testDb.db, rehearsal('t2').id, dmClosed);
    await markDeliveryFailed(testDb.db, rehearsal('t3').id, serverError);
    // A rehearsal left in doubt by a crashed preflight: its retry reconciles it, not the drain.
    await markDeliverySending(testDb.db, rehearsal('t4').id);

    assert.deepEqual(
      (await nextQueuedDeliveries(testDb.db, campaignId, 10)).map((d) => d.xUserId),
      ['u3'],
    );
    assert.deepEqual(await deliveryCounts(testDb.db, campaignId), {
      queued: 1,
      reserved: 0,
      sending: 0,
      sent: 1,
      failed: 1,
      skipped: 0,
    });
    assert.deepEqual(await failuresByCode(testDb.db, campaignId), [
      { code: 'dm_not_permitted', category: 'recipient_unreachable', count: 1 },
    ]);
    assert.deepEqual(await sentPerDay(testDb.db, { accountId }), [{ dayKey: day, count: 1 }]);
    assert.deepEqual(await sentPerDay(testDb.db, { accountId, campaignId }), [
      { dayKey: day, count: 1 },
    ]);
    assert.deepEqual(
      await sentDeliveriesMatching(testDb.db, campaignId, { kinds: ['rehearsal', 'win'] }),
      [await findDelivery(testDb.db, delivery('u1').id)],
    );

    // Nothing would ever send a requeued rehearsal: a resend does not take it.
    assert.equal(await requeueFailedDelivery(testDb.db, rehearsal('t3').id), false);
    assert.deepEqual(
      await requeueFailedDeliveries(testDb.db, campaignId, [rehearsal('t2').id, delivery('u2').id]),
      [
        { id: rehearsal('t2').id, outcome: 'not_found' },
        { id: delivery('u2').id, outcome: 'queued' },
      ],
    );
    assert.equal((await findDelivery(testDb.db, rehearsal('t2').id))?.state, 'failed');
    assert.equal((await findDelivery(testDb.db, rehearsal('t3').id))?.state, 'failed');

    // They are real DMs all the same: the account's quota ledger holds the rehearsal's slot.
    assert.deepEqual(await quotaUsage(testDb.db, accountId, day), { used: 2, cap: 100 });
  });

  it('plans a delivery into a window and instant', async () => {
    const { id } = delivery('u1');
    await insertDeliveries(testDb.db, [delivery('u1')]);
    const eta = new Date('2026-12-02T00:00:00.000Z');

    assert.equal(await setDeliveryWindow(testDb.db, id, { windowDay: '2026-12-02', eta }), true);
    assert.equal(await setDeliveryWindow(testDb.db, 'missing', { windowDay: '2026-12-02' }), false);

    const stored = await findDelivery(testDb.db, id);
    assert.equal(stored?.windowDay, '2026-12-02');
    assert.equal(stored?.eta?.toISOString(), eta.toISOString());
    assert.equal(stored?.state, 'queued');
  });
});
