import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createDb, type Db } from '../../db/client';
import {
  claimEntryEventsById,
  countRefusedDuplicateEntries,
  countUnprocessedEvents,
  eligibleEntryIds,
  entryFunnel,
  findEntry,
  findWinsInCampaigns,
  insertEntryEvents,
  listEntries,
  listUnprocessedEvents,
  listUndrawnEntries,
  type NewEntryEvent,
  setEntryOutcomes,
  upsertEntry,
  type EntryUpsert,
} from '../../db/repositories/entries';
import { createTestDatabase, type TestDatabase } from '../support/database';

const campaignId = 'cmp_entries';

function replyEvent(i: number, overrides: Partial<NewEntryEvent> = {}): NewEntryEvent {
  return {
    campaignId,
    xEventId: `17000000000000${String(i).padStart(5, '0')}`,
    source: 'reply',
    xUserId: `u${i}`,
    username: `user${i}`,
    text: `#kuji entry ${i}`,
    occurredAt: new Date(Date.UTC(2026, 11, 1, 0, 0, i)),
    receivedVia: 'poll',
    ...overrides,
  };
}

function entry(xUserId: string, overrides: Partial<EntryUpsert> = {}): EntryUpsert {
  return {
    campaignId,
    xUserId,
    username: `name_${xUserId}`,
    consentBasis: 'summoned',
    facts: { reposted: true },
    eligible: true,
    reasons: [],
    ...overrides,
  };
}

const followMissing = {
  code: 'follow_missing',
  ja: 'フォローがありません。',
  en: 'Not following.',
};
const repostMissing = { code: 'repost_missing', ja: 'リポストがありません。', en: 'No repost.' };

/** What processEntries does: reads the oldest unprocessed events, then claims them by id. */
async function claimOldest(db: Db, limit: number) {
  const oldest = await listUnprocessedEvents(db, campaignId, limit);
  return claimEntryEventsById(
    db,
    campaignId,
    oldest.map((event) => event.id),
  );
}

