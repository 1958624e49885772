/** The campaign's analysis report: funnel, reconciliation, deliveries per day and failures. */
import type { Db } from '../../db/client';
import { countClaims } from '../../db/repositories/claims';
import {
  deliveryChannelCounts,
  deliveryCounts,
  failuresByCode,
  sentPerDay,
} from '../../db/repositories/deliveries';
import { findDraw } from '../../db/repositories/draws';
import { countRefusedDuplicateEntries, entryFunnel } from '../../db/repositories/entries';
import { listPrizeStock } from '../../db/repositories/prizes';
import { listQuotaDays } from '../../db/repositories/quota';
import { upsertReport } from '../../db/repositories/reports';
import { sumAccountWideXUsageByKind, sumXUsageByKind } from '../../db/repositories/x-api-usage';
import { dailyCapOf } from '../../domain/quota';
import { reconcileFunnel } from '../../domain/reconciliation';
import { costSummary, usageOf, type XPriceTable } from '../../domain/x-cost';
import { loadXPrices } from '../../config/x-prices';
import { loadRunningCampaign } from '../campaign/campaign-loader';

async function claimsReport(db: Db, campaignId: string) {
  const { claimed, forfeited, promoted, open } = await countClaims(db, campaignId);
  return { claimed, forfeited, promoted, open };
}

export function createReportActivity({
  db,
  xPrices = loadXPrices(),
}: {
  db: Db;
  /** X's prices for the cost section; default config/x-prices.ts (KUJI_X_PRICES). */
  xPrices?: XPriceTable;
}) {
  return {
    /** Funnel and delivery report, stored for the API and returned in brief to the workflow. */
    async computeReport(input: { campaignId: string; now: string }) {
      const { campaign, account, config } = await loadRunningCampaign(db, input.campaignId);
      const [funnel, deliveries, channels, perDay, failures, stock, draw] = await Promise.all([
        entryFunnel(db, input.campaignId),
        deliveryCounts(db, input.campaignId),
        deliveryChannelCounts(db, input.campaignId),
        sentPerDay(db, { accountId: account.id, campaignId: input.campaignId }),
        failuresByCode(db, input.campaignId),
        listPrizeStock(db, input.campaignId),
        findDraw(db, input.campaignId),
      ]);
      const ledgerDays = new Map(
        (
          await listQuotaDays(
            db,
            account.id,
            perDay.map((d) => d.dayKey),
          )
        ).map((day) => [day.dayKey, day]),
      );
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
        // How results were told: a result_page one is `skipped` in deliveries, nothing sent.
        channels,
        // The cap the quota enforced each day: never above what X allows (as it reported it on
        // the sends) nor above the day's ledger, whatever was configured.
        perDay: perDay.map((d) => ({ ...d, cap: dailyCapOf(account, ledgerDays.get(d.dayKey)) })),
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
        // Claims (docs/claims.md): null for a campaign whose results are final at once.
        claims: config.claim ? await claimsReport(db, input.campaignId) : null,
        // Kuji's own X calls priced at X's pay-per-use prices, against the budget (docs/x-costs.md).
        xCost: costSummary(
          usageOf(await sumXUsageByKind(db, input.campaignId)),
          xPrices,
          config.budget?.usd ?? null,
          usageOf(await sumAccountWideXUsageByKind(db, input.campaignId)),
        ),
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
}
