/**
 * The "armed" check and re-arming against the emulator: X's webhook list and Account Activity
 * subscription endpoints, and a replay job that re-delivers exactly the disarmed window to a
 * real HTTP receiver.
 */
import assert from 'node:assert/strict';
import { Agent, createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { ApiResponseError, TwitterApi } from 'twitter-api-v2';
import type { ArmedCheck } from '../../activities/x-access';
import { replayWindow, toReplayDate } from '../../x/account-activity';
import { createXClient } from '../../x/client';
import { applyAction } from '../../emulator';
import { crcResponseToken, verifyWebhookSignature } from '../../x/webhook-signature';
import { createTestDatabase, type TestDatabase } from '../support/database';
import {
  app,
  baseScenario,
  createHarness,
  runActivity,
  SENDER_ID,
  senderCredentials,
  type Harness,
} from './support';

const T0 = Date.parse('2026-11-22T03:00:00.000Z');
const MINUTE = 60_000;
const WEBHOOK_ID = '1860000000000000900';

interface Delivery {
  body: string;
  signature?: string;
  eventType: string;
  eventUuid: string;
  filterUserId?: string;
  payload: Record<string, unknown>;
}

describe('armed check and re-arm', () => {
  let database: TestDatabase;
  let h: Harness;
  let receiver: Server;
  let receiverUrl: string;
  let crcSecret = app.consumerSecret;
  const deliveries: Delivery[] = [];

  before(async () => {
    receiver = createServer((req, res) => {
      if (req.method === 'GET') {
        const token = new URL(req.url ?? '/', 'http://localhost').searchParams.get('crc_token');
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ response_token: crcResponseToken(crcSecret, token ?? '') }));
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const { data } = JSON.parse(body) as {
          data: {
            event_type: string;
            event_uuid: string;
            filter: { user_id?: string };
            payload: Record<string, unknown>;
          };
        };
        deliveries.push({
          body,
          signature: req.headers['x-twitter-webhooks-signature'] as string | undefined,
          eventType: data.event_type,
          eventUuid: data.event_uuid,
          filterUserId: data.filter.user_id,
          payload: data.payload,
        });
        res.writeHead(200);
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/v1/webhooks/x`;
    database = await createTestDatabase();
    h = await createHarness(database.db);
  });

  after(async () => {
    await h?.emulator.close();
    await database?.close();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  beforeEach(async () => {
    crcSecret = app.consumerSecret;
    await h.emulator.loadScenario(baseScenario({ webhook: { url: receiverUrl, id: WEBHOOK_ID } }));
    await h.emulator.webhookIdle();
    deliveries.length = 0;
    h.logs.length = 0;
  });

  async function admin(method: string, pathname: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${h.emulator.url}/_admin${pathname}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    assert.equal(response.status, 200, `admin ${method} ${pathname}`);
    return response.json();
  }

  async function check(webhookUrl = receiverUrl): Promise<ArmedCheck> {
    const run = await runActivity(() =>
      h.activities.xArmedCheck({ accountId: h.accountId, webhookUrl }),
    );
    if (run.error instanceof Error) throw run.error;
    assert.equal(run.error, undefined);
    assert.ok(run.result);
    return run.result;
  }

  const rearm = (replayFrom: number, replayTo: number, webhookUrl = receiverUrl) =>
    runActivity(() =>
      h.activities.xRearm({
        accountId: h.accountId,
        webhookUrl,
        replayFrom: new Date(replayFrom).toISOString(),
        replayTo: new Date(replayTo).toISOString(),
      }),
    );

  const at = (ms: number) => h.emulator.clock.set(ms);

  describe('xArmedCheck', () => {
    it('reports armed when a valid webhook with that URL exists and the account is subscribed', async () => {
      const result = await check();
      assert.deepEqual(result, {
        armed: true,
        webhookId: WEBHOOK_ID,
        webhookValid: true,
        subscribed: true,
        problem: null,
      });
    });

    it('reports webhook_missing when no webhook has exactly that URL, or none at all', async () => {
      const elsewhere = await check(`${receiverUrl}/`);
      assert.equal(elsewhere.armed, false);
      assert.equal(elsewhere.webhookId, null);
      assert.equal(elsewhere.problem?.code, 'webhook_missing');
      assert.match(elsewhere.problem?.en ?? '', /no webhook.*re-arm/i);
      assert.match(elsewhere.problem?.ja ?? '', /Webhook.*登録されていない.*再アーム/);

      await admin('DELETE', '/webhook');
      const deleted = await check();
      assert.equal(deleted.problem?.code, 'webhook_missing');
      assert.equal(deleted.webhookValid, false);
    });

    it('reports webhook_invalid when the webhook failed its CRC check', async () => {
      crcSecret = 'not-the-consumer-secret';
      await admin('POST', '/webhook/crc');
      const result = await check();
      assert.equal(result.armed, false);
      assert.equal(result.webhookId, WEBHOOK_ID);
      assert.equal(result.webhookValid, false);
      assert.equal(result.subscribed, true);
      assert.equal(result.problem?.code, 'webhook_invalid');
      assert.match(result.problem?.en ?? '', /CRC.*re-arm/);
      assert.match(result.problem?.ja ?? '', /CRC.*再アーム/);
    });

    it('reports not_subscribed when the account was disarmed while the webhook stayed', async () => {
      const removed = await admin('DELETE', '/webhook/subscriptions/kuji_sender');
      assert.deepEqual(removed, { userId: SENDER_ID, subscribed: false, wasSubscribed: true });
      const result = await check();
      assert.deepEqual(
        { ...result, problem: result.problem?.code },
        {
          armed: false,
          webhookId: WEBHOOK_ID,
          webhookValid: true,
          subscribed: false,
          problem: 'not_subscribed',
        },
      );
      assert.match(result.problem?.en ?? '', /@kuji_sender is not subscribed.*Re-arm/);
      assert.match(result.problem?.ja ?? '', /@kuji_sender.*再アーム/);
    });

    it('treats a webhook deleted between the list and the subscription check as missing', async () => {
      h.emulator.injectFault({ endpoint: 'account_activity.subscription', fault: 'not_found' });
      const result = await check();
      assert.equal(result.problem?.code, 'webhook_missing');
      assert.equal(result.webhookId, null);

      h.emulator.injectFault({ endpoint: 'account_activity.subscription', fault: 'not_found' });
      const run = await rearm(T0, T0 + MINUTE);
      assert.ok(run.error instanceof ApplicationFailure);
      assert.equal(run.error.type, 'webhook_missing');
    });

    it('fails with the classified X error when X cannot answer', async () => {
      h.emulator.injectFault({ endpoint: 'webhooks.list', fault: 'server_error' });
      const run = await runActivity(() =>
        h.activities.xArmedCheck({ accountId: h.accountId, webhookUrl: receiverUrl }),
      );
      assert.ok(run.error instanceof ApplicationFailure);
      assert.equal(run.error.type, 'server_error');
      assert.equal(run.error.nonRetryable, false);
    });
  });

  describe('xRearm', () => {
    it('subscribes the account and replays exactly the disarmed window, once each', async () => {
      // 03:00 subscribed: delivered live, and in the log a wrong window would replay.
      applyAction(h.emulator, { type: 'dm', from: 'alice', to: 'kuji_sender', text: 'before' });
      at(T0 + 2 * MINUTE);
      await admin('DELETE', '/webhook/subscriptions/kuji_sender');
      const disarmedAt = h.emulator.clock.now();

      at(T0 + 3 * MINUTE);
      applyAction(h.emulator, {
        type: 'reply',
        user: 'bob',
        post: 'campaign',
        text: 'during: entering',
      });
      applyAction(h.emulator, { type: 'dm', from: 'carol', to: 'kuji_sender', text: 'during' });
      applyAction(h.emulator, { type: 'follow', user: 'erin', target: 'kuji_sender' });
      // Nobody subscribed is involved: recorded, never delivered or replayed.
      applyAction(h.emulator, { type: 'follow', user: 'alice', target: 'bob' });
      at(T0 + 5 * MINUTE);
      const rearmTo = h.emulator.clock.now();
      // Exactly at the window's end, which X treats as exclusive.
      applyAction(h.emulator, { type: 'like', user: 'dave', post: 'campaign' });
      // After the window, still disarmed: outside the replay, though in the log.
      at(T0 + 6 * MINUTE);
      applyAction(h.emulator, { type: 'dm', from: 'dave', to: 'kuji_sender', text: 'after' });
      await h.emulator.webhookIdle();
      assert.deepEqual(
        deliveries.map((d) => d.eventType),
        ['dm.received'],
        'only the event from before the disarm was delivered live',
      );
      assert.equal((await check()).problem?.code, 'not_subscribed');

      at(T0 + 7 * MINUTE);
      deliveries.length = 0;
      const run = await rearm(disarmedAt, rearmTo);
      assert.equal(run.error, undefined);
      assert.equal(run.result?.subscribed, true);
      assert.equal(run.result?.webhookId, WEBHOOK_ID);
      const jobId = run.result?.replayJobId;
      assert.match(jobId ?? '', /^[0-9]{1,19}$/);
      await h.emulator.webhookIdle();

      const job = h.emulator.webhooks.replayJobs.at(-1);
      assert.equal(job?.jobId, jobId);
      assert.equal(job?.from, '2026-11-22T03:02:00.000Z');
      assert.equal(job?.to, '2026-11-22T03:05:00.000Z');
      assert.equal(job?.status, 'complete');
      assert.deepEqual(
        deliveries.map((d) => [d.eventType, d.filterUserId]),
        [
          ['post.reply.create', SENDER_ID],
          ['dm.received', SENDER_ID],
          ['follow.follow', SENDER_ID],
        ],
      );
      assert.equal((deliveries[0]?.payload as { text?: string }).text, 'during: entering');
      assert.equal(new Set(deliveries.map((d) => d.eventUuid)).size, deliveries.length);
      for (const delivery of deliveries) {
        assert.ok(
          verifyWebhookSignature(app.consumerSecret, delivery.body, delivery.signature),
          'replayed deliveries are signed like live ones',
        );
      }
      assert.deepEqual(
        h.emulator.requests({ endpoint: 'account_activity.subscribe' }).map((r) => r.status),
        [200],
      );

      assert.equal((await check()).armed, true);
      deliveries.length = 0;
      applyAction(h.emulator, { type: 'dm', from: 'alice', to: 'kuji_sender', text: 'live again' });
      await h.emulator.webhookIdle();
      assert.deepEqual(
        deliveries.map((d) => d.eventType),
        ['dm.received'],
      );
    });

    it('leaves a subscribed account as it is and still replays the window', async () => {
      applyAction(h.emulator, { type: 'follow', user: 'erin', target: 'kuji_sender' });
      at(T0 + MINUTE);
      await h.emulator.webhookIdle();
      deliveries.length = 0;
      const run = await rearm(T0, T0 + MINUTE);
      assert.equal(run.result?.subscribed, true);
      await h.emulator.webhookIdle();
      assert.deepEqual(h.emulator.requests({ endpoint: 'account_activity.subscribe' }), []);
      assert.deepEqual(
        deliveries.map((d) => d.eventType),
        ['follow.follow'],
      );
    });

    it('fails non-retryably with webhook_missing when no webhook has that URL', async () => {
      await admin('DELETE', '/webhook/subscriptions/kuji_sender');
      const run = await rearm(T0, T0 + MINUTE, 'https://kuji.example/v1/webhooks/x');
      assert.ok(run.error instanceof ApplicationFailure);
      assert.equal(run.error.type, 'webhook_missing');
      assert.equal(run.error.nonRetryable, true);
      assert.match(run.error.message, /https:\/\/kuji\.example\/v1\/webhooks\/x/);
      assert.deepEqual(h.emulator.requests({ endpoint: 'account_activity.subscribe' }), []);
      assert.deepEqual(h.emulator.requests({ endpoint: 'account_activity.replay' }), []);
    });

    it('runs the CRC check again for an invalid webhook, and fails if it still does not pass', async () => {
      crcSecret = 'not-the-consumer-secret';
      await admin('POST', '/webhook/crc');
      const stillBroken = await rearm(T0, T0 + MINUTE);
      assert.ok(stillBroken.error instanceof ApplicationFailure);
      assert.equal(stillBroken.error.type, 'webhook_invalid');
      assert.equal(stillBroken.error.nonRetryable, true);
      assert.deepEqual(h.emulator.requests({ endpoint: 'account_activity.replay' }), []);

      crcSecret = app.consumerSecret;
      const fixed = await rearm(T0, T0 + MINUTE);
      assert.equal(fixed.error, undefined);
      assert.deepEqual(
        h.emulator.requests({ endpoint: 'webhooks.validate' }).map((r) => r.status),
        [200, 200],
      );
      assert.equal((await check()).armed, true);
    });

    it('starts no replay job when the window is older than X keeps events', async () => {
      at(T0 + 6 * 24 * 60 * MINUTE);
      const run = await rearm(T0, T0 + 10 * MINUTE);
      assert.equal(run.error, undefined);
      assert.equal(run.result?.replayJobId, null);
      assert.deepEqual(h.emulator.requests({ endpoint: 'account_activity.replay' }), []);
    });
  });

  describe('the webhook endpoints of the emulator', () => {
    const client = () => createXClient(senderCredentials(), { baseUrl: h.emulator.url });

    it('lists the webhook config in X shape with rate-limit headers', async () => {
      const response = await client().v2.get('webhooks', undefined, { fullResponse: true });
      assert.deepEqual(response.data, {
        data: [
          {
            id: WEBHOOK_ID,
            url: receiverUrl,
            valid: true,
            created_at: new Date(T0).toISOString(),
          },
        ],
        meta: { result_count: 1 },
      });
      assert.equal(response.rateLimit?.limit, 15);
      assert.equal(response.rateLimit?.remaining, 14);
    });

    it('refuses an app-only token on the user-context subscription endpoint', async () => {
      await h.emulator.loadScenario(
        baseScenario({
          tokens: [{ kind: 'app', bearerToken: 'app-only-bearer-1' }],
          webhook: { url: receiverUrl, id: WEBHOOK_ID },
        }),
      );
      const appClient = new TwitterApi('app-only-bearer-1', {
        plugins: [
          {
            onBeforeRequestConfig({ params }) {
              params.url = params.url.replace('https://api.x.com', h.emulator.url);
            },
          },
        ],
        httpAgent: new Agent(),
      });
      const listed = await appClient.v2.get<{ meta: { result_count: number } }>('webhooks');
      assert.equal(listed.meta.result_count, 1);
      await assert.rejects(
        appClient.v2.get(`account_activity/webhooks/${WEBHOOK_ID}/subscriptions/all`),
        (error: unknown) => error instanceof ApiResponseError && error.code === 403,
      );
    });

    it('answers 404 for another webhook id and 400 for a replay window it cannot serve', async () => {
      await assert.rejects(
        client().v2.get('account_activity/webhooks/42/subscriptions/all'),
        (error: unknown) =>
          error instanceof ApiResponseError &&
          error.code === 404 &&
          (error.data as { type?: string }).type ===
            'https://api.x.com/2/problems/resource-not-found',
      );
      const replay = (query: Record<string, string>) =>
        client().v2.post(
          `account_activity/replay/webhooks/${WEBHOOK_ID}/subscriptions/all`,
          {},
          { query },
        );
      const status = (error: unknown) => error instanceof ApiResponseError && error.code === 400;
      await assert.rejects(replay({ from_date: '202611220300' }), status);
      await assert.rejects(replay({ from_date: '202611220300', to_date: '202611220300' }), status);
      await assert.rejects(replay({ from_date: '202611161000', to_date: '202611220300' }), status);
      await assert.rejects(replay({ from_date: '2026-11-22', to_date: '202611220300' }), status);
      const accepted = (await replay({ from_date: '202611220200', to_date: '202611220300' })) as {
        job_id: string;
        created_at: string;
      };
      assert.match(accepted.job_id, /^[0-9]{1,19}$/);
      assert.equal(accepted.created_at, new Date(T0).toISOString());
    });
  });
});

describe('replayWindow', () => {
  const now = Date.parse('2026-11-22T12:00:00.000Z');

  it('rounds from down and to up to the minute, in X format', () => {
    const window = replayWindow(
      Date.parse('2026-11-22T10:02:30.500Z'),
      Date.parse('2026-11-22T10:05:00.001Z'),
      now,
    );
    assert.deepEqual(window && [window.fromDate, window.toDate], ['202611221002', '202611221006']);
    const exact = replayWindow(
      Date.parse('2026-11-22T10:02:00.000Z'),
      Date.parse('2026-11-22T10:05:00.000Z'),
      now,
    );
    assert.deepEqual(exact && [exact.fromDate, exact.toDate], ['202611221002', '202611221005']);
  });

  it('clamps from to five days back, keeping a minute of margin', () => {
    const window = replayWindow(Date.parse('2026-11-10T00:00:00.000Z'), now, now);
    assert.equal(window?.fromDate, '202611171201');
    assert.equal(window?.toDate, '202611221200');
  });

  it('has nothing to replay when the window is empty or entirely too old', () => {
    assert.equal(replayWindow(now, now, now), undefined);
    assert.equal(
      replayWindow(
        Date.parse('2026-11-01T00:00:00.000Z'),
        Date.parse('2026-11-02T00:00:00.000Z'),
        now,
      ),
      undefined,
    );
  });

  it('writes instants as yyyymmddhhmm in UTC', () => {
    assert.equal(toReplayDate(Date.parse('2026-01-02T03:04:59.999+09:00')), '202601011804');
  });
});
