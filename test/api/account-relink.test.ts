/**
 * Lost authorisation, end to end (API → Temporal dev server → worker → PostgreSQL → X emulator):
 * X revokes a linked account's token mid-campaign; the send's 401 disconnects the
 * account and halts it with the `auth` stop; `relink` answers a fresh authorize URL; after the
 * link is restored a person resumes, and every winner gets their DM exactly once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  answerConsent,
  DEMO_OAUTH_CLIENT,
  DEMO_SENDER_USER_ID,
  DEMO_SENDER_USERNAME,
  startXEmulator,
  type XEmulator,
} from '../../emulator';
import { type ApiHarness, startApiHarness } from '../support/api';
import {
  dmKeywordDrawConfig,
  participants,
  seedCampaignWithEntries,
  worldScenario,
} from '../support/campaign-world';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { consentAndReturn, emulatorLinking } from '../support/linking';
import { createDevServerEnv } from '../support/temporal';

interface Stop {
  id: string;
  kind: string;
  status: string;
  resolutions: string[];
  resolution: string | null;
}

describe('revoked token → auth stop → relink → resume', () => {
  let env: TestWorkflowEnvironment;
  let testDb: TestDatabase;
  let emulator: XEmulator;
  let api: ApiHarness;
  const people = participants(3, 'relk');

  before(async () => {
    [env, testDb, emulator] = await Promise.all([
      createDevServerEnv(),
      createTestDatabase(),
      startXEmulator({ port: 0 }),
    ]);
    await emulator.loadScenario(worldScenario(people));
    api = await startApiHarness(env, testDb, {
      xApiBaseUrl: emulator.url,
      xLinking: emulatorLinking(emulator, DEMO_OAUTH_CLIENT),
    });
  });
  after(async () => {
    await api?.close();
    await env?.teardown();
    await emulator?.close();
    await testDb?.close();
  });

  const post = (url: string, role: 'admin' | 'operator' | 'approver', payload: object = {}) =>
    api.app.inject({ method: 'POST', url, headers: api.auth(role), payload });

  async function get<T>(url: string): Promise<T> {
    const response = await api.app.inject({ url, headers: api.auth('viewer') });
    assert.equal(response.statusCode, 200, `${url}: ${response.body}`);
    return response.json<T>();
  }

  async function waitFor<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
    for (let attempt = 0; attempt < 400; attempt += 1) {
      const value = await probe();
      if (value !== undefined) return value;
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    throw new Error(`never saw: ${what}`);
  }

  const stopsOf = async (campaignId: string) =>
    (await get<{ interventions: Stop[] }>(`/v1/campaigns/${campaignId}/interventions`))
      .interventions;

  const dmsToPeople = () =>
    emulator.sent().dms.filter((dm) => people.some((p) => p.id === dm.recipientId));

  async function linkThroughConsent(role: 'admin') {
    const { callbackPath } = await consentAndReturn(api.app, {
      accountId: 'brand',
      adminAuth: api.auth(role),
      signInAs: DEMO_SENDER_USER_ID,
    });
    const page = await api.app.inject({ url: callbackPath });
    assert.equal(page.statusCode, 200, page.body);
  }

  it('halts on the 401, refuses to resume unlinked, relinks through X, then resumes and delivers once', async () => {
    const created = await post('/v1/accounts', 'admin', { id: 'brand', handle: 'brand_shell' });
    assert.equal(created.statusCode, 201, created.body);
    await linkThroughConsent('admin');

    const now = Date.now();
    const campaign = await seedCampaignWithEntries(testDb.db, {
      accountId: 'brand',
      people,
      author: 'operator',
      config: dmKeywordDrawConfig('brand', new Date(now), {
        winners: people.length,
        overrides: {
          schedule: {
            startAt: new Date(now).toISOString(),
            endAt: new Date(now + 3_000).toISOString(),
            timezone: 'Asia/Tokyo',
          },
          pacing: { minGapSeconds: 0, jitterSeconds: 0 },
        },
      }),
    });
    const started = await post(`/v1/campaigns/${campaign.id}/start`, 'operator');
    assert.equal(started.statusCode, 202, started.body);
    await waitFor('awaiting approval', async () => {
      const detail = await get<{ workflow: { state: { phase: string } | null } | null }>(
        `/v1/campaigns/${campaign.id}`,
      );
      return detail.workflow?.state?.phase === 'awaiting_approval' ? true : undefined;
    });

    // The brand removes Kuji from its X account while the first DM is on its way: X revokes
    // every token of the user and answers that send 401.
    emulator.injectFault({ endpoint: 'dm.send', user: DEMO_SENDER_USERNAME, fault: 'revoked' });
    const approved = await post(`/v1/campaigns/${campaign.id}/approve`, 'approver');
    assert.equal(approved.statusCode, 200, approved.body);

    const stop = await waitFor('the auth stop', async () =>
      (await stopsOf(campaign.id)).find((s) => s.kind === 'sender_halted' && s.status === 'open'),
    );
    assert.deepEqual(stop.resolutions, ['resume', 'cancel', 'relink']);
    const halted = await get<{
      account: { status: string; halt: { category: string } | null };
    }>('/v1/accounts/brand');
    assert.equal(halted.account.status, 'disconnected');
    assert.equal(halted.account.halt?.category, 'auth');
    assert.equal(dmsToPeople().length, 0, 'nothing went out with the revoked token');

    // Resuming an account X no longer accepts would only fail again.
    const early = await post('/v1/accounts/brand/resume', 'operator');
    assert.equal(early.statusCode, 409, early.body);
    assert.equal(early.json<{ code: string }>().code, 'account_disconnected');

    // The stop's `relink` answers X's consent screen for the account; the stop stays open.
    const relink = await post(
      `/v1/campaigns/${campaign.id}/interventions/${stop.id}/resolve`,
      'operator',
      { resolution: 'relink' },
    );
    assert.equal(relink.statusCode, 200, relink.body);
    const { authorizeUrl, intervention } = relink.json<{
      authorizeUrl: string;
      intervention: Stop;
    }>();
    assert.equal(intervention.status, 'open');
    const { callbackUrl } = await answerConsent(authorizeUrl, {
      userId: DEMO_SENDER_USER_ID,
      decision: 'allow',
    });
    const url = new URL(callbackUrl);
    const page = await api.app.inject({ url: `${url.pathname}${url.search}` });
    assert.equal(page.statusCode, 200, page.body);
    const relinked = await get<{ account: { status: string; linked: boolean } }>(
      '/v1/accounts/brand',
    );
    assert.deepEqual([relinked.account.status, relinked.account.linked], ['active', true]);
    assert.equal(dmsToPeople().length, 0, 'a new link alone does not resume sending');

    const resumed = await post('/v1/accounts/brand/resume', 'operator');
    assert.equal(resumed.statusCode, 200, resumed.body);
    assert.deepEqual(resumed.json<{ resumedCampaigns: string[] }>().resumedCampaigns, [
      campaign.id,
    ]);
    await waitFor('completion', async () => {
      const detail = await get<{ campaign: { phase: string } }>(`/v1/campaigns/${campaign.id}`);
      return detail.campaign.phase === 'completed' ? true : undefined;
    });
    assert.deepEqual(
      dmsToPeople()
        .map((dm) => dm.recipientId)
        .sort(),
      people.map((p) => p.id).sort(),
      'every winner DMed exactly once, with the new token',
    );
    const resolved = (await stopsOf(campaign.id)).find((s) => s.id === stop.id);
    assert.deepEqual([resolved?.status, resolved?.resolution], ['resolved', 'resume']);
  });
});
