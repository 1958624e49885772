import { pageQuerySchema } from './pagination';
import { z } from 'zod';
import { campaignConfigSchema } from '../../domain/campaign-config';
import { interventionKinds } from '../../domain/interventions';
import { campaignPhases } from '../../domain/phases';
import type { CampaignStatus } from '../../workflows/messages';
import { liveStatusErrorCodes } from '../campaign-status';
import { localizedTextSchema } from './deliveries';

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

/**
 * The workflow's `status` query, every field of it: a field missing here would be stripped from
 * the answer, so `UndeclaredStatusFields` below stops the build when the query gains one. Fields
 * added after the first runs are optional because runs started before them answer without.
 */
export const workflowStatusSchema = z.object({
  campaignId: z.string().optional(),
  phase: z.enum(campaignPhases),
  paused: z.boolean(),
  needsAttention: z.boolean(),
  approvedBy: z.string().nullable(),
  preflight: z
    .object({
      ok: z.boolean(),
      blocking: z.number(),
      warnings: z.number(),
      checkedAt: z.string(),
      configVersion: z.number().int().optional(),
    })
    .nullable(),
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
  /** Deliveries waiting in the current batch. */
  queueLength: z.number().int().optional(),
  /** When the day's DM cap is reached: the instant the next local-day window opens. */
  nextWindowAt: z.string().nullable().optional(),
  /** Sending stopped for a person: the failure that stopped it. */
  halt: z
    .object({ code: z.string(), category: z.string(), deliveryId: z.string() })
    .nullable()
    .optional(),
  /** Open interventions as the workflow holds them (details: GET …/interventions). */
  interventions: z
    .array(
      z.object({
        id: z.string(),
        kind: z.enum(interventionKinds),
        blocks: z.enum(['launch', 'sending', 'entries', 'nothing']),
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
  /** Claims of a campaign with a `claim` section: null without one (docs/claims.md). */
  claims: z
    .object({
      open: z.number().int(),
      claimed: z.number().int(),
      forfeited: z.number().int(),
      promoted: z.number().int(),
      nextDeadlineAt: z.string().nullable(),
    })
    .nullable()
    .optional(),
  /** The published seed and entries digest of the draw: anyone can re-derive the winners. */
  draw: z
    .object({
      seed: z.string(),
      digest: z.string(),
      entryCount: z.number().int(),
      winners: z.number().int(),
    })
    .nullable()
    .optional(),
  report: z
    .object({
      entries: z.number(),
      eligible: z.number(),
      winners: z.number(),
      delivered: z.number(),
      failed: z.number(),
    })
    .nullable()
    .optional(),
});

type NoneLeft<T extends never> = T;
/** Compiles only while the schema declares every field of the status query (a guard, no value). */
export type UndeclaredStatusFields = NoneLeft<
  Exclude<keyof CampaignStatus, keyof typeof workflowStatusSchema.shape>
>;

export const campaignDetailSchema = z.object({
  campaign: campaignSchema.describe(
    'The stored campaign; `phase` and `paused` are the live workflow’s when `workflow.live`',
  ),
  workflow: z
    .object({
      /** RUNNING, COMPLETED, …; null when Temporal could not say within the deadline. */
      status: z.string().nullable(),
      live: z
        .boolean()
        .describe(
          'true: `state` is what the workflow answered just now. false: it did not answer in time (or is gone), `state` is null and `campaign` shows the stored state',
        ),
      liveError: z
        .object({ code: z.enum(liveStatusErrorCodes), reason: localizedTextSchema })
        .nullable(),
      state: workflowStatusSchema.nullable(),
    })
    .nullable()
    .describe('null until the campaign is started'),
});

export const listCampaignsQuerySchema = z.object({
  phase: z.enum(campaignPhases).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: pageQuerySchema.shape.offset,
});
