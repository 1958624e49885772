/**
 * X's Account Activity calls: the app's webhooks, a sender's subscription to them, and replay
 * jobs that re-deliver a gap. Same conventions as `api.ts`: full responses, camelCase at this
 * boundary, failures as `XCallError`.
 */
import type { TwitterApi } from 'twitter-api-v2';
import { answerRecorder, usableData } from './answer';
import { callX, definedOnly, type Json, records, str, toXRateLimit, type XRateLimit } from './api';

function isSubscription(data: Json): boolean {
  return typeof data.subscribed === 'boolean';
}

/** A webhook config of the app, as `GET /2/webhooks` lists it. */
export interface XWebhookConfig {
  id: string;
  url: string;
  /** False once the webhook failed X's CRC check: X delivers nothing to it. */
  valid: boolean;
  createdAt?: string;
}

/**
 * The app's webhook configs. X documents this endpoint with app-only auth; Kuji calls it with
 * the sender's client, which the emulator accepts.
 */
export async function listWebhooks(
  client: TwitterApi,
): Promise<{ webhooks: XWebhookConfig[]; rateLimit?: XRateLimit }> {
  return callX('read', async () => {
    const recorder = answerRecorder();
    const response = await client.v2.get<Json>(
      'webhooks',
      { 'webhook_config.fields': 'created_at,id,url,valid' },
      { fullResponse: true, ...recorder.options },
    );
    const answer = recorder.answer(response);
    const body = answer.body;
    // Errors and no list: refused, not "no webhook" (that would open a false disarmed stop).
    if (!Array.isArray(body.data) && Array.isArray(body.errors) && body.errors.length > 0) {
      usableData(answer, 'read', () => false);
    }
    const webhooks = records(body.data).map((raw) =>
      definedOnly({
        id: String(raw.id),
        url: str(raw.url) ?? '',
        valid: raw.valid === true,
        createdAt: str(raw.created_at),
      }),
    );
    return { webhooks, rateLimit: toXRateLimit(response.rateLimit) };
  });
}

/** Asks X to re-run the CRC check of a webhook (`PUT /2/webhooks/:id`); true when it passed. */
export async function validateWebhook(
  client: TwitterApi,
  webhookId: string,
): Promise<{ valid: boolean; rateLimit?: XRateLimit }> {
  return callX('read', async () => {
    const recorder = answerRecorder();
    const response = await client.v2.put<Json>(
      'webhooks/:webhook_id',
      {},
      { params: { webhook_id: webhookId }, fullResponse: true, ...recorder.options },
    );
    const data = usableData(recorder.answer(response), 'read', (d) => typeof d.valid === 'boolean');
    return { valid: data.valid === true, rateLimit: toXRateLimit(response.rateLimit) };
  });
}

/** Is the authenticating user (the client's account) subscribed to the webhook? */
export async function getSubscription(
  client: TwitterApi,
  webhookId: string,
): Promise<{ subscribed: boolean; rateLimit?: XRateLimit }> {
  return callX('read', async () => {
    const recorder = answerRecorder();
    const response = await client.v2.get<Json>(
      'account_activity/webhooks/:webhook_id/subscriptions/all',
      undefined,
      { params: { webhook_id: webhookId }, fullResponse: true, ...recorder.options },
    );
    const data = usableData(recorder.answer(response), 'read', isSubscription);
    return { subscribed: data.subscribed === true, rateLimit: toXRateLimit(response.rateLimit) };
  });
}

/** Subscribes the authenticating user to the webhook (idempotent on X's side). */
export async function subscribeToWebhook(
  client: TwitterApi,
  webhookId: string,
): Promise<{ subscribed: boolean; rateLimit?: XRateLimit }> {
  return callX('read', async () => {
    const recorder = answerRecorder();
    const response = await client.v2.post<Json>(
      'account_activity/webhooks/:webhook_id/subscriptions/all',
      {},
      { params: { webhook_id: webhookId }, fullResponse: true, ...recorder.options },
    );
    const data = usableData(recorder.answer(response), 'read', isSubscription);
    return { subscribed: data.subscribed === true, rateLimit: toXRateLimit(response.rateLimit) };
  });
}

const MINUTE_MS = 60_000;
/** X replays at most five days back. */
export const REPLAY_MAX_AGE_MS = 5 * 24 * 60 * 60 * 1000;

/** An instant as X's replay parameters want it: `yyyymmddhhmm` in UTC. */
export function toReplayDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace(/[-T:]/g, '');
}

export interface ReplayWindow {
  fromMs: number;
  toMs: number;
  fromDate: string;
  toDate: string;
}

/**
 * The replay window X can serve for [fromMs, toMs): minute granularity, `from` rounded down and
 * `to` up so nothing at the edges is lost, `from` clamped to five days back (plus a minute, so
 * the request is still inside X's limit when it arrives). Undefined when nothing is left.
 */
export function replayWindow(
  fromMs: number,
  toMs: number,
  nowMs: number,
): ReplayWindow | undefined {
  const oldest = Math.ceil((nowMs - REPLAY_MAX_AGE_MS + MINUTE_MS) / MINUTE_MS) * MINUTE_MS;
  const from = Math.max(Math.floor(fromMs / MINUTE_MS) * MINUTE_MS, oldest);
  const to = Math.ceil(toMs / MINUTE_MS) * MINUTE_MS;
  if (!Number.isFinite(from) || !Number.isFinite(to) || to <= from) return undefined;
  return { fromMs: from, toMs: to, fromDate: toReplayDate(from), toDate: toReplayDate(to) };
}

/** Starts a replay job re-delivering the window's events of the webhook's subscribed users. */
export async function createReplayJob(
  client: TwitterApi,
  webhookId: string,
  window: Pick<ReplayWindow, 'fromDate' | 'toDate'>,
): Promise<{ jobId: string; createdAt?: string; rateLimit?: XRateLimit }> {
  return callX('read', async () => {
    const recorder = answerRecorder();
    const response = await client.v2.post<Json>(
      'account_activity/replay/webhooks/:webhook_id/subscriptions/all',
      {},
      {
        params: { webhook_id: webhookId },
        query: { from_date: window.fromDate, to_date: window.toDate },
        fullResponse: true,
        ...recorder.options,
      },
    );
    const body = recorder.answer(response).body;
    // X's spec (2.159) answers the job at the top level; other X answers wrap it in `data`.
    const job = (body.data && typeof body.data === 'object' ? body.data : body) as Json;
    const jobId = str(job.job_id) ?? (typeof job.job_id === 'number' ? String(job.job_id) : '');
    if (!jobId) usableData(recorder.answer(response), 'read', () => false);
    return {
      jobId,
      createdAt: str(job.created_at),
      rateLimit: toXRateLimit(response.rateLimit),
    };
  });
}
