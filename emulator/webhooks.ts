/**
 * X Activity API delivery to a webhook: a CRC challenge when the webhook is registered (and on
 * demand), then every event POSTed in order with `x-twitter-webhooks-signature`. Replay jobs
 * re-deliver a window of recorded events through the same ordered queue, signed the same way.
 */
import { randomBytes } from 'node:crypto';
import {
  crcResponseToken,
  signWebhookBody,
  WEBHOOK_SIGNATURE_HEADER,
} from '../x/webhook-signature';
import type { EmuEvent } from './state';

export interface WebhookDelivery {
  eventIndex: number;
  eventType: string;
  attemptedAt: string;
  status: number;
  ok: boolean;
  error?: string;
  /** Set when the delivery belongs to a replay job rather than live delivery. */
  replayJobId?: string;
}

export interface CrcResult {
  valid: boolean;
  checkedAt: string;
  status?: number;
  error?: string;
}

/** The webhook config as `GET /2/webhooks` shows it. */
export interface WebhookConfigView {
  id: string;
  url: string;
  valid: boolean;
  createdAt: string;
}

export interface ReplayJob {
  jobId: string;
  webhookId: string;
  /** Inclusive start and exclusive end of the window, ISO. */
  from: string;
  to: string;
  createdAt: string;
  /** Indexes of the events the job re-delivers, oldest first. */
  eventIndexes: number[];
  status: 'running' | 'complete';
  delivered: number;
  failed: number;
}

/** What a replay job needs of the world: the event log and who is subscribed now. */
export interface ReplaySource {
  events: readonly EmuEvent[];
  isSubscribed(userId: string): boolean;
}

const TWITTER_EPOCH = 1288834974657n;

export function eventEnvelope(event: EmuEvent): Record<string, unknown> {
  const filter: Record<string, string> = {};
  if (event.filterUserId) filter.user_id = event.filterUserId;
  if (event.direction) filter.direction = event.direction;
  return {
    data: {
      event_uuid: `${BigInt(event.atMs) * 1000n + BigInt(event.index)}`,
      filter,
      event_type: event.eventType,
      tag: event.eventType,
      payload: event.payload,
      ...(event.includes ? { includes: event.includes } : {}),
    },
  };
}

/** Events about a subscribed user, or about the app itself (no filter user, e.g. oauth.revoke). */
export function isDeliverable(
  source: Pick<ReplaySource, 'isSubscribed'>,
  event: EmuEvent,
): boolean {
  return event.filterUserId === undefined || source.isSubscribed(event.filterUserId);
}

export class WebhookDispatcher {
  url: string | undefined;
  /** Stable while the config exists; X's WebhookConfigId is 1–19 digits. */
  id: string | undefined;
  createdAtMs: number | undefined;
  consumerSecret = '';
  crc: CrcResult | undefined;
  readonly deliveries: WebhookDelivery[] = [];
  readonly replayJobs: ReplayJob[] = [];
  private queue: Promise<void> = Promise.resolve();
  private idSequence = 0;

  constructor(private readonly now: () => number) {}

  /**
   * Registers the webhook (or re-registers it: the same URL keeps its id and creation time) and
   * runs the CRC challenge.
   */
  async configure(url: string, consumerSecret: string, id?: string): Promise<CrcResult> {
    const sameConfig = this.url === url && this.id !== undefined && (id ?? this.id) === this.id;
    if (!sameConfig) {
      this.id = id ?? this.newId();
      this.createdAtMs = this.now();
      this.crc = undefined;
    }
    this.url = url;
    this.consumerSecret = consumerSecret;
    return this.checkCrc();
  }

  disable(): void {
    this.url = undefined;
    this.id = undefined;
    this.createdAtMs = undefined;
    this.crc = undefined;
  }

  /** A webhook is valid once it answered a CRC challenge correctly, until one fails. */
  get valid(): boolean {
    return this.url !== undefined && this.crc?.valid === true;
  }

