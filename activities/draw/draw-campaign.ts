/**
 * The drawn lottery: a seeded, reproducible draw over the eligible entries, stored once; the
 * winners' outcomes, prize stock and result deliveries are applied in one transaction.
 */
import { randomBytes } from 'node:crypto';
import { type Db, inTransaction } from '../../db/client';
import { insertClaims, type NewClaim } from '../../db/repositories/claims';
import { insertDeliveries, type NewDelivery } from '../../db/repositories/deliveries';
import { findDraw, insertDraw } from '../../db/repositories/draws';
import { eligibleEntryIds, findEntry, setEntryOutcomes } from '../../db/repositories/entries';
import { assignPrizeCode, takePrizeStock } from '../../db/repositories/prizes';
import { claimDeadline } from '../../domain/claims';
import type { ApiTier } from '../../domain/consent';
import { drawWinners, newDrawSeed } from '../../domain/lottery';
import { loadRunningCampaign, nonRetryable } from '../campaign/campaign-loader';
import { planResultDelivery } from '../delivery/delivery-plan';
import type { StoredFacts } from '../entries/participant-facts';
import type { createDrawRefresh } from './draw-refresh';

export interface DrawCampaignDeps {
  db: Db;
  refreshBeforeDraw: ReturnType<typeof createDrawRefresh>['refreshBeforeDraw'];
}

export function createDrawCampaignActivity({ db, refreshBeforeDraw }: DrawCampaignDeps) {
  return {
    /** The drawn lottery: a seeded, reproducible draw over the eligible entries, stored once. */
    async drawCampaign(input: {
      campaignId: string;
      /** Workflow time of the draw: when the winners' claims open (claims on). */
      now?: string;
    }): Promise<{
      seed: string;
      digest: string;
      entryCount: number;
      winners: number;
      alternates: number;
      queued: number;
    }> {
      const { config, account } = await loadRunningCampaign(db, input.campaignId);
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
          // Kept with the draw: the published entry list stays the draw's own whatever
          // becomes of these entries' outcomes later.
          entryIds,
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
      // With claims on, each winner's prize waits for their claim until the deadline.
      const claimHours = config.claim ? config.schedule.claimDeadlineHours : undefined;
      const drawnAt = input.now ? new Date(input.now) : stored.createdAt;
      const queued = await inTransaction(db, async (trx) => {
        const deliveries: NewDelivery[] = [];
        const claims: NewClaim[] = [];
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
          if (claimHours !== undefined) {
            claims.push({
              campaignId: input.campaignId,
              xUserId,
              prizeId,
              openedAt: drawnAt,
              deadlineAt: claimDeadline(drawnAt, claimHours),
            });
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
        await insertClaims(trx, claims);
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
  };
}
