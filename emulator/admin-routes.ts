/**
 * The admin API under `/_admin/`: load a scenario, move the clock, inject faults, simulate what
 * participants do on X, configure the webhook, and read back everything sent and every request.
 */
import { z } from 'zod';
import { endpointKeys } from './endpoints';
import { HttpError, json, type EmuReply, type EmuRequest } from './http';
import {
  dmSettings,
  rateLimitOverrideSchema,
  type FaultRuleInput,
  type Scenario,
} from './scenario';
import type { XEmulator } from './server';
import { EmulatorError } from './state';

const ref = z.string().min(1);

export const emulatorActionSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('user'),
    username: z.string().regex(/^[A-Za-z0-9_]{1,15}$/),
    id: z
      .string()
      .regex(/^[0-9]{1,19}$/)
      .optional(),
    name: z.string().optional(),
    protected: z.boolean().optional(),
    suspended: z.boolean().optional(),
    verified: z.boolean().optional(),
    phoneVerified: z.boolean().optional(),
    dmSetting: z.enum(dmSettings).optional(),
    createdDaysAgo: z.number().nonnegative().optional(),
  }),
  z.object({
    type: z.literal('update_user'),
    user: ref,
    patch: z
      .object({
        name: z.string(),
        description: z.string(),
        protected: z.boolean(),
        suspended: z.boolean(),
        locked: z.boolean(),
        automationFlagged: z.boolean(),
        verified: z.boolean(),
        phoneVerified: z.boolean(),
        dmSetting: z.enum(dmSettings),
        dmDailyLimit: z.number().int().positive(),
      })
      .partial(),
  }),
  z.object({
    type: z.literal('post'),
    user: ref,
    text: z.string().min(1),
    key: z.string().optional(),
    replySettings: z.enum(['everyone', 'following', 'mentionedUsers']).optional(),
  }),
  z.object({
    type: z.literal('reply'),
    user: ref,
    post: ref,
    text: z.string().min(1),
    key: z.string().optional(),
  }),
  z.object({
    type: z.literal('quote'),
    user: ref,
    post: ref,
    text: z.string().min(1),
    key: z.string().optional(),
  }),
  z.object({ type: z.literal('repost'), user: ref, post: ref }),
  z.object({ type: z.literal('like'), user: ref, post: ref }),
  z.object({ type: z.literal('follow'), user: ref, target: ref }),
  z.object({ type: z.literal('unfollow'), user: ref, target: ref }),
  z.object({ type: z.literal('block'), user: ref, target: ref }),
  z.object({ type: z.literal('unblock'), user: ref, target: ref }),
  z.object({ type: z.literal('dm'), from: ref, to: ref, text: z.string().min(1) }),
  z.object({ type: z.literal('revoke'), user: ref.optional(), token: z.string().optional() }),
]);
export type EmulatorAction = z.infer<typeof emulatorActionSchema>;

/** Applies one simulated action to the emulator's world; returns what it created. */
export function applyAction(emulator: XEmulator, action: EmulatorAction): Record<string, unknown> {
  const state = emulator.state;
  switch (action.type) {
    case 'user': {
      const now = emulator.clock.now();
      const user = state.addUser({
        username: action.username,
        id: action.id,
        name: action.name,
        protected: action.protected,
        suspended: action.suspended,
        verified: action.verified,
        phoneVerified: action.phoneVerified,
        dmSetting: action.dmSetting,
        createdAtMs:
          action.createdDaysAgo !== undefined
            ? now - action.createdDaysAgo * 86_400_000
            : undefined,
      });
      return { userId: user.id };
    }
    case 'update_user':
      return { userId: state.updateUser(action.user, action.patch).id };
    case 'post':
      return {
        postId: state.createPost({
          author: action.user,
          text: action.text,
          key: action.key,
          replySettings: action.replySettings,
        }).id,
      };
    case 'reply':
      return {
        postId: state.createPost({
          author: action.user,
          text: action.text,
          replyTo: action.post,
          key: action.key,
        }).id,
      };
    case 'quote':
      return {
        postId: state.createPost({
          author: action.user,
          text: action.text,
          quoteOf: action.post,
          key: action.key,
        }).id,
      };
    case 'repost':
      return { postId: state.repost(action.user, action.post).id };
    case 'like':
      return { liked: state.like(action.user, action.post) !== undefined };
    case 'follow':
      return { followed: state.follow(action.user, action.target) !== undefined };
    case 'unfollow':
      return { unfollowed: state.unfollow(action.user, action.target) };
    case 'block':
      state.block(action.user, action.target);
      return { blocked: true };
    case 'unblock':
      state.unblock(action.user, action.target);
      return { blocked: false };
    case 'dm':
      return {
        dmEventId: state.createDm({ from: action.from, to: action.to, text: action.text }).id,
      };
    case 'revoke': {
      if (action.token) return { revoked: state.revokeToken(action.token) ? 1 : 0 };
      if (action.user) return { revoked: state.revokeUser(action.user) };
      throw new EmulatorError('revoke needs `user` or `token`.');
    }
  }
}

