import { z } from 'zod';
import { deliveryStates } from '../../db/repositories/deliveries';
import { xErrorCategories } from '../../domain/x-errors';

export const localizedTextSchema = z.object({ ja: z.string(), en: z.string() });

export const listDeliveriesQuerySchema = z.object({
  state: z.enum(deliveryStates).optional(),
  category: z.enum(xErrorCategories).optional().describe("The last error's category"),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

export const deliverySchema = z.object({
  id: z.string(),
  xUserId: z.string(),
  kind: z.enum(['win', 'lose', 'follow_up', 'rehearsal']),
  channel: z.enum(['dm', 'reply', 'result_page']),
  channelReason: z.unknown().describe('Why this channel was chosen (consent plan)'),
  state: z.enum(deliveryStates),
  attempts: z.number().int(),
  errorCode: z.string().nullable(),
  errorCategory: z.enum(xErrorCategories).nullable(),
  errorReason: localizedTextSchema.nullable(),
  errorRemedy: localizedTextSchema.nullable(),
  xEventId: z.string().nullable(),
  xConversationId: z.string().nullable(),
  windowDay: z.string().nullable().describe('Local day of the quota slot it holds or held'),
  eta: z
    .string()
    .nullable()
    .describe('Estimated send instant (ISO) for queued and reserved deliveries, else null'),
  etaDay: z
    .string()
    .nullable()
    .describe("The local day (account timezone, YYYY-MM-DD) of the ETA's quota window"),
  sentAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const deliveryQuotaSchema = z
  .object({
    timezone: z.string(),
    dayKey: z.string().describe("Today's local day in the account timezone"),
    used: z.number().int().describe("DM slots used today by all the account's campaigns"),
    cap: z.number().int(),
    remaining: z.number().int(),
    nextWindowAt: z
      .string()
      .nullable()
      .describe("When the next day's window opens, while today's quota is full; else null"),
  })
  .describe("The sender account's DM quota today");

export const listDeliveriesResponseSchema = z.object({
  deliveries: z.array(deliverySchema),
  counts: z.record(z.enum(deliveryStates), z.number().int()),
  quota: deliveryQuotaSchema,
});

const booleanQuerySchema = z.enum(['true', 'false']).transform((value) => value === 'true');

export const listEntriesQuerySchema = z.object({
  outcome: z.enum(['pending', 'won', 'lost', 'alternate', 'ineligible']).optional(),
  eligible: booleanQuerySchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  after: z.string().min(1).max(64).optional().describe('The last xUserId of the previous page'),
});

export const entrySchema = z.object({
  xUserId: z.string(),
  username: z.string().nullable(),
  consentBasis: z.enum(['dm_opt_in', 'summoned', 'none']),
  eligible: z.boolean().nullable().describe('null until eligibility has been judged'),
  reasons: z.array(localizedTextSchema.extend({ code: z.string() })),
  outcome: z.enum(['pending', 'won', 'lost', 'alternate', 'ineligible']),
  prize: z
    .object({ id: z.string(), name: z.string().nullable(), code: z.string().nullable() })
    .nullable(),
  firstSeenAt: z.string(),
  updatedAt: z.string(),
});

export const listEntriesResponseSchema = z.object({
  entries: z.array(entrySchema),
  nextAfter: z
    .string()
    .nullable()
    .describe('Pass as `after` for the next page; null on the last page'),
});
