import { z } from 'zod';
import { interventionKinds, interventionResolutions } from '../../domain/interventions';
import { errorWordsSchema } from './x-errors';

const localized = z.object({ ja: z.string(), en: z.string() });

export const interventionSchema = z.object({
  id: z.string(),
  campaignId: z.string().nullable(),
  accountId: z.string().nullable(),
  kind: z.enum(interventionKinds),
  status: z.enum(['open', 'resolved']),
  blocks: z.enum(['launch', 'sending', 'entries', 'nothing']),
  title: localized,
  remedy: localized,
  /** What a person may answer with. */
  resolutions: z.array(z.enum(interventionResolutions)),
  details: z.record(z.string(), z.unknown()),
  /** The failure the stop names (send_error, sender_halted …) in words; null when it names none. */
  error: errorWordsSchema.nullable(),
  openedBy: z.string(),
  openedAt: z.string(),
  resolution: z.string().nullable(),
  resolvedBy: z.string().nullable(),
  resolvedAt: z.string().nullable(),
});

export const interventionParamsSchema = z.object({
  id: z.string().min(1).max(200),
  interventionId: z.string().min(1).max(100),
});

export const listInterventionsQuerySchema = z.object({
  status: z.enum(['open', 'resolved']).optional(),
});

export const resolveInterventionBodySchema = z
  .object({
    resolution: z.enum(interventionResolutions),
    note: z.string().max(1000).optional(),
    stock: z
      .array(z.object({ prizeId: z.string().min(1), amount: z.int().min(1).max(1_000_000) }))
      .min(1)
      .optional()
      .describe(
        'add_stock: units to add per prize. The stock goes into a new configuration version, which preflight checks (景品表示法 included) and an approver other than who added it approves before it is used.',
      ),
  })
  .strict();

export const misdeliveryBodySchema = z
  .object({
    reason: z.string().min(1).max(1000).describe('What was wrong with the message'),
    followUpText: z
      .string()
      .regex(/\S/, 'must not be blank')
      .trim()
      .min(1)
      .max(10_000)
      .describe('The follow-up DM; may use {name}, {prize}, {code} and {resultUrl}'),
    selector: z
      .object({
        kinds: z
          .array(z.enum(['win', 'lose']))
          .min(1)
          .optional(),
        sentFrom: z.iso.datetime({ offset: true }).optional(),
        sentUntil: z.iso.datetime({ offset: true }).optional(),
        deliveryIds: z.array(z.string().min(1)).min(1).max(10_000).optional(),
      })
      .strict()
      .default({})
      .describe('Which sent messages were wrong; by default every win and lose message so far'),
  })
  .strict();

export const resendBodySchema = z
  .object({ deliveryIds: z.array(z.string().min(1)).min(1).max(500) })
  .strict();

export const resendResponseSchema = z.object({
  queued: z.number(),
  results: z.array(
    z.object({
      id: z.string(),
      outcome: z.enum(['queued', 'already_pending', 'already_sent', 'not_failed', 'not_found']),
    }),
  ),
});
