/**
 * Webhooks and Account Activity: the app's webhook config (one per app in the emulator), its CRC
 * re-check, subscriptions of the caller, and replay jobs.
 */
import { HttpError, json, type EmuReply } from '../http';
import { invalidRequestBody, problemBody } from '../render';
import { callerUser, requireId, type ApiContext, type ApiRoute } from './context';

const ACCOUNT_ACTIVITY_SCOPES = ['tweet.read', 'users.read', 'dm.read', 'dm.write'];
const REPLAY_MAX_AGE_MS = 5 * 24 * 60 * 60 * 1000;
const MINUTE_MS = 60_000;

function webhookNotFound(id: string): EmuReply {
  return json(
    404,
    problemBody(
      404,
      'resource-not-found',
      'Not Found Error',
      `Could not find webhook with id: [${id}].`,
      {
        resource_type: 'webhook',
        resource_id: id,
        parameter: 'webhook_id',
        value: id,
      },
    ),
  );
}

function webhookMarkedInvalid(): EmuReply {
  return json(
    400,
    problemBody(
      400,
      'invalid-request',
      'Invalid Request',
      'Webhook has been marked as invalid. It needs to pass a CRC check (PUT /2/webhooks/:webhook_id) first.',
    ),
  );
}

/** The app's webhook config named in the path, or the 404 X gives for another id. */
function requireWebhook(context: ApiContext): { id: string } | EmuReply {
  const id = requireId(context.request.params.webhook_id ?? '', 'webhook_id');
  const config = context.webhooks.config();
  if (!config || config.id !== id) return webhookNotFound(id);
  return { id };
}

/** `yyyymmddhhmm` (UTC) to epoch ms, or undefined when it is not a real minute. */
function parseReplayDate(value: string): number | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(value);
  if (!match) return undefined;
  const [year, month, day, hour, minute] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const ms = Date.UTC(year, month - 1, day, hour, minute);
  const back = new Date(ms);
  return back.getUTCMonth() === month - 1 && back.getUTCDate() === day && hour < 24 && minute < 60
    ? ms
    : undefined;
}

function replayDateParameter(query: URLSearchParams, name: 'from_date' | 'to_date'): number {
  const raw = query.get(name);
  if (raw === null || raw === '') {
    throw new HttpError(
      json(400, invalidRequestBody(name, '', `The \`${name}\` query parameter can not be empty`)),
    );
  }
  const ms = parseReplayDate(raw);
  if (ms === undefined) {
    throw new HttpError(
      json(
        400,
        invalidRequestBody(
          name,
          raw,
          `The \`${name}\` query parameter value [${raw}] does not match ^\\d{12}$ (yyyymmddhhmm, UTC)`,
        ),
      ),
    );
  }
  return ms;
}

export const listWebhooks: ApiRoute = {
  method: 'GET',
  pattern: /^\/2\/webhooks$/,
  endpoint: 'webhooks.list',
  // X documents app-only Bearer; the emulator also accepts the sender's user context.
  auth: 'any',
  handle(context) {
    const config = context.webhooks.config();
    if (!config) return json(200, { meta: { result_count: 0 } });
    return json(200, {
      data: [{ id: config.id, url: config.url, valid: config.valid, created_at: config.createdAt }],
      meta: { result_count: 1 },
    });
  },
};

export const validateWebhook: ApiRoute = {
  method: 'PUT',
  pattern: /^\/2\/webhooks\/([^/]+)$/,
  endpoint: 'webhooks.validate',
  auth: 'any',
  resourceParam: 'webhook_id',
  async handle(context) {
    const webhook = requireWebhook(context);
    if ('status' in webhook) return webhook;
    const crc = await context.webhooks.checkCrc();
    return json(200, { data: { valid: crc.valid } });
  },
};

export const subscriptionStatus: ApiRoute = {
  method: 'GET',
  pattern: /^\/2\/account_activity\/webhooks\/([^/]+)\/subscriptions\/all$/,
  endpoint: 'account_activity.subscription',
  auth: 'user',
  scopes: ACCOUNT_ACTIVITY_SCOPES,
  resourceParam: 'webhook_id',
  handle(context) {
    const me = callerUser(context);
    const webhook = requireWebhook(context);
    if ('status' in webhook) return webhook;
    return json(200, { data: { subscribed: context.state.isSubscribed(me.id) } });
  },
};

export const subscribe: ApiRoute = {
  method: 'POST',
  pattern: /^\/2\/account_activity\/webhooks\/([^/]+)\/subscriptions\/all$/,
  endpoint: 'account_activity.subscribe',
  auth: 'user',
  scopes: ACCOUNT_ACTIVITY_SCOPES,
  resourceParam: 'webhook_id',
  handle(context) {
    const me = callerUser(context);
    const webhook = requireWebhook(context);
    if ('status' in webhook) return webhook;
    if (!context.webhooks.valid) return webhookMarkedInvalid();
    context.state.subscribe(me.id);
    return json(200, { data: { subscribed: true } });
  },
};

export const createReplayJob: ApiRoute = {
  method: 'POST',
  pattern: /^\/2\/account_activity\/replay\/webhooks\/([^/]+)\/subscriptions\/all$/,
  endpoint: 'account_activity.replay',
  auth: 'any',
  resourceParam: 'webhook_id',
  handle(context) {
    const webhook = requireWebhook(context);
    if ('status' in webhook) return webhook;
    const { query } = context.request;
    const fromMs = replayDateParameter(query, 'from_date');
    const toMs = replayDateParameter(query, 'to_date');
    if (toMs <= fromMs) {
      return json(
        400,
        invalidRequestBody(
          'to_date',
          query.get('to_date') ?? '',
          'The `to_date` query parameter must be later than `from_date`',
        ),
      );
    }
    const oldest = Math.floor((context.now - REPLAY_MAX_AGE_MS) / MINUTE_MS) * MINUTE_MS;
    if (fromMs < oldest) {
      return json(
        400,
        invalidRequestBody(
          'from_date',
          query.get('from_date') ?? '',
          'The `from_date` query parameter must be within the last 5 days',
        ),
      );
    }
    const job = context.webhooks.startReplay(context.state, fromMs, toMs);
    if (!job) return webhookMarkedInvalid();
    // X's spec (2.159) answers the job at the top level, without a `data` wrapper.
    return json(200, { job_id: job.jobId, created_at: job.createdAt });
  },
};
