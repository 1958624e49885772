/** Before collecting: the campaign's prize stock loaded, its seed made, and the plan it runs on. */
import type { Db } from '../../db/client';
import { ensureCampaignSecretSeed } from '../../db/repositories/campaign-seed';
import { addPrizeStock, insertPrizes, listPrizeStock } from '../../db/repositories/prizes';
import type { CampaignConfig } from '../../domain/campaign-config';
import { loadRunningCampaign } from './campaign-loader';

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
  /** Set when winners claim their prize (the `claim` section); absent: results are final. */
  claims?: { deadlineHours: number; retentionDays: number };
}

export function createPrepareCampaignActivity({ db }: { db: Db }) {
  return {
    /** Loads prizes into the stock table (idempotent) and returns the plan the workflow follows. */
    async prepareCampaign(input: { campaignId: string }): Promise<CampaignPlan> {
      const { config, account } = await loadRunningCampaign(db, input.campaignId);
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
      await ensureCampaignSecretSeed(db, input.campaignId);
      return {
        kind: config.kind,
        accountId: account.id,
        startAt: config.schedule.startAt,
        endAt: config.schedule.endAt,
        timeZone: account.timezone,
        pacing: config.pacing,
        safety: config.safety,
        ...(config.claim && config.schedule.claimDeadlineHours !== undefined
          ? {
              claims: {
                deadlineHours: config.schedule.claimDeadlineHours,
                retentionDays: config.claim.retentionDays,
              },
            }
          : {}),
      };
    },
  };
}
