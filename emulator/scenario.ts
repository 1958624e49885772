/**
 * The scenario format: a JSON document describing the X world the emulator starts from. Users
 * and posts are referred to by username / post key or by id. Times are relative to the
 * emulator clock when the scenario loads (`minutesAgo`, `createdDaysAgo`) or absolute ISO.
 */
import { z } from 'zod';
import { endpointKeys } from './endpoints';
import { faultPresetNames } from './faults';

const numericId = z.string().regex(/^[0-9]{1,19}$/, 'X ids are 1–19 digits');
/** A username (without @) or a numeric id. */
const userRef = z.string().min(1);
/** A post `key` from this scenario or a numeric id. */
const postRef = z.string().min(1);

export const dmSettings = ['everyone', 'following', 'verified', 'closed'] as const;
export type DmSetting = (typeof dmSettings)[number];

export const scenarioUserSchema = z.object({
  id: numericId.optional(),
  username: z.string().regex(/^[A-Za-z0-9_]{1,15}$/, 'X usernames are 1–15 letters, digits or _'),
  name: z.string().optional(),
  description: z.string().optional(),
  protected: z.boolean().optional(),
  suspended: z.boolean().optional(),
  /** X locked the account (326 on writes). */
  locked: z.boolean().optional(),
  /** X flagged the account as automated (226 on writes). */
  automationFlagged: z.boolean().optional(),
  verified: z.boolean().optional(),
  /** False: the account has no confirmed phone; its message requests fail with 476. */
  phoneVerified: z.boolean().optional(),
  /** Who may DM this user: everyone, accounts they follow, verified accounts, or nobody. */
  dmSetting: z.enum(dmSettings).optional(),
  createdAt: z.iso.datetime({ offset: true }).optional(),
  createdDaysAgo: z.number().nonnegative().optional(),
  /** Account-level DMs per day for this sender (default: the scenario's dmDailyLimit). */
  dmDailyLimit: z.number().int().positive().optional(),
});

export const scenarioTokenSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('oauth2'),
    user: userRef,
    accessToken: z.string().min(8),
    refreshToken: z.string().min(8).optional(),
    scopes: z.array(z.string()).optional(),
    /** Seconds until the access token expires (default: the app's token lifetime). */
    expiresInSeconds: z.number().int().optional(),
  }),
  z.object({
    kind: z.literal('oauth1'),
    user: userRef,
    accessToken: z.string().min(8),
    accessSecret: z.string().min(8),
  }),
  z.object({ kind: z.literal('app'), bearerToken: z.string().min(8) }),
]);

export const scenarioPostSchema = z.object({
  key: z.string().optional(),
  id: numericId.optional(),
  author: userRef,
  text: z.string(),
  minutesAgo: z.number().nonnegative().optional(),
  createdAt: z.iso.datetime({ offset: true }).optional(),
  replyTo: postRef.optional(),
  quoteOf: postRef.optional(),
  replySettings: z.enum(['everyone', 'following', 'mentionedUsers']).optional(),
});

const timedRelation = z.object({
  user: userRef,
  post: postRef,
  minutesAgo: z.number().nonnegative().optional(),
});

export const faultSpecSchema = z.union([
  z.enum(faultPresetNames),
  z.object({
    kind: z.literal('response'),
    status: z.number().int().min(100).max(599),
    body: z.unknown().optional(),
    headers: z.record(z.string(), z.string()).optional(),
    contentType: z.string().optional(),
  }),
]);

