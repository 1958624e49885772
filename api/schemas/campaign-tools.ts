import { z } from 'zod';
import { premiumKinds } from '../../domain/campaign-config';
import { localizedTextSchema } from './deliveries';

export const validateConfigBodySchema = z
  .object({
    config: z
      .unknown()
      .describe(
        'A campaign configuration as POST /v1/campaigns takes it, complete or not: any JSON',
      ),
  })
  .strict();

export const configIssueSchema = z.object({
  path: z
    .string()
    .describe('Dotted path inside the configuration (`prizes.0.odds`); empty for all of it'),
  code: z
    .string()
    .describe(
      "zod's issue code (`too_small`, `invalid_type`…), `required`, `invalid_choice`, or Kuji's own (`end_before_start`, `unknown_account`…)",
    ),
  message: localizedTextSchema,
});

export const complianceCheckSchema = z.object({
  checked: z
    .boolean()
    .describe('false while the compliance section or the prizes are not valid: nothing checked'),
  ok: z.boolean().describe('No blocking finding (what preflight requires before approval)'),
  premiumKind: z.enum(premiumKinds).nullable(),
  totalValueYen: z.number().int().nullable().describe('Value × stock over all prizes'),
  maxPrizeValueYen: z.number().int().nullable(),
  findings: z.array(
    z.object({
      code: z.string(),
      severity: z.enum(['blocking', 'warning']),
      prizeId: z.string().optional(),
      limitYen: z.number().optional(),
      actualYen: z.number().optional(),
      message: localizedTextSchema,
    }),
  ),
  message: localizedTextSchema.describe('The outcome in one sentence'),
});

export const templatePreviewSchema = z.object({
  template: z.string().describe('`win.dm`, `win.reply`, `lose.dm`, `lose.reply`, `followUp.dm`…'),
  text: z.string().nullable().describe('null when a placeholder cannot be filled'),
  unknownVariables: z.array(z.string()),
  weightedLength: z
    .number()
    .int()
    .nullable()
    .describe('Replies: the length as X counts it (Japanese 2, a URL 23)'),
  maxWeightedLength: z.number().int().nullable(),
});

export const validateConfigResponseSchema = z.object({
  valid: z.boolean().describe('POST /v1/campaigns would accept this configuration'),
  issues: z.array(configIssueSchema),
  compliance: complianceCheckSchema,
  sampleVariables: z
    .record(z.string(), z.string())
    .describe('The values the previews fill in: a sample participant, the first prize and code'),
  previews: z.array(templatePreviewSchema),
});

export const configChangeSchema = z.object({
  path: z.string(),
  kind: z.enum(['added', 'removed', 'changed']),
  before: z.unknown().describe('null when added'),
  after: z.unknown().describe('null when removed'),
});

export const configDiffResponseSchema = z.object({
  approvedVersion: z
    .number()
    .int()
    .nullable()
    .describe('The version the last approval signed off; null before any approval'),
  currentVersion: z.number().int(),
  changes: z.array(configChangeSchema),
  author: z.string().describe('Who created the campaign: never its approver'),
  changedBy: z
    .array(z.string())
    .describe(
      'Who changed the configuration since the last approval (API key ids, from the audit log): none of them may approve this round',
    ),
});
