/**
 * The X API v2 endpoints Kuji uses, with X's paths, parameters, response shapes and refusals: one
 * file per X resource, and the router that finds a request's route.
 */
import { json, type EmuReply } from '../http';
import { problemBody } from '../render';
import type { ApiRoute } from './context';
import { listAccountDmEvents, listDmEvents, sendDm } from './dm';
import { followList } from './follows';
import { oauth2Revoke, oauth2Token } from './oauth';
import {
  createPost,
  likingUsers,
  lookupPost,
  mentions,
  quoteTweets,
  retweetedBy,
  searchRecent,
} from './posts';
import { userById, userByUsername, usersByIds, usersByUsernames, usersMe } from './users';
import {
  createReplayJob,
  listWebhooks,
  subscribe,
  subscriptionStatus,
  validateWebhook,
} from './webhooks';

export type { ApiContext, ApiRoute, Caller } from './context';

// Order matters: the first route whose pattern matches answers (`/2/users/me` and `/2/users/by`
// before `/2/users/:id`).
export const apiRoutes: ApiRoute[] = [
  sendDm,
  listDmEvents,
  listAccountDmEvents,
  searchRecent,
  retweetedBy,
  likingUsers,
  quoteTweets,
  lookupPost,
  createPost,
  followList('followers'),
  followList('following'),
  mentions,
  usersMe,
  usersByUsernames,
  userByUsername,
  usersByIds,
  userById,
  oauth2Token,
  oauth2Revoke,
  listWebhooks,
  validateWebhook,
  subscriptionStatus,
  subscribe,
  createReplayJob,
];

const paramNames: [RegExp, string[]][] = [
  [/^\/2\/dm_conversations\/with\//, ['participant_id']],
  [/^\/2\/users\/by\/username\//, ['username']],
  [/^\/2\/webhooks\//, ['webhook_id']],
  [/^\/2\/account_activity\//, ['webhook_id']],
];

/** Finds the route and its path parameters (`id`, `participant_id`, `username`, `webhook_id`). */
export function matchApiRoute(
  method: string,
  path: string,
): { route: ApiRoute; params: Record<string, string> } | undefined {
  for (const route of apiRoutes) {
    if (route.method !== method) continue;
    const match = route.pattern.exec(path);
    if (!match) continue;
    const names = paramNames.find(([prefix]) => prefix.test(path))?.[1] ?? ['id'];
    const params: Record<string, string> = {};
    match.slice(1).forEach((value, index) => {
      params[names[index] ?? `p${index}`] = decodeURIComponent(value ?? '');
    });
    return { route, params };
  }
  return undefined;
}

export function notFoundReply(): EmuReply {
  return json(404, { errors: [{ message: 'Sorry, that page does not exist', code: 34 }] });
}

export function unsupportedAuthenticationReply(): EmuReply {
  return json(
    403,
    problemBody(
      403,
      'unsupported-authentication',
      'Unsupported Authentication',
      'Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.  Supported authentication types are [OAuth 1.0a User Context, OAuth 2.0 User Context].',
    ),
  );
}
