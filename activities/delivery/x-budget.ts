/**
 * The campaign's X API budget (config `budget.usd`, docs/x-costs.md): before each send the batch
 * asks whether the send's X write, added to what the campaign's counted calls cost so far, would
 * pass the budget. If so, sending stops for a person: the batch returns its `halted` stop with
 * code `x_budget_reached`, which the workflow turns into a `send_error` stop (domain/interventions
 * haltKind) keyed `x_budget_reached:<deliveryId>`.
 *
 * The workflow names a halted send's stop by its code and category only. So that the person sees
 * the reason, the figures and the remedy, this opens that same stop first (same kind and key,
 * with them in its details); the workflow's own open then finds it open and adopts it.
 */
import { inTransaction, type Db } from '../../db/client';
import { insertAuditEntry } from '../../db/repositories/audit-log';
import type { Delivery } from '../../db/repositories/deliveries';
import { openIntervention } from '../../db/repositories/interventions';
import { sumXUsageByKind } from '../../db/repositories/x-api-usage';
import type { CampaignConfig } from '../../domain/campaign-config';
import { haltKind } from '../../domain/interventions';
import {
  budgetStopText,
  exceedsBudget,
  priceUsage,
  replyCostKind,
  roundUsd,
  usageOf,
  xBudgetStopCategory,
  xBudgetStopCode,
  type XCostKind,
  type XPriceTable,
} from '../../domain/x-cost';
import { loadRunningCampaign } from '../campaign/campaign-loader';

export interface XBudgetStop {
  code: typeof xBudgetStopCode;
  category: typeof xBudgetStopCategory;
  spentUsd: number;
  nextUsd: number;
  budgetUsd: number;
}

/** The X write a delivery makes: a DM, a reply (dearer with a link), or none (the result page). */
export function writeKindOf(delivery: Delivery, config: CampaignConfig): XCostKind | null {
  if (delivery.channel === 'dm') return 'dm_create';
  if (delivery.channel !== 'reply') return null;
  const template =
    delivery.kind === 'win' || delivery.kind === 'lose'
      ? config.templates[delivery.kind].reply
      : undefined;
  return replyCostKind(delivery.body ?? template ?? '');
}

export function createXBudgetGuard({ db, prices }: { db: Db; prices: XPriceTable }) {
  /** Null when the send may go; the stop (already opened for a person) when it may not. */
  async function checkBudget(delivery: Delivery): Promise<XBudgetStop | null> {
    const { config, campaign } = await loadRunningCampaign(db, delivery.campaignId);
    if (!config.budget) return null;
    const kind = writeKindOf(delivery, config);
    if (!kind) return null;
    const spentUsd = priceUsage(
      usageOf(await sumXUsageByKind(db, delivery.campaignId)),
      prices,
    ).totalUsd;
    const nextUsd = prices.usdPerUnit[kind];
    const budgetUsd = config.budget.usd;
    if (!exceedsBudget(spentUsd, nextUsd, budgetUsd)) return null;

    const stop: XBudgetStop = {
      code: xBudgetStopCode,
      category: xBudgetStopCategory,
      spentUsd,
      nextUsd,
      budgetUsd,
    };
    const text = budgetStopText({ spentUsd, nextUsd, budgetUsd, pricesReadOn: prices.readOn });
    // Details as the workflow's stopSending writes them, plus what the person needs to decide.
    const details = {
      code: stop.code,
      category: stop.category,
      deliveryId: delivery.id,
      accountId: campaign.accountId,
      accountHalted: false,
      reason: text.reason,
      remedy: text.remedy,
      xCost: {
        spentUsd: roundUsd(spentUsd),
        nextUsd,
        budgetUsd,
        nextKind: kind,
        pricesReadOn: prices.readOn,
      },
    };
    await inTransaction(db, async (trx) => {
      const { intervention, created } = await openIntervention(trx, {
        campaignId: delivery.campaignId,
        accountId: campaign.accountId,
        kind: haltKind(stop.category),
        dedupeKey: `${stop.code}:${delivery.id}`,
        details,
        openedBy: 'kuji',
      });
      if (created) {
        await insertAuditEntry(trx, {
          actor: 'kuji',
          action: 'intervention.open',
          campaignId: delivery.campaignId,
          subject: intervention.id,
          outcome: 'ok',
          details: { kind: intervention.kind, ...details },
        });
      }
    });
    return stop;
  }

  return { checkBudget };
}

export type XBudgetGuard = ReturnType<typeof createXBudgetGuard>;
