import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { insertAccount } from '../../db/repositories/accounts';
import { insertCampaign } from '../../db/repositories/campaigns';
import { insertDeliveries, markDeliverySent } from '../../db/repositories/deliveries';
import {
  closeOpenClaims,
  countClaims,
  extendClaimDeadline,
  findClaim,
  forfeitExpiredClaims,
  hasClaims,
  insertClaims,
  listClaimantIds,
  listClaimsForOperators,
  listPromotions,
  listUnreplacedForfeits,
  purgeClaimData,
  submitClaim,
} from '../../db/repositories/claims';
import { createTestDatabase, type TestDatabase } from '../support/database';

const campaignId = 'cmp_claims';
const t0 = new Date('2026-12-03T00:00:00Z');
const hours = (n: number) => new Date(t0.getTime() + n * 60 * 60 * 1000);

describe('claims repository', () => {
  let testDb: TestDatabase;
  before(async () => {
    testDb = await createTestDatabase();
  });
  after(async () => {
    await testDb.close();
  });
  beforeEach(async () => {
    await testDb.truncate();
    await insertAccount(testDb.db, { id: 'acct_claims', handle: 'kuji_demo' });
    await insertCampaign(testDb.db, {
      id: campaignId,
      name: 'claims',
      accountId: 'acct_claims',
      config: {},
      author: 'alice',
    });
    await insertClaims(testDb.db, [
      { campaignId, xUserId: 'w1', prizeId: 'goods', openedAt: t0, deadlineAt: hours(72) },
      { campaignId, xUserId: 'w2', prizeId: 'goods', openedAt: t0, deadlineAt: hours(72) },
    ]);
  });

  it('opens a claim once: a retried insert keeps the first row', async () => {
    const again = await insertClaims(testDb.db, [
      { campaignId, xUserId: 'w1', prizeId: 'other', openedAt: hours(1), deadlineAt: hours(9) },
    ]);
    assert.equal(again, 0);
    const claim = await findClaim(testDb.db, campaignId, 'w1');
    assert.deepEqual(claim, {
      campaignId,
      xUserId: 'w1',
      prizeId: 'goods',
      state: 'open',
      openedAt: t0,
      deadlineAt: hours(72),
      claimedAt: null,
      forfeitedAt: null,
      promotedAt: null,
      replacesXUserId: null,
      dataPurgedAt: null,
    });
    assert.equal(await findClaim(testDb.db, campaignId, 'nobody'), undefined);
  });

  it('claims an open claim before its deadline, storing and returning the answers as sealed', async () => {
    // db/ stores the sealed text it is given (api/claim-answers.ts seals and opens it).
    const sealedAnswers = 'v1.keyid.iv.tag.ciphertext';
    const result = await submitClaim(testDb.db, {
      campaignId,
      xUserId: 'w1',
      sealedAnswers,
      now: hours(71),
    });
    assert.equal(result.ok, true);
    assert.equal(result.ok && result.claim.state, 'claimed');
    assert.deepEqual(result.ok && result.claim.claimedAt, hours(71));

    const stored = await testDb.db
      .selectFrom('claims')
      .select('data_sealed')
      .where('x_user_id', '=', 'w1')
      .executeTakeFirstOrThrow();
    assert.equal(stored.data_sealed, sealedAnswers);

    const listed = await listClaimsForOperators(testDb.db, campaignId);
    assert.deepEqual(
      listed.map((c) => [c.xUserId, c.state, c.sealedAnswers]),
      [
        ['w1', 'claimed', sealedAnswers],
        ['w2', 'open', null],
      ],
    );
  });

  it('says why a claim is refused', async () => {
    const submit = (xUserId: string, now: Date) =>
      submitClaim(testDb.db, { campaignId, xUserId, sealedAnswers: null, now });
    assert.deepEqual(await submit('nobody', hours(1)), { ok: false, reason: 'no_claim' });
    assert.equal((await submit('w1', hours(1))).ok, true);
    assert.deepEqual(await submit('w1', hours(2)), { ok: false, reason: 'already_claimed' });
    assert.deepEqual(await submit('w2', hours(72)), { ok: false, reason: 'expired' });
    await forfeitExpiredClaims(testDb.db, { campaignId, now: hours(72) });
    assert.deepEqual(await submit('w2', hours(73)), { ok: false, reason: 'forfeited' });
  });

  it('forfeits only open claims past their deadline, so a claim that won the race stays', async () => {
    assert.equal((await forfeitExpiredClaims(testDb.db, { campaignId, now: hours(71) })).length, 0);
    await submitClaim(testDb.db, {
      campaignId,
      xUserId: 'w1',
      sealedAnswers: null,
      now: new Date(hours(72).getTime() - 1),
    });
    const forfeited = await forfeitExpiredClaims(testDb.db, { campaignId, now: hours(72) });
    assert.deepEqual(
      forfeited.map((c) => [c.xUserId, c.state]),
      [['w2', 'forfeited']],
    );
    assert.equal((await findClaim(testDb.db, campaignId, 'w1'))?.state, 'claimed');
    assert.deepEqual(await forfeitExpiredClaims(testDb.db, { campaignId, now: hours(80) }), []);
  });

  it('tracks promotions: the forfeits still owed an alternate, and who replaced whom', async () => {
    await forfeitExpiredClaims(testDb.db, { campaignId, now: hours(72) });
    assert.deepEqual(
      (await listUnreplacedForfeits(testDb.db, campaignId)).map((c) => c.xUserId),
      ['w1', 'w2'],
    );
    await insertClaims(testDb.db, [
      {
        campaignId,
        xUserId: 'a1',
        prizeId: 'goods',
        openedAt: hours(72),
        deadlineAt: hours(144),
        replacesXUserId: 'w2',
      },
    ]);
    assert.deepEqual(
      (await listUnreplacedForfeits(testDb.db, campaignId)).map((c) => c.xUserId),
      ['w1'],
    );
    assert.deepEqual(await listPromotions(testDb.db, campaignId), [
      { xUserId: 'a1', replacesXUserId: 'w2', promotedAt: hours(72) },
    ]);
    assert.deepEqual([...(await listClaimantIds(testDb.db, campaignId))].sort(), [
      'a1',
      'w1',
      'w2',
    ]);
    assert.deepEqual(await countClaims(testDb.db, campaignId), {
      open: 1,
      claimed: 0,
      forfeited: 2,
      promoted: 1,
      total: 3,
      nextDeadlineAt: hours(144),
    });
  });

  it('moves a deadline only later, and only while the claim is open', async () => {
    await extendClaimDeadline(testDb.db, {
      campaignId,
      xUserId: 'w1',
      notifiedAt: hours(10),
      hours: 72,
    });
    assert.deepEqual((await findClaim(testDb.db, campaignId, 'w1'))?.deadlineAt, hours(82));
    await extendClaimDeadline(testDb.db, {
      campaignId,
      xUserId: 'w1',
      notifiedAt: hours(1),
      hours: 72,
    });
    assert.deepEqual((await findClaim(testDb.db, campaignId, 'w1'))?.deadlineAt, hours(82));
    await submitClaim(testDb.db, { campaignId, xUserId: 'w2', sealedAnswers: null, now: hours(1) });
    await extendClaimDeadline(testDb.db, {
      campaignId,
      xUserId: 'w2',
      notifiedAt: hours(10),
      hours: 72,
    });
    assert.deepEqual((await findClaim(testDb.db, campaignId, 'w2'))?.deadlineAt, hours(72));
  });

  it('purges the answers once, keeping the rows', async () => {
    await submitClaim(testDb.db, {
      campaignId,
      xUserId: 'w1',
      sealedAnswers: 'sealed',
      now: hours(1),
    });
    assert.deepEqual(await purgeClaimData(testDb.db, { campaignId, now: hours(800) }), {
      purged: 2,
    });
    assert.deepEqual(await purgeClaimData(testDb.db, { campaignId, now: hours(900) }), {
      purged: 0,
    });
    const listed = await listClaimsForOperators(testDb.db, campaignId);
    assert.deepEqual(
      listed.map((c) => [c.xUserId, c.state, c.sealedAnswers, c.dataPurgedAt]),
      [
        ['w1', 'claimed', null, hours(800)],
        ['w2', 'open', null, hours(800)],
      ],
    );
  });

  it('purges every row still holding answers: a claim made after an earlier purge does not escape', async () => {
    await submitClaim(testDb.db, { campaignId, xUserId: 'w1', sealedAnswers: 's1', now: hours(1) });
    assert.deepEqual(await purgeClaimData(testDb.db, { campaignId, now: hours(2) }), { purged: 2 });
    // An admin purged early; a claim still arrives before its deadline.
    await submitClaim(testDb.db, { campaignId, xUserId: 'w2', sealedAnswers: 's2', now: hours(3) });
    assert.deepEqual(await purgeClaimData(testDb.db, { campaignId, now: hours(800) }), {
      purged: 1,
    });
    const listed = await listClaimsForOperators(testDb.db, campaignId);
    assert.deepEqual(
      listed.map((c) => [c.xUserId, c.sealedAnswers, c.dataPurgedAt]),
      [
        ['w1', null, hours(2)],
        ['w2', null, hours(800)],
      ],
    );
  });

  it('runs no deadline against a winner whose win message is still queued, and counts it from the send', async () => {
    await insertDeliveries(testDb.db, [
      {
        id: `${campaignId}:w2:win`,
        campaignId,
        accountId: 'acct_claims',
        xUserId: 'w2',
        kind: 'win',
        channel: 'dm',
      },
    ]);
    // w2's DM waits for a later day's cap: their deadline is not running yet.
    assert.deepEqual((await countClaims(testDb.db, campaignId)).nextDeadlineAt, hours(72));
    await submitClaim(testDb.db, { campaignId, xUserId: 'w1', sealedAnswers: null, now: hours(1) });
    assert.equal((await countClaims(testDb.db, campaignId)).nextDeadlineAt, null);
    const forfeited = await forfeitExpiredClaims(testDb.db, { campaignId, now: hours(100) });
    assert.deepEqual(forfeited, [], 'never told, so never late');
    assert.equal((await findClaim(testDb.db, campaignId, 'w2'))?.state, 'open');
    // Told at hour 110: they have until 110 + 72, and forfeit only after that.
    await markDeliverySent(testDb.db, `${campaignId}:w2:win`, {
      xEventId: 'dm1',
      sentAt: hours(110),
    });
    await extendClaimDeadline(testDb.db, {
      campaignId,
      xUserId: 'w2',
      notifiedAt: hours(110),
      hours: 72,
    });
    assert.deepEqual((await countClaims(testDb.db, campaignId)).nextDeadlineAt, hours(182));
    assert.deepEqual(await forfeitExpiredClaims(testDb.db, { campaignId, now: hours(181) }), []);
    assert.equal(
      (await forfeitExpiredClaims(testDb.db, { campaignId, now: hours(182) }))[0]?.xUserId,
      'w2',
    );
  });

  it('lets a winner whose win message is still queued claim after the first deadline', async () => {
    await insertDeliveries(testDb.db, [
      {
        id: `${campaignId}:w2:win`,
        campaignId,
        accountId: 'acct_claims',
        xUserId: 'w2',
        kind: 'win',
        channel: 'dm',
      },
    ]);
    const late = await submitClaim(testDb.db, {
      campaignId,
      xUserId: 'w2',
      sealedAnswers: null,
      now: hours(80),
    });
    assert.equal(late.ok, true);
    // Without a queued message the deadline holds.
    assert.deepEqual(
      await submitClaim(testDb.db, {
        campaignId,
        xUserId: 'w1',
        sealedAnswers: null,
        now: hours(80),
      }),
      { ok: false, reason: 'expired' },
    );
  });

  it('closes the claims left open when the campaign ends: nothing can be claimed after', async () => {
    assert.equal(await hasClaims(testDb.db, campaignId), true);
    assert.equal(await hasClaims(testDb.db, 'cmp_none'), false);
    await submitClaim(testDb.db, { campaignId, xUserId: 'w1', sealedAnswers: null, now: hours(1) });
    assert.equal(await closeOpenClaims(testDb.db, { campaignId, now: hours(5) }), 1);
    assert.equal((await findClaim(testDb.db, campaignId, 'w1'))?.state, 'claimed');
    const closed = await findClaim(testDb.db, campaignId, 'w2');
    assert.deepEqual([closed?.state, closed?.forfeitedAt], ['forfeited', hours(5)]);
    assert.deepEqual(
      await submitClaim(testDb.db, {
        campaignId,
        xUserId: 'w2',
        sealedAnswers: null,
        now: hours(6),
      }),
      { ok: false, reason: 'forfeited' },
    );
    assert.equal(await closeOpenClaims(testDb.db, { campaignId, now: hours(7) }), 0);
  });
});
