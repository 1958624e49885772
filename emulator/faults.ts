/**
 * Fault presets: named answers the way X gives them when things go wrong. `fault-injector.ts`
 * fires them by rate (seeded, reproducible) or as scripted sequences, per endpoint and user.
 */
import type { EndpointKey } from './endpoints';
import type { FaultSpec } from './scenario';

export const faultPresetNames = [
  'server_error',
  'bad_gateway',
  'service_unavailable',
  'service_unavailable_text',
  'over_capacity',
  'timeout',
  'connection_reset',
  'partial_body',
  'rate_limited',
  'user_daily_limit',
  'usage_capped',
  'credits_depleted',
  'unauthorized',
  'invalid_token',
  'revoked',
  'missing_dm_scopes',
  'client_forbidden',
  'oauth1_permissions',
  'unsupported_authentication',
  'automated',
  'locked',
  'sender_suspended',
  'authenticated_user_suspended',
  'sender_unverified',
  'recipient_suspended',
  'not_permitted',
  'not_following',
  'open_dms_required',
  'blocked',
  'protected',
  'not_found',
  'post_not_found',
  'duplicate',
  'dm_already_said',
  'legacy_duplicate',
  'daily_limit',
  'text_too_long',
  'media_not_allowed',
  'reply_not_permitted',
  'invalid_request',
  'partial_suspended',
  'refused_in_success',
  'success_without_data',
  'unknown',
] as const;
export type FaultPresetName = (typeof faultPresetNames)[number];

export type FaultOutcome =
  | {
      kind: 'response';
      status: number;
      body?: unknown;
      headers?: Record<string, string>;
      contentType?: string;
    }
  | { kind: 'timeout' }
  | { kind: 'reset' }
  | { kind: 'partial_body' }
  | { kind: 'revoke' };

export interface FaultContext {
  endpoint: EndpointKey;
  nowMs: number;
  /** Current x-rate-limit-* headers of the endpoint for the caller, if any. */
  rateHeaders: Record<string, string>;
  resourceId?: string;
}

const x = 'https://api.x.com/2/problems/';
const twitter = 'https://api.twitter.com/2/problems/';

function legacy(status: number, code: number, message: string): FaultOutcome {
  return { kind: 'response', status, body: { errors: [{ code, message }] } };
}

function blank(status: number, title: string, detail: string): FaultOutcome {
  return { kind: 'response', status, body: { title, detail, type: 'about:blank', status } };
}

/** Writes answer 201 Created, reads 200 OK. */
function successStatus(endpoint: EndpointKey): number {
  return endpoint === 'dm.send' || endpoint === 'posts.create' ? 201 : 200;
}

