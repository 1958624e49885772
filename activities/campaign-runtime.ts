/**
 * Activities of a running campaign: collecting entries, instant-win and drawn lotteries,
 * delivery under the DM quota, and the analysis report. Participant data stays in PostgreSQL;
 * the workflow only sees ids, counts and instants, so its history grows with batches.
 */
import { randomBytes } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import type { Db } from '../db/client';
import { findAccountById, haltAccount } from '../db/repositories/accounts';
import { ensureCampaignSecretSeed } from '../db/repositories/campaign-seed';
import { findCampaignRunningConfig } from '../db/repositories/campaigns';
import {
  deliveryCounts,
  failuresByCode,
  findDelivery,
  insertDeliveries,
  markDeliveryFailed,
  markDeliveryQueued,
  markDeliveryReserved,
  markDeliverySending,
  markDeliverySent,
  nextQueuedDeliveries,
  type NewDelivery,
  sentPerDay,
} from '../db/repositories/deliveries';
import { findDraw, insertDraw } from '../db/repositories/draws';
import {
  claimUnprocessedEvents,
  countRefusedDuplicateEntries,
  countUnprocessedEvents,
  eligibleEntryIds,
  entryFunnel,
  type Entry,
  type EntryEvent,
  findEntry,
  insertEntryEvents,
  listUndrawnEntries,
  type NewEntryEvent,
  setEntryOutcomes,
  upsertEntry,
} from '../db/repositories/entries';
import {
  addPrizeStock,
  assignPrizeCode,
  insertPrizes,
  listPrizeStock,
  takePrizeStock,
} from '../db/repositories/prizes';
import { releaseQuotaSlot, reserveQuotaSlot } from '../db/repositories/quota';
import { upsertReport } from '../db/repositories/reports';
import { type CampaignConfig, campaignConfigSchema } from '../domain/campaign-config';
import { type ApiTier, planChannel, strongestConsentBasis } from '../domain/consent';
import { localDayKey, startOfNextLocalDay } from '../domain/day-window';
import { decideParticipant, isWithinEntryPeriod } from '../domain/eligibility';
import { drawWinners, entryRoll, instantWinProbability, newDrawSeed } from '../domain/lottery';
import { effectiveDailyCap } from '../domain/quota';
import { reconcileFunnel } from '../domain/reconciliation';
import { resultUrl } from '../domain/result-links';
import { renderTemplate } from '../domain/templates';
import { type XError, xErrorFromDetails } from '../domain/x-errors';
import {
  createFactFetcher,
  emptyFacts,
  type FactsSubject,
  mergeEvent,
  type StoredFacts,
} from './participant-facts';
import type { XActivities } from './x-activities';

export interface CampaignRuntimeDeps {
  db: Db;
  x: Pick<
    XActivities,
    | 'xSendDm'
    | 'xReply'
    | 'xListReposters'
    | 'xListQuotes'
    | 'xListLikers'
    | 'xListFollowers'
    | 'xSearchRecent'
    | 'xLookupUsers'
    | 'xCheckFollows'
  >;
  /** Base of participants' personal result links, e.g. https://kuji.example.com */
  publicBaseUrl: string;
  /** Wall time: when X accepted a message, when facts were read (tests pass their own). */
  now?: () => Date;
}

/** What the workflow needs to run a campaign: ids, instants and numbers only. */
export interface CampaignPlan {
  kind: CampaignConfig['kind'];
  accountId: string;
  startAt: string;
  endAt: string;
  timeZone: string;
  pacing: { minGapSeconds: number; jitterSeconds: number };
  /** When sending stops for a person on failures (absent in plans made before it existed). */
  safety?: { errorRateThreshold: number; errorRateWindow: number; errorRateMinAttempts: number };
}

export interface EntryCursors {
  /** Newest reply id seen by recent search, for the next poll's since_id. */
  repliesSinceId?: string;
}

