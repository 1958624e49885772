/**
 * account-halt: two campaigns send from one account; mid-send X revokes the account's token, and
 * later answers a 226 ("looks automated"). Each time sending must halt on the whole account
 * (neither campaign sends more, each opens a stop) until a person acts through Kuji's API as the
 * real remedy goes: re-link the account through X's consent screen, then resume it; after the
 * 226, resume it. In the end every winner of both campaigns has exactly one DM.
 *
 * On the Temporal CLI dev server with the API in process, the worker and the X emulator, all on
 * wall time: the halt is judged by the instants X saw sends at against the instant Kuji recorded
 * the halt.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { findAccountById } from '../db/repositories/accounts';
import { listEntries } from '../db/repositories/entries';
import {
  answerConsent,
  DEMO_OAUTH_CLIENT,
  DEMO_SENDER_USER_ID,
  DEMO_SENDER_USERNAME,
  startXEmulator,
  type XEmulator,
} from '../emulator';
import { type ApiHarness, startApiHarness } from '../test/support/api';
import {
  dmKeywordDrawConfig,
  type Participant,
  participants,
  seedCampaignWithEntries,
  worldScenario,
} from '../test/support/campaign-world';
import { createTestDatabase, type TestDatabase } from '../test/support/database';
import { consentAndReturn, emulatorLinking } from '../test/support/linking';
import { createDevServerEnv } from '../test/support/temporal';
import { seededRandom } from '../domain/seeded-random';
import {
  acceptedAfterRefusal,
  haltStopFailures,
  type HaltStop,
  sendsWhileHalted,
} from './account-halt-judge';
import type { Drill, DrillContext, DrillOutcome } from './drill';
import { exactlyOnceFailures, judgeExactlyOnce } from './judge';
import { pause, waitFor } from './until-aborted';

const ACCOUNT = 'brand';
const PER_CAMPAIGN = 30;
/** A send already past its halt check when the halt was recorded may still reach X this late. */
const GRACE_MS = 500;
/** How long the drill watches a halted account for sends before a person acts. */
const HOLD_MS = 4_000;
const WAIT_MS = 60_000;

interface Account {
  status: string;
  linked: boolean;
  halt: { category: string; code: string } | null;
}

class HaltDrill {
  constructor(
    private readonly api: ApiHarness,
    private readonly testDb: TestDatabase,
    private readonly emulator: XEmulator,
    private readonly signal: AbortSignal,
  ) {}

  async post(url: string, role: 'admin' | 'operator' | 'approver', payload: object = {}) {
    const response = await this.api.app.inject({
      method: 'POST',
      url,
      headers: this.api.auth(role),
      payload,
    });
    if (response.statusCode >= 300)
      throw new Error(`POST ${url}: ${response.statusCode} ${response.body}`);
    return response.json<Record<string, unknown>>();
  }

  async get<T>(url: string): Promise<T> {
    const response = await this.api.app.inject({ url, headers: this.api.auth('viewer') });
    if (response.statusCode !== 200)
      throw new Error(`GET ${url}: ${response.statusCode} ${response.body}`);
    return response.json<T>();
  }

  account = async () => (await this.get<{ account: Account }>(`/v1/accounts/${ACCOUNT}`)).account;

  stops = async (campaignId: string) =>
    (
      await this.get<{ interventions: Omit<HaltStop, 'campaignId'>[] }>(
        `/v1/campaigns/${campaignId}/interventions`,
      )
    ).interventions.map((stop) => ({ ...stop, campaignId }));

  until<T>(what: string, probe: () => Promise<T | undefined>) {
    return waitFor(what, probe, { signal: this.signal, timeoutMs: WAIT_MS });
  }

  /** The person links the account through X's consent screen, as the console's button does. */
  async followConsent(authorizeUrl: string) {
    const { callbackUrl } = await answerConsent(authorizeUrl, {
      userId: DEMO_SENDER_USER_ID,
      decision: 'allow',
    });
    const url = new URL(callbackUrl);
    const page = await this.api.app.inject({ url: `${url.pathname}${url.search}` });
    if (page.statusCode !== 200) throw new Error(`callback: ${page.statusCode}`);
  }

