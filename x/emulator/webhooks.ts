/**
 * X Activity API delivery to a webhook: a CRC challenge when the webhook is registered (and on
 * demand), then every event POSTed in order with `x-twitter-webhooks-signature`.
 */
import { randomBytes } from 'node:crypto';
import { crcResponseToken, signWebhookBody, WEBHOOK_SIGNATURE_HEADER } from '../webhook-signature';
import type { EmuEvent } from './state';

export interface WebhookDelivery {
  eventIndex: number;
  eventType: string;
  attemptedAt: string;
  status: number;
  ok: boolean;
  error?: string;
}

export interface CrcResult {
  valid: boolean;
  checkedAt: string;
  status?: number;
  error?: string;
}

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

export class WebhookDispatcher {
  url: string | undefined;
  consumerSecret = '';
  crc: CrcResult | undefined;
  readonly deliveries: WebhookDelivery[] = [];
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly now: () => number) {}

  async configure(url: string, consumerSecret: string): Promise<CrcResult> {
    this.url = url;
    this.consumerSecret = consumerSecret;
    return this.checkCrc();
  }

  disable(): void {
    this.url = undefined;
    this.crc = undefined;
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

  /** Queues delivery; events go out one at a time, in order. */
  enqueue(event: EmuEvent): void {
    if (!this.url || !this.crc?.valid) return;
    const url = this.url;
    this.queue = this.queue.then(() => this.deliver(url, event));
  }

  /** Resolves when everything queued so far has been attempted. */
  idle(): Promise<void> {
    return this.queue;
  }

  private async deliver(url: string, event: EmuEvent): Promise<void> {
    const body = JSON.stringify(eventEnvelope(event));
    const attemptedAt = new Date(this.now()).toISOString();
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
      });
    } catch (error) {
      this.deliveries.push({
        eventIndex: event.index,
        eventType: event.eventType,
        attemptedAt,
        status: 0,
        ok: false,
        error: (error as Error).message,
      });
    }
  }
}