const clockSchema = z.object({
  advanceMs: z.number().nonnegative().optional(),
  advanceSeconds: z.number().nonnegative().optional(),
  set: z.iso.datetime({ offset: true }).optional(),
  freeze: z.boolean().optional(),
});

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success)
    throw new HttpError(
      json(400, { error: 'invalid_admin_request', detail: z.prettifyError(result.error) }),
    );
  return result.data;
}

function tokenView(emulator: XEmulator) {
  // Admin shows which tokens exist and for whom; secrets are shortened.
  const short = (value: string) => `${value.slice(0, 6)}…`;
  return [...emulator.state.tokens.values()].map((token) => ({
    kind: token.kind,
    token: short(token.accessToken),
    userId: token.kind === 'app' ? undefined : token.userId,
    revoked: token.revoked,
    ...(token.kind === 'oauth2'
      ? { scopes: token.scopes, expiresAt: new Date(token.expiresAtMs).toISOString() }
      : {}),
  }));
}

function stateView(emulator: XEmulator): Record<string, unknown> {
  const state = emulator.state;
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    clock: emulator.clock.describe(),
    app: {
      appId: state.app.appId,
      tier: state.app.tier,
      tokenLifetimeSeconds: state.app.tokenLifetimeSeconds,
    },
    users: [...state.users.values()].map((user) => ({ ...user, createdAt: iso(user.createdAtMs) })),
    tokens: tokenView(emulator),
    follows: state.follows.map((f) => ({
      followerId: f.followerId,
      followeeId: f.followeeId,
      at: iso(f.atMs),
    })),
    blocks: [...state.blocks].map((pair) => {
      const [blockerId, blockedId] = pair.split(':');
      return { blockerId, blockedId };
    }),
    posts: [...state.posts.values()].map((post) => ({ ...post, createdAt: iso(post.createdAtMs) })),
    postKeys: Object.fromEntries(state.postKeys),
    likes: state.likes.map((like) => ({
      userId: like.userId,
      postId: like.postId,
      at: iso(like.atMs),
    })),
    dms: state.dms.map((dm) => ({ ...dm, createdAt: iso(dm.createdAtMs) })),
    dmDailyLimit: state.dmDailyLimit,
    rateLimits: { config: emulator.rateLimits.limits(), windows: emulator.rateLimits.snapshot() },
    faults: emulator.faults.list(),
    webhook: webhookView(emulator),
  };
}

function webhookView(emulator: XEmulator): Record<string, unknown> {
  const config = emulator.webhooks.config();
  return {
    id: config?.id ?? null,
    url: emulator.webhooks.url ?? null,
    valid: config?.valid ?? false,
    createdAt: config?.createdAt ?? null,
    crc: emulator.webhooks.crc,
    subscriptions: emulator.state.subscribedUserIds(),
  };
}