  config(): WebhookConfigView | undefined {
    if (!this.url || !this.id) return undefined;
    return {
      id: this.id,
      url: this.url,
      valid: this.valid,
      createdAt: new Date(this.createdAtMs ?? this.now()).toISOString(),
    };
  }

  async checkCrc(): Promise<CrcResult> {
    if (!this.url) throw new Error('No webhook URL configured.');
    const crcToken = randomBytes(24).toString('base64url');
    const target = new URL(this.url);
    target.searchParams.set('crc_token', crcToken);
    const checkedAt = new Date(this.now()).toISOString();
    try {
      const response = await fetch(target, { signal: AbortSignal.timeout(5000) });
      const body = (await response.json().catch(() => undefined)) as
        { response_token?: unknown } | undefined;
      const valid =
        response.ok && body?.response_token === crcResponseToken(this.consumerSecret, crcToken);
      this.crc = { valid, checkedAt, status: response.status };
    } catch (error) {
      this.crc = { valid: false, checkedAt, error: (error as Error).message };
    }
    return this.crc;
  }

  /** Queues live delivery; events go out one at a time, in order. */
  enqueue(event: EmuEvent): void {
    if (!this.url || !this.valid) return;
    const url = this.url;
    this.queue = this.queue.then(() => this.deliver(url, event));
  }

  /**
   * Starts a replay job: every recorded event in [fromMs, toMs) about a user subscribed now (or
   * about the app), oldest first, each once. Events recorded while a user was unsubscribed are
   * included: that is what re-arming relies on. Returns undefined when no valid webhook exists.
   */
  startReplay(source: ReplaySource, fromMs: number, toMs: number): ReplayJob | undefined {
    if (!this.url || !this.id || !this.valid) return undefined;
    const url = this.url;
    const events = source.events
      .filter((event) => event.atMs >= fromMs && event.atMs < toMs && isDeliverable(source, event))
      .sort((a, b) => a.atMs - b.atMs || a.index - b.index);
    const job: ReplayJob = {
      jobId: this.newId(),
      webhookId: this.id,
      from: new Date(fromMs).toISOString(),
      to: new Date(toMs).toISOString(),
      createdAt: new Date(this.now()).toISOString(),
      eventIndexes: events.map((event) => event.index),
      status: 'running',
      delivered: 0,
      failed: 0,
    };
    this.replayJobs.push(job);
    for (const event of events) this.queue = this.queue.then(() => this.deliver(url, event, job));
    this.queue = this.queue.then(() => {
      job.status = 'complete';
    });
    return job;
  }

  /** Resolves when everything queued so far has been attempted. */
  idle(): Promise<void> {
    return this.queue;
  }

  private newId(): string {
    this.idSequence = (this.idSequence + 1) & 0x3fffff;
    const sinceEpoch = BigInt(Math.max(this.now(), Number(TWITTER_EPOCH))) - TWITTER_EPOCH;
    return ((sinceEpoch << 22n) | BigInt(this.idSequence)).toString();
  }

  private async deliver(url: string, event: EmuEvent, job?: ReplayJob): Promise<void> {
    const body = JSON.stringify(eventEnvelope(event));
    const attemptedAt = new Date(this.now()).toISOString();
    const replay = job ? { replayJobId: job.jobId } : {};
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [WEBHOOK_SIGNATURE_HEADER]: signWebhookBody(this.consumerSecret, body),
        },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      await response.arrayBuffer().catch(() => undefined);
      this.deliveries.push({
        eventIndex: event.index,
        eventType: event.eventType,
        attemptedAt,
        status: response.status,
        ok: response.ok,
        ...replay,
      });
      if (job && response.ok) job.delivered += 1;
      else if (job) job.failed += 1;
    } catch (error) {
      this.deliveries.push({
        eventIndex: event.index,
        eventType: event.eventType,
        attemptedAt,
        status: 0,
        ok: false,
        error: (error as Error).message,
        ...replay,
      });
      if (job) job.failed += 1;
    }
  }
}
