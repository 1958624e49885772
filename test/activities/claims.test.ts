import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { createCampaignRuntimeActivities } from '../../activities';
import { createXAccess } from '../../activities/x-access';
import { findClaim, listUnreplacedForfeits } from '../../db/repositories/claims';
import { listDeliveries, markDeliverySent } from '../../db/repositories/deliveries';
import { findDraw } from '../../db/repositories/draws';
import { findEntry, setEntryOutcomes } from '../../db/repositories/entries';
import type { CampaignConfigInput } from '../../domain/campaign-config';
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

const HOUR_MS = 60 * 60 * 1000;

describe('settleClaims activity', () => {
  let testDb: TestDatabase;
  let emulator: XEmulator;
  before(async () => {
    [testDb, emulator] = await Promise.all([createTestDatabase(), startXEmulator({ port: 0 })]);
  });
  afterEach(async () => {
    await testDb.truncate();
  });
  after(async () => {
    await emulator?.close();
    await testDb?.close();
  });

  /** A drawn campaign with claims and gift codes (one per prize), drawn at `drawnAt`. */
  async function drawnWithClaims(drawnAt: Date) {
    const people = participants(6, 'settle');
    await emulator.loadScenario(worldScenario(people));
    const accountId = await seedLinkedAccount(testDb.db);
    const base = dmKeywordDrawConfig(accountId, new Date(), { winners: 2 });
    const config: CampaignConfigInput = {
      ...base,
      kind: 'drawn',
      prizes: [{ id: 'gift', name: 'ギフト券', stock: 2, valueYen: 500, codes: ['C-1', 'C-2'] }],
      schedule: { ...base.schedule, claimDeadlineHours: 72 },
      draw: { winners: 2, alternates: 2 },
      claim: { fields: [] },
    };
    const campaign = await seedCampaignWithEntries(testDb.db, { accountId, people, config });
    const activities = createCampaignRuntimeActivities({
      db: testDb.db,
      x: createXAccess({
        db: testDb.db,
        credentialsKey: testCredentialsKey,
        xApiBaseUrl: emulator.url,
      }),
      publicBaseUrl: 'http://kuji.test',
    });
    await activities.prepareCampaign({ campaignId: campaign.id });
    await activities.processEntries({
      campaignId: campaign.id,
      now: new Date().toISOString(),
      limit: 500,
    });
    await activities.drawCampaign({ campaignId: campaign.id, now: drawnAt.toISOString() });
    const draw = await findDraw(testDb.db, campaign.id);
    if (!draw) throw new Error('not drawn');
    // The winners were told at the draw (the delivery loop's part): their deadlines run.
    for (const win of await listDeliveries(testDb.db, { campaignId: campaign.id, limit: 50 })) {
      if (win.kind === 'win' && win.state === 'queued') {
        await markDeliverySent(testDb.db, win.id, {
          xEventId: `dm-${win.xUserId}`,
          sentAt: drawnAt,
        });
      }
    }
    return { campaign, activities, draw };
  }

  it('opens a claim per winner at the draw, and settles nothing before the deadline', async () => {
    const drawnAt = new Date('2026-12-04T00:00:00Z');
    const { campaign, activities, draw } = await drawnWithClaims(drawnAt);
    for (const xUserId of draw.winners) {
      const claim = await findClaim(testDb.db, campaign.id, xUserId);
      assert.equal(claim?.state, 'open');
      assert.deepEqual(claim?.openedAt, drawnAt);
      assert.equal(claim?.deadlineAt.getTime(), drawnAt.getTime() + 72 * HOUR_MS);
    }
    const early = await activities.settleClaims({
      campaignId: campaign.id,
      now: new Date(drawnAt.getTime() + 71 * HOUR_MS).toISOString(),
    });
    assert.deepEqual(
      { ...early, nextDeadlineAt: early.nextDeadlineAt },
      {
        claimsOn: true,
        open: 2,
        claimed: 0,
        forfeited: 0,
        promoted: 0,
        forfeitedNow: 0,
        promotedNow: 0,
        nextDeadlineAt: new Date(drawnAt.getTime() + 72 * HOUR_MS).toISOString(),
        queued: 0,
      },
    );
  });

  it('skips alternates judged otherwise since the draw, hands the prize code over, and leaves a prize forfeited when none is left', async () => {
    const drawnAt = new Date('2026-12-04T00:00:00Z');
    const { campaign, activities, draw } = await drawnWithClaims(drawnAt);
    const [w1, w2] = draw.winners as [string, string];
    const [a1, a2] = draw.alternates as [string, string];
    // The first alternate was disqualified after the draw: they are passed over.
    await setEntryOutcomes(testDb.db, campaign.id, [{ xUserId: a1, outcome: 'ineligible' }]);
    const w1Code = (await findEntry(testDb.db, campaign.id, w1))?.prizeCode;
    assert.ok(w1Code);

    const deadline = new Date(drawnAt.getTime() + 72 * HOUR_MS);
    const settled = await activities.settleClaims({
      campaignId: campaign.id,
      now: deadline.toISOString(),
    });
    assert.equal(settled.forfeitedNow, 2);
    assert.equal(settled.promotedNow, 1);
    assert.equal(settled.queued, 1, 'the promoted alternate’s win DM waits in the queue');

    const promoted = await findClaim(testDb.db, campaign.id, a2);
    assert.equal(promoted?.state, 'open');
    assert.deepEqual(promoted?.openedAt, deadline);
    assert.equal(promoted?.deadlineAt.getTime(), deadline.getTime() + 72 * HOUR_MS);
    // Forfeits are promoted in deadline order, then by id: the first forfeit goes to a2.
    const [firstForfeit] = [w1, w2].sort();
    assert.equal(promoted?.replacesXUserId, firstForfeit);
    assert.equal(await findClaim(testDb.db, campaign.id, a1), undefined);

    const alternate = await findEntry(testDb.db, campaign.id, a2);
    const from = await findEntry(testDb.db, campaign.id, firstForfeit!);
    assert.equal(alternate?.outcome, 'won');
    assert.ok(alternate?.prizeCode, 'the alternate got the forfeited winner’s code');
    assert.equal(from?.prizeCode, null);
    const wins = await listDeliveries(testDb.db, { campaignId: campaign.id, limit: 50 });
    assert.ok(wins.some((d) => d.xUserId === a2 && d.kind === 'win' && d.state === 'queued'));

    // The other prize has nobody left to go to.
    assert.deepEqual(
      (await listUnreplacedForfeits(testDb.db, campaign.id)).map((c) => c.xUserId),
      [w1, w2].filter((id) => id !== firstForfeit),
    );
    const again = await activities.settleClaims({
      campaignId: campaign.id,
      now: new Date(deadline.getTime() + HOUR_MS).toISOString(),
    });
    assert.equal(again.promotedNow, 0);
    assert.equal(again.open, 1);
  });

  it('opens a claim for each instant win when it is decided, and none for a loss', async () => {
    const people = participants(3, 'instant');
    await emulator.loadScenario(worldScenario(people));
    const accountId = await seedLinkedAccount(testDb.db);
    const now = new Date();
    const { draw: _draw, ...drawn } = dmKeywordDrawConfig(accountId, now, {
      winners: 2,
    }) as Extract<CampaignConfigInput, { kind: 'drawn' }>;
    const campaign = await seedCampaignWithEntries(testDb.db, {
      accountId,
      people,
      config: {
        ...drawn,
        kind: 'instant_win',
        prizes: [{ id: 'gift', name: 'ギフト券', stock: 2, valueYen: 500, odds: 1 }],
        schedule: {
          startAt: new Date(now.getTime() - HOUR_MS).toISOString(),
          // A minute left: the pacing gives odds of 1 while stock lasts.
          endAt: new Date(now.getTime() + 60_000).toISOString(),
          timezone: 'Asia/Tokyo',
          claimDeadlineHours: 24,
        },
        claim: { fields: ['name', 'email'] },
      },
    });
    const activities = createCampaignRuntimeActivities({
      db: testDb.db,
      x: createXAccess({
        db: testDb.db,
        credentialsKey: testCredentialsKey,
        xApiBaseUrl: emulator.url,
      }),
      publicBaseUrl: 'http://kuji.test',
    });
    await activities.prepareCampaign({ campaignId: campaign.id });
    await activities.processEntries({
      campaignId: campaign.id,
      now: now.toISOString(),
      limit: 500,
    });

    const outcomes = await Promise.all(
      people.map(async (p) => ({
        outcome: (await findEntry(testDb.db, campaign.id, p.id))?.outcome,
        claim: await findClaim(testDb.db, campaign.id, p.id),
      })),
    );
    const won = outcomes.filter((o) => o.outcome === 'won');
    assert.equal(won.length, 2);
    for (const { claim } of won) {
      assert.equal(claim?.state, 'open');
      assert.deepEqual(claim?.openedAt, now);
      assert.equal(claim?.deadlineAt.getTime(), now.getTime() + 24 * HOUR_MS);
      assert.equal(claim?.prizeId, 'gift');
    }
    assert.deepEqual(
      outcomes.filter((o) => o.outcome !== 'won').map((o) => o.claim),
      [undefined],
    );
  });
});