export type SendOutcome =
  | { status: 'sent'; reconciled: boolean }
  | { status: 'skipped' }
  | { status: 'failed'; code: string; category: string }
  | { status: 'quota_full'; nextWindowAt: string; dayKey: string }
  | { status: 'halted'; code: string; category: string; accountHalted?: boolean };

/** Won, lost or drawn as an alternate: no later event changes the verdict. */
const isDecided = (entry: Entry) => entry.outcome !== 'pending' && entry.outcome !== 'ineligible';

/** Calls of up to 5 pages each when listing every reposter before the draw. */
const REPOSTER_CALLS = 40;
/** Participants refreshed and stored together before the draw. */
const REFRESH_CHUNK = 100;

function nonRetryable(type: string, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true });
}

export function createCampaignRuntimeActivities({
  db,
  x,
  publicBaseUrl,
  now: wallClock = () => new Date(),
}: CampaignRuntimeDeps) {
  const factFetcher = createFactFetcher({ db, x, now: wallClock });

  /**
   * The configuration the campaign runs on: the version its last approval signed off, so a change
   * stored but not yet approved (or not yet known to the workflow) never reaches a participant.
   * Before any approval, the newest.
   */
  async function loadConfig(campaignId: string) {
    const found = await findCampaignRunningConfig(db, campaignId);
    if (!found) throw nonRetryable('campaign_missing', `campaign ${campaignId} does not exist`);
    const { campaign, config } = found;
    if (config === undefined) {
      throw nonRetryable(
        'config_version_missing',
        `campaign ${campaignId} has no stored configuration version ${campaign.approvedConfigVersion}`,
      );
    }
    const parsed = campaignConfigSchema.safeParse(config);
    if (!parsed.success) {
      throw nonRetryable('config_invalid', `campaign ${campaignId} has an invalid configuration`);
    }
    const account = await findAccountById(db, campaign.accountId);
    if (!account)
      throw nonRetryable('account_missing', `account ${campaign.accountId} does not exist`);
    return { campaign, config: parsed.data, account };
  }

  const campaignSeed = (campaignId: string) => ensureCampaignSecretSeed(db, campaignId);

  /** Plans a result delivery for a participant under the consent rules; null when none applies. */
  function planDelivery(
    config: CampaignConfig,
    tier: ApiTier,
    entry: { xUserId: string; facts: StoredFacts },
    campaignId: string,
    accountId: string,
    kind: 'win' | 'lose',
  ): NewDelivery | null {
    const templates = config.templates[kind];
    const available = (['dm', 'reply'] as const).filter((channel) => templates[channel]);
    if (available.length === 0) return null;
    const plan = planChannel({
      consentBasis: strongestConsentBasis(entry.facts.sources),
      apiTier: tier,
      templateChannels: available,
    });
    const replyTo =
      plan.channel === 'reply'
        ? plan.replyTo === 'campaign_post'
          ? config.post.tweetId
          : entry.facts.summonedByPostId
        : undefined;
    return {
      id: `${campaignId}:${entry.xUserId}:${kind}`,
      campaignId,
      accountId,
      xUserId: entry.xUserId,
      kind,
      channel: plan.channel,
      channelReason: plan.reason,
      state: plan.channel === 'result_page' ? 'skipped' : 'queued',
      replyToTweetId: replyTo ?? null,
    };
  }

  return {
    /** Loads prizes into the stock table (idempotent) and returns the plan the workflow follows. */
    async prepareCampaign(input: { campaignId: string }): Promise<CampaignPlan> {
      const { config, account } = await loadConfig(input.campaignId);
      await insertPrizes(
        db,
        input.campaignId,
        config.prizes.map((p) => ({
          id: p.id,
          name: p.name,
          valueYen: p.valueYen,
          stock: p.stock,
          codes: p.codes,
        })),
      );
      // A configuration changed after approval may raise a prize's stock (never lower it
      // below what an operator added when stock ran out).
      for (const stock of await listPrizeStock(db, input.campaignId)) {
        const configured = config.prizes.find((p) => p.id === stock.prizeId);
        const delta = configured ? configured.stock - stock.stockTotal : 0;
        if (delta > 0) await addPrizeStock(db, input.campaignId, stock.prizeId, delta);
      }
      await campaignSeed(input.campaignId);
      return {
        kind: config.kind,
        accountId: account.id,
        startAt: config.schedule.startAt,
        endAt: config.schedule.endAt,
        timeZone: account.timezone,
        pacing: config.pacing,
        safety: config.safety,
      };
    },

    /** Polling reconciliation: reads the campaign's engagements from X into entry_events. */
    async pollEntries(input: { campaignId: string; cursors: EntryCursors }): Promise<{
      newEvents: number;
      cursors: EntryCursors;
    }> {
      const { config, account } = await loadConfig(input.campaignId);
      const postId = config.post.tweetId;
      const accountId = account.id;
      const events: NewEntryEvent[] = [];
      const ruleTypes = new Set(config.entryRules.all.map((r) => r.type));
      const base = { campaignId: input.campaignId, receivedVia: 'poll' as const };
      const cursors: EntryCursors = { ...input.cursors };

      if (ruleTypes.has('repost')) {
        const page = await x.xListReposters({ accountId, postId, maxPages: 10 });
        for (const user of page.items) {
          events.push({
            ...base,
            source: 'repost',
            xEventId: `repost:${user.id}`,
            xUserId: user.id,
            username: user.username,
          });
        }
      }
      if (ruleTypes.has('like')) {
        const page = await x.xListLikers({ accountId, postId, maxPages: 10 });
        for (const user of page.items) {
          events.push({
            ...base,
            source: 'like',
            xEventId: `like:${user.id}`,
            xUserId: user.id,
            username: user.username,
          });
        }
      }
      if (ruleTypes.has('follow')) {
        const page = await x.xListFollowers({ accountId, maxPages: 10 });
        for (const user of page.items) {
          events.push({
            ...base,
            source: 'follow',
            xEventId: `follow:${user.id}`,
            xUserId: user.id,
            username: user.username,
          });
        }
      }
      if (ruleTypes.has('quote')) {
        const page = await x.xListQuotes({ accountId, postId, maxPages: 10 });
        for (const post of page.items) {
          if (!post.authorId) continue;
          events.push({
            ...base,
            source: 'quote',
            xEventId: post.id,
            xUserId: post.authorId,
            username: post.author?.username ?? null,
            text: post.text,
            occurredAt: post.createdAt ? new Date(post.createdAt) : null,
          });
        }
      }
      if (ruleTypes.has('reply')) {
        const page = await x.xSearchRecent({
          accountId,
          query: `conversation_id:${postId} is:reply`,
          sinceId: cursors.repliesSinceId,
          maxPages: 10,
        });
        for (const post of page.items) {
          if (!post.authorId || post.authorId === account.xUserId) continue;
          events.push({
            ...base,
            source: 'reply',
            xEventId: post.id,
            xUserId: post.authorId,
            username: post.author?.username ?? null,
            text: post.text,
            occurredAt: post.createdAt ? new Date(post.createdAt) : null,
          });
        }
        if (page.newestId) cursors.repliesSinceId = page.newestId;
      }
      const newEvents = events.length ? await insertEntryEvents(db, events) : 0;
      return { newEvents, cursors };
    },

    /**
     * Takes one batch of new entry events: aggregates each participant's facts, decides
     * eligibility with reasons, and for instant wins draws and queues the result at once.
     */
    async processEntries(input: { campaignId: string; now: string; limit: number }): Promise<{
      processed: number;
      participants: number;
      newlyEligible: number;
      won: number;
      queued: number;
      remaining: number;
      /** Instant wins: units of stock left over all prizes after this batch. */
      stockRemaining?: number;
    }> {
      const { config, account } = await loadConfig(input.campaignId);
      const tier: ApiTier = account.tier === 'enterprise' ? 'enterprise' : 'self_serve';
      const now = new Date(input.now);
      const seed = config.kind === 'instant_win' ? await campaignSeed(input.campaignId) : '';
      const result = await db.transaction().execute(async (trx) => {
        const events = await claimUnprocessedEvents(trx, input.campaignId, input.limit);
        const byUser = new Map<string, EntryEvent[]>();
        for (const event of events) {
          if (!event.xUserId) continue;
          byUser.set(event.xUserId, [...(byUser.get(event.xUserId) ?? []), event]);
        }
        // Every claimed event is decided here. One dated outside the entry period (a DM after
        // the end, taken in while a replayed gap held collection open) adds no facts; a person
        // with nothing else is recorded as ineligible for that reason.
        const subjects: (FactsSubject & {
          existing: Entry | undefined;
          username: string | null;
        })[] = [];
        for (const [xUserId, userEvents] of byUser) {
          const existing = await findEntry(trx, input.campaignId, xUserId);
          let facts = (existing?.facts as StoredFacts | undefined) ?? emptyFacts();
          for (const event of userEvents) {
            if (isWithinEntryPeriod(config.schedule, event.occurredAt)) {
              facts = mergeEvent(facts, event);
            } else {
              facts = { ...facts, outsidePeriodEvents: (facts.outsidePeriodEvents ?? 0) + 1 };
            }
          }
          const username =
            userEvents.find((e) => e.username)?.username ?? existing?.username ?? null;
          subjects.push({ xUserId, facts, existing, username });
        }
        const undecided = subjects.filter((s) => !s.existing || !isDecided(s.existing));
        await factFetcher.completeFacts(config, account, undecided);
        // Read once per batch and kept current as stock is taken: the workflow runs one batch
        // at a time, and takePrizeStock stays the atomic guard against going below zero.
        const stockInBatch =
          config.kind === 'instant_win' ? await listPrizeStock(trx, input.campaignId) : undefined;
        let newlyEligible = 0;
        let won = 0;
        const deliveries: NewDelivery[] = [];
        for (const { xUserId, facts, existing, username } of subjects) {
          // A decided participant (won, lost, alternate) keeps the verdict it was decided on.
          const verdict =
            existing && isDecided(existing)
              ? { eligible: existing.eligible, reasons: existing.reasons }
              : decideParticipant(
                  config,
                  { userId: xUserId, username: username ?? undefined },
                  facts,
                );
          const entry = await upsertEntry(trx, {
            campaignId: input.campaignId,
            xUserId,
            username,
            consentBasis: strongestConsentBasis(facts.sources),
            facts,
            eligible: verdict.eligible,
            reasons: verdict.reasons,
          });
          if (!verdict.eligible || entry.outcome !== 'pending') continue;
          if (existing?.eligible !== true) newlyEligible += 1;
          if (config.kind !== 'instant_win') continue;

          const roll = entryRoll(seed, xUserId);
          let floor = 0;
          let prizeWon: string | null = null;
          for (const stock of stockInBatch ?? []) {
            const prize = config.prizes.find((p) => p.id === stock.prizeId);
            if (!prize?.odds || stock.stockRemaining <= 0) continue;
            const probability = instantWinProbability({
              remainingStock: stock.stockRemaining,
              now,
              endAt: new Date(config.schedule.endAt),
              expectedEntriesPerHour: 60,
              baseOdds: prize.odds,
            });
            if (roll >= floor && roll < floor + probability) {
              if (await takePrizeStock(trx, input.campaignId, prize.id)) {
                stock.stockRemaining -= 1;
                prizeWon = prize.id;
                break;
              }
              stock.stockRemaining = 0;
            }
            floor += probability;
          }
          const code = prizeWon
            ? await assignPrizeCode(trx, input.campaignId, prizeWon, xUserId)
            : null;
          await setEntryOutcomes(trx, input.campaignId, [
            { xUserId, outcome: prizeWon ? 'won' : 'lost', prizeId: prizeWon, prizeCode: code },
          ]);
          if (prizeWon) won += 1;
          const delivery = planDelivery(
            config,
            tier,
            { xUserId, facts },
            input.campaignId,
            account.id,
            prizeWon ? 'win' : 'lose',
          );
          if (delivery) deliveries.push(delivery);
        }
        const queued = deliveries.length ? await insertDeliveries(trx, deliveries) : 0;
        return { processed: events.length, participants: byUser.size, newlyEligible, won, queued };
      });
      const remaining = await countUnprocessedEvents(db, input.campaignId);
      if (config.kind !== 'instant_win') return { ...result, remaining };
      const stock = await listPrizeStock(db, input.campaignId);
      return {
        ...result,
        remaining,
        stockRemaining: stock.reduce((sum, prize) => sum + prize.stockRemaining, 0),
      };
    },

    /** The drawn lottery: a seeded, reproducible draw over the eligible entries, stored once. */
    async drawCampaign(input: { campaignId: string }): Promise<{
      seed: string;
      digest: string;
      entryCount: number;
      winners: number;
      alternates: number;
      queued: number;
    }> {
      const { config, account } = await loadConfig(input.campaignId);
      if (config.kind !== 'drawn')
        throw nonRetryable('not_a_drawn_campaign', 'only drawn campaigns are drawn');
      const tier: ApiTier = account.tier === 'enterprise' ? 'enterprise' : 'self_serve';
      // Once drawn, the pool is fixed: a retry only finishes applying the stored draw.
      if (!(await findDraw(db, input.campaignId))) {
        await refreshBeforeDraw(input.campaignId, config, account);
      }
      const entryIds = await eligibleEntryIds(db, input.campaignId);
      const totalStock = config.prizes.reduce((sum, p) => sum + p.stock, 0);
      const stored =
        (await findDraw(db, input.campaignId)) ??
        (await insertDraw(db, {
          campaignId: input.campaignId,
          ...drawWinners({
            seed: newDrawSeed(randomBytes(32)),
            entryIds,
            winners: Math.min(config.draw.winners, totalStock),
            alternates: config.draw.alternates,
          }),
        }));

      // Prizes go to winners in draw order, each prize for as many winners as its stock.
      const prizeSlots = config.prizes.flatMap((p) => Array.from({ length: p.stock }, () => p.id));
      // Outcomes, stock and the winners' deliveries commit together, so a retry after a crash
      // finds either nothing done or everything; delivery ids make queueing idempotent.
      const queued = await db.transaction().execute(async (trx) => {
        const deliveries: NewDelivery[] = [];
        const winners = new Set(stored.winners);
        const alternates = new Set(stored.alternates);
        for (const [index, xUserId] of stored.winners.entries()) {
          const prizeId = prizeSlots[index] ?? null;
          const entry = await findEntry(trx, input.campaignId, xUserId);
          if (!entry) continue;
          if (entry.outcome === 'pending') {
            const code = prizeId
              ? await assignPrizeCode(trx, input.campaignId, prizeId, xUserId)
              : null;
            if (prizeId) await takePrizeStock(trx, input.campaignId, prizeId);
            await setEntryOutcomes(trx, input.campaignId, [
              { xUserId, outcome: 'won', prizeId, prizeCode: code },
            ]);
          }
          const delivery = planDelivery(
            config,
            tier,
            { xUserId, facts: entry.facts as StoredFacts },
            input.campaignId,
            account.id,
            'win',
          );
          if (delivery) deliveries.push(delivery);
        }
        const others = entryIds.filter((id) => !winners.has(id));
        await setEntryOutcomes(
          trx,
          input.campaignId,
          others.map((xUserId) => ({
            xUserId,
            outcome: alternates.has(xUserId) ? 'alternate' : 'lost',
          })),
        );
        return deliveries.length ? insertDeliveries(trx, deliveries) : 0;
      });
      return {
        seed: stored.seed,
        digest: stored.digest,
        entryCount: stored.entryCount,
        winners: stored.winners.length,
        alternates: stored.alternates.length,
        queued,
      };
    },

    /** Ids of deliveries still to send, oldest first ('sending' ones are reconciled on send). */
    async listDeliveryQueue(input: {
      campaignId: string;
      limit: number;
    }): Promise<{ ids: string[] }> {
      const queue = await nextQueuedDeliveries(db, input.campaignId, input.limit);
      return { ids: queue.map((d) => d.id) };
    },

    /**
     * Sends one delivery at most once: reserves a slot in the account's local-day DM quota,
     * marks it sending, and on a retry after a possible send first reconciles with X.
     * `now` is the workflow's time, so quota days follow the workflow's clock.
     */
    async sendDelivery(input: { deliveryId: string; now: string }): Promise<SendOutcome> {
      const delivery = await findDelivery(db, input.deliveryId);
      if (!delivery)
        throw nonRetryable('delivery_missing', `delivery ${input.deliveryId} does not exist`);
      if (delivery.state === 'sent') return { status: 'sent', reconciled: false };
      if (delivery.state === 'skipped') return { status: 'skipped' };
      if (delivery.state === 'failed') {
        return {
          status: 'failed',
          code: delivery.errorCode ?? 'unknown',
          category: delivery.errorCategory ?? 'unknown',
        };
      }
      const { config, account } = await loadConfig(delivery.campaignId);
      const now = new Date(input.now);
      // Another campaign on the account hit a restriction: nothing goes out until a person
      // resumes the account.
      if (account.halt) {
        return {
          status: 'halted',
          code: account.halt.code,
          category: account.halt.category,
          accountHalted: true,
        };
      }

      if (delivery.channel === 'dm') {
        const dayKey = localDayKey(now, account.timezone);
        const reservation = await reserveQuotaSlot(db, {
          accountId: account.id,
          deliveryId: delivery.id,
          dayKey,
          cap: effectiveDailyCap({ configuredCap: account.dmDailyCap }),
        });
        if (!reservation.reserved) {
          return {
            status: 'quota_full',
            dayKey,
            nextWindowAt: startOfNextLocalDay(now, account.timezone).toISOString(),
          };
        }
        await markDeliveryReserved(db, delivery.id, { windowDay: reservation.dayKey, eta: now });
      }

      const entry = await findEntry(db, delivery.campaignId, delivery.xUserId);
      const prize = config.prizes.find((p) => p.id === entry?.prizeId);
      const template =
        delivery.kind === 'win' || delivery.kind === 'lose'
          ? config.templates[delivery.kind]
          : undefined;
      const text = delivery.body ?? (delivery.channel === 'dm' ? template?.dm : template?.reply);
      if (!text)
        throw nonRetryable(
          'template_missing',
          `no ${delivery.channel} template for ${delivery.kind}`,
        );
      const rendered = renderTemplate(text, {
        name: entry?.username ? `@${entry.username}` : '',
        prize: prize?.name ?? '',
        code: entry?.prizeCode ?? '',
        // Signed with the campaign's secret seed: X ids are public, prize codes are not.
        resultUrl: resultUrl(
          publicBaseUrl,
          delivery.campaignId,
          delivery.xUserId,
          await campaignSeed(delivery.campaignId),
        ),
      });
      // X refuses the same text twice to one person ("You already said that"), and a resend
      // after "I didn't receive it" should say what it is.
      if (rendered.ok && delivery.resendOf) rendered.text += '\n（再送 / resent）';
      if (!rendered.ok) {
        throw nonRetryable(
          'template_unrenderable',
          `template for ${delivery.kind} misses ${rendered.missing.join(', ')}`,
        );
      }

      const { previousState } = await markDeliverySending(db, delivery.id);
      // A delivery already 'sending' may have reached X before a crash: look before sending.
      const reconcileFirst = previousState === 'sending';
      const notBefore = (delivery.sendingStartedAt ?? now).toISOString();
      try {
        if (delivery.channel === 'dm') {
          const sent = await x.xSendDm({
            accountId: account.id,
            participantId: delivery.xUserId,
            text: rendered.text,
            notBefore,
            reconcileFirst,
          });
          await markDeliverySent(db, delivery.id, {
            xEventId: sent.dmEventId,
            xConversationId: sent.dmConversationId ?? null,
            sentAt: acceptedAt(sent),
          });
          return { status: 'sent', reconciled: sent.reconciled };
        }
        if (!delivery.replyToTweetId)
          throw nonRetryable('reply_target_missing', 'no post to reply to');
        const posted = await x.xReply({
          accountId: account.id,
          inReplyToPostId: delivery.replyToTweetId,
          text: rendered.text,
          notBefore,
          reconcileFirst,
        });
        await markDeliverySent(db, delivery.id, {
          xEventId: posted.postId,
          sentAt: acceptedAt(posted),
        });
        return { status: 'sent', reconciled: posted.reconciled };
      } catch (error) {
        const xError =
          error instanceof ApplicationFailure ? xErrorFromDetails(error.details) : undefined;
        if (!xError) throw error;
        return handleSendFailure(delivery, account.id, xError, error as ApplicationFailure);
      }
    },

    /** Funnel and delivery report, stored for the API and returned in brief to the workflow. */
    async computeReport(input: { campaignId: string; now: string }) {
      const { campaign, account } = await loadConfig(input.campaignId);
      const [funnel, deliveries, perDay, failures, stock, draw] = await Promise.all([
        entryFunnel(db, input.campaignId),
        deliveryCounts(db, input.campaignId),
        sentPerDay(db, { accountId: account.id, campaignId: input.campaignId }),
        failuresByCode(db, input.campaignId),
        listPrizeStock(db, input.campaignId),
        findDraw(db, input.campaignId),
      ]);
      const attempted = deliveries.sent + deliveries.failed;
      const reconciliation = reconcileFunnel(funnel);
      const report = {
        campaignId: input.campaignId,
        generatedAt: input.now,
        funnel: {
          ...funnel,
          held: reconciliation.held,
          refusedDuplicateEntries: await countRefusedDuplicateEntries(db, input.campaignId),
          dmAttempted: attempted,
          delivered: deliveries.sent,
        },
        reconciliation,
        deliveries,
        // The cap the quota ledger enforced: never above what X allows, whatever was configured.
        perDay: perDay.map((d) => ({
          ...d,
          cap: effectiveDailyCap({ configuredCap: account.dmDailyCap }),
        })),
        failures,
        stock,
        draw: draw
          ? {
              seed: draw.seed,
              digest: draw.digest,
              entryCount: draw.entryCount,
              winners: draw.winners,
            }
          : null,
        timings: { createdAt: campaign.createdAt.toISOString(), completedAt: input.now },
      };
      await upsertReport(db, input.campaignId, report);
      return {
        entries: funnel.participants,
        eligible: funnel.eligible,
        winners: funnel.won,
        delivered: deliveries.sent,
        failed: deliveries.failed,
      };
    },
  };

  /**
   * When X accepted a message: X's own date of the message found when reconciling after a
   * crash, else the moment its answer came back (not the workflow's time of the first attempt,
   * which on a retry is minutes earlier).
   */
  function acceptedAt(sent: { reconciled: boolean; acceptedAt?: string }): Date {
    if (sent.reconciled && sent.acceptedAt && !Number.isNaN(Date.parse(sent.acceptedAt))) {
      return new Date(sent.acceptedAt);
    }
    return wallClock();
  }

  /** The reposters of the campaign post, or undefined when X did not list them all. */
  async function listAllReposters(accountId: string, postId: string) {
    const ids = new Set<string>();
    let paginationToken: string | undefined;
    for (let call = 0; call < REPOSTER_CALLS; call += 1) {
      const page = await x.xListReposters({ accountId, postId, maxPages: 5, paginationToken });
      for (const user of page.items) ids.add(user.id);
      if (page.complete) return ids;
      paginationToken = page.nextToken;
    }
    return undefined;
  }

  /**
   * Before the draw, follows and reposts are read again for everyone not yet drawn: a repost
   * undone or an account unfollowed before the draw no longer counts (and a follow made since
   * entering now does). Each participant is marked when refreshed, so a retry goes on from there.
   */
  async function refreshBeforeDraw(
    campaignId: string,
    config: CampaignConfig,
    account: { id: string; xUserId: string | null },
  ): Promise<void> {
    const ruleTypes = new Set(config.entryRules.all.map((rule) => rule.type));
    if (!ruleTypes.has('repost') && !ruleTypes.has('follow')) return;
    const entries = (await listUndrawnEntries(db, campaignId)).filter(
      (entry) => !(entry.facts as StoredFacts).refreshedForDrawAt,
    );
    if (entries.length === 0) return;
    // Only removes: a repost cannot be dated, so one first seen now may be after the end.
    const reposters = ruleTypes.has('repost')
      ? await listAllReposters(account.id, config.post.tweetId)
      : undefined;
    for (let start = 0; start < entries.length; start += REFRESH_CHUNK) {
      const chunk = entries.slice(start, start + REFRESH_CHUNK);
      const subjects: FactsSubject[] = chunk.map((entry) => {
        const facts = entry.facts as StoredFacts;
        return {
          xUserId: entry.xUserId,
          facts: {
            ...facts,
            reposted: facts.reposted && (reposters?.has(entry.xUserId) ?? true),
          },
        };
      });
      await factFetcher.completeFacts(config, account, subjects, { refreshFollows: true });
      const refreshedAt = wallClock().toISOString();
      await db.transaction().execute(async (trx) => {
        for (const [index, subject] of subjects.entries()) {
          const entry = chunk[index];
          if (!entry) continue;
          const facts: StoredFacts = { ...subject.facts, refreshedForDrawAt: refreshedAt };
          const verdict = decideParticipant(
            config,
            { userId: entry.xUserId, username: entry.username ?? undefined },
            facts,
          );
          await upsertEntry(trx, {
            campaignId,
            xUserId: entry.xUserId,
            username: entry.username,
            consentBasis: entry.consentBasis,
            facts,
            eligible: verdict.eligible,
            reasons: verdict.reasons,
          });
        }
      });
    }
  }

  async function handleSendFailure(
    { id: deliveryId, campaignId }: { id: string; campaignId: string },
    accountId: string,
    xError: XError,
    failure: ApplicationFailure,
  ): Promise<SendOutcome> {
    const recorded = {
      code: xError.code,
      category: xError.category,
      reason: xError.reason,
      remedy: xError.remedy,
    };
    if (xError.haltsAccount || xError.category === 'quota_exhausted') {
      await markDeliveryQueued(db, deliveryId, recorded);
      await releaseQuotaSlot(db, { accountId, deliveryId });
      // A restricted sender or lost authorisation stops every campaign on the account.
      const accountWide = xError.category === 'sender_restricted' || xError.category === 'auth';
      if (accountWide) {
        await haltAccount(db, accountId, {
          code: xError.code,
          category: xError.category,
          campaignId,
        });
      }
      return {
        status: 'halted',
        code: xError.code,
        category: xError.category,
        ...(accountWide ? { accountHalted: true } : {}),
      };
    }
    if (!xError.retryable) {
      await markDeliveryFailed(db, deliveryId, recorded);
      await releaseQuotaSlot(db, { accountId, deliveryId });
      return { status: 'failed', code: xError.code, category: xError.category };
    }
    // Rate limits and transient errors: Temporal retries this activity (at X's reset for a 429,
    // with backoff otherwise). The delivery stays 'sending' — a timeout may have reached X — so
    // the retry reconciles before sending, and its quota slot stays held.
    throw failure;
  }
}

export type CampaignRuntimeActivities = ReturnType<typeof createCampaignRuntimeActivities>;