export async function handleAdmin(emulator: XEmulator, request: EmuRequest): Promise<EmuReply> {
  const route = `${request.method} ${request.path}`;
  try {
    switch (route) {
      case 'GET /_admin/health':
        return json(200, { ok: true, now: emulator.clock.describe().now });
      case 'GET /_admin/state':
        return json(200, stateView(emulator));
      case 'POST /_admin/scenario':
        return json(200, {
          loaded: true,
          ...(await emulator.loadScenario(request.json as Scenario)),
        });
      case 'POST /_admin/reset':
        return json(200, { loaded: true, ...(await emulator.loadScenario({})) });
      case 'GET /_admin/clock':
        return json(200, emulator.clock.describe());
      case 'POST /_admin/clock': {
        const body = parse(clockSchema, request.json ?? {});
        if (body.freeze === true) emulator.clock.freeze();
        if (body.freeze === false) emulator.clock.unfreeze();
        if (body.set) emulator.clock.set(Date.parse(body.set));
        if (body.advanceMs) emulator.clock.advance(body.advanceMs);
        if (body.advanceSeconds) emulator.clock.advance(body.advanceSeconds * 1000);
        return json(200, emulator.clock.describe());
      }
      case 'GET /_admin/faults':
        return json(200, { faults: emulator.faults.list() });
      case 'POST /_admin/faults': {
        const rules = (
          Array.isArray(request.json) ? request.json : [request.json]
        ) as FaultRuleInput[];
        return json(200, { faults: rules.map((rule) => emulator.injectFault(rule)) });
      }
      case 'DELETE /_admin/faults':
        emulator.faults.clear();
        return json(200, { faults: [] });
      case 'POST /_admin/rate-limits': {
        const body = parse(
          z.partialRecord(z.enum(endpointKeys), rateLimitOverrideSchema),
          request.json ?? {},
        );
        emulator.configureRateLimits(body);
        return json(200, { rateLimits: emulator.rateLimits.limits() });
      }
      case 'GET /_admin/requests': {
        const since = request.query.get('since');
        return json(200, {
          requests: emulator.requests({
            since: since === null ? undefined : Number(since),
            endpoint: request.query.get('endpoint') ?? undefined,
          }),
        });
      }
      case 'DELETE /_admin/requests':
        emulator.requestLog.length = 0;
        return json(200, { requests: [] });
      case 'GET /_admin/sent':
        return json(200, emulator.sent());
      case 'GET /_admin/events':
        return json(200, { events: emulator.events(Number(request.query.get('from') ?? 0)) });
      case 'POST /_admin/actions': {
        const actions = Array.isArray(request.json) ? request.json : [request.json];
        const results = actions.map((action) =>
          applyAction(emulator, parse(emulatorActionSchema, action)),
        );
        return json(200, { results });
      }
      case 'GET /_admin/webhook':
        return json(200, {
          ...webhookView(emulator),
          deliveries: emulator.webhooks.deliveries,
          replayJobs: emulator.webhooks.replayJobs,
        });
      case 'POST /_admin/webhook': {
        const body = parse(
          z.object({
            url: z.url(),
            id: z
              .string()
              .regex(/^[0-9]{1,19}$/)
              .optional(),
            consumerSecret: z.string().optional(),
            subscriptions: z.array(ref).optional(),
          }),
          request.json ?? {},
        );
        if (body.subscriptions) {
          emulator.state.subscriptions = new Set(
            body.subscriptions.map((user) => emulator.state.requireUser(user).id),
          );
        }
        const crc = await emulator.configureWebhook(body.url, body.consumerSecret, body.id);
        return json(200, { id: emulator.webhooks.id, crc });
      }
      case 'DELETE /_admin/webhook':
        emulator.webhooks.disable();
        return json(200, { url: null });
      case 'POST /_admin/webhook/crc':
        return json(200, { crc: await emulator.webhooks.checkCrc() });
      case 'POST /_admin/webhook/replay': {
        const body = parse(
          z.object({
            fromIndex: z.number().int().nonnegative().optional(),
            from: z.iso.datetime({ offset: true }).optional(),
            to: z.iso.datetime({ offset: true }).optional(),
          }),
          request.json ?? {},
        );
        if (body.from === undefined && body.to === undefined)
          return json(200, { replayed: emulator.replayEvents(body.fromIndex ?? 0) });
        const job = emulator.startReplayJob(
          body.from ? Date.parse(body.from) : 0,
          body.to ? Date.parse(body.to) : emulator.clock.now() + 1,
        );
        if (!job) return json(409, { error: 'webhook_not_valid', detail: 'No valid webhook.' });
        return json(200, { replayed: job.eventIndexes.length, job });
      }
      default: {
        const faultMatch = /^DELETE \/_admin\/faults\/(.+)$/.exec(route);
        if (faultMatch?.[1]) return json(200, { removed: emulator.faults.remove(faultMatch[1]) });
        const subscriptionMatch = /^(DELETE|POST) \/_admin\/webhook\/subscriptions\/([^/]+)$/.exec(
          route,
        );
        if (subscriptionMatch?.[2]) {
          const user = decodeURIComponent(subscriptionMatch[2]);
          if (subscriptionMatch[1] === 'POST')
            return json(200, { ...emulator.subscribe(user), subscribed: true });
          const { userId, wasSubscribed } = emulator.unsubscribe(user);
          return json(200, { userId, subscribed: false, wasSubscribed });
        }
        return json(404, { error: 'not_found', detail: `No admin route ${route}` });
      }
    }
  } catch (error) {
    if (error instanceof HttpError) return error.reply;
    if (
      error instanceof EmulatorError ||
      error instanceof z.ZodError ||
      (error as Error).message?.startsWith('Invalid emulator scenario')
    ) {
      return json(400, { error: 'invalid_admin_request', detail: (error as Error).message });
    }
    throw error;
  }
}