/** What each preset answers. Bodies follow X's shapes (OpenAPI 2.167 and public reports). */
export function presetOutcome(name: FaultPresetName, context: FaultContext): FaultOutcome {
  const resetSeconds = Math.ceil(context.nowMs / 1000) + 60;
  const id = context.resourceId ?? '0';
  switch (name) {
    case 'server_error':
      return {
        kind: 'response',
        status: 500,
        body: {
          title: 'Internal Server Error',
          detail: 'Internal Server Error',
          type: `${x}internal-error`,
          status: 500,
        },
      };
    case 'bad_gateway':
      return {
        kind: 'response',
        status: 502,
        body: '<html><head><title>502 Bad Gateway</title></head><body>Bad Gateway</body></html>',
        contentType: 'text/html',
      };
    case 'service_unavailable':
      return blank(503, 'Service Unavailable', 'Service Unavailable');
    case 'service_unavailable_text':
      return {
        kind: 'response',
        status: 503,
        body: 'upstream connect error or disconnect/reset before headers. reset reason: connection termination',
        contentType: 'text/plain',
      };
    case 'over_capacity':
      return legacy(503, 130, 'Over capacity');
    case 'timeout':
      return { kind: 'timeout' };
    case 'connection_reset':
      return { kind: 'reset' };
    case 'partial_body':
      return { kind: 'partial_body' };
    case 'rate_limited': {
      const reset = context.rateHeaders['x-rate-limit-reset'] ?? String(resetSeconds);
      return {
        kind: 'response',
        status: 429,
        body: {
          title: 'Too Many Requests',
          detail: 'Too Many Requests',
          type: 'about:blank',
          status: 429,
        },
        headers: {
          'x-rate-limit-limit': context.rateHeaders['x-rate-limit-limit'] ?? '15',
          'x-rate-limit-remaining': '0',
          'x-rate-limit-reset': reset,
        },
      };
    }
    case 'user_daily_limit':
      return {
        kind: 'response',
        status: 429,
        body: {
          title: 'Too Many Requests',
          detail: 'Too Many Requests',
          type: 'about:blank',
          status: 429,
        },
        headers: {
          ...context.rateHeaders,
          'x-user-limit-24hour-limit': '1440',
          'x-user-limit-24hour-remaining': '0',
          'x-user-limit-24hour-reset': String(Math.ceil(context.nowMs / 1000) + 6 * 3600),
        },
      };
    case 'usage_capped':
      return {
        kind: 'response',
        status: 429,
        body: {
          account_id: '1790000000000000000',
          product_name: 'standard-basic',
          title: 'UsageCapExceeded',
          period: 'Monthly',
          scope: 'Product',
          detail: 'Usage cap exceeded: Monthly product cap',
          type: `${twitter}usage-capped`,
        },
        // Only the body tells it apart: the rate-limit headers still show requests left.
        headers: {
          'x-rate-limit-limit': context.rateHeaders['x-rate-limit-limit'] ?? '40000',
          'x-rate-limit-remaining': String(
            Math.max(1, Number(context.rateHeaders['x-rate-limit-remaining'] ?? '39999')),
          ),
          'x-rate-limit-reset': context.rateHeaders['x-rate-limit-reset'] ?? String(resetSeconds),
        },
      };
    case 'credits_depleted':
      return {
        kind: 'response',
        status: 402,
        body: {
          account_id: 1790000000000000000,
          title: 'CreditsDepleted',
          detail:
            'Your enrolled account [1790000000000000000] does not have any credits to fulfill this request.',
          type: `${x}credits`,
        },
      };
    case 'unauthorized':
      return blank(401, 'Unauthorized', 'Unauthorized');
    case 'invalid_token':
      return legacy(401, 89, 'Invalid or expired token.');
    case 'revoked':
      return { kind: 'revoke' };
    case 'missing_dm_scopes':
      return blank(403, 'Forbidden', 'Forbidden');
    case 'client_forbidden':
      return {
        kind: 'response',
        status: 403,
        body: {
          client_id: '29820954',
          detail:
            'When authenticating requests to the Twitter API v2 endpoints, you must use keys and tokens from a Twitter developer App that is attached to a Project.',
          registration_url: 'https://developer.x.com/en/portal/opt-in',
          title: 'Client Forbidden',
          required_enrollment: 'Appropriate Level of API Access',
          reason: 'client-not-enrolled',
          type: 'https://api.twitter.com/2/problems/client-forbidden',
        },
      };
    case 'oauth1_permissions':
      return {
        kind: 'response',
        status: 403,
        body: {
          title: 'Forbidden',
          detail:
            'Your client app is not configured with the appropriate oauth1 app permissions for this endpoint.',
          type: `${twitter}oauth1-permissions`,
          status: 403,
        },
      };
    case 'unsupported_authentication':
      return {
        kind: 'response',
        status: 403,
        body: {
          title: 'Unsupported Authentication',
          detail:
            'Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.  Supported authentication types are [OAuth 1.0a User Context, OAuth 2.0 User Context].',
          type: `${x}unsupported-authentication`,
          status: 403,
        },
      };
    case 'automated':
      return legacy(
        403,
        226,
        "This request looks like it might be automated. To protect our users from spam and other malicious activity, we can't complete this action right now. Please try again later.",
      );
    case 'locked':
      return legacy(
        403,
        326,
        'To protect our users from spam and other malicious activity, this account is temporarily locked. Please log in to https://x.com to unlock your account.',
      );
    case 'sender_suspended':
      return legacy(
        403,
        64,
        'Your account is suspended and is not permitted to access this feature.',
      );
    case 'authenticated_user_suspended':
      return blank(403, 'Forbidden', 'The user used for authentication is suspended');
    case 'sender_unverified':
      return legacy(403, 476, 'Sender is not verified to send message requests');
    case 'recipient_suspended':
      return legacy(403, 63, 'User has been suspended.');
    case 'not_permitted':
      return legacy(403, 349, 'You cannot send messages to this user.');
    case 'not_following':
      return legacy(403, 150, 'You cannot send messages to users who are not following you.');
    case 'open_dms_required':
      return legacy(403, 214, 'Owner must allow dms from anyone.');
    case 'blocked':
      return legacy(403, 136, 'You have been blocked from the author of this post.');
    case 'protected':
      return { kind: 'response', status: 401, body: { error: 'Not authorized.' } };
    case 'not_found':
      return {
        kind: 'response',
        status: 404,
        body: {
          title: 'Not Found Error',
          detail: `Could not find user with id: [${id}].`,
          type: `${x}resource-not-found`,
          resource_type: 'user',
          resource_id: id,
          parameter: 'id',
          value: id,
          status: 404,
        },
      };
    case 'post_not_found':
      return blank(
        403,
        'Forbidden',
        'You attempted to reply to a Tweet that is deleted or not visible to you.',
      );
    case 'duplicate':
      return context.endpoint === 'dm.send'
        ? legacy(403, 151, 'There was an error sending your message: You already said that.')
        : blank(403, 'Forbidden', 'You are not allowed to create a Tweet with duplicate content.');
    case 'dm_already_said':
      return legacy(403, 151, 'There was an error sending your message: You already said that.');
    case 'legacy_duplicate':
      return legacy(403, 187, 'Status is a duplicate.');
    case 'daily_limit':
      return legacy(403, 185, 'User is over daily direct message limit.');
    case 'text_too_long':
      return {
        kind: 'response',
        status: 400,
        body: {
          errors: [{ parameters: { text: ['…'] }, message: 'Your Tweet text is too long.' }],
          title: 'Invalid Request',
          detail: 'One or more parameters to your request was invalid.',
          type: `${x}invalid-request`,
          status: 400,
        },
      };
    case 'media_not_allowed':
      return {
        kind: 'response',
        status: 403,
        body: {
          title: 'Disallowed Resource',
          detail: `The media with id [${id}] may not be attached to a direct message.`,
          type: `${x}disallowed-resource`,
          resource_type: 'media',
          resource_id: id,
          status: 403,
        },
      };
    case 'reply_not_permitted':
      return blank(
        403,
        'Forbidden',
        'Reply to this conversation is not allowed because you have not been mentioned or otherwise engaged by the author of the post you are replying to.',
      );
    case 'invalid_request':
      return {
        kind: 'response',
        status: 400,
        body: {
          errors: [
            {
              parameters: { id: [id] },
              message: `The \`id\` query parameter value [${id}] is not valid`,
            },
          ],
          title: 'Invalid Request',
          detail: 'One or more parameters to your request was invalid.',
          type: `${x}invalid-request`,
          status: 400,
        },
      };
    case 'partial_suspended':
      return {
        kind: 'response',
        status: 200,
        body: {
          errors: [
            {
              value: id,
              detail: `User has been suspended: [${id}].`,
              title: 'Forbidden',
              resource_type: 'user',
              parameter: 'id',
              resource_id: id,
              type: `${x}resource-not-found`,
            },
          ],
        },
      };
    case 'refused_in_success':
      // A 2xx that carries only a refusal: `data` is empty, the reason is in `errors`.
      return {
        kind: 'response',
        status: successStatus(context.endpoint),
        body: {
          data: {},
          errors: [
            {
              title: 'Forbidden',
              detail: 'The user used for authentication is suspended',
              type: `${x}resource-unavailable`,
              resource_type: 'user',
              status: 403,
            },
          ],
        },
      };
    case 'success_without_data':
      // A 2xx without the ids the call needs and without a word of why.
      return {
        kind: 'response',
        status: successStatus(context.endpoint),
        body: context.endpoint === 'dm.send' ? { data: { dm_conversation_id: id } } : { data: {} },
      };
    case 'unknown':
      return {
        kind: 'response',
        status: 418,
        body: { surprise: 'I am a teapot', trace: 'e3b0c442' },
      };
  }
}

export function outcomeOf(spec: FaultSpec, context: FaultContext): FaultOutcome {
  if (typeof spec === 'string') return presetOutcome(spec, context);
  return {
    kind: 'response',
    status: spec.status,
    body: spec.body,
    headers: spec.headers,
    contentType: spec.contentType,
  };
}
