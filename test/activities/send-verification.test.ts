/**
 * What the send path adds for participants (issue 12): every win message carries the winner's
 * verification code, every sent row keeps the digest of the exact text, and a win sent later than
 * the draw moves the winner's claim deadline to claimDeadlineHours after it went out.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { createCampaignRuntimeActivities } from '../../activities';
import { createXAccess } from '../../activities/x-access';
import { ensureCampaignSecretSeed } from '../../db/repositories/campaign-seed';
import { findClaim, insertClaims } from '../../db/repositories/claims';
import { findDelivery, insertDeliveries, listDeliveries } from '../../db/repositories/deliveries';
import type { CampaignConfigInput } from '../../domain/campaign-config';
import { messageDigest, verificationCode } from '../../domain/verification';
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

const hour = 60 * 60 * 1000;

describe('sendDelivery: verification codes, text digests and claim deadlines', () => {
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

  function runtime(now?: () => Date) {
    return createCampaignRuntimeActivities({
      db: testDb.db,
      x: createXAccess({
        db: testDb.db,
        credentialsKey: testCredentialsKey,
        xApiBaseUrl: emulator.url,
        requestTimeoutMs: 2_000,
      }),
      publicBaseUrl: 'http://kuji.test',
      ...(now ? { now } : {}),
    });
  }

  /** A drawn campaign of `count` DM-keyword participants, drawn, its results queued. */
  async function drawn(count: number, overrides: Partial<CampaignConfigInput>) {
    const people = participants(count, 'verify');
    await emulator.loadScenario(worldScenario(people));
    const accountId = await seedLinkedAccount(testDb.db);
    const campaign = await seedCampaignWithEntries(testDb.db, {
      accountId,
      people,
      config: dmKeywordDrawConfig(accountId, new Date(), { winners: 1, overrides }),
    });
    const activities = runtime();
    await activities.prepareCampaign({ campaignId: campaign.id });
    await activities.processEntries({
      campaignId: campaign.id,
      now: new Date().toISOString(),
      limit: 10,
    });
    await activities.drawCampaign({ campaignId: campaign.id });
    const deliveries = await listDeliveries(testDb.db, { campaignId: campaign.id, limit: 10 });
    return {
      campaignId: campaign.id,
      participantIds: people.map((p) => p.id),
      deliveries,
      seed: await ensureCampaignSecretSeed(testDb.db, campaign.id),
    };
  }

  async function send(deliveryId: string, now?: () => Date) {
    const activities = runtime(now);
    const run = await runActivity(() =>
      activities.sendDelivery({ deliveryId, now: new Date().toISOString() }),
    );
    if (run.error !== undefined) throw run.error as Error;
    return run.result;
  }

  it('ends a win DM with the winner’s code, leaves a lose DM without, and stores both digests', async () => {
    const { campaignId, deliveries, seed, participantIds } = await drawn(2, {
      templates: {
        win: { dm: '{name}さん、当選です！{prize}\n詳細: {resultUrl}' },
        lose: { dm: '{name}さん、ご応募ありがとうございました。' },
      },
    });
    // A drawn campaign tells only its winners; a lose DM (as instant wins send) is queued here.
    const win = deliveries.find((d) => d.kind === 'win');
    assert.ok(win);
    const loser = participantIds.find((id) => id !== win.xUserId) ?? '';
    await insertDeliveries(testDb.db, [
      {
        id: `${win.id}:lose`,
        campaignId: win.campaignId,
        accountId: win.accountId,
        xUserId: loser,
        kind: 'lose',
        channel: 'dm',
      },
    ]);
    const lose = await findDelivery(testDb.db, `${win.id}:lose`);
    assert.ok(lose);
    await send(win.id);
    await send(lose.id);

    const dms = emulator.sent().dms;
    assert.equal(dms.length, 2);
    const winDm = dms.find((dm) => dm.recipientId === win.xUserId);
    const loseDm = dms.find((dm) => dm.recipientId === lose.xUserId);
    assert.ok(
      winDm?.text.endsWith(
        `\n確認コード / Verification code: ${verificationCode(seed, win.xUserId)}`,
      ),
      winDm?.text,
    );
    assert.ok(winDm?.text.startsWith('@'), 'the template itself comes first');
    assert.doesNotMatch(loseDm?.text ?? '', /KJ-/);

    const stored = await listDeliveries(testDb.db, { campaignId, limit: 10 });
    for (const [row, dm] of [
      [stored.find((d) => d.id === win.id), winDm],
      [stored.find((d) => d.id === lose.id), loseDm],
    ] as const) {
      assert.equal(row?.state, 'sent');
      assert.equal(row?.textDigest, messageDigest(dm?.text ?? ''), 'the digest of what X got');
    }
  });

  it('puts the code where the template places {verificationCode}, and only there', async () => {
    const { deliveries, seed } = await drawn(1, {
      templates: {
        win: { dm: '当選です。確認コード {verificationCode} ／ {resultUrl}' },
        lose: {},
      },
    });
    const win = deliveries.find((d) => d.kind === 'win');
    assert.ok(win);
    await send(win.id);
    const [dm] = emulator.sent().dms;
    const code = verificationCode(seed, win.xUserId);
    assert.ok(dm?.text.startsWith(`当選です。確認コード ${code} ／ http://kuji.test/r/`), dm?.text);
    assert.equal(dm?.text.split(code).length, 2, 'the code appears once');
  });

  async function claimScenario(withClaims: boolean) {
    const { campaignId, deliveries } = await drawn(1, {
      schedule: {
        startAt: new Date(Date.now() + 60_000).toISOString(),
        endAt: new Date(Date.now() + 10 * 60_000).toISOString(),
        timezone: 'Asia/Tokyo',
        claimDeadlineHours: 72,
      },
      ...(withClaims ? { claim: { fields: [], retentionDays: 30 } } : {}),
    });
    const win = deliveries.find((d) => d.kind === 'win');
    assert.ok(win);
    // The winner's claim opened at the draw, 60 hours ago: 12 hours left.
    const openedAt = new Date(Date.now() - 60 * hour);
    await insertClaims(testDb.db, [
      {
        campaignId,
        xUserId: win.xUserId,
        prizeId: 'gift',
        openedAt,
        deadlineAt: new Date(openedAt.getTime() + 72 * hour),
      },
    ]);
    await testDb.db
      .updateTable('claims')
      .set({ opened_at: openedAt, deadline_at: new Date(openedAt.getTime() + 72 * hour) })
      .where('campaign_id', '=', campaignId)
      .execute();
    return { campaignId, win, openedAt };
  }

  it('gives a winner told late the full claim window from when the win DM went out', async () => {
    const { campaignId, win } = await claimScenario(true);
    const acceptedAt = new Date(Date.now() + 5_000);
    await send(win.id, () => acceptedAt);
    const claim = await findClaim(testDb.db, campaignId, win.xUserId);
    assert.equal(
      claim?.deadlineAt.toISOString(),
      new Date(acceptedAt.getTime() + 72 * hour).toISOString(),
    );

    // A retry of the settled send changes nothing (the extension only ever moves later).
    await send(win.id, () => new Date(acceptedAt.getTime() - hour));
    const again = await findClaim(testDb.db, campaignId, win.xUserId);
    assert.equal(again?.deadlineAt.toISOString(), claim?.deadlineAt.toISOString());
  });

  it('leaves deadlines alone in a campaign without claims', async () => {
    const { campaignId, win, openedAt } = await claimScenario(false);
    await send(win.id);
    const claim = await findClaim(testDb.db, campaignId, win.xUserId);
    assert.equal(
      claim?.deadlineAt.toISOString(),
      new Date(openedAt.getTime() + 72 * hour).toISOString(),
    );
  });
});
