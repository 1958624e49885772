/**
 * What each problem `type` X sends means for Kuji. The list covers every type of X's OpenAPI
 * document (x/openapi/openapi.json, `components.schemas.Problem`; a test walks it) and the types
 * X's error documentation and public reports add (usage caps, credits, app permissions, streams).
 *
 * Decisive types name the failure on their own, whatever the text says. Generic types only say
 * what kind of thing went wrong; the classifier reads the text and any legacy code first and
 * falls back to them. Pure: imported by domain/x-errors.ts.
 */
import type { XErrorCode, XOperation } from './x-errors';

export interface ProblemContext {
  operation?: XOperation;
  /** The problem's `resource_type` (`user`, `tweet`, `media`, …), when X names one. */
  resourceType?: string;
}

type Resolve = XErrorCode | ((context: ProblemContext) => XErrorCode);

function isPost(context: ProblemContext): boolean {
  return context.resourceType === 'tweet' || context.resourceType === 'post';
}

/** A resource the caller may not see or use: whose problem it is depends on the call. */
function notAuthorized(context: ProblemContext): XErrorCode {
  return context.operation === 'dm_send' ? 'dm_not_permitted' : 'recipient_protected';
}

export const decisiveProblemTypes: Record<string, XErrorCode> = {
  'usage-capped': 'usage_capped',
  credits: 'credits_depleted',
  'rate-limit-exceeded': 'rate_limited',
  'client-forbidden': 'auth_app_not_permitted',
  'oauth1-permissions': 'auth_app_permissions',
  'unsupported-authentication': 'auth_unsupported_type',
  // X's own failures, whatever status carries them (a 4xx or a 200 with errors).
  'internal-error': 'server_error',
  'field-hydration-failure': 'server_error',
  'operational-disconnect': 'service_unavailable',
  'client-disconnected': 'network_error',
  'streaming-connection': 'network_error',
};

export const genericProblemTypes: Record<string, Resolve> = {
  'resource-not-found': (c) => (isPost(c) ? 'post_not_found' : 'user_not_found'),
  'resource-unavailable': (c) => (isPost(c) ? 'post_not_found' : 'recipient_suspended'),
  'not-authorized-for-resource': notAuthorized,
  'not-authorized-for-field': notAuthorized,
  'field-unauthorized': notAuthorized,
  'disallowed-resource': (c) => {
    if (c.resourceType === 'media') return 'media_not_allowed';
    if (c.operation === 'dm_send') return 'dm_not_permitted';
    if (c.operation === 'post_create') return 'reply_not_permitted';
    return 'recipient_protected';
  },
  'invalid-request': 'invalid_request',
  // Filtered-stream rule problems: Kuji keeps no stream rules, but they are requests X refused.
  'rule-cap': 'invalid_request',
  'rule-length': 'invalid_request',
  'invalid-rules': 'invalid_request',
  'duplicate-rules': 'invalid_request',
};

export function decisiveProblemCode(slug: string | undefined): XErrorCode | undefined {
  return slug ? decisiveProblemTypes[slug] : undefined;
}

export function genericProblemCode(
  slug: string | undefined,
  context: ProblemContext,
): XErrorCode | undefined {
  const resolve = slug ? genericProblemTypes[slug] : undefined;
  if (resolve === undefined) return undefined;
  return typeof resolve === 'function' ? resolve(context) : resolve;
}
