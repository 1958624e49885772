/**
 * GET /v1/campaigns/:id/costs: what the campaign's X calls have cost so far, live (the report
 * keeps the figure of its end): units per kind as Kuji counted them (docs/x-costs.md), the unit
 * price, the cost, the budget and what is left, the price table's date, and preflight's estimate.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { loadXPrices } from '../../config/x-prices';
import { findCampaignRunningConfig } from '../../db/repositories/campaigns';
import { sumAccountWideXUsageByKind, sumXUsageByKind } from '../../db/repositories/x-api-usage';
import { parseStoredConfig, storedConfigKey } from '../../domain/stored-config';
import { costSummary, usageOf } from '../../domain/x-cost';
import { estimateCampaignCost } from '../../domain/x-cost-estimate';
import { roles } from '../plugins/auth';
import { requireCampaign } from '../lookups';
import { errorResponses, idParamsSchema } from '../schemas/common';
import { xCostSummarySchema } from '../schemas/reports';

const costsResponseSchema = xCostSummarySchema.extend({
  campaignId: z.string(),
  estimate: z
    .object({
      expectedEntries: z.number(),
      entriesAssumed: z
        .boolean()
        .describe('No expectedEntries in the configuration: the winners stood in for them'),
      winners: z.number(),
      messages: z.number(),
      totalUsd: z.number(),
      overBudget: z.boolean(),
    })
    .nullable()
    .describe("Preflight's estimate from the configuration; null when it cannot be read"),
});

export default function costRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  // Read once, like the other settings: a bad KUJI_X_PRICES fails the start with its name.
  const prices = loadXPrices();

  r.get(
    '/v1/campaigns/:id/costs',
    {
      onRequest: app.authorize(roles.read),
      schema: {
        summary:
          "The campaign's X API cost so far: Kuji's own X calls per kind (reads by resources " +
          'returned, once per resource and UTC day; writes by requests X accepted), unit price, ' +
          'cost, budget and what is left, the price table date, and the estimate',
        tags: ['reports'],
        params: idParamsSchema,
        response: { 200: costsResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const campaign = await requireCampaign(app.db, request.params.id);
      const running = await findCampaignRunningConfig(app.db, campaign.id);
      const version = campaign.approvedConfigVersion ?? campaign.configVersion;
      const parsed =
        running?.config === undefined
          ? undefined
          : parseStoredConfig(running.config, storedConfigKey(campaign.id, version));
      const config = parsed?.success ? parsed.data : undefined;
      const usage = usageOf(await sumXUsageByKind(app.db, campaign.id));
      const accountWide = usageOf(await sumAccountWideXUsageByKind(app.db, campaign.id));
      const estimate = config ? estimateCampaignCost(config, prices) : undefined;
      return {
        campaignId: campaign.id,
        ...costSummary(usage, prices, config?.budget?.usd ?? null, accountWide),
        estimate: estimate
          ? {
              expectedEntries: estimate.expectedEntries,
              entriesAssumed: estimate.entriesAssumed,
              winners: estimate.winners,
              messages: estimate.messages,
              totalUsd: estimate.cost.totalUsd,
              overBudget: estimate.overBudget,
            }
          : null,
      };
    },
  );
}
