import { z } from 'zod';
import { errorWordsSchema } from './x-errors';

export const createAccountBodySchema = z
  .object({
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{1,62}$/, 'use 2–63 lowercase letters, digits, _ and -')
      .describe('Kuji id of the sender account'),
    handle: z
      .string()
      .regex(/^@?\w{1,15}$/, 'an X handle: up to 15 letters, digits or _')
      .optional()
      .describe('The handle you expect; linking replaces it with the one X reports'),
    displayName: z.string().trim().min(1).max(100).optional().describe('What operators call it'),
    xUserId: z.string().regex(/^\d+$/, 'X user ids are digits').optional(),
    tier: z.enum(['self_serve', 'enterprise']).default('self_serve'),
    timezone: z
      .string()
      .default('Asia/Tokyo')
      .refine((tz) => {
        try {
          new Intl.DateTimeFormat('en-US', { timeZone: tz });
          return true;
        } catch {
          return false;
        }
      }, 'unknown IANA timezone'),
    dmDailyCap: z
      .number()
      .int()
      .min(1)
      .max(1440, 'X allows at most 1,440 DMs per user per 24 h')
      .default(100),
  })
  .strict();

export const accountSchema = z.object({
  id: z.string(),
  /** Until the account is linked without a handle given: `~` and the id (no X handle has `~`). */
  handle: z.string(),
  displayName: z.string().nullable(),
  xUserId: z.string().nullable(),
  tier: z.string(),
  timezone: z.string(),
  dmDailyCap: z.number(),
  status: z.string(),
  linked: z.boolean(),
  /** Sending is halted for every campaign on the account until a person resumes it. */
  halt: z
    .object({
      code: z.string(),
      category: z.string(),
      campaignId: z.string().nullable(),
      /** The halt code in words (null for a code the catalogue does not know). */
      error: errorWordsSchema.nullable(),
    })
    .nullable(),
  haltedAt: z.string().nullable(),
  createdAt: z.string(),
});

export const createApiKeyBodySchema = z
  .object({
    name: z.string().min(1).max(100),
    role: z.enum(['admin', 'operator', 'approver', 'viewer']),
  })
  .strict();
