import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import {
  claimEntryEventsById,
  countUnprocessedEvents,
  insertEntryEvents,
  listUnprocessedEvents,
  type NewEntryEvent,
  releaseEntryEvents,
} from '../../db/repositories/entries';
import {
  findParticipantFacts,
  saveParticipantFollows,
  saveParticipantProfiles,
} from '../../db/repositories/participant-facts';
import { createTestDatabase, type TestDatabase } from '../support/database';

const campaignId = 'cmp_facts';

const dm = (i: number): NewEntryEvent => ({
  campaignId,
  xEventId: `dm-${i}`,
  source: 'dm_keyword',
  xUserId: `u${i}`,
  username: `user${i}`,
  text: '参加',
  receivedVia: 'webhook',
});

describe('participant facts repository', () => {
  let testDb: TestDatabase;
  before(async () => {
    testDb = await createTestDatabase();
  });
  afterEach(async () => {
    await testDb.truncate();
  });
  after(async () => {
    await testDb?.close();
  });

  it('keeps a profile and follows stored at different times, each with its own instant', async () => {
    const profileAt = new Date('2026-12-03T09:00:00Z');
    const followsAt = new Date('2026-12-03T09:05:00Z');
    await saveParticipantProfiles(
      testDb.db,
      campaignId,
      [
        { xUserId: 'u1', profile: { protected: true, suspended: false } },
        { xUserId: 'u2', profile: { protected: false, suspended: false } },
      ],
      profileAt,
    );
    await saveParticipantFollows(
      testDb.db,
      campaignId,
      'u2',
      { followsSender: true, followedUserIds: ['p1'] },
      followsAt,
    );
    // A second lookup of u2 replaces its profile, never its follows.
    await saveParticipantProfiles(
      testDb.db,
      campaignId,
      [{ xUserId: 'u2', profile: { protected: false, suspended: true } }],
      followsAt,
    );

    const facts = await findParticipantFacts(testDb.db, campaignId, ['u1', 'u2', 'u3']);
    assert.deepEqual(facts.get('u1'), {
      xUserId: 'u1',
      profile: { protected: true, suspended: false },
      profileCheckedAt: profileAt,
      follows: null,
      followsCheckedAt: null,
    });
    assert.deepEqual(facts.get('u2'), {
      xUserId: 'u2',
      profile: { protected: false, suspended: true },
      profileCheckedAt: followsAt,
      follows: { followsSender: true, followedUserIds: ['p1'] },
      followsCheckedAt: followsAt,
    });
    assert.equal(facts.has('u3'), false);
    assert.equal((await findParticipantFacts(testDb.db, 'cmp_other', ['u1'])).size, 0);
  });

  it('claims only the listed events still unprocessed, and hands released ones back', async () => {
    await insertEntryEvents(testDb.db, [1, 2, 3, 4].map(dm));
    const peeked = await listUnprocessedEvents(testDb.db, campaignId, 3);
    assert.deepEqual(
      peeked.map((e) => e.xUserId),
      ['u1', 'u2', 'u3'],
    );
    assert.equal(await countUnprocessedEvents(testDb.db, campaignId), 4, 'peeking claims nothing');
    const [first, second, third] = peeked;
    assert.ok(first && second && third);

    const claimed = await claimEntryEventsById(testDb.db, campaignId, [first.id, third.id]);
    assert.deepEqual(
      claimed.map((e) => e.xUserId),
      ['u1', 'u3'],
    );
    assert.deepEqual(await claimEntryEventsById(testDb.db, campaignId, [first.id]), [], 'once');

    await releaseEntryEvents(testDb.db, campaignId, [third.id]);
    assert.deepEqual(
      (await listUnprocessedEvents(testDb.db, campaignId, 10)).map((e) => e.xUserId),
      ['u2', 'u3', 'u4'],
    );
  });

  it('skips an event another transaction is claiming', async () => {
    await insertEntryEvents(testDb.db, [dm(1)]);
    const [event] = await listUnprocessedEvents(testDb.db, campaignId, 1);
    assert.ok(event);
    await testDb.db.transaction().execute(async (trx) => {
      assert.equal((await claimEntryEventsById(trx, campaignId, [event.id])).length, 1);
      assert.deepEqual(await claimEntryEventsById(testDb.db, campaignId, [event.id]), []);
    });
    assert.equal(await countUnprocessedEvents(testDb.db, campaignId), 0);
  });
});
