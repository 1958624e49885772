import { z } from 'zod';

/**
 * X Activity API deliveries. Only the fields Kuji reads are declared; everything else X sends
 * passes through (`loose`), so a new field on X's side never turns a delivery into a 400.
 */
const xId = z.string().min(1);

/**
 * The shape of X's CRC challenge. A webhook body is signed with the same HMAC as the CRC answer,
 * so the CRC route must never sign anything a body could be: every body is a JSON object, and no
 * token of these characters can start with `{`.
 */
export const crcTokenPattern = /^[A-Za-z0-9_-]{8,128}={0,2}$/;

export const crcQuerySchema = z.object({
  crc_token: z
    .string()
    .regex(crcTokenPattern, 'crc_token must be 8 to 128 URL-safe base64 characters, as X sends it')
    .describe(
      'The challenge X sends when the webhook is registered: 8 to 128 URL-safe base64 characters. Anything else is refused with 400 and no signature, so no delivery body can be signed through this route.',
    ),
});

export const crcResponseSchema = z.object({
  response_token: z.string().describe("'sha256=' + base64 HMAC-SHA256(consumer secret, crc_token)"),
});

export const activityEventSchema = z
  .object({
    event_uuid: z.string().optional(),
    event_type: z.string(),
    /** The subscribed user the event was delivered for; absent on `oauth.revoke`. */
    filter: z
      .object({ user_id: xId.optional(), direction: z.enum(['inbound', 'outbound']).optional() })
      .loose()
      .optional(),
    payload: z.unknown(),
    includes: z.unknown().optional(),
  })
  .loose();
export type ActivityEvent = z.infer<typeof activityEventSchema>;

export const activityDeliverySchema = z
  .object({ data: z.union([activityEventSchema, z.array(activityEventSchema)]) })
  .loose()
  .describe('One X Activity API delivery (one event, or several)');

export const activityDeliveryResultSchema = z.object({
  accepted: z.int().describe('Events in the delivery'),
  stored: z.int().describe('Entry events stored for the first time (replays store nothing)'),
  replayed: z.int().describe('Events taken in before (same event_uuid): ignored'),
  notReceived: z
    .int()
    .describe(
      "'Not received' interventions newly opened (a repeated complaint finds the open one)",
    ),
});

const userSchema = z.object({ id: xId, username: z.string().optional() }).loose();

export const includesSchema = z
  .object({ users: z.array(userSchema).optional() })
  .loose()
  .optional()
  .catch(undefined);

/** The post carried by `post.reply.create`, `post.quote.create`, `post.repost.create`, `post.mention.create`. */
export const postPayloadSchema = z
  .object({
    id: xId,
    text: z.string().optional(),
    author_id: xId,
    created_at: z.string().optional(),
    conversation_id: z.string().optional(),
    referenced_tweets: z
      .array(z.object({ type: z.string(), id: xId }).loose())
      .optional()
      .default([]),
  })
  .loose();
export type PostPayload = z.infer<typeof postPayloadSchema>;

/** `like.create`: the liked post; the liker travels in `includes.users`. */
export const likePayloadSchema = z
  .object({
    liked_tweet_id: xId,
    liked_tweet_author_id: xId.optional(),
    timestamp_ms: z.string().optional(),
  })
  .loose();

/** `follow.follow`: who followed whom. */
export const followPayloadSchema = z
  .object({
    source: z.object({ data: userSchema }).loose(),
    target: z.object({ data: userSchema }).loose(),
  })
  .loose();

/** `dm.received`: the legacy-shaped DM events plus the users involved. */
export const dmPayloadSchema = z
  .object({
    direct_message_events: z.array(
      z
        .object({
          type: z.string(),
          id: xId,
          created_timestamp: z.string().optional(),
          message_create: z
            .object({
              sender_id: xId,
              target: z.object({ recipient_id: xId }).loose(),
              message_data: z.object({ text: z.string() }).loose(),
            })
            .loose()
            .optional(),
        })
        .loose(),
    ),
    users: z
      .record(z.string(), z.object({ data: userSchema }).loose())
      .optional()
      .catch(undefined),
  })
  .loose();

/** `oauth.revoke`: the user who removed the app. */
export const revokePayloadSchema = z
  .object({ user_id: xId, app_id: z.string().optional(), date_time: z.string().optional() })
  .loose();
