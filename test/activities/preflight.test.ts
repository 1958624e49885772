/**
 * Preflight against the X emulator and a real database: the sender's health, the armed check
 * (with a real webhook receiver answering X's CRC check), and the rehearsal that sends the real
 * templates to test accounts. Also the running campaign's armed check and re-arm.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Activities } from '../../activities';
import {
  createPreflightActivities,
  type PreflightProgress,
  type PreflightX,
  type StoredPreflight,
} from '../../activities/preflight';
import { haltAccount } from '../../db/repositories/accounts';
import { listAuditEntries } from '../../db/repositories/audit-log';
import { findCampaignById } from '../../db/repositories/campaigns';
import { listDeliveries } from '../../db/repositories/deliveries';
import { type CampaignConfigInput, exampleCampaignConfig } from '../../domain/campaign-config';
import { resultUrl, verifyResultLinkToken } from '../../domain/result-links';
import { messageDigest, verificationCode } from '../../domain/verification';
import { xErrorCatalog } from '../../domain/x-errors';
import {
  DEMO_CONSUMER_SECRET,
  DEMO_SENDER_USER_ID,
  DEMO_SENDER_USERNAME,
  demoScenario,
  type Scenario,
  startXEmulator,
  type XEmulator,
} from '../../emulator';
import { crcResponseToken } from '../../x/webhook-signature';
import {
  dmKeywordDrawConfig,
  participants,
  seedCampaignWithEntries,
  seedLinkedAccount,
  worldScenario,
} from '../support/campaign-world';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { testCredentialsKey } from '../support/fixtures';
import { registerTestAccounts } from '../support/test-accounts';
import { deleteTestAccount } from '../../db/repositories/test-accounts';
import { runActivity } from '../x/support';
import { testActivities } from '../support/temporal';

const [alpha, beta] = participants(2, 'tester');
const closedTester = { id: '1800000000000000900', username: 'closed_tester' };
const PUBLIC_BASE_URL = 'http://kuji.test';
const WIN_DM = '{name}さん、当選です！{prize}をお送りします。コード: {code} 詳細: {resultUrl}';
const LOSE_DM = '{name}さん、ご応募ありがとうございました。結果: {resultUrl}';

describe('preflight activities', () => {
  let testDb: TestDatabase;
  let emulator: XEmulator;
  let receiver: Server;
  let webhookUrl = '';
  let activities: Activities;

  /** The real worker wiring: X activities, the webhook URL and the public base URL. */
  function activitiesFor(options: { webhookUrl?: string }): Activities {
    return testActivities({
      db: testDb.db,
      credentialsKey: testCredentialsKey,
      xApiBaseUrl: emulator.url,
      publicBaseUrl: PUBLIC_BASE_URL,
      webhookUrl: options.webhookUrl,
      x: { requestTimeoutMs: 5_000 },
    });
  }

  function scenario(): Scenario {
    const world = worldScenario([alpha!, beta!, closedTester], { closedDms: [closedTester.id] });
    return {
      ...world,
      // Every rehearsal confirms by reading the conversation; keep X's 15-per-window out of the way.
      rateLimits: { ...world.rateLimits, 'dm.events': { limit: 1_000, windowSeconds: 900 } },
      webhook: { url: webhookUrl },
    };
  }

  before(async () => {
    // Kuji's webhook receiver as X sees it: answers the CRC challenge, accepts deliveries.
    receiver = createServer((req, res) => {
      const token = new URL(req.url ?? '/', 'http://localhost').searchParams.get('crc_token');
      if (req.method === 'GET' && token) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ response_token: crcResponseToken(DEMO_CONSUMER_SECRET, token) }));
        return;
      }
      req.resume();
      req.on('end', () => {
        res.writeHead(200);
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    webhookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/v1/webhooks/x`;
    [testDb, emulator] = await Promise.all([
      createTestDatabase(),
      startXEmulator({ holdTimeoutMs: 5_000 }),
    ]);
    activities = activitiesFor({ webhookUrl });
  });

  after(async () => {
    await emulator?.close();
    await testDb?.close();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  beforeEach(async () => {
    const loaded = await emulator.loadScenario(scenario());
    assert.equal(loaded.webhook?.valid, true, 'the receiver passed the CRC check');
    await emulator.webhookIdle();
  });

  async function seedRehearsedCampaign(
    options: { testAccounts?: string[]; lose?: boolean; dmDailyCap?: number } = {},
  ) {
    const accountId = await seedLinkedAccount(testDb.db, { dmDailyCap: options.dmDailyCap });
    await registerTestAccounts(testDb.db, accountId, [alpha!.id, beta!.id, closedTester.id]);
    const overrides: Partial<CampaignConfigInput> = {
      testAccounts: options.testAccounts ?? [alpha!.id, beta!.id],
      prizes: [{ id: 'gift', name: 'ギフト券', stock: 1, valueYen: 500, codes: ['GIFT-0001'] }],
      templates: { win: { dm: WIN_DM }, lose: options.lose === false ? {} : { dm: LOSE_DM } },
    };
    const campaign = await seedCampaignWithEntries(testDb.db, {
      accountId,
      people: [],
      config: dmKeywordDrawConfig(accountId, new Date(), { winners: 1, overrides }),
    });
    return { accountId, campaignId: campaign.id };
  }

  async function runPreflight(campaignId: string, using: Activities = activities) {
    const run = await runActivity(() => using.runPreflight({ campaignId }));
    if (run.error instanceof Error) throw run.error;
    assert.equal(run.error, undefined);
    const summary = run.result as Awaited<ReturnType<Activities['runPreflight']>>;
    const stored = (await findCampaignById(testDb.db, campaignId))?.preflight as StoredPreflight;
    const blocking = stored.findings.filter((f) => f.severity === 'blocking');
    // The X layer heartbeats its own page checkpoints too; preflight's steps carry a `step`.
    const progress = run.heartbeats.filter(
      (details): details is PreflightProgress =>
        typeof details === 'object' && details !== null && 'step' in details,
    );
    return { summary, stored, blocking, progress };
  }

  /** Runs an activity the way the worker would (the X layer logs through the activity context). */
  async function inActivity<T>(fn: () => Promise<T>): Promise<T> {
    const run = await runActivity(fn);
    if (run.error instanceof Error) throw run.error;
    assert.equal(run.error, undefined);
    return run.result as T;
  }

  const rehearsalRows = async (campaignId: string) =>
    (await listDeliveries(testDb.db, { campaignId, limit: 100 })).filter(
      (d) => d.kind === 'rehearsal',
    );

  const quotaSlots = async (accountId: string) =>
    (
      await testDb.db
        .selectFrom('dm_quota_slots')
        .select('delivery_id')
        .where('account_id', '=', accountId)
        .execute()
    ).map((slot) => slot.delivery_id);

  describe('runPreflight', () => {
    it('passes a healthy, armed sender whose real templates reached both test accounts', async () => {
      const { accountId, campaignId } = await seedRehearsedCampaign();
      // alpha's links are signed with the campaign's seed; without one the link is a placeholder.
      await testDb.db
        .updateTable('campaigns')
        .set({ secret_seed: 'rehearsal-test-seed' })
        .where('id', '=', campaignId)
        .execute();

      const { summary, stored, blocking } = await runPreflight(campaignId);

      assert.deepEqual(blocking, []);
      assert.equal(summary.ok, true);
      assert.equal(stored.round, 1);
      assert.equal(emulator.requests({ endpoint: 'users.me' }).length, 1, 'health checked');
      assert.ok(emulator.requests({ endpoint: 'webhooks.list' }).length > 0, 'armed checked');

      const link = (userId: string) =>
        resultUrl(PUBLIC_BASE_URL, campaignId, userId, 'rehearsal-test-seed');
      const expectedTexts = [alpha!, beta!].flatMap((user) => [
        {
          to: user.id,
          // Every win message ends with the recipient's verification code.
          text:
            `@${user.username}さん、当選です！ギフト券をお送りします。コード: REHEARSAL 詳細: ${link(user.id)}\n` +
            `確認コード / Verification code: ${verificationCode('rehearsal-test-seed', user.id)}`,
        },
        {
          to: user.id,
          text: `@${user.username}さん、ご応募ありがとうございました。結果: ${link(user.id)}`,
        },
      ]);
      const dms = emulator.sent().dms;
      assert.deepEqual(
        dms.map((dm) => ({ to: dm.recipientId, text: dm.text })),
        expectedTexts,
      );

      const rows = await rehearsalRows(campaignId);
      const expectedIds = [alpha!, beta!].flatMap((user) =>
        ['win.dm', 'lose.dm'].map((t) => `${campaignId}:rehearsal:1:${t}:${user.id}`),
      );
      assert.deepEqual(rows.map((r) => r.id).sort(), [...expectedIds].sort());
      assert.ok(rows.every((r) => r.state === 'sent' && r.channel === 'dm'));
      // Each sent row keeps the digest of the exact text X accepted.
      assert.deepEqual(
        rows.map((r) => r.textDigest).sort(),
        dms.map((dm) => messageDigest(dm.text)).sort(),
      );
      assert.deepEqual(
        stored.rehearsal,
        [alpha!, beta!].flatMap((user) =>
          (['win.dm', 'lose.dm'] as const).map((template) => ({
            testUserId: user.id,
            template,
            arrived: true,
            dmEventId: rows.find(
              (row) => row.id === `${campaignId}:rehearsal:1:${template}:${user.id}`,
            )?.xEventId,
          })),
        ),
      );
      assert.deepEqual(
        stored.rehearsal.map((r) => r.dmEventId).sort(),
        dms.map((dm) => dm.id).sort(),
        'each confirmed event is a DM the emulator holds',
      );
      assert.deepEqual((await quotaSlots(accountId)).sort(), [...expectedIds].sort());
    });

    it('rehearses again under a new round, confirming the earlier copy of a text X will not repeat', async () => {
      const { campaignId } = await seedRehearsedCampaign({
        testAccounts: [alpha!.id],
        lose: false,
      });

      const first = await runPreflight(campaignId);
      const second = await runPreflight(campaignId);

      assert.equal(first.stored.round, 1);
      assert.equal(second.stored.round, 2);
      assert.deepEqual(second.blocking, []);
      const dms = emulator.sent().dms;
      assert.equal(dms.length, 1, 'X refused the identical text; nothing was sent twice');
      const seed = (
        await testDb.db
          .selectFrom('campaigns')
          .select('secret_seed')
          .where('id', '=', campaignId)
          .executeTakeFirstOrThrow()
      ).secret_seed;
      assert.ok(seed, 'the first round created the seed; the second used the same one');
      assert.equal(
        dms[0]?.text.endsWith(
          `${resultUrl(PUBLIC_BASE_URL, campaignId, alpha!.id, seed)}\n` +
            `確認コード / Verification code: ${verificationCode(seed, alpha!.id)}`,
        ),
        true,
      );
      assert.deepEqual(second.stored.rehearsal, [
        {
          testUserId: alpha!.id,
          template: 'win.dm',
          arrived: true,
          dmEventId: dms[0]?.id,
          earlierCopy: true,
        },
      ]);
      assert.deepEqual(
        (await rehearsalRows(campaignId)).map((r) => [r.id, r.state, r.xEventId]).sort(),
        [
          [`${campaignId}:rehearsal:1:win.dm:${alpha!.id}`, 'sent', dms[0]?.id],
          [`${campaignId}:rehearsal:2:win.dm:${alpha!.id}`, 'sent', dms[0]?.id],
        ],
      );
    });

    for (const [fault, code] of [
      ['revoked', 'auth_token_invalid'],
      ['locked', 'sender_locked'],
    ] as const) {
      it(`blocks launch on a sender X answers as ${fault} (${code}) and sends no rehearsal`, async () => {
        const { campaignId } = await seedRehearsedCampaign();
        emulator.injectFault({ endpoint: 'users.me', fault, count: 1 });

        const { summary, blocking } = await runPreflight(campaignId);

        assert.equal(summary.ok, false);
        assert.deepEqual(
          blocking.map((f) => [f.code, f.errorCode]),
          [['sender_unhealthy', code]],
        );
        const entry = xErrorCatalog[code];
        assert.ok(blocking[0]?.en.includes(entry.reason.en));
        assert.ok(blocking[0]?.en.includes(entry.remedy.en));
        assert.ok(blocking[0]?.ja.includes(entry.reason.ja));
        assert.ok(blocking[0]?.ja.includes(entry.remedy.ja));
        assert.deepEqual(emulator.sent().dms, []);
        assert.deepEqual(await rehearsalRows(campaignId), []);
      });
    }

    it('only warns when X cannot answer the health check, and still rehearses', async () => {
      const { campaignId } = await seedRehearsedCampaign({ testAccounts: [alpha!.id] });
      emulator.injectFault({ endpoint: 'users.me', fault: 'server_error', count: 1 });

      const { summary, stored } = await runPreflight(campaignId);

      assert.equal(summary.ok, true);
      assert.deepEqual(
        stored.findings.filter((f) => f.code === 'sender_health_unknown').map((f) => f.severity),
        ['warning'],
      );
      assert.equal(emulator.sent().dms.length, 2);
    });

    it('blocks launch while sending is halted on the account, without sending', async () => {
      const { accountId, campaignId } = await seedRehearsedCampaign();
      await haltAccount(testDb.db, accountId, {
        code: 'sender_automation_flagged',
        category: 'sender_restricted',
        campaignId: null,
      });

      const { summary, blocking } = await runPreflight(campaignId);

      assert.equal(summary.ok, false);
      assert.deepEqual(
        blocking.map((f) => f.code),
        ['sender_halted'],
      );
      assert.match(blocking[0]?.en ?? '', /halted.*until a person resumes it/);
      assert.ok(blocking[0]?.ja.includes(xErrorCatalog.sender_automation_flagged.reason.ja));
      assert.deepEqual(emulator.sent().dms, []);
    });

    it('blocks a DM keyword that another live campaign of the account takes in an overlapping period, naming it', async () => {
      const { accountId, campaignId: firstId } = await seedRehearsedCampaign();
      const now = new Date();
      const second = await seedCampaignWithEntries(testDb.db, {
        accountId,
        people: [],
        config: dmKeywordDrawConfig(accountId, now, {
          winners: 1,
          overrides: {
            name: 'Second campaign',
            entryRules: { all: [{ type: 'dm_keyword', keyword: '参加します' }] },
            testAccounts: [alpha!.id],
          },
        }),
      });
      const { blocking } = await runPreflight(second.id);
      const overlap = blocking.filter((f) => f.code === 'dm_keyword_overlap');
      assert.equal(overlap.length, 1, JSON.stringify(blocking));
      assert.ok(overlap[0]?.en.includes(firstId), overlap[0]?.en);
      assert.ok(overlap[0]?.ja.includes(firstId), overlap[0]?.ja);

      // Another keyword, or the same one once the first campaign's period is over, is fine.
      const later = await seedCampaignWithEntries(testDb.db, {
        accountId,
        people: [],
        config: dmKeywordDrawConfig(accountId, new Date(now.getTime() + 3_600_000), {
          winners: 1,
          overrides: { testAccounts: [alpha!.id] },
        }),
      });
      const other = await seedCampaignWithEntries(testDb.db, {
        accountId,
        people: [],
        config: dmKeywordDrawConfig(accountId, now, {
          winners: 1,
          overrides: {
            entryRules: { all: [{ type: 'dm_keyword', keyword: '応募' }] },
            testAccounts: [alpha!.id],
          },
        }),
      });
      await testDb.db
        .updateTable('campaigns')
        .set({ phase: 'cancelled' })
        .where('id', '=', second.id)
        .execute();
      for (const id of [later.id, other.id]) {
        const { blocking: none } = await runPreflight(id);
        assert.deepEqual(
          none.filter((f) => f.code === 'dm_keyword_overlap').map((f) => f.en),
          [],
          id,
        );
      }
    });

    it('blocks launch when the account is not subscribed to the webhook', async () => {
      const { campaignId } = await seedRehearsedCampaign({ testAccounts: [] });
      emulator.unsubscribe(DEMO_SENDER_USERNAME);

      const { summary, blocking } = await runPreflight(campaignId);

      assert.equal(summary.ok, false);
      assert.deepEqual(
        blocking.map((f) => [f.code, f.errorCode]),
        [['automation_disarmed', 'not_subscribed']],
      );
      assert.match(blocking[0]?.en ?? '', /@kuji_demo\S* is not subscribed.*Re-arm/);
      assert.match(blocking[0]?.ja ?? '', /@kuji_demo\S*.*再アーム/);
    });

    it('blocks launch when X refuses to show the webhook, and only warns when X is down', async () => {
      const { campaignId } = await seedRehearsedCampaign({ testAccounts: [] });

      emulator.injectFault({ endpoint: 'webhooks.list', fault: 'client_forbidden', count: 1 });
      const refused = await runPreflight(campaignId);
      emulator.injectFault({ endpoint: 'webhooks.list', fault: 'server_error', count: 1 });
      const down = await runPreflight(campaignId);

      assert.deepEqual(
        refused.blocking.map((f) => [f.code, f.errorCode]),
        [['automation_disarmed', 'auth_app_not_permitted']],
      );
      assert.ok(refused.blocking[0]?.en.includes(xErrorCatalog.auth_app_not_permitted.remedy.en));
      assert.equal(down.summary.ok, true);
      assert.deepEqual(
        down.stored.findings
          .filter((f) => f.code.startsWith('automation_'))
          .map((f) => [f.code, f.severity, f.errorCode]),
        [['automation_armed_unknown', 'warning', 'server_error']],
      );
    });

    it('adds no armed finding on polling alone, where no webhook is configured', async () => {
      const { campaignId } = await seedRehearsedCampaign({ testAccounts: [] });
      emulator.unsubscribe(DEMO_SENDER_USERNAME);

      const { stored } = await runPreflight(campaignId, activitiesFor({}));

      assert.deepEqual(
        stored.findings.filter((f) => f.code.startsWith('automation_')),
        [],
      );
      assert.equal(stored.ok, true);
      assert.deepEqual(emulator.requests({ endpoint: 'webhooks.list' }), []);
    });

    it('blocks launch when a test account is not registered for the sender, naming it, and never DMs it', async () => {
      const { accountId, campaignId } = await seedRehearsedCampaign({
        testAccounts: [alpha!.id, beta!.id],
        lose: false,
      });
      // An operator listed someone the admin never registered (or has since removed).
      await deleteTestAccount(testDb.db, accountId, beta!.id);

      const { summary, blocking } = await runPreflight(campaignId);

      assert.equal(summary.ok, false);
      assert.deepEqual(
        blocking.map((f) => [f.code, f.path]),
        [['test_account_unregistered', 'testAccounts']],
      );
      assert.ok(blocking[0]?.en.includes(beta!.id), blocking[0]?.en);
      assert.ok(blocking[0]?.ja.includes(beta!.id), blocking[0]?.ja);
      assert.ok(!blocking[0]?.en.includes(alpha!.id), 'only the unregistered one is named');
      assert.deepEqual(
        emulator.sent().dms.map((dm) => dm.recipientId),
        [alpha!.id],
        'the registered test account is rehearsed; the other gets nothing',
      );
    });

    it('blocks launch when a test account does not accept the DM, naming it and the reason', async () => {
      const { accountId, campaignId } = await seedRehearsedCampaign({
        testAccounts: [alpha!.id, closedTester.id],
        lose: false,
      });

      const { summary, stored, blocking } = await runPreflight(campaignId);

      assert.equal(summary.ok, false);
      assert.deepEqual(
        blocking.map((f) => [f.code, f.errorCode, f.path]),
        [['rehearsal_failed', 'dm_not_permitted', 'templates.win.dm']],
      );
      const reason = xErrorCatalog.dm_not_permitted.reason;
      assert.ok(blocking[0]?.en.includes(`@${closedTester.username} (${closedTester.id})`));
      assert.ok(blocking[0]?.en.includes('win DM'));
      assert.ok(blocking[0]?.en.includes(reason.en));
      assert.ok(blocking[0]?.ja.includes(reason.ja));
      assert.deepEqual(
        stored.rehearsal.map((r) => [r.testUserId, r.arrived, r.code ?? null]),
        [
          [alpha!.id, true, null],
          [closedTester.id, false, 'dm_not_permitted'],
        ],
      );
      const rows = await rehearsalRows(campaignId);
      const closedRow = rows.find((r) => r.xUserId === closedTester.id);
      assert.deepEqual(
        [closedRow?.state, closedRow?.errorCode, closedRow?.errorCategory, closedRow?.errorReason],
        ['failed', 'dm_not_permitted', 'recipient_unreachable', reason],
      );
      assert.deepEqual(
        await quotaSlots(accountId),
        [`${campaignId}:rehearsal:1:win.dm:${alpha!.id}`],
        'the refused DM gave its quota slot back',
      );
    });

    it('blocks launch when a DM X accepted is not in the conversation, or cannot be confirmed', async () => {
      const { campaignId } = await seedRehearsedCampaign({ lose: false });
      // alpha's conversation reads back empty; beta's cannot be read at all.
      emulator.injectFault({
        endpoint: 'dm.events',
        sequence: [
          { kind: 'response', status: 200, body: { meta: { result_count: 0 } } },
          'server_error',
        ],
      });

      const { blocking, stored } = await runPreflight(campaignId);

      assert.equal(emulator.sent().dms.length, 2, 'both DMs were accepted by X');
      assert.deepEqual(
        blocking.map((f) => [f.code, f.errorCode]),
        [
          ['rehearsal_failed', 'rehearsal_not_confirmed'],
          ['rehearsal_failed', 'server_error'],
        ],
      );
      assert.match(blocking[0]?.en ?? '', /@tester0 .*not in the conversation/);
      assert.match(blocking[1]?.en ?? '', /@tester1 .*could not read the conversation/);
      assert.deepEqual(
        stored.rehearsal.map((r) => [r.testUserId, r.arrived, r.code]),
        [
          [alpha!.id, false, 'rehearsal_not_confirmed'],
          [beta!.id, false, 'server_error'],
        ],
      );
    });

    it('signs the rehearsed result links with the seed it creates for a campaign without one', async () => {
      const { campaignId } = await seedRehearsedCampaign({ lose: false });
      const seedBefore = await testDb.db
        .selectFrom('campaigns')
        .select('secret_seed')
        .where('id', '=', campaignId)
        .executeTakeFirstOrThrow();
      assert.equal(seedBefore.secret_seed, null);

      const { blocking } = await runPreflight(campaignId);

      assert.deepEqual(blocking, []);
      const { secret_seed: seed } = await testDb.db
        .selectFrom('campaigns')
        .select('secret_seed')
        .where('id', '=', campaignId)
        .executeTakeFirstOrThrow();
      assert.ok(seed, 'preflight stored a seed');
      const dms = emulator.sent().dms;
      assert.equal(dms.length, 2);
      // The win DM's link is followed by its verification code line, the lose DM's ends the text.
      const linkPattern = new RegExp(
        `${PUBLIC_BASE_URL}/r/${encodeURIComponent(campaignId)}/(\\d+)/([A-Za-z0-9_-]+)(\n確認コード / Verification code: (KJ-[0-9A-Z-]+))?$`,
      );
      for (const dm of dms) {
        const [, linkedUserId, token, , code] = linkPattern.exec(dm.text) ?? [];
        assert.equal(linkedUserId, dm.recipientId, dm.text);
        assert.ok(token, dm.text);
        assert.equal(verifyResultLinkToken(seed, dm.recipientId, token), true, dm.text);
        if (code !== undefined) assert.equal(code, verificationCode(seed, dm.recipientId));
      }
    });

    it('heartbeats after each X step and each rehearsal DM, with steps and counts only', async () => {
      const { campaignId } = await seedRehearsedCampaign();

      const { progress } = await runPreflight(campaignId);

      assert.deepEqual(progress, [
        { step: 'sender_checked', round: 1 },
        { step: 'armed_checked', round: 1 },
        { step: 'test_accounts_found', round: 1 },
        { step: 'rehearsal_sent', round: 1, done: 1, of: 4 },
        { step: 'rehearsal_sent', round: 1, done: 2, of: 4 },
        { step: 'rehearsal_confirmed', round: 1, done: 1 },
        { step: 'rehearsal_sent', round: 1, done: 3, of: 4 },
        { step: 'rehearsal_sent', round: 1, done: 4, of: 4 },
        { step: 'rehearsal_confirmed', round: 1, done: 2 },
      ]);
    });

    it('runs outside an activity too, where there is nothing to heartbeat to', async () => {
      const { campaignId } = await seedRehearsedCampaign({
        testAccounts: [alpha!.id],
        lose: false,
      });
      const sentEvents: string[] = [];
      // A stand-in X: the real X activities need an activity context for their own logging.
      const standIn: PreflightX = {
        xMe: () =>
          Promise.resolve({
            id: DEMO_SENDER_USER_ID,
            username: DEMO_SENDER_USERNAME,
            name: 'Kuji',
          }),
        xArmedCheck: () =>
          Promise.resolve({
            armed: true,
            webhookId: 'wh-1',
            webhookValid: true,
            subscribed: true,
            problem: null,
          }),
        xLookupUsers: () =>
          Promise.resolve({
            users: [{ id: alpha!.id, username: alpha!.username, name: alpha!.username }],
            errors: [],
          }),
        xSendDm: () => {
          const dmEventId = `dm-${sentEvents.length + 1}`;
          sentEvents.push(dmEventId);
          return Promise.resolve({ dmEventId, reconciled: false });
        },
        xListDmEvents: () =>
          Promise.resolve({
            items: sentEvents.map((id) => ({ id, eventType: 'MessageCreate' })),
            complete: true,
            pagesRead: 1,
            partialErrors: [],
          }),
      };
      const direct = createPreflightActivities({
        db: testDb.db,
        x: standIn,
        webhookUrl,
        publicBaseUrl: PUBLIC_BASE_URL,
      });

      const summary = await direct.runPreflight({ campaignId });

      assert.equal(summary.ok, true);
      assert.deepEqual(sentEvents, ['dm-1']);
    });

    it("rehearses the example campaign's test account in the emulator's demo world", async () => {
      await emulator.loadScenario(demoScenario());
      const accountId = await seedLinkedAccount(testDb.db);
      await registerTestAccounts(
        testDb.db,
        accountId,
        exampleCampaignConfig(new Date()).testAccounts,
      );
      const campaign = await seedCampaignWithEntries(testDb.db, {
        accountId,
        config: { ...exampleCampaignConfig(new Date()), accountId },
        people: [],
      });
      const demoUsers = new Map(demoScenario().users?.map((u) => [u.id, u]));

      const { stored } = await runPreflight(campaign.id, activitiesFor({}));

      const testAccounts = exampleCampaignConfig(new Date()).testAccounts;
      assert.ok(testAccounts.length > 0);
      for (const id of testAccounts) assert.ok(demoUsers.has(id), `${id} is no demo-world user`);
      assert.deepEqual(
        stored.findings.filter((f) => f.code.startsWith('rehearsal_')),
        [],
        'the rehearsal reached the example test account',
      );
      assert.deepEqual(
        stored.rehearsal.map((r) => [r.testUserId, r.template, r.arrived]),
        testAccounts.flatMap((id) => [
          [id, 'win.dm', true],
          [id, 'lose.dm', true],
        ]),
      );
      // Follow + repost: winners are told on the campaign page, which no longer blocks launch.
      assert.deepEqual(
        stored.findings.filter((f) => f.severity === 'blocking'),
        [],
      );
      const onPage = stored.findings.find((f) => f.code === 'winners_on_result_page');
      assert.equal(onPage?.severity, 'info');
      const pageUrl = `${PUBLIC_BASE_URL}/c/${encodeURIComponent(campaign.id)}`;
      assert.ok(onPage?.ja.includes(pageUrl), onPage?.ja);
      assert.ok(onPage?.en.includes(pageUrl), onPage?.en);
    });

    it("blocks launch when the account's DM quota for the day cannot hold the rehearsal", async () => {
      const { campaignId } = await seedRehearsedCampaign({
        testAccounts: [alpha!.id],
        dmDailyCap: 1,
      });

      const { blocking, stored } = await runPreflight(campaignId);

      assert.deepEqual(
        blocking.map((f) => f.code),
        ['rehearsal_quota_full'],
      );
      assert.match(blocking[0]?.en ?? '', /1 DM\(s\).*used up \(1 of 1/);
      assert.equal(emulator.sent().dms.length, 1);
      assert.deepEqual(
        stored.rehearsal.map((r) => [r.template, r.arrived, r.code ?? null]),
        [
          ['win.dm', true, null],
          ['lose.dm', false, 'rehearsal_quota_full'],
        ],
      );
      assert.deepEqual(
        (await rehearsalRows(campaignId)).map((r) => [r.id.split(':')[3], r.state]).sort(),
        [
          ['lose.dm', 'failed'],
          ['win.dm', 'sent'],
        ],
      );
    });
  });

  describe('checkAutomationArmed and rearmAutomation', () => {
    it('report a disarmed account, re-subscribe it with a replay, and then report it armed', async () => {
      const { accountId, campaignId } = await seedRehearsedCampaign({ testAccounts: [] });
      const disarmedSince = new Date(Date.now() - 60_000).toISOString();
      emulator.unsubscribe(DEMO_SENDER_USERNAME);

      const disarmed = await inActivity(() => activities.checkAutomationArmed({ campaignId }));
      assert.equal(disarmed.armed, false);
      assert.equal(disarmed.problem?.code, 'not_subscribed');
      assert.match(disarmed.problem?.en ?? '', /not subscribed/);

      const rearmed = await inActivity(() =>
        activities.rearmAutomation({ campaignId, disarmedSince, by: 'bob' }),
      );
      assert.equal(rearmed.subscribed, true);
      assert.equal(rearmed.replayJobId, emulator.webhooks.replayJobs.at(-1)?.jobId);
      assert.deepEqual(
        emulator.requests({ endpoint: 'account_activity.subscribe' }).map((r) => r.status),
        [200],
      );

      const armed = await inActivity(() => activities.checkAutomationArmed({ campaignId }));
      assert.deepEqual(
        { armed: armed.armed, problem: armed.problem },
        { armed: true, problem: null },
      );
      const audit = await listAuditEntries(testDb.db, { campaignId, limit: 10 });
      assert.deepEqual(
        audit.map((entry) => [entry.actor, entry.action, entry.subject, entry.outcome]),
        [['bob', 'automation.rearm', accountId, 'ok']],
      );
    });

    it('count polling alone as armed, asking X nothing', async () => {
      const { campaignId } = await seedRehearsedCampaign({ testAccounts: [] });
      emulator.unsubscribe(DEMO_SENDER_USERNAME);
      const polling = activitiesFor({});

      const status = await inActivity(() => polling.checkAutomationArmed({ campaignId }));

      assert.deepEqual(
        { armed: status.armed, problem: status.problem },
        { armed: true, problem: null },
      );
      assert.deepEqual(emulator.requests({ endpoint: 'webhooks.list' }), []);
    });
  });
});