  /**
   * Waits for the account's halt of `category` and an open sender_halted stop on every campaign,
   * then watches for sends while halted. Answers the halt's instant and the stops.
   */
  async awaitHalt(category: string, campaignIds: string[], known: Set<string>) {
    await this.until(`a ${category} halt of the account`, async () =>
      (await this.account()).halt?.category === category ? true : undefined,
    );
    const stops = await this.until('a sender_halted stop on every campaign', async () => {
      const open = [];
      for (const id of campaignIds) {
        const stop = (await this.stops(id)).find(
          (s) => s.kind === 'sender_halted' && s.status === 'open' && !known.has(s.id),
        );
        if (!stop) return undefined;
        open.push(stop);
      }
      return open;
    });
    for (const stop of stops) known.add(stop.id);
    const haltedAt = (await findAccountById(this.testDb.db, ACCOUNT))?.haltedAt;
    if (!haltedAt) throw new Error('the account lost its halt before anyone resumed it');
    await pause(HOLD_MS, this.signal);
    return { haltedAtMs: haltedAt.getTime(), stops };
  }

  sendsSince(haltedAtMs: number) {
    return sendsWhileHalted(this.emulator.requests({ endpoint: 'dm.send' }), {
      haltedAtMs,
      resumedAtMs: Date.now(),
      graceMs: GRACE_MS,
    });
  }
}

