/** The X endpoints the emulator speaks, by key (used for rate limits, faults and the request log). */
export const endpointKeys = [
  'dm.send',
  'dm.events',
  'dm.events.all',
  'posts.create',
  'posts.lookup',
  'posts.retweeted_by',
  'posts.quote_tweets',
  'posts.liking_users',
  'users.followers',
  'users.following',
  'users.mentions',
  'search.recent',
  'users.lookup',
  'users.me',
  'oauth2.token',
  'oauth2.revoke',
  'webhooks.list',
  'webhooks.validate',
  'account_activity.subscription',
  'account_activity.subscribe',
  'account_activity.replay',
] as const;
export type EndpointKey = (typeof endpointKeys)[number];

export interface WindowConfig {
  limit: number;
  windowSeconds: number;
}

export interface EndpointRateLimit extends WindowConfig {
  /** `x-user-limit-24hour-*`: per user per day (DM send). */
  userDay?: WindowConfig;
  /** `x-app-limit-24hour-*`: shared by every user of the app. */
  appDay?: WindowConfig;
}

const day = 24 * 60 * 60;
const quarter = 15 * 60;

/** X's published per-user limits (shared/X-API.md), overridable per scenario. */
export const defaultRateLimits: Record<EndpointKey, EndpointRateLimit | undefined> = {
  'dm.send': {
    limit: 15,
    windowSeconds: quarter,
    userDay: { limit: 1440, windowSeconds: day },
    appDay: { limit: 1440, windowSeconds: day },
  },
  'dm.events': { limit: 15, windowSeconds: quarter },
  'dm.events.all': { limit: 15, windowSeconds: quarter },
  'posts.create': {
    limit: 100,
    windowSeconds: quarter,
    appDay: { limit: 10_000, windowSeconds: day },
  },
  'posts.lookup': { limit: 900, windowSeconds: quarter },
  'posts.retweeted_by': { limit: 75, windowSeconds: quarter },
  'posts.quote_tweets': { limit: 75, windowSeconds: quarter },
  'posts.liking_users': { limit: 75, windowSeconds: quarter },
  'users.followers': { limit: 300, windowSeconds: quarter },
  'users.following': { limit: 300, windowSeconds: quarter },
  'users.mentions': { limit: 300, windowSeconds: quarter },
  'search.recent': { limit: 300, windowSeconds: quarter },
  'users.lookup': { limit: 900, windowSeconds: quarter },
  'users.me': { limit: 75, windowSeconds: quarter },
  'oauth2.token': undefined,
  'oauth2.revoke': undefined,
  // Account Activity limits from X's enterprise rate-limit table (the v2 spec gives none).
  'webhooks.list': { limit: 15, windowSeconds: quarter },
  'webhooks.validate': { limit: 15, windowSeconds: quarter },
  'account_activity.subscription': { limit: 500, windowSeconds: quarter },
  'account_activity.subscribe': { limit: 500, windowSeconds: quarter },
  'account_activity.replay': { limit: 5, windowSeconds: quarter },
};

export function isEndpointKey(value: string): value is EndpointKey {
  return (endpointKeys as readonly string[]).includes(value);
}
