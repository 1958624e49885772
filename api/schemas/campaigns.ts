import { z } from 'zod';
import { campaignConfigSchema } from '../../domain/campaign-config';
import { campaignPhases } from '../../domain/phases';

export const campaignIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{2,62}$/, 'use 3–63 lowercase letters, digits and hyphens')
  .describe('Campaign id; chosen by the caller or generated');

export const createCampaignBodySchema = z
  .object({
    id: campaignIdSchema.optional(),
    config: campaignConfigSchema,
    start: z
      .boolean()
      .default(true)
      .describe('Start the campaign workflow (preflight, then approval) right away'),
  })
  .strict();

export const campaignSchema = z.object({
  id: z.string(),
  name: z.string(),
  accountId: z.string(),
  phase: z.enum(campaignPhases),
  paused: z.boolean(),
  author: z.string(),
  workflowId: z.string().nullable(),
  config: z.unknown(),
  /** The newest configuration's version; `config` is that version. */
  configVersion: z.number().int(),
  /** The version the last approval signed off, which sending uses (null before approval). */
  approvedConfigVersion: z.number().int().nullable(),
  preflight: z.unknown(),
  createdAt: z.string(),
  updatedAt: z.string(),
  links: z.object({ webUi: z.string().nullable() }),
});

export const workflowStatusSchema = z.object({
  phase: z.enum(campaignPhases),
  paused: z.boolean(),
  needsAttention: z.boolean(),
  approvedBy: z.string().nullable(),
  preflight: z.unknown(),
  refusedApprovals: z.array(z.object({ by: z.string(), reason: z.string() })),
  cancelledBy: z.string().nullable(),
  /** 1, plus one for each configuration change after approval (absent in older runs). */
  approvalRound: z.number().int().min(1).optional(),
  counts: z
    .object({
      entryEvents: z.number(),
      eligible: z.number(),
      won: z.number(),
      sent: z.number(),
      failed: z.number(),
    })
    .optional(),
  /** Open interventions as the workflow holds them (details: GET …/interventions). */
  interventions: z
    .array(
      z.object({
        id: z.string(),
        kind: z.string(),
        blocks: z.string(),
        openedBy: z.string(),
        openedAt: z.string(),
      }),
    )
    .optional(),
  /** The last check of the webhook while collecting. */
  automation: z
    .object({ armed: z.boolean(), checkedAt: z.string(), problem: z.string().nullable() })
    .nullable()
    .optional(),
});

export const campaignDetailSchema = z.object({
  campaign: campaignSchema,
  workflow: z
    .object({
      status: z.string(),
      state: workflowStatusSchema.nullable(),
    })
    .nullable(),
});

export const listCampaignsQuerySchema = z.object({
  phase: z.enum(campaignPhases).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
