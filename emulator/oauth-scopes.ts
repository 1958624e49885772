/**
 * The OAuth 2.0 scopes a user token must hold per endpoint, as X's OpenAPI document (2.167,
 * `security.OAuth2UserToken`) lists them, and the scopes X's consent screen can grant.
 */
import type { EndpointKey } from './endpoints';

const read = ['tweet.read', 'users.read'];

export const endpointScopes: Partial<Record<EndpointKey, readonly string[]>> = {
  'dm.send': ['dm.write', ...read],
  'dm.events': ['dm.read', ...read],
  'posts.create': ['tweet.write', ...read],
  'posts.lookup': read,
  'posts.retweeted_by': read,
  'posts.quote_tweets': read,
  'posts.liking_users': ['like.read', ...read],
  'users.followers': ['follows.read', ...read],
  'users.following': ['follows.read', ...read],
  'users.mentions': read,
  'search.recent': read,
  'users.lookup': read,
  'users.me': read,
};

/** Scopes X's authorization screen knows (docs.x.com, "OAuth 2.0 Authorization Code Flow with PKCE"). */
export const knownScopes = new Set([
  'tweet.read',
  'tweet.write',
  'tweet.moderate.write',
  'users.email',
  'users.read',
  'follows.read',
  'follows.write',
  'offline.access',
  'space.read',
  'mute.read',
  'mute.write',
  'like.read',
  'like.write',
  'list.read',
  'list.write',
  'block.read',
  'block.write',
  'bookmark.read',
  'bookmark.write',
  'dm.read',
  'dm.write',
  'media.write',
]);

/** The scopes a route needs: the endpoint's per X's document, and any the route adds. */
export function requiredScopes(route: { scopes?: string[]; endpoint: EndpointKey }): string[] {
  return [...new Set([...(endpointScopes[route.endpoint] ?? []), ...(route.scopes ?? [])])];
}