describe('entries repository', () => {
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

  it('stores each X event once, whether it came by webhook or by poll', async () => {
    const events = [1, 2, 3].map((i) => replyEvent(i, { receivedVia: 'webhook' }));
    assert.equal(await insertEntryEvents(testDb.db, events), 3);

    const polled = [2, 3, 4].map((i) => replyEvent(i));
    assert.equal(await insertEntryEvents(testDb.db, polled), 1);
    assert.equal(await countUnprocessedEvents(testDb.db, campaignId), 4);
  });

  it('keeps the same X id apart across sources and campaigns', async () => {
    const inserted = await insertEntryEvents(testDb.db, [
      { ...replyEvent(1), source: 'repost', xEventId: 'repost:u1' },
      { ...replyEvent(1), source: 'follow', xEventId: 'follow:u1' },
      { ...replyEvent(1), source: 'repost', xEventId: 'repost:u1', campaignId: 'cmp_other' },
    ]);
    assert.equal(inserted, 3);
    assert.equal(await insertEntryEvents(testDb.db, []), 0);
  });

  it('claims unprocessed events oldest first and marks them processed', async () => {
    await insertEntryEvents(
      testDb.db,
      [1, 2, 3, 4, 5].map((i) => replyEvent(i)),
    );

    const first = await claimOldest(testDb.db, 3);
    const rest = await claimOldest(testDb.db, 3);

    assert.deepEqual(
      first.map((e) => e.xUserId),
      ['u1', 'u2', 'u3'],
    );
    assert.deepEqual(
      rest.map((e) => e.xUserId),
      ['u4', 'u5'],
    );
    assert.ok(first.every((e) => e.processedAt instanceof Date));
    assert.equal(first[0]?.username, 'user1');
    assert.equal(first[0]?.occurredAt?.toISOString(), '2026-12-01T00:00:01.000Z');
    assert.equal(await countUnprocessedEvents(testDb.db, campaignId), 0);
    assert.deepEqual(await claimOldest(testDb.db, 3), []);
  });

  it('never hands the same event to two concurrent claimers', async () => {
    await insertEntryEvents(
      testDb.db,
      Array.from({ length: 400 }, (_, i) => replyEvent(i)),
    );

    const claims = await Promise.all(Array.from({ length: 16 }, () => claimOldest(pool, 10)));
    const drained: string[] = [];
    for (;;) {
      const more = await Promise.all(Array.from({ length: 4 }, () => claimOldest(pool, 25)));
      const ids = more.flat().map((e) => e.id);
      if (ids.length === 0) break;
      drained.push(...ids);
    }

    const all = [...claims.flat().map((e) => e.id), ...drained];
    assert.equal(all.length, 400);
    assert.equal(new Set(all).size, 400);
  });

  it('returns claimed events to the queue when the claiming transaction rolls back', async () => {
    await insertEntryEvents(testDb.db, [replyEvent(1)]);

    await assert.rejects(
      testDb.db.transaction().execute(async (trx) => {
        assert.equal((await claimOldest(trx, 10)).length, 1);
        throw new Error('processing failed');
      }),
      /processing failed/,
    );

    assert.equal(await countUnprocessedEvents(testDb.db, campaignId), 1);
  });

  it('upserts a participant, keeping a decided outcome when facts change', async () => {
    await upsertEntry(testDb.db, entry('u1', { eligible: false, reasons: [followMissing] }));
    assert.equal((await findEntry(testDb.db, campaignId, 'u1'))?.outcome, 'ineligible');

    const eligible = await upsertEntry(testDb.db, entry('u1', { facts: { followsSender: true } }));
    assert.equal(eligible.outcome, 'pending');
    assert.deepEqual(eligible.facts, { followsSender: true });
    assert.deepEqual(eligible.reasons, []);

    await setEntryOutcomes(testDb.db, campaignId, [
      { xUserId: 'u1', outcome: 'won', prizeId: 'gift' },
    ]);
    const later = await upsertEntry(
      testDb.db,
      entry('u1', { username: null, eligible: false, reasons: [repostMissing] }),
    );

    assert.equal(later.outcome, 'won');
    assert.equal(later.prizeId, 'gift');
    assert.equal(later.eligible, false);
    assert.equal(later.username, 'name_u1');
    assert.ok(later.updatedAt >= later.firstSeenAt);
    assert.equal(await findEntry(testDb.db, campaignId, 'nobody'), undefined);
  });

  it('sets outcomes in bulk, keeping or clearing prizes as asked', async () => {
    for (const id of ['u1', 'u2', 'u3']) await upsertEntry(testDb.db, entry(id));
    await setEntryOutcomes(testDb.db, campaignId, [
      { xUserId: 'u1', outcome: 'won', prizeId: 'gift', prizeCode: 'CODE-1' },
      { xUserId: 'u2', outcome: 'alternate' },
    ]);

    const changed = await setEntryOutcomes(testDb.db, campaignId, [
      { xUserId: 'u1', outcome: 'won', prizeCode: 'CODE-9' },
      { xUserId: 'u2', outcome: 'lost', prizeId: null },
      { xUserId: 'absent', outcome: 'lost' },
    ]);

    assert.equal(changed, 2);
    const u1 = await findEntry(testDb.db, campaignId, 'u1');
    assert.deepEqual([u1?.outcome, u1?.prizeId, u1?.prizeCode], ['won', 'gift', 'CODE-9']);
    const u2 = await findEntry(testDb.db, campaignId, 'u2');
    assert.deepEqual([u2?.outcome, u2?.prizeId], ['lost', null]);
    assert.equal((await findEntry(testDb.db, campaignId, 'u3'))?.outcome, 'pending');
    assert.equal(await setEntryOutcomes(testDb.db, campaignId, []), 0);
  });

  it('lists the draw pool: eligible, undecided, sorted by UTF-16 code units', async () => {
    const ids = ['9', '10', 'b', 'B', '_x', 'a1'];
    for (const id of ids) await upsertEntry(testDb.db, entry(id));
    await upsertEntry(testDb.db, entry('zz', { eligible: false, reasons: [followMissing] }));
    await upsertEntry(testDb.db, entry('unjudged', { eligible: null }));
    await setEntryOutcomes(testDb.db, campaignId, [{ xUserId: 'a1', outcome: 'won' }]);

    assert.deepEqual(await eligibleEntryIds(testDb.db, campaignId), ['10', '9', 'B', '_x', 'b']);
  });

  it('pages entries by user id with filters', async () => {
    for (const id of ['u1', 'u2', 'u3', 'u4']) await upsertEntry(testDb.db, entry(id));
    await upsertEntry(testDb.db, entry('u5', { eligible: false, reasons: [followMissing] }));

    const page1 = await listEntries(testDb.db, campaignId, { eligible: true, limit: 2 });
    const page2 = await listEntries(testDb.db, campaignId, {
      eligible: true,
      limit: 2,
      afterUserId: page1.at(-1)?.xUserId,
    });
    const ineligible = await listEntries(testDb.db, campaignId, {
      outcome: 'ineligible',
      limit: 10,
    });

    assert.deepEqual(
      [...page1, ...page2].map((e) => e.xUserId),
      ['u1', 'u2', 'u3', 'u4'],
    );
    assert.deepEqual(
      ineligible.map((e) => [e.xUserId, e.reasons]),
      [['u5', [followMissing]]],
    );
  });

  it('reports the entry funnel', async () => {
    await insertEntryEvents(
      testDb.db,
      [1, 2, 3, 4, 5, 6].map((i) => replyEvent(i)),
    );
    await insertEntryEvents(testDb.db, [replyEvent(1, { campaignId: 'cmp_other' })]);
    for (const id of ['u1', 'u2', 'u3', 'u4']) await upsertEntry(testDb.db, entry(id));
    await upsertEntry(testDb.db, entry('u5', { eligible: false, reasons: [followMissing] }));
    await upsertEntry(
      testDb.db,
      entry('u6', { eligible: false, reasons: [followMissing, repostMissing] }),
    );
    await upsertEntry(testDb.db, { ...entry('u1'), campaignId: 'cmp_other' });
    await setEntryOutcomes(testDb.db, campaignId, [
      { xUserId: 'u1', outcome: 'won' },
      { xUserId: 'u2', outcome: 'alternate' },
      { xUserId: 'u3', outcome: 'lost' },
      { xUserId: 'u4', outcome: 'lost' },
    ]);
    await claimOldest(testDb.db, 4);
    await upsertEntry(testDb.db, entry('u7', { eligible: null }));
    await upsertEntry(testDb.db, entry('u8', { eligible: false, reasons: [] }));
    await upsertEntry(testDb.db, entry('u9'));

    assert.deepEqual(await entryFunnel(testDb.db, campaignId), {
      events: 6,
      participants: 9,
      eligible: 5,
      ineligible: 3,
      won: 1,
      lost: 2,
      alternates: 1,
      ineligibleOutcome: 3,
      pending: 2,
      processedEvents: 4,
      unprocessedEvents: 2,
      unjudged: 1,
      ineligibleWithoutReason: 1,
      byIneligibleReason: { follow_missing: 2, repost_missing: 1 },
    });
    assert.deepEqual(await entryFunnel(testDb.db, 'cmp_empty'), {
      events: 0,
      participants: 0,
      eligible: 0,
      ineligible: 0,
      won: 0,
      lost: 0,
      alternates: 0,
      ineligibleOutcome: 0,
      pending: 0,
      processedEvents: 0,
      unprocessedEvents: 0,
      unjudged: 0,
      ineligibleWithoutReason: 0,
      byIneligibleReason: {},
    });
  });

  it('finds who won which of the named earlier campaigns', async () => {
    for (const [campaign, user] of [
      ['cmp_spring', 'u1'],
      ['cmp_spring', 'u2'],
      ['cmp_summer', 'u1'],
      ['cmp_autumn', 'u3'],
    ] as const) {
      await upsertEntry(testDb.db, { ...entry(user), campaignId: campaign });
    }
    await setEntryOutcomes(testDb.db, 'cmp_spring', [
      { xUserId: 'u1', outcome: 'won' },
      { xUserId: 'u2', outcome: 'lost' },
    ]);
    await setEntryOutcomes(testDb.db, 'cmp_summer', [{ xUserId: 'u1', outcome: 'won' }]);
    await setEntryOutcomes(testDb.db, 'cmp_autumn', [{ xUserId: 'u3', outcome: 'won' }]);

    const wins = await findWinsInCampaigns(
      testDb.db,
      ['cmp_spring', 'cmp_summer'],
      ['u1', 'u2', 'u3'],
    );
    assert.deepEqual([...wins], [['u1', ['cmp_spring', 'cmp_summer']]]);
    assert.equal((await findWinsInCampaigns(testDb.db, [], ['u1'])).size, 0);
  });

  it('lists the participants not yet drawn and sums the refused duplicate entries', async () => {
    await upsertEntry(testDb.db, entry('u1', { facts: { refusedEntries: 2 } }));
    await upsertEntry(testDb.db, entry('u2', { eligible: false, reasons: [followMissing] }));
    await upsertEntry(testDb.db, entry('u3', { facts: { refusedEntries: 1 } }));
    await setEntryOutcomes(testDb.db, campaignId, [{ xUserId: 'u3', outcome: 'won' }]);

    const undrawn = await listUndrawnEntries(testDb.db, campaignId);
    assert.deepEqual(
      undrawn.map((e) => [e.xUserId, e.outcome]),
      [
        ['u1', 'pending'],
        ['u2', 'ineligible'],
      ],
    );
    assert.equal(await countRefusedDuplicateEntries(testDb.db, campaignId), 3);
    assert.equal(await countRefusedDuplicateEntries(testDb.db, 'cmp_empty'), 0);
  });
});