export const faultRuleSchema = z
  .object({
    /** Endpoint key (see endpoints.ts) or '*'. */
    endpoint: z.union([z.enum(endpointKeys), z.literal('*')]).default('*'),
    /** Only requests made as this user. */
    user: userRef.optional(),
    /** Always (up to `count`) or with probability `rate`. */
    fault: faultSpecSchema.optional(),
    /** Scripted: one entry per matching request, 'pass' lets one through; removed when used up. */
    sequence: z.array(z.union([faultSpecSchema, z.literal('pass')])).optional(),
    rate: z.number().min(0).max(1).optional(),
    /** How many times the fault fires (default 1 without `rate`, unlimited with it). */
    count: z.number().int().positive().optional(),
    /** For writes: perform the write, then answer with the fault (the "sent but lost" case). */
    applyEffect: z.boolean().optional(),
  })
  .refine((rule) => rule.fault !== undefined || rule.sequence !== undefined, {
    message: 'A fault rule needs `fault` or `sequence`.',
  });

export const rateLimitOverrideSchema = z.object({
  limit: z.number().int().positive(),
  windowSeconds: z.number().positive(),
  userDay: z
    .object({ limit: z.number().int().positive(), windowSeconds: z.number().positive() })
    .optional(),
  appDay: z
    .object({ limit: z.number().int().positive(), windowSeconds: z.number().positive() })
    .optional(),
});

export const scenarioSchema = z.object({
  /** Seeds the random fault rates, so a run is reproducible. */
  seed: z.number().int().optional(),
  clock: z
    .object({ start: z.iso.datetime({ offset: true }).optional(), frozen: z.boolean().optional() })
    .optional(),
  app: z
    .object({
      appId: z.string().optional(),
      consumerKey: z.string().optional(),
      consumerSecret: z.string().optional(),
      clientId: z.string().optional(),
      clientSecret: z.string().optional(),
      /** self_serve may reply only when summoned (mentioned/quoted); enterprise is exempt. */
      tier: z.enum(['self_serve', 'enterprise']).optional(),
      /** OAuth 2.0 access token lifetime (X: 7200 s). */
      tokenLifetimeSeconds: z.number().int().positive().optional(),
      /** The app's allowed callback URLs (X matches them exactly); unset: any http(s) URL. */
      callbackUrls: z.array(z.string().url()).max(10).optional(),
    })
    .optional(),
  users: z.array(scenarioUserSchema).default([]),
  tokens: z.array(scenarioTokenSchema).default([]),
  /** [follower, followed] */
  follows: z.array(z.tuple([userRef, userRef])).default([]),
  /** [blocker, blocked] */
  blocks: z.array(z.tuple([userRef, userRef])).default([]),
  posts: z.array(scenarioPostSchema).default([]),
  reposts: z.array(timedRelation).default([]),
  likes: z.array(timedRelation).default([]),
  dms: z
    .array(
      z.object({
        from: userRef,
        to: userRef,
        text: z.string().min(1),
        minutesAgo: z.number().nonnegative().optional(),
      }),
    )
    .default([]),
  /** Per endpoint key; unspecified endpoints keep X's published limits. */
  rateLimits: z.partialRecord(z.enum(endpointKeys), rateLimitOverrideSchema).optional(),
  /** Account-level DMs per sender per 24 h (X: about 500). */
  dmDailyLimit: z.number().int().positive().optional(),
  faults: z.array(faultRuleSchema).default([]),
  webhook: z
    .object({
      url: z.url(),
      /** The webhook config id `GET /2/webhooks` reports (default: a new snowflake id). */
      id: numericId.optional(),
      consumerSecret: z.string().optional(),
      /** Users whose events are delivered (default: every user with a token). */
      subscriptions: z.array(userRef).optional(),
    })
    .optional(),
});

export type Scenario = z.input<typeof scenarioSchema>;
export type ParsedScenario = z.output<typeof scenarioSchema>;
export type ScenarioUser = z.infer<typeof scenarioUserSchema>;
export type FaultSpec = z.infer<typeof faultSpecSchema>;
export type FaultRuleInput = z.input<typeof faultRuleSchema>;
export type FaultRule = z.output<typeof faultRuleSchema>;

export function parseScenario(input: unknown): ParsedScenario {
  const result = scenarioSchema.safeParse(input);
  if (!result.success) {
    throw new Error(`Invalid emulator scenario:\n${z.prettifyError(result.error)}`);
  }
  return result.data;
}