export async function runAccountHalt(context: DrillContext): Promise<DrillOutcome> {
  const { signal, seed } = context;
  const progress = (message: string) => context.progress(message);
  progress('starting the Temporal dev server, PostgreSQL and the X emulator');
  const emulator = await startXEmulator({ port: 0 });
  let env: TestWorkflowEnvironment | undefined;
  let testDb: TestDatabase | undefined;
  let api: ApiHarness | undefined;
  try {
    [env, testDb] = await Promise.all([createDevServerEnv(), createTestDatabase()]);
    const people = participants(PER_CAMPAIGN * 2, 'halt');
    const audiences: Participant[][] = [people.slice(0, PER_CAMPAIGN), people.slice(PER_CAMPAIGN)];
    await emulator.loadScenario({ ...worldScenario(people), seed });
    progress('bundling the workflows; the API and a worker');
    api = await startApiHarness(env, testDb, {
      taskQueue: 'drill-account-halt',
      xApiBaseUrl: emulator.url,
      xLinking: emulatorLinking(emulator, DEMO_OAUTH_CLIENT),
    });
    const drill = new HaltDrill(api, testDb, emulator, signal);
    await drill.post('/v1/accounts', 'admin', { id: ACCOUNT, handle: 'brand_shell' });
    const { callbackPath } = await consentAndReturn(api.app, {
      accountId: ACCOUNT,
      adminAuth: api.auth('admin'),
      signInAs: DEMO_SENDER_USER_ID,
    });
    await api.app.inject({ url: callbackPath });

    const now = Date.now();
    const campaigns = [];
    // Each campaign its own keyword: one account's campaigns may not share one (preflight).
    const keywords = ['参加', '応募'];
    for (const [i, audience] of audiences.entries()) {
      const keyword = keywords[i] ?? '参加';
      campaigns.push(
        await seedCampaignWithEntries(testDb.db, {
          accountId: ACCOUNT,
          people: audience,
          author: 'operator',
          text: `${keyword}します`,
          config: dmKeywordDrawConfig(ACCOUNT, new Date(now), {
            winners: audience.length,
            overrides: {
              entryRules: { all: [{ type: 'dm_keyword', keyword }] },
              schedule: {
                startAt: new Date(now).toISOString(),
                endAt: new Date(now + 3_000).toISOString(),
                timezone: 'Asia/Tokyo',
              },
              pacing: { minGapSeconds: 0, jitterSeconds: 0 },
            },
          }),
        }),
      );
    }
    const ids = campaigns.map((c) => c.id);
    for (const id of ids) await drill.post(`/v1/campaigns/${id}/start`, 'operator');
    for (const id of ids)
      await drill.until(`${id} awaiting approval`, async () => {
        const detail = await drill.get<{ workflow: { state: { phase: string } | null } | null }>(
          `/v1/campaigns/${id}`,
        );
        return detail.workflow?.state?.phase === 'awaiting_approval' ? true : undefined;
      });

    // Seeded moments: the token is revoked on the k-th send, the 226 on the j-th after the resume.
    const random = seededRandom(seed);
    const revokeAt = 5 + Math.floor(random() * 10);
    const flaggedAt = 3 + Math.floor(random() * 8);
    const pass = (n: number) => Array.from({ length: n }, () => 'pass' as const);
    emulator.injectFault({
      endpoint: 'dm.send',
      user: DEMO_SENDER_USERNAME,
      sequence: [...pass(revokeAt - 1), 'revoked'],
    });
    for (const id of ids) await drill.post(`/v1/campaigns/${id}/approve`, 'approver');
    progress(`approved both; X revokes the token on send ${revokeAt}`);

    const known = new Set<string>();
    const revoked = await drill.awaitHalt('auth', ids, known);
    const sentAtRevoke = emulator.sent().dms.length;
    const whileRevoked = drill.sendsSince(revoked.haltedAtMs);
    progress(`halted (auth) after ${sentAtRevoke} DMs; the person re-links the account`);
    const stop = revoked.stops[0] as HaltStop;
    const relink = await drill.post(
      `/v1/campaigns/${stop.campaignId}/interventions/${stop.id}/resolve`,
      'operator',
      { resolution: 'relink' },
    );
    await drill.followConsent(String(relink.authorizeUrl));
    const racedAuth = acceptedAfterRefusal(
      emulator.requests({ endpoint: 'dm.send' }),
      'revoked',
      Date.now(),
    );
    const relinked = await drill.account();
    if (relinked.status !== 'active' || !relinked.linked)
      throw new Error(`the account is ${relinked.status} after re-linking`);
    emulator.injectFault({
      endpoint: 'dm.send',
      user: DEMO_SENDER_USERNAME,
      sequence: [...pass(flaggedAt - 1), 'automated'],
    });
    const firstResume = await drill.post(`/v1/accounts/${ACCOUNT}/resume`, 'operator');
    progress(`resumed; X answers 226 on send ${flaggedAt} after it`);

    const flagged = await drill.awaitHalt('sender_restricted', ids, known);
    const sentAtFlag = emulator.sent().dms.length;
    const whileFlagged = drill.sendsSince(flagged.haltedAtMs);
    progress(`halted (226) after ${sentAtFlag} DMs; the person resumes once X lifts it`);
    const raced226 = acceptedAfterRefusal(
      emulator.requests({ endpoint: 'dm.send' }),
      'automated',
      Date.now(),
    );
    const secondResume = await drill.post(`/v1/accounts/${ACCOUNT}/resume`, 'operator');

    for (const id of ids)
      await drill.until(`${id} completed`, async () => {
        const detail = await drill.get<{ campaign: { phase: string } }>(`/v1/campaigns/${id}`);
        return detail.campaign.phase === 'completed' ? true : undefined;
      });

    const failures: string[] = [];
    const winners: string[] = [];
    for (const id of ids)
      winners.push(
        ...(await listEntries(testDb.db, id, { outcome: 'won', limit: 10_000 })).map(
          (e) => e.xUserId,
        ),
      );
    if (winners.length !== people.length || winners.some((w) => !people.some((p) => p.id === w)))
      failures.push(
        `${winners.length} winners in PostgreSQL, the scenario made ${people.length} entrants who all win / 当選者の不一致`,
      );
    const verdict = judgeExactlyOnce(emulator.sent().dms, DEMO_SENDER_USER_ID, winners);
    failures.push(...exactlyOnceFailures(verdict));
    for (const [label, sends] of [
      ['revoked token', whileRevoked],
      ['226', whileFlagged],
    ] as const)
      if (sends.length > 0)
        failures.push(
          `${sends.length} DM send(s) reached X while the account was halted (${label}) / 停止中の送信`,
        );
    for (const [label, resumed] of [
      ['first', firstResume],
      ['second', secondResume],
    ] as const) {
      const list = (resumed.resumedCampaigns as string[] | undefined) ?? [];
      if (ids.some((id) => !list.includes(id)))
        failures.push(`the ${label} resume resumed ${list.join(', ') || 'nothing'} / 再開漏れ`);
    }
    const allStops = [];
    for (const id of ids) allStops.push(...(await drill.stops(id)));
    failures.push(...haltStopFailures(ids, allStops, 2));
    if (sentAtRevoke >= winners.length || sentAtFlag >= winners.length)
      failures.push(
        'a halt came after every DM was sent: nothing was halted mid-send / 送信中に停止せず',
      );
    return {
      passed: failures.length === 0,
      figures: {
        campaigns: ids.length,
        winners: winners.length,
        dmsSent: verdict.sent,
        revokedAtSend: revokeAt,
        dmsBeforeAuthHalt: sentAtRevoke,
        dmsBefore226Halt: sentAtFlag,
        sendsWhileHalted: whileRevoked.length + whileFlagged.length,
        acceptedAfterRefusal: `${racedAuth}+${raced226}`,
        stops: allStops.filter((s) => s.kind === 'sender_halted').length,
      },
      failures,
    };
  } finally {
    await api?.close().catch(() => undefined);
    await env?.teardown().catch(() => undefined);
    await emulator.close();
    await testDb?.close();
  }
}

export const accountHaltDrill: Drill = {
  name: 'account-halt',
  summary:
    'a revoked token, then a 226, mid-send on an account with two campaigns: the whole account halts until a person re-links / resumes; every winner gets one DM / アカウント停止と再開',
  budgetSeconds: 180,
  run: runAccountHalt,
};
