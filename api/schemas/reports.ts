import { z } from 'zod';
import { xCostKinds } from '../../domain/x-cost';

const localized = z.object({ ja: z.string(), en: z.string() });

/** A campaign's counted X calls priced (domain/x-cost.ts costSummary). */
const xCostLineSchema = z.object({
  kind: z.enum(xCostKinds),
  label: localized,
  per: z.enum(['resource', 'request']).describe('X bills reads per resource, writes per request'),
  units: z.number().describe('Resources returned (reads) or requests X accepted (writes)'),
  unitUsd: z.number(),
  usd: z.number(),
});

export const xCostSummarySchema = z.object({
  currency: z.literal('USD'),
  lines: z.array(xCostLineSchema),
  totalUsd: z
    .number()
    .describe("The campaign's own calls: what the budget is held to (account-wide reads apart)"),
  accountWide: z
    .object({ lines: z.array(xCostLineSchema), totalUsd: z.number(), note: localized })
    .describe(
      "Reads of the whole account's DM inbox and mentions this campaign's polling made: " +
        'account-wide, not counted in totalUsd nor against the budget',
    ),
  budgetUsd: z.number().nullable(),
  remainingUsd: z.number().nullable().describe('Budget left, never below zero; null without one'),
  prices: z.object({
    readOn: z.string().describe('When the prices were read from X (YYYY-MM-DD)'),
    source: z.string(),
  }),
});

export const reportResponseSchema = z.object({
  report: z.unknown().describe('The report as the workflow stored it (funnel, deliveries, days)'),
  storedAt: z.string(),
});

/** What report.csv reads from the stored report; every part optional so older reports export. */
export const storedReportSchema = z.object({
  campaignId: z.string().optional(),
  generatedAt: z.string().optional(),
  funnel: z.record(z.string(), z.unknown()).optional(),
  deliveries: z.record(z.string(), z.number()).optional(),
  /** Results by channel (dm, reply, result_page); absent in reports stored before it. */
  channels: z.record(z.string(), z.number()).optional(),
  perDay: z.array(z.object({ dayKey: z.string(), count: z.number(), cap: z.number() })).optional(),
  failures: z
    .array(z.object({ code: z.string(), category: z.string().nullable(), count: z.number() }))
    .optional(),
  stock: z
    .array(
      z.object({
        prizeId: z.string(),
        name: z.string(),
        stockTotal: z.number(),
        stockRemaining: z.number(),
      }),
    )
    .optional(),
  draw: z
    .object({
      seed: z.string(),
      digest: z.string(),
      entryCount: z.number(),
      winners: z.array(z.string()),
    })
    .nullable()
    .optional(),
  /** Claims (docs/claims.md); null for a campaign without a claim section. */
  claims: z
    .object({ claimed: z.number(), forfeited: z.number(), promoted: z.number(), open: z.number() })
    .nullable()
    .optional(),
  /** The X API cost (docs/x-costs.md); absent in reports stored before it. */
  xCost: z
    .object({
      lines: z.array(
        z.object({ kind: z.string(), units: z.number(), unitUsd: z.number(), usd: z.number() }),
      ),
      totalUsd: z.number(),
      budgetUsd: z.number().nullable(),
      remainingUsd: z.number().nullable(),
      /** Account-wide reads (not against the budget); absent in reports stored before it. */
      accountWide: z.object({ totalUsd: z.number() }).optional(),
      prices: z.object({ readOn: z.string(), source: z.string() }),
    })
    .optional(),
});
export type StoredReportContent = z.infer<typeof storedReportSchema>;
