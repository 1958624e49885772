/**
 * The claims of a campaign at one instant (workflow time): every open claim past its deadline
 * is forfeited, and each forfeited prize goes to the next alternate in draw order, who is told
 * like any winner (DM or reply when their consent allows, else the result page) and gets a
 * deadline of their own.
 */
import { type Db, inTransaction } from '../../db/client';
import {
  countClaims,
  countQueuedPromotionMessages,
  forfeitExpiredClaims,
  handOverPrizeCode,
  insertClaims,
  listClaimantIds,
  listUnreplacedForfeits,
} from '../../db/repositories/claims';
import { insertDeliveries, type NewDelivery } from '../../db/repositories/deliveries';
import { findDraw } from '../../db/repositories/draws';
import { findEntry, setEntryOutcomes } from '../../db/repositories/entries';
import { assignPrizeCode } from '../../db/repositories/prizes';
import { claimDeadline, nextAlternates } from '../../domain/claims';
import type { ApiTier } from '../../domain/consent';
import { loadRunningCampaign } from '../campaign/campaign-loader';
import { planResultDelivery } from '../delivery/delivery-plan';
import type { StoredFacts } from '../entries/participant-facts';

export interface SettleClaimsResult {
  /** False when the campaign has no `claim` section: nothing to settle, ever. */
  claimsOn: boolean;
  open: number;
  claimed: number;
  forfeited: number;
  promoted: number;
  /** Forfeited by this call. */
  forfeitedNow: number;
  /** Alternates promoted by this call. */
  promotedNow: number;
  /** ISO instant of the earliest open deadline; null when no claim is open. */
  nextDeadlineAt: string | null;
  /** Win messages of promoted alternates waiting in the queue (result-page ones never wait). */
  queued: number;
}

export function createSettleClaimsActivity({ db }: { db: Db }) {
  return {
    async settleClaims(input: { campaignId: string; now: string }): Promise<SettleClaimsResult> {
      const { config, account } = await loadRunningCampaign(db, input.campaignId);
      const hours = config.schedule.claimDeadlineHours;
      if (!config.claim || hours === undefined) {
        return {
          claimsOn: false,
          open: 0,
          claimed: 0,
          forfeited: 0,
          promoted: 0,
          forfeitedNow: 0,
          promotedNow: 0,
          nextDeadlineAt: null,
          queued: 0,
        };
      }
      const tier: ApiTier = account.tier === 'enterprise' ? 'enterprise' : 'self_serve';
      const now = new Date(input.now);
      const { campaignId } = input;
      // One transaction: a retry after a crash finds the forfeits and their promotions done
      // together or not at all (and listUnreplacedForfeits owes any promotion left undone).
      const settled = await inTransaction(db, async (trx) => {
        const forfeitedNow = await forfeitExpiredClaims(trx, { campaignId, now });
        const owed = await listUnreplacedForfeits(trx, campaignId);
        const draw = owed.length > 0 ? await findDraw(trx, campaignId) : undefined;
        const deliveries: NewDelivery[] = [];
        let promotedNow = 0;
        if (draw && owed.length > 0) {
          const taken = await listClaimantIds(trx, campaignId);
          // Only people still waiting as alternates (not since judged otherwise).
          const waiting: { xUserId: string; facts: StoredFacts }[] = [];
          for (const xUserId of draw.alternates) {
            if (taken.has(xUserId)) continue;
            const entry = await findEntry(trx, campaignId, xUserId);
            if (entry?.outcome === 'alternate') {
              waiting.push({ xUserId, facts: entry.facts as StoredFacts });
            }
          }
          const picked = nextAlternates(
            waiting.map((w) => w.xUserId),
            taken,
            owed.length,
          );
          for (const [index, xUserId] of picked.entries()) {
            const forfeit = owed[index]!;
            const prizeId = forfeit.prizeId;
            let code: string | null = null;
            if (prizeId) {
              // A free code first; else the forfeited winner's, which they can no longer use.
              code = await assignPrizeCode(trx, campaignId, prizeId, xUserId);
              code ??= await handOverPrizeCode(trx, {
                campaignId,
                prizeId,
                fromXUserId: forfeit.xUserId,
                toXUserId: xUserId,
              });
              if (code !== null) {
                await setEntryOutcomes(trx, campaignId, [
                  { xUserId: forfeit.xUserId, outcome: 'won', prizeCode: null },
                ]);
              }
            }
            await setEntryOutcomes(trx, campaignId, [
              { xUserId, outcome: 'won', prizeId, prizeCode: code },
            ]);
            await insertClaims(trx, [
              {
                campaignId,
                xUserId,
                prizeId,
                openedAt: now,
                deadlineAt: claimDeadline(now, hours),
                replacesXUserId: forfeit.xUserId,
              },
            ]);
            promotedNow += 1;
            const delivery = planResultDelivery(
              config,
              tier,
              waiting.find((w) => w.xUserId === xUserId)!,
              campaignId,
              account.id,
              'win',
            );
            if (delivery) deliveries.push(delivery);
          }
        }
        if (deliveries.length > 0) await insertDeliveries(trx, deliveries);
        return { forfeitedNow: forfeitedNow.length, promotedNow };
      });
      const counts = await countClaims(db, campaignId);
      return {
        claimsOn: true,
        open: counts.open,
        claimed: counts.claimed,
        forfeited: counts.forfeited,
        promoted: counts.promoted,
        forfeitedNow: settled.forfeitedNow,
        promotedNow: settled.promotedNow,
        nextDeadlineAt: counts.nextDeadlineAt?.toISOString() ?? null,
        queued: await countQueuedPromotionMessages(db, campaignId),
      };
    },
  };
}
