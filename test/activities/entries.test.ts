import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createCampaignRuntimeActivities } from '../../activities/campaign-runtime';
import { createXActivities } from '../../activities/x-activities';
import { insertEntryEvents } from '../../db/repositories/entries';
import {
  dmKeywordDrawConfig,
  participants,
  seedCampaignWithEntries,
  seedLinkedAccount,
} from '../support/campaign-world';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { testCredentialsKey } from '../support/fixtures';

describe('processEntries activity', () => {
  let testDb: TestDatabase;
  before(async () => {
    testDb = await createTestDatabase();
  });
  after(async () => {
    await testDb.close();
  });

  it('takes in entries dated before the end and never one dated after it', async () => {
    const accountId = await seedLinkedAccount(testDb.db);
    const now = new Date();
    const config = dmKeywordDrawConfig(accountId, now, { winners: 3 });
    const campaign = await seedCampaignWithEntries(testDb.db, { accountId, people: [], config });
    const endAtMs = Date.parse(config.schedule.endAt);
    const [inTime, atTheEnd, late] = participants(3, 'deadline');
    assert.ok(inTime && atTheEnd && late);
    // Taken in late (a replayed gap kept collection open), each dated by X.
    await insertEntryEvents(
      testDb.db,
      [
        { person: inTime, occurredAt: new Date(endAtMs - 60_000) },
        { person: atTheEnd, occurredAt: new Date(endAtMs) },
        { person: late, occurredAt: new Date(endAtMs + 1_000) },
      ].map(({ person, occurredAt }) => ({
        campaignId: campaign.id,
        xEventId: `dm-${person.id}`,
        source: 'dm_keyword' as const,
        xUserId: person.id,
        username: person.username,
        text: '参加します',
        receivedVia: 'webhook' as const,
        occurredAt,
      })),
    );
    const activities = createCampaignRuntimeActivities({
      db: testDb.db,
      x: createXActivities({ db: testDb.db, credentialsKey: testCredentialsKey }),
      publicBaseUrl: 'http://kuji.test',
    });
    await activities.prepareCampaign({ campaignId: campaign.id });

    const batch = await activities.processEntries({
      campaignId: campaign.id,
      now: new Date(endAtMs + 60_000).toISOString(),
      limit: 500,
    });

    assert.equal(batch.processed, 3, 'every event is consumed');
    assert.equal(batch.newlyEligible, 2);
    const entries = await testDb.db
      .selectFrom('entries')
      .select(['x_user_id', 'eligible'])
      .where('campaign_id', '=', campaign.id)
      .orderBy('x_user_id')
      .execute();
    assert.deepEqual(
      entries.map((entry) => [entry.x_user_id, entry.eligible]),
      [
        [inTime.id, true],
        [atTheEnd.id, true],
      ],
    );
  });
});
