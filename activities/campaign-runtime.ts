/**
 * Activities of a running campaign: collecting entries, instant-win and drawn lotteries,
 * delivery under the DM quota, and the analysis report. Participant data stays in PostgreSQL;
 * the workflow only sees ids, counts and instants, so its history grows with batches.
 */
import { randomBytes } from 'node:crypto';
import { type Db, inTransaction } from '../db/client';
import { ensureCampaignSecretSeed } from '../db/repositories/campaign-seed';
import {
  insertDeliveries,
  nextQueuedDeliveries,
  type NewDelivery,
} from '../db/repositories/deliveries';
import { findDraw, insertDraw } from '../db/repositories/draws';
import { eligibleEntryIds, findEntry, setEntryOutcomes } from '../db/repositories/entries';
import {
  addPrizeStock,
  assignPrizeCode,
  insertPrizes,
  listPrizeStock,
  takePrizeStock,
} from '../db/repositories/prizes';
import type { CampaignConfig } from '../domain/campaign-config';
import type { ApiTier } from '../domain/consent';
import { drawWinners, newDrawSeed } from '../domain/lottery';
import { loadRunningCampaign, nonRetryable } from './campaign-loader';
import { createReportActivity } from './campaign-report';
import { planResultDelivery } from './delivery-plan';
import { createDrawRefresh } from './draw-refresh';
import { createEntryListsPoll } from './entries/poll-x-lists';
import { createEntryProcessing } from './entry-processing';
import { createFactFetcher, type StoredFacts } from './participant-facts';
import { createSendDeliveryActivity } from './delivery/send-delivery';
import type { XAccess } from './x-access';

export type { SendOutcome } from './delivery/send-delivery';

export interface CampaignRuntimeDeps {
  db: Db;
  x: Pick<
    XAccess,
    | 'xSendDm'
    | 'xReply'
    | 'xListReposters'
    | 'xListQuotes'
    | 'xListLikers'
    | 'xListFollowers'
    | 'xSearchRecent'
    | 'xLookupUsers'
    | 'xCheckFollows'
    | 'xListFollowing'
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

export function createCampaignRuntimeActivities({
  db,
  x,
  publicBaseUrl,
  now: wallClock = () => new Date(),
}: CampaignRuntimeDeps) {
  const factFetcher = createFactFetcher({ db, x, now: wallClock });
  const { refreshBeforeDraw } = createDrawRefresh({ db, x, factFetcher, now: wallClock });
  const loadConfig = (campaignId: string) => loadRunningCampaign(db, campaignId);

  const campaignSeed = (campaignId: string) => ensureCampaignSecretSeed(db, campaignId);
  const { processEntries } = createEntryProcessing({ db, factFetcher, loadConfig, campaignSeed });
  const { pollEntryLists } = createEntryListsPoll({ db, x, loadConfig });

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

    /**
     * Polling reconciliation for the legacy workflow: reads the campaign's engagements from X
     * into entry_events, from the cursors it passes in (watchEntries keeps them in the database).
     */
    async pollEntries(input: { campaignId: string; cursors: EntryCursors }): Promise<{
      newEvents: number;
      cursors: EntryCursors;
    }> {
      return pollEntryLists(input.campaignId, input.cursors);
    },

    processEntries,

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
      const queued = await inTransaction(db, async (trx) => {
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
          const delivery = planResultDelivery(
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

    ...createSendDeliveryActivity({ db, x, publicBaseUrl, now: wallClock }),
    ...createReportActivity({ db }),
  };
}

export type CampaignRuntimeActivities = ReturnType<typeof createCampaignRuntimeActivities>;
