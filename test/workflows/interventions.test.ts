/**
 * People in the loop on the time-skipping server: each intervention opens, blocks what it must,
 * and resolves; pause, resume and resend behave as operators expect. Real DMs go through
 * twitter-api-v2 to the X emulator; PostgreSQL holds interventions, deliveries and the audit log.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type WorkflowHandle, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { findAccountById } from '../../db/repositories/accounts';
import { findCampaignById, updateCampaignConfig } from '../../db/repositories/campaigns';
import { listDeliveries } from '../../db/repositories/deliveries';
import { insertEntryEvents } from '../../db/repositories/entries';
import { listInterventions, openIntervention } from '../../db/repositories/interventions';
import type { CampaignConfigInput } from '../../domain/campaign-config';
import { campaignPhases, type CampaignPhase } from '../../domain/phases';
import { campaignV2 } from '../../workflows';
import {
  approveSignal,
  approveUpdate,
  cancelSignal,
  configChangedUpdate,
  entriesArrivedSignal,
  interventionOpenedSignal,
  pauseSignal,
  reportMisdeliveryUpdate,
  resendUpdate,
  type ResolveInterventionUpdateInput,
  resumeSignal,
  statusQuery,
} from '../../workflows/messages';
import {
  CampaignIdKey,
  campaignWorkflowId,
  NeedsAttentionKey,
} from '../../workflows/search-attributes';
import { applyAction, DEMO_SENDER_USERNAME, startXEmulator, type XEmulator } from '../../emulator';
import {
  dmKeywordDrawConfig,
  type Participant,
  participants,
  seedCampaignWithEntries,
  seedLinkedAccount,
  worldScenario,
} from '../support/campaign-world';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { testCredentialsKey, seedApprovers } from '../support/fixtures';
import { runScenario } from '../support/scenario';
import {
  testActivities,
  createTimeSkippingEnv,
  resolveClearOfTimers,
  stepPastDueTimers,
  workflowBundle,
  testWorker,
} from '../support/temporal';

type Handle = WorkflowHandle<typeof campaignV2>;

/** Real time one scenario may take before it fails with what its workflows were doing. */
const SCENARIO_DEADLINE_MS = 150_000;

