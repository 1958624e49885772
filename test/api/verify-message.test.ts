/**
 * verifyParticipantMessage against real PostgreSQL: a drawn campaign whose win DM really went
 * out through the send path (emulated X), then the checks /verify makes with it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createCampaignRuntimeActivities } from '../../activities';
import { createXAccess } from '../../activities/x-access';
import { verifyParticipantMessage } from '../../api/verify-message';
import { ensureCampaignSecretSeed } from '../../db/repositories/campaign-seed';
import { listDeliveries } from '../../db/repositories/deliveries';
import { verificationCode } from '../../domain/verification';
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

describe('verifyParticipantMessage', () => {
  let testDb: TestDatabase;
  let emulator: XEmulator;
  let campaignId: string;
  let campaignName: string;
  let winner: { id: string; username: string };
  let loser: { id: string; username: string };
  let winText: string;
  let seed: string;

  before(async () => {
    [testDb, emulator] = await Promise.all([
      createTestDatabase(),
      startXEmulator({ port: 0, holdTimeoutMs: 300 }),
    ]);
    const people = participants(2, 'Verify');
    await emulator.loadScenario(worldScenario(people));
    const accountId = await seedLinkedAccount(testDb.db);
    const config = dmKeywordDrawConfig(accountId, new Date(), { winners: 1 });
    const campaign = await seedCampaignWithEntries(testDb.db, { accountId, people, config });
    campaignId = campaign.id;
    campaignName = config.name;
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
    await runtime.prepareCampaign({ campaignId });
    await runtime.processEntries({ campaignId, now: new Date().toISOString(), limit: 10 });
    await runtime.drawCampaign({ campaignId });
    const [win] = await listDeliveries(testDb.db, { campaignId, limit: 10 });
    assert.equal(win?.kind, 'win');
    const sent = await runActivity(() =>
      runtime.sendDelivery({ deliveryId: win.id, now: new Date().toISOString() }),
    );
    assert.deepEqual(sent.result, { status: 'sent', reconciled: false });
    winner = people.find((p) => p.id === win.xUserId)!;
    loser = people.find((p) => p.id !== win.xUserId)!;
    winText = emulator.sent().dms[0]?.text ?? '';
    seed = await ensureCampaignSecretSeed(testDb.db, campaignId);
  });
  after(async () => {
    await emulator?.close();
    await testDb?.close();
  });

  const check = (input: { handle: string; code?: string; message?: string }) =>
    verifyParticipantMessage(testDb.db, input);

  it('finds a genuine code (code only: no message proven), whatever the handle’s case and @', async () => {
    const code = verificationCode(seed, winner.id);
    const expected = {
      genuine: true,
      campaignId,
      campaignName,
      username: winner.username,
      outcome: 'won',
      checked: 'code',
      channel: 'dm',
    };
    assert.deepEqual(await check({ handle: `@${winner.username}`, code }), expected);
    assert.deepEqual(
      await check({ handle: winner.username.toUpperCase(), code: code.toLowerCase() }),
      { ...expected, username: winner.username.toUpperCase() },
    );
  });

  it('gives a participant told on the page only their outcome with the result page channel', async () => {
    assert.deepEqual(
      await check({ handle: loser.username, code: verificationCode(seed, loser.id) }),
      {
        genuine: true,
        campaignId,
        campaignName,
        username: loser.username,
        outcome: 'lost',
        checked: 'code',
        channel: 'result_page',
      },
    );
  });

  it('says the exact message sent is genuine, reading the code from it (CRLF and blanks aside)', async () => {
    assert.match(winText, /確認コード \/ Verification code: KJ-/);
    const expected = {
      genuine: true,
      campaignId,
      campaignName,
      username: winner.username,
      outcome: 'won',
      checked: 'message',
      channel: 'dm',
    };
    assert.deepEqual(await check({ handle: winner.username, message: winText }), expected);
    assert.deepEqual(
      await check({ handle: winner.username, message: `\n ${winText.replace(/\n/g, '\r\n')}  \n` }),
      expected,
    );
  });

  it('says an altered message is not genuine, even with the genuine code in it', async () => {
    const altered = winText.replace('http://kuji.test/r/', 'http://kuji-prize.example/r/');
    assert.notEqual(altered, winText);
    assert.deepEqual(await check({ handle: winner.username, message: altered }), {
      genuine: false,
      reason: 'text_altered',
    });
    assert.deepEqual(
      await check({ handle: winner.username, message: `${winText}\n送料500円をお支払いください` }),
      { genuine: false, reason: 'text_altered' },
    );
  });

  it('says a wrong code, another person’s code and an unknown handle are not genuine', async () => {
    const code = verificationCode(seed, winner.id);
    assert.deepEqual(await check({ handle: winner.username, code: 'KJ-0000-0000' }), {
      genuine: false,
      reason: 'code_unknown',
    });
    assert.deepEqual(await check({ handle: loser.username, code }), {
      genuine: false,
      reason: 'code_unknown',
    });
    assert.deepEqual(
      await check({ handle: winner.username, code: verificationCode('other', winner.id) }),
      {
        genuine: false,
        reason: 'code_unknown',
      },
    );
    assert.deepEqual(await check({ handle: 'nobody_here', code }), {
      genuine: false,
      reason: 'handle_unknown',
    });
    assert.deepEqual(await check({ handle: 'not a handle!', code }), {
      genuine: false,
      reason: 'handle_unknown',
    });
    assert.deepEqual(await check({ handle: winner.username, code: 'hello' }), {
      genuine: false,
      reason: 'code_unknown',
    });
  });

  it('says a message without any code has no code', async () => {
    assert.deepEqual(
      await check({ handle: winner.username, message: '当選しました！DMをください' }),
      {
        genuine: false,
        reason: 'no_code',
      },
    );
    assert.deepEqual(await check({ handle: winner.username }), {
      genuine: false,
      reason: 'no_code',
    });
  });
});