describe('campaign workflow people in the loop', () => {
  let env: TestWorkflowEnvironment;
  let testDb: TestDatabase;
  let emulator: XEmulator;
  let queue = 0;

  before(async () => {
    [env, testDb, emulator] = await Promise.all([
      createTimeSkippingEnv(),
      createTestDatabase(),
      startXEmulator({ port: 0 }),
    ]);
    await seedApprovers(testDb.db);
  });
  after(async () => {
    await env?.teardown();
    await emulator?.close();
    await testDb?.close();
  });

  /** A worker with the real activities; `onSend` runs after each DM X accepted. */
  async function runWorker<T>(
    work: (taskQueue: string) => Promise<T>,
    onSend?: (sent: number) => Promise<void>,
  ): Promise<T> {
    queue += 1;
    const taskQueue = `people-${queue}`;
    let sent = 0;
    const worker = await testWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      activities: testActivities({
        db: testDb.db,
        credentialsKey: testCredentialsKey,
        xApiBaseUrl: emulator.url,
        publicBaseUrl: 'http://kuji.test',
        interposeX: (x) => ({
          ...x,
          xSendDm: async (input) => {
            const result = await x.xSendDm(input);
            sent += 1;
            await onSend?.(sent);
            return result;
          },
        }),
      }),
      workflowBundle: await workflowBundle(),
    });
    started = [];
    return runScenario(
      worker,
      { deadlineMs: SCENARIO_DEADLINE_MS, handles: () => started, env },
      () => work(taskQueue),
    );
  }

  /** The workflows the running test started: described if it fails, terminated when it ends. */
  let started: Handle[] = [];

  async function startCampaign(campaignId: string, accountId: string, taskQueue: string) {
    const handle = await env.client.workflow.start(campaignV2, {
      workflowId: campaignWorkflowId(campaignId),
      taskQueue,
      args: [{ campaignId, accountId, author: 'alice' }],
      typedSearchAttributes: [{ key: CampaignIdKey, value: campaignId }],
    });
    started.push(handle);
    return handle;
  }

  /**
   * Probes until `probe` answers. Time moves on (skipped) between probes, so pacing gaps and
   * timers pass; every state waited for here holds until a person acts.
   */
  async function waitFor<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
    for (let attempt = 0; attempt < 300; attempt += 1) {
      const value = await probe();
      if (value !== undefined) return value;
      await env.sleep('5 seconds');
    }
    throw new Error(`never saw: ${what}`);
  }

  async function waitForPhase(handle: Handle, phase: CampaignPhase) {
    return waitFor(`phase ${phase}`, async () => {
      const status = await handle.query(statusQuery);
      return campaignPhases.indexOf(status.phase) >= campaignPhases.indexOf(phase)
        ? status
        : undefined;
    });
  }

  const resolve = (handle: Handle, args: ResolveInterventionUpdateInput) =>
    resolveClearOfTimers(env, handle, args);

  async function approve(handle: Handle) {
    await waitForPhase(handle, 'awaiting_approval');
    await handle.executeUpdate(approveUpdate, { args: [{ by: 'bob' }] });
  }

  /** Waits until the workflow holds an open intervention of `kind`; returns its id. */
  async function openStop(handle: Handle, kind: string): Promise<string> {
    return waitFor(`open ${kind}`, async () => {
      const status = await handle.query(statusQuery);
      return status.interventions?.find((i) => i.kind === kind)?.id;
    });
  }

  /** The test server's clock: ahead of the wall clock once earlier tests skipped time. */
  async function serverNow(): Promise<Date> {
    return new Date(await env.currentTimeMs());
  }

  function dmsTo(people: Participant[]) {
    const ids = new Set(people.map((p) => p.id));
    return emulator.sent().dms.filter((dm) => ids.has(dm.recipientId));
  }

  async function seedDrawn(
    people: Participant[],
    winners: number,
    overrides: Partial<CampaignConfigInput> = {},
    options: { closedDms?: string[]; accountId?: string } = {},
  ) {
    if (!options.accountId) await emulator.loadScenario(worldScenario(people, options));
    const accountId = options.accountId ?? (await seedLinkedAccount(testDb.db));
    const campaign = await seedCampaignWithEntries(testDb.db, {
      accountId,
      people,
      config: dmKeywordDrawConfig(accountId, await serverNow(), { winners, overrides }),
    });
    return { accountId, campaign };
  }

  const refusalOf = async (promise: Promise<unknown>) => {
    try {
      await promise;
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
        return { code: error.cause.type, message: error.cause.message };
      }
      throw error;
    }
    assert.fail('the update was accepted');
  };

  /**
   * An instant-win DM-keyword campaign of one prize. With a one-minute window (the default) the
   * win odds, paced by stock over expected entries, stay at 1: every entrant wins while stock lasts.
   */
  function instantWinConfig(
    accountId: string,
    nowMs: number,
    options: { stock: number; windowMs?: number; lose?: string },
  ): CampaignConfigInput {
    const { draw: _draw, ...drawn } = dmKeywordDrawConfig(accountId, new Date(nowMs), {
      winners: options.stock,
    }) as Extract<CampaignConfigInput, { kind: 'drawn' }>;
    return {
      ...drawn,
      kind: 'instant_win',
      schedule: {
        startAt: new Date(nowMs + 60_000).toISOString(),
        endAt: new Date(nowMs + 60_000 + (options.windowMs ?? 60_000)).toISOString(),
        timezone: 'Asia/Tokyo',
      },
      prizes: [{ id: 'gift', name: 'ギフト券', stock: options.stock, valueYen: 500, odds: 1 }],
      templates: {
        win: { dm: '{name}さん、当選です！{resultUrl}' },
        lose: options.lose ? { dm: options.lose } : {},
      },
    };
  }

  it('records approval as an intervention, refuses the author, and resolves it with the approver', async () => {
    const people = participants(2, 'approval');
    const { accountId, campaign } = await seedDrawn(people, 2);
    await runWorker(async (taskQueue) => {
      const handle = await startCampaign(campaign.id, accountId, taskQueue);
      const waiting = await waitForPhase(handle, 'awaiting_approval');
      assert.equal(waiting.needsAttention, true);
      assert.deepEqual(
        waiting.interventions?.map((i) => [i.kind, i.blocks]),
        [['approval', 'launch']],
      );
      const refusal = await refusalOf(
        handle.executeUpdate(approveUpdate, { args: [{ by: 'alice' }] }),
      );
      assert.equal(refusal.code, 'author_cannot_approve');
      await handle.executeUpdate(approveUpdate, { args: [{ by: 'bob' }] });
      const done = await handle.result();
      assert.equal(done.report?.delivered, 2);
      const late = await refusalOf(
        env.client.workflow
          .getHandle(campaignWorkflowId(campaign.id))
          .executeUpdate(approveUpdate, { args: [{ by: 'carol' }] }),
      ).catch((error: unknown) => ({ code: (error as Error).name, message: '' }));
      assert.ok(late.code, 'a closed campaign takes no approval');
    });
    const [approval] = await listInterventions(testDb.db, { campaignId: campaign.id });
    assert.equal(approval?.kind, 'approval');
    assert.equal(approval?.resolution, 'approved');
    assert.equal(approval?.resolvedBy, 'bob');
    assert.ok(approval?.resolvedAt instanceof Date);
  });

  it('stops sending within one pacing interval of a pause and resumes where it stopped', async () => {
    const people = participants(6, 'pause');
    const { accountId, campaign } = await seedDrawn(people, 6, {
      pacing: { minGapSeconds: 60, jitterSeconds: 5 },
    });
    let handle: Handle | undefined;
    await runWorker(
      async (taskQueue) => {
        handle = await startCampaign(campaign.id, accountId, taskQueue);
        await approve(handle);
        const paused = await waitFor('paused after 2 sends', async () => {
          const status = await handle!.query(statusQuery);
          return status.paused && status.counts.sent === 2 ? status : undefined;
        });
        assert.equal(paused.phase, 'delivering');
        // Hours of (skipped) time while paused: nothing more goes out.
        await env.sleep('6 hours');
        assert.equal(dmsTo(people).length, 2, 'the send in flight was the last one');
        await handle.signal(resumeSignal, { by: 'olivia' });
        const result = await handle.result();
        assert.equal(result.report?.delivered, 6);
      },
      async (sent) => {
        // The pause arrives while the 2nd DM is in flight.
        if (sent === 2) await handle!.signal(pauseSignal, { by: 'olivia', reason: 'check text' });
      },
    );
    assert.equal(dmsTo(people).length, 6, 'each winner got exactly one DM');
    const audit = await testDb.db
      .selectFrom('audit_log')
      .select(['actor', 'action', 'outcome'])
      .where('campaign_id', '=', campaign.id)
      .where('action', 'in', ['campaign.pause', 'campaign.resume'])
      .orderBy('id')
      .execute();
    assert.deepEqual(
      audit.map((a) => `${a.actor}:${a.action}:${a.outcome}`),
      ['olivia:campaign.pause:ok', 'olivia:campaign.resume:ok'],
    );
  });

  it('stops on a misdelivery and sends the approved follow-up only to the wrong message’s recipients', async () => {
    const people = participants(6, 'wrong');
    const { accountId, campaign } = await seedDrawn(people, 6);
    let handle: Handle | undefined;
    await runWorker(
      async (taskQueue) => {
        handle = await startCampaign(campaign.id, accountId, taskQueue);
        await approve(handle);
        const stopId = await openStop(handle, 'misdelivery');
        await env.sleep('2 hours');
        const stopped = await handle.query(statusQuery);
        assert.equal(stopped.counts.sent, 3, 'sending stopped after the send in flight');
        assert.equal(stopped.needsAttention, true);
        // A resume does not answer a misdelivery: the follow-up must be decided.
        await handle.signal(resumeSignal, { by: 'carol' });
        await env.sleep('1 hour');
        assert.equal((await handle.query(statusQuery)).counts.sent, 3);
        const selfApproval = await refusalOf(
          resolve(handle, { by: 'carol', interventionId: stopId, resolution: 'send_follow_up' }),
        );
        assert.equal(selfApproval.code, 'reporter_cannot_approve');
        const wrongResolution = await refusalOf(
          resolve(handle, { by: 'dave', interventionId: stopId, resolution: 'add_stock' }),
        );
        assert.equal(wrongResolution.code, 'resolution_not_allowed');
        const resolved = await resolve(handle, {
          by: 'dave',
          interventionId: stopId,
          resolution: 'send_follow_up',
        });
        assert.equal(resolved.queued, 3);
        const result = await handle.result();
        assert.equal(result.report?.delivered, 9);
      },
      async (sent) => {
        if (sent === 3) {
          await handle!.executeUpdate(reportMisdeliveryUpdate, {
            args: [
              {
                by: 'carol',
                reason: 'wrong prize name',
                selector: {},
                followUpText:
                  '{name}さん、先ほどのDMの賞品名に誤りがありました。お詫びして訂正します。',
              },
            ],
          });
        }
      },
    );
    const followUps = emulator
      .sent()
      .dms.filter((dm) => dm.text.includes('訂正'))
      .map((dm) => dm.recipientId)
      .sort();
    const firstThree = (
      await listDeliveries(testDb.db, { campaignId: campaign.id, state: 'sent', limit: 20 })
    )
      .filter((d) => d.kind === 'win')
      .sort((a, b) => (a.sentAt?.getTime() ?? 0) - (b.sentAt?.getTime() ?? 0))
      .slice(0, 3)
      .map((d) => d.xUserId)
      .sort();
    assert.deepEqual(followUps, firstThree);
    const [stop] = await listInterventions(testDb.db, {
      campaignId: campaign.id,
      kind: 'misdelivery',
    });
    assert.deepEqual(
      [stop?.openedBy, stop?.resolution, stop?.resolvedBy],
      ['carol', 'send_follow_up', 'dave'],
    );
  });

  it('halts every campaign on the account when X says the sender looks automated (226)', async () => {
    const people = participants(4, 'first');
    const others = participants(2, 'second').map((p, i) => ({
      ...p,
      id: String(1910000000000000000n + BigInt(i)),
    }));
    await emulator.loadScenario(worldScenario([...people, ...others]));
    const accountId = await seedLinkedAccount(testDb.db);
    const { campaign: first } = await seedDrawn(people, 4, {}, { accountId });
    // The second campaign delivers after the first was halted: it never sends concurrently.
    const now = (await serverNow()).getTime();
    const later = (minutes: number) => new Date(now + minutes * 60_000).toISOString();
    const { campaign: second } = await seedDrawn(
      others,
      2,
      { schedule: { startAt: later(11), endAt: later(12), timezone: 'Asia/Tokyo' } },
      { accountId },
    );
    await runWorker(
      async (taskQueue) => {
        const a = await startCampaign(first.id, accountId, taskQueue);
        await approve(a);
        const b = await startCampaign(second.id, accountId, taskQueue);
        await approve(b);
        const aStop = await openStop(a, 'sender_halted');
        assert.ok((await findAccountById(testDb.db, accountId))?.halt, 'the account is halted');
        const bStop = await openStop(b, 'sender_halted');
        await env.sleep('1 hour');
        assert.equal(
          (await b.query(statusQuery)).counts.sent,
          0,
          'the other campaign sent nothing',
        );
        assert.equal(dmsTo(others).length, 0);

        for (const [handle, id] of [
          [a, aStop],
          [b, bStop],
        ] as const) {
          await resolve(handle, {
            by: 'olivia',
            interventionId: id,
            resolution: 'resume',
            note: 'unlocked',
          });
        }
        assert.equal((await a.result()).report?.delivered, 4);
        assert.equal((await b.result()).report?.delivered, 2);
      },
      (sent) => {
        if (sent === 2) emulator.injectFault({ endpoint: 'dm.send', fault: 'automated', count: 1 });
        return Promise.resolve();
      },
    );
    assert.equal((await findAccountById(testDb.db, accountId))?.halt, null);
    assert.equal(dmsTo(people).length, 4);
    assert.equal(dmsTo(others).length, 2);
  });

  it('stops when too many recent sends fail and goes on after a resume', async () => {
    const people = participants(8, 'rate');
    const closed = people.slice(0, 3).map((p) => p.id);
    const { accountId, campaign } = await seedDrawn(
      people,
      8,
      { safety: { errorRateThreshold: 0.5, errorRateWindow: 4, errorRateMinAttempts: 4 } },
      { closedDms: closed },
    );
    await runWorker(async (taskQueue) => {
      const handle = await startCampaign(campaign.id, accountId, taskQueue);
      await approve(handle);
      await openStop(handle, 'error_rate');
      await env.sleep('1 hour');
      const stopped = await handle.query(statusQuery);
      assert.equal(stopped.counts.sent + stopped.counts.failed, 4);
      await handle.signal(resumeSignal, { by: 'olivia', reason: 'closed DMs are expected' });
      const result = await handle.result();
      assert.equal((result.report?.delivered ?? 0) + (result.report?.failed ?? 0), 8);
    });
    const [stop] = await listInterventions(testDb.db, {
      campaignId: campaign.id,
      kind: 'error_rate',
    });
    assert.deepEqual([stop?.resolution, stop?.resolvedBy], ['resume', 'olivia']);
  });

  it('holds entries back when instant-win stock runs out until stock is added', async () => {
    const first = participants(3, 'early');
    const late = participants(3, 'late').map((p, i) => ({
      ...p,
      id: String(1900000000000000000n + BigInt(i)),
    }));
    await emulator.loadScenario(worldScenario([...first, ...late]));
    const accountId = await seedLinkedAccount(testDb.db);
    const now = (await serverNow()).getTime();
    const campaign = await seedCampaignWithEntries(testDb.db, {
      accountId,
      people: first,
      config: instantWinConfig(accountId, now, { stock: 2 }),
    });
    await runWorker(async (taskQueue) => {
      const handle = await startCampaign(campaign.id, accountId, taskQueue);
      await approve(handle);
      const stopId = await openStop(handle, 'stock_exhausted');
      await insertEntryEvents(
        testDb.db,
        late.map((p, i) => ({
          campaignId: campaign.id,
          xEventId: `late-${i}`,
          source: 'dm_keyword' as const,
          xUserId: p.id,
          username: p.username,
          text: '参加します',
          receivedVia: 'webhook' as const,
        })),
      );
      await handle.signal(entriesArrivedSignal);
      await env.sleep('10 seconds');
      const held = await testDb.db
        .selectFrom('entry_events')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('campaign_id', '=', campaign.id)
        .where('processed_at', 'is', null)
        .executeTakeFirstOrThrow();
      assert.equal(Number(held.n), 3, 'late entries wait, stored, for a decision');
      await resolve(handle, {
        by: 'olivia',
        interventionId: stopId,
        resolution: 'add_stock',
        stock: [{ prizeId: 'gift', amount: 3 }],
      });
      // Added stock is a change of the configuration: preflight, then a second approval by
      // someone other than who added it, before any held entry is decided.
      const round2 = await waitFor('back to approval for the added stock', async () => {
        const status = await handle.query(statusQuery);
        return status.phase === 'awaiting_approval' && status.approvalRound === 2
          ? status
          : undefined;
      });
      assert.equal(round2.approvedBy, null);
      const stillHeld = await testDb.db
        .selectFrom('entry_events')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('campaign_id', '=', campaign.id)
        .where('processed_at', 'is', null)
        .executeTakeFirstOrThrow();
      assert.equal(Number(stillHeld.n), 3, 'nothing decided on stock nobody approved');
      await seedApprovers(testDb.db, ['olivia']);
      const byAdder = await refusalOf(
        handle.executeUpdate(approveUpdate, { args: [{ by: 'olivia' }] }),
      );
      assert.equal(byAdder.code, 'author_cannot_approve');
      await handle.executeUpdate(approveUpdate, { args: [{ by: 'bob' }] });
      const result = await handle.result();
      assert.equal(result.report?.winners, 5);
    });
    const stored = await findCampaignById(testDb.db, campaign.id);
    assert.equal(
      (stored?.config as { prizes: { stock: number }[] }).prizes[0]?.stock,
      5,
      'the added stock is in the approved configuration',
    );
    assert.equal(stored?.approvedConfigVersion, stored?.configVersion);
    const stops = await listInterventions(testDb.db, {
      campaignId: campaign.id,
      kind: 'stock_exhausted',
    });
    assert.deepEqual(
      stops.map((s) => [s.resolution, s.resolvedBy]),
      [
        ['add_stock', 'olivia'],
        ['end_collecting', 'kuji'],
      ],
    );
  });

  it('stops for a person, and fails nothing, when X refuses the sender while entries are decided', async () => {
    const people = participants(2, 'unlinked');
    await emulator.loadScenario(worldScenario(people));
    const accountId = await seedLinkedAccount(testDb.db);
    const now = (await serverNow()).getTime();
    const campaign = await seedCampaignWithEntries(testDb.db, {
      accountId,
      people,
      config: instantWinConfig(accountId, now, { stock: 2 }),
    });
    await runWorker(async (taskQueue) => {
      const handle = await startCampaign(campaign.id, accountId, taskQueue);
      await approve(handle);
      // The brand removes the app on X before the first entry is decided.
      applyAction(emulator, { type: 'revoke', user: DEMO_SENDER_USERNAME });
      await openStop(handle, 'sender_halted');
      const status = await handle.query(statusQuery);
      assert.equal(status.counts.entryEvents, 0, 'nothing decided on half the facts');
      await handle.signal(cancelSignal, { by: 'bob' });
      assert.equal((await handle.result()).outcome, 'cancelled');
    });
    assert.equal((await findAccountById(testDb.db, accountId))?.halt?.category, 'auth');
  });

  it('refuses approval of added stock that breaks the 景品表示法 cap, naming it', async () => {
    const people = participants(2, 'capped');
    await emulator.loadScenario(worldScenario(people));
    const accountId = await seedLinkedAccount(testDb.db);
    const now = (await serverNow()).getTime();
    const campaign = await seedCampaignWithEntries(testDb.db, {
      accountId,
      people,
      config: {
        ...instantWinConfig(accountId, now, { stock: 2 }),
        // 一般懸賞: every prize together at most 2% of expected sales, here 1,000円 = 2 × 500円.
        compliance: {
          premiumKind: 'general',
          transactionValueYen: 1_000,
          expectedSalesYen: 50_000,
        },
      },
    });
    await runWorker(async (taskQueue) => {
      const handle = await startCampaign(campaign.id, accountId, taskQueue);
      await approve(handle);
      const stopId = await openStop(handle, 'stock_exhausted');
      await resolve(handle, {
        by: 'olivia',
        interventionId: stopId,
        resolution: 'add_stock',
        stock: [{ prizeId: 'gift', amount: 1 }],
      });
      const round2 = await waitFor('preflight of the added stock', async () => {
        const status = await handle.query(statusQuery);
        return status.phase === 'awaiting_approval' && status.preflight && !status.preflight.ok
          ? status
          : undefined;
      });
      assert.ok((round2.preflight?.blocking ?? 0) > 0);
      const stored = await findCampaignById(testDb.db, campaign.id);
      const findings = (stored?.preflight as { findings: { code: string; ja: string }[] }).findings;
      assert.ok(
        findings.some((f) => f.ja.includes('景品総額')),
        JSON.stringify(findings.map((f) => f.code)),
      );
      const blocked = await refusalOf(
        handle.executeUpdate(approveUpdate, { args: [{ by: 'bob' }] }),
      );
      assert.equal(blocked.code, 'preflight_blocking');
      await handle.signal(cancelSignal, { by: 'bob' });
      await handle.result();
    });
  });

  it('sends a changed configuration back to approval and goes on once it is approved again', async () => {
    const people = participants(3, 'change');
    const { accountId, campaign } = await seedDrawn(people, 3);
    let handle: Handle | undefined;
    await runWorker(
      async (taskQueue) => {
        handle = await startCampaign(campaign.id, accountId, taskQueue);
        await approve(handle);
        await waitFor('paused after the first send', async () => {
          const status = await handle!.query(statusQuery);
          return status.paused && status.counts.sent === 1 ? true : undefined;
        });
        await stepPastDueTimers(env, handle);
        const change = await handle.executeUpdate(configChangedUpdate, {
          args: [{ by: 'carol', configVersion: 2 }],
        });
        assert.equal(change.approvalRequired, true);
        const back = await waitFor('back to awaiting approval', async () => {
          const status = await handle!.query(statusQuery);
          return status.phase === 'awaiting_approval' ? status : undefined;
        });
        assert.equal(back.needsAttention, true);
        assert.equal(back.approvalRound, 2);
        await handle.signal(resumeSignal, { by: 'olivia' });
        await env.sleep('1 hour');
        assert.equal((await handle.query(statusQuery)).counts.sent, 1, 'nothing before approval');
        // Four eyes on the change too: the one who changed it does not approve it.
        const selfApproval = await refusalOf(
          handle.executeUpdate(approveUpdate, { args: [{ by: 'carol' }] }),
        );
        assert.equal(selfApproval.code, 'author_cannot_approve');
        assert.match(selfApproval.message, /changed this campaign/);
        await handle.signal(approveSignal, { by: 'bob' });
        assert.equal((await handle.result()).report?.delivered, 3);
      },
      async (sent) => {
        if (sent === 1) await handle!.signal(pauseSignal, { by: 'olivia' });
      },
    );
    const approvals = await listInterventions(testDb.db, {
      campaignId: campaign.id,
      kind: 'approval',
    });
    assert.deepEqual(
      approvals.map((a) => [a.status, a.resolution, a.resolvedBy]),
      [
        ['resolved', 'approved', 'bob'],
        ['resolved', 'approved', 'bob'],
      ],
    );
  });

  it('sends only approved text: a stored change waits for its approval before anyone gets it', async () => {
    const people = participants(3, 'pinned');
    const { accountId, campaign } = await seedDrawn(people, 3);
    const changed = structuredClone(campaign.config) as CampaignConfigInput;
    changed.templates.win = { dm: '{name}さん、変更後の文面です。詳細: {resultUrl}' };
    let handle: Handle | undefined;
    let changedVersion: number | null = null;
    await runWorker(
      async (taskQueue) => {
        handle = await startCampaign(campaign.id, accountId, taskQueue);
        await approve(handle);
        const pausedAfter = (sent: number) =>
          waitFor(`paused after send ${sent}`, async () => {
            const status = await handle!.query(statusQuery);
            return status.paused && status.counts.sent === sent ? true : undefined;
          });
        await pausedAfter(1);
        // `PUT …/config` stores the change before the workflow hears of it: a send in between
        // must still go out with the approved text.
        changedVersion = await updateCampaignConfig(testDb.db, campaign.id, changed, changed.name);
        await handle.signal(resumeSignal, { by: 'olivia' });
        await pausedAfter(2);
        await stepPastDueTimers(env, handle);
        await handle.executeUpdate(configChangedUpdate, {
          args: [{ by: 'carol', configVersion: changedVersion ?? 0 }],
        });
        await waitForPhase(handle, 'awaiting_approval');
        await handle.signal(resumeSignal, { by: 'olivia' });
        await handle.signal(approveSignal, { by: 'bob' });
        assert.equal((await handle.result()).report?.delivered, 3);
      },
      async (sent) => {
        if (sent <= 2) await handle!.signal(pauseSignal, { by: 'olivia' });
      },
    );
    const texts = dmsTo(people).map((dm) => dm.text);
    assert.equal(texts.length, 3);
    assert.deepEqual(
      texts.map((text) =>
        text.includes('当選です') ? 'approved' : text.includes('変更後') ? 'changed' : text,
      ),
      ['approved', 'approved', 'changed'],
      'the change reached a participant only after its approval',
    );
    const stored = await findCampaignById(testDb.db, campaign.id);
    assert.equal(stored?.approvedConfigVersion, changedVersion);
  });

  it('resends to a participant who says the DM never arrived, and closes a dismissed report', async () => {
    const people = participants(3, 'missing');
    const { accountId, campaign } = await seedDrawn(people, 3);
    const [complainer, other] = people as [Participant, Participant];
    const reports: string[] = [];
    let handle: Handle | undefined;
    await runWorker(
      async (taskQueue) => {
        handle = await startCampaign(campaign.id, accountId, taskQueue);
        await approve(handle);
        const waiting = await waitFor('all sent, two reports open', async () => {
          const status = await handle!.query(statusQuery);
          return status.counts.sent === 3 && status.interventions?.length === 2
            ? status
            : undefined;
        });
        assert.equal(waiting.needsAttention, true);
        await env.sleep('1 hour');
        assert.equal(
          (await handle.query(statusQuery)).phase,
          'delivering',
          'the report waits for open interventions',
        );
        const resent = await resolve(handle, {
          by: 'olivia',
          interventionId: reports[0]!,
          resolution: 'resend',
        });
        assert.equal(resent.queued, 1);
        await resolve(handle, { by: 'olivia', interventionId: reports[1]!, resolution: 'dismiss' });
        assert.equal((await handle.result()).report?.delivered, 4);
      },
      async (sent) => {
        if (sent !== 3) return;
        for (const person of [complainer, other]) {
          const { intervention } = await openIntervention(testDb.db, {
            campaignId: campaign.id,
            accountId,
            kind: 'not_received',
            dedupeKey: `user:${person.id}`,
            details: { xUserId: person.id, deliveryId: `${campaign.id}:${person.id}:win` },
            openedBy: `participant:${person.id}`,
          });
          await handle!.signal(interventionOpenedSignal, {
            interventionId: intervention.id,
            kind: 'not_received',
            openedBy: intervention.openedBy,
          });
          reports.push(intervention.id);
        }
      },
    );
    assert.equal(dmsTo([complainer]).length, 2, 'the original and the resend');
    assert.equal(dmsTo([other]).length, 1);
  });

  /**
   * Each stop that holds sending back, brought about the way it happens in the field: X refuses
   * for lack of API credits (send_error), X flags the sender (sender_halted), too many recipients
   * have closed DMs (error_rate), an operator reports a wrong message (misdelivery).
   */
  const sendingStops = [
    { kind: 'send_error', fault: 'credits_depleted' },
    { kind: 'sender_halted', fault: 'automated' },
    { kind: 'error_rate', closedFirst: 2 },
    { kind: 'misdelivery' },
  ] as const;

  async function runToSendingStop(
    stop: (typeof sendingStops)[number],
    people: Participant[],
    decide: (handle: Handle, interventionId: string) => Promise<void>,
  ) {
    const closed = 'closedFirst' in stop ? people.slice(0, stop.closedFirst).map((p) => p.id) : [];
    const { accountId, campaign } = await seedDrawn(
      people,
      people.length,
      { safety: { errorRateThreshold: 0.5, errorRateWindow: 2, errorRateMinAttempts: 2 } },
      { closedDms: closed },
    );
    let handle: Handle | undefined;
    let sentBeforeStop = 0;
    await runWorker(
      async (taskQueue) => {
        handle = await startCampaign(campaign.id, accountId, taskQueue);
        await approve(handle);
        const interventionId = await openStop(handle, stop.kind);
        await env.sleep('2 hours');
        sentBeforeStop = dmsTo(people).length;
        const held = await handle.query(statusQuery);
        assert.equal(held.needsAttention, true, stop.kind);
        assert.equal(held.phase, 'delivering', stop.kind);
        await decide(handle, interventionId);
      },
      async (sent) => {
        if (sent !== 1) return;
        if ('fault' in stop)
          emulator.injectFault({ endpoint: 'dm.send', fault: stop.fault, count: 1 });
        if (stop.kind === 'misdelivery') {
          await handle!.executeUpdate(reportMisdeliveryUpdate, {
            args: [{ by: 'carol', selector: {}, followUpText: '{name}さん、訂正です。' }],
          });
        }
      },
    );
    return { campaign, accountId, sentBeforeStop };
  }

  for (const stop of sendingStops) {
    it(`cancels the campaign from a ${stop.kind} stop: nothing more is sent`, async () => {
      const people = participants(4, `cancel${sendingStops.indexOf(stop)}x`);
      const { campaign, accountId, sentBeforeStop } = await runToSendingStop(
        stop,
        people,
        async (handle, interventionId) => {
          const resolved = await resolve(handle, {
            by: 'olivia',
            interventionId,
            resolution: 'cancel',
            note: 'stop here',
          });
          assert.equal(resolved.resolution, 'cancel');
          const result = await handle.result();
          assert.equal(result.outcome, 'cancelled');
          assert.match(result.reason ?? '', /olivia/);
        },
      );
      assert.ok(sentBeforeStop < people.length, 'the stop held deliveries back');
      assert.equal(dmsTo(people).length, sentBeforeStop, 'nothing was sent after the stop');
      const [stored] = await listInterventions(testDb.db, {
        campaignId: campaign.id,
        kind: stop.kind,
      });
      assert.deepEqual(
        [stored?.status, stored?.resolution, stored?.resolvedBy],
        ['resolved', 'cancel', 'olivia'],
      );
      // A cancel from a sender halt leaves the account halted: the restriction is still real.
      const account = await findAccountById(testDb.db, accountId);
      assert.equal(account?.halt !== null, stop.kind === 'sender_halted');
      if (account?.halt) {
        await testDb.db
          .updateTable('accounts')
          .set({ halt: null, halted_at: null })
          .where('id', '=', accountId)
          .execute();
      }
    });
  }

  it('closes every stop still open when the campaign is cancelled by signal', async () => {
    const people = participants(4, 'closing');
    const { campaign } = await runToSendingStop(sendingStops[2], people, async (handle) => {
      await stepPastDueTimers(env, handle);
      await handle.signal(cancelSignal, { by: 'olivia', reason: 'too many closed DMs' });
      const result = await handle.result();
      assert.equal(result.outcome, 'cancelled');
      const described = await handle.describe();
      assert.equal(described.typedSearchAttributes.get(NeedsAttentionKey), false);
    });
    const stops = await listInterventions(testDb.db, { campaignId: campaign.id });
    assert.deepEqual(
      stops.map((stop) => [stop.kind, stop.status, stop.resolution, stop.resolvedBy]),
      [
        ['approval', 'resolved', 'approved', 'bob'],
        ['error_rate', 'resolved', 'cancel', 'olivia'],
      ],
    );
  });

  it('resumes sending after a send error once the operator resolves it with resume', async () => {
    const people = participants(3, 'credits');
    const [stop] = sendingStops;
    const { campaign } = await runToSendingStop(stop, people, async (handle, interventionId) => {
      await resolve(handle, {
        by: 'olivia',
        interventionId,
        resolution: 'resume',
        note: 'credits topped up',
      });
      assert.equal((await handle.result()).report?.delivered, 3);
    });
    // The refused DM was sent again after the resume: every winner has exactly one.
    for (const person of people) assert.equal(dmsTo([person]).length, 1, person.username);
    const [stored] = await listInterventions(testDb.db, {
      campaignId: campaign.id,
      kind: 'send_error',
    });
    assert.deepEqual([stored?.resolution, stored?.resolvedBy], ['resume', 'olivia']);
  });

  it('dismisses a misdelivery report: sending goes on and no follow-up is sent', async () => {
    const people = participants(4, 'notwrong');
    const stop = sendingStops[3];
    const { campaign } = await runToSendingStop(stop, people, async (handle, interventionId) => {
      await resolve(handle, {
        by: 'dave',
        interventionId,
        resolution: 'dismiss',
        note: 'the text was right',
      });
      assert.equal((await handle.result()).report?.delivered, 4);
    });
    assert.equal(emulator.sent().dms.filter((dm) => dm.text.includes('訂正')).length, 0);
    for (const person of people) assert.equal(dmsTo([person]).length, 1, person.username);
    const [stored] = await listInterventions(testDb.db, {
      campaignId: campaign.id,
      kind: 'misdelivery',
    });
    assert.deepEqual([stored?.resolution, stored?.resolvedBy], ['dismiss', 'dave']);
  });

  /** An instant-win campaign of one stock unit whose first entrant takes it; two arrive later. */
  async function runToStockOut(
    prefix: string,
    decide: (handle: Handle, interventionId: string) => Promise<void>,
  ) {
    const first = participants(1, `${prefix}a`);
    const late = participants(2, `${prefix}b`).map((p, i) => ({
      ...p,
      id: String(1920000000000000000n + BigInt(i)),
    }));
    await emulator.loadScenario(worldScenario([...first, ...late]));
    const accountId = await seedLinkedAccount(testDb.db);
    const now = (await serverNow()).getTime();
    const campaign = await seedCampaignWithEntries(testDb.db, {
      accountId,
      people: first,
      config: instantWinConfig(accountId, now, { stock: 1, lose: '{name}さん、今回は落選です。' }),
    });
    let finishedAtMs = 0;
    await runWorker(async (taskQueue) => {
      const handle = await startCampaign(campaign.id, accountId, taskQueue);
      await approve(handle);
      const interventionId = await openStop(handle, 'stock_exhausted');
      await insertEntryEvents(
        testDb.db,
        late.map((p, i) => ({
          campaignId: campaign.id,
          xEventId: `${prefix}-late-${i}`,
          source: 'dm_keyword' as const,
          xUserId: p.id,
          username: p.username,
          text: '参加します',
          receivedVia: 'webhook' as const,
        })),
      );
      await handle.signal(entriesArrivedSignal);
      await env.sleep('2 seconds');
      assert.equal(dmsTo(late).length, 0, 'late entries wait for the decision');
      await decide(handle, interventionId);
      finishedAtMs = await env.currentTimeMs();
    });
    return { campaign, first, late, endAtMs: now + 120_000, finishedAtMs };
  }

  it('keeps collecting after stock runs out when told to continue: later entrants lose', async () => {
    const { campaign, first, late } = await runToStockOut('cont', async (handle, id) => {
      await resolve(handle, { by: 'olivia', interventionId: id, resolution: 'continue' });
      const result = await handle.result();
      assert.equal(result.report?.winners, 1);
    });
    assert.equal(dmsTo(first)[0]?.text.includes('当選'), true);
    assert.deepEqual(
      dmsTo(late).map((dm) => dm.text.includes('落選')),
      [true, true],
      'each late entrant got the lose message once',
    );
    const [stored] = await listInterventions(testDb.db, {
      campaignId: campaign.id,
      kind: 'stock_exhausted',
    });
    assert.deepEqual([stored?.resolution, stored?.resolvedBy], ['continue', 'olivia']);
  });

  it('ends collecting early when a person chooses end_collecting after stock runs out', async () => {
    const { campaign, late, endAtMs, finishedAtMs } = await runToStockOut(
      'endc',
      async (handle, id) => {
        await resolve(handle, { by: 'olivia', interventionId: id, resolution: 'end_collecting' });
        assert.equal((await handle.result()).outcome, 'completed');
      },
    );
    assert.ok(finishedAtMs < endAtMs, 'completed before the scheduled end');
    // Entries sent before the decision were in time: they are decided (and lose), once each.
    assert.deepEqual(
      dmsTo(late).map((dm) => dm.text.includes('落選')),
      [true, true],
    );
    const stops = await listInterventions(testDb.db, {
      campaignId: campaign.id,
      kind: 'stock_exhausted',
    });
    assert.deepEqual(
      stops.map((s) => [s.resolution, s.resolvedBy]),
      [['end_collecting', 'olivia']],
    );
  });

  it('cancels an instant-win campaign from its stock-out stop', async () => {
    const { campaign, late } = await runToStockOut('canc', async (handle, id) => {
      await resolve(handle, { by: 'olivia', interventionId: id, resolution: 'cancel' });
      assert.equal((await handle.result()).outcome, 'cancelled');
    });
    assert.equal(dmsTo(late).length, 0);
    const [stored] = await listInterventions(testDb.db, {
      campaignId: campaign.id,
      kind: 'stock_exhausted',
    });
    assert.deepEqual([stored?.resolution, stored?.resolvedBy], ['cancel', 'olivia']);
  });

  it(
    'waits quietly while paused with a resend queued during collection, then sends it on resume',
    { timeout: 120_000 },
    async () => {
      const [open, closed] = participants(2, 'quiet') as [Participant, Participant];
      await emulator.loadScenario(worldScenario([open, closed], { closedDms: [closed.id] }));
      const accountId = await seedLinkedAccount(testDb.db);
      const now = (await serverNow()).getTime();
      const campaign = await seedCampaignWithEntries(testDb.db, {
        accountId,
        people: [open, closed],
        // Stock above the expected entries of the window: every entrant wins.
        config: instantWinConfig(accountId, now, { stock: 500, windowMs: 3 * 3_600_000 }),
      });
      await runWorker(async (taskQueue) => {
        const handle = await startCampaign(campaign.id, accountId, taskQueue);
        await approve(handle);
        await waitFor('one sent, one failed', async () => {
          const status = await handle.query(statusQuery);
          return status.counts.sent === 1 && status.counts.failed === 1 ? true : undefined;
        });
        await handle.signal(pauseSignal, { by: 'olivia' });
        // Back in collection's wait (not within a send's pacing gap) when the resend arrives.
        await env.sleep('5 minutes');
        applyAction(emulator, {
          type: 'update_user',
          user: closed.id,
          patch: { dmSetting: 'everyone' },
        });
        const [failed] = await listDeliveries(testDb.db, {
          campaignId: campaign.id,
          state: 'failed',
          limit: 5,
        });
        assert.ok(failed);
        await stepPastDueTimers(env, handle);
        const resend = await handle.executeUpdate(resendUpdate, {
          args: [{ by: 'olivia', deliveryIds: [failed.id] }],
        });
        assert.deepEqual(
          resend.results.map((r) => r.outcome),
          ['queued'],
        );
        const eventsBefore = (await handle.fetchHistory()).events?.length ?? 0;
        await env.sleep('30 minutes');
        const eventsAfter = (await handle.fetchHistory()).events?.length ?? 0;
        // One polling round a minute (poll, entry batch, timer: under 25 events): a loop woken
        // by the queued resend it may not send would spin and never let the time pass.
        assert.ok(eventsAfter - eventsBefore < 30 * 25, `${eventsAfter - eventsBefore} events`);
        assert.equal(dmsTo([closed]).length, 0, 'nothing is sent while paused');
        await handle.signal(resumeSignal, { by: 'olivia' });
        await waitFor('the resend went out', () =>
          Promise.resolve(dmsTo([closed]).length === 1 ? true : undefined),
        );
        await stepPastDueTimers(env, handle);
        await handle.signal(cancelSignal, { by: 'olivia', reason: 'test over' });
        await handle.result();
      });
      assert.equal(dmsTo([open]).length, 1);
      assert.equal(dmsTo([closed]).length, 1);
    },
  );
});
