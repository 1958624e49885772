/**
 * The X emulator behaves like X: authentication, DM rules, pagination, rate limits, faults,
 * webhooks with CRC and signatures, and the admin API.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ApiResponseError } from 'twitter-api-v2';
import {
  XCallError,
  getMe,
  readPage,
  sendDm,
  type XDmEvent,
  type XPost,
  type XUser,
} from '../../x/api';
import { createXClient } from '../../x/client';
import type { XErrorCode } from '../../domain/x-errors';
import {
  applyAction,
  demoScenario,
  faultPresetNames,
  type FaultPresetName,
  demoSenderCredentials,
  DEMO_CAMPAIGN_POST_ID,
  startXEmulator,
  type Scenario,
  type XEmulator,
} from '../../emulator';
import { crcResponseToken, verifyWebhookSignature } from '../../x/webhook-signature';
import {
  ALICE_ID,
  app,
  baseScenario,
  BOB_ID,
  CAMPAIGN_POST_ID,
  CAROL_ID,
  DAVE_ID,
  ERIN_ID,
  SENDER_ID,
  senderCredentials,
  senderOAuth1,
} from './support';

const T0 = Date.parse('2026-11-22T03:00:00.000Z');

describe('X emulator', () => {
  let emulator: XEmulator;

  before(async () => {
    emulator = await startXEmulator({ scenario: baseScenario(), holdTimeoutMs: 2_000 });
  });

  after(async () => {
    await emulator?.close();
  });

  beforeEach(async () => {
    await emulator.loadScenario(baseScenario());
  });

  const client = () =>
    createXClient(senderCredentials(), { baseUrl: emulator.url, timeoutMs: 2_000 });

  async function get(
    pathname: string,
    token: string,
  ): Promise<{ status: number; headers: Headers; body: unknown }> {
    const response = await fetch(`${emulator.url}${pathname}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return { status: response.status, headers: response.headers, body: await response.json() };
  }

  async function admin(
    method: string,
    pathname: string,
    body?: unknown,
  ): Promise<Record<string, unknown>> {
    const response = await fetch(`${emulator.url}/_admin${pathname}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    assert.equal(response.status, 200, `admin ${method} ${pathname}`);
    return (await response.json()) as Record<string, unknown>;
  }

  async function dmCode(participantId: string, text = 'hello'): Promise<string> {
    try {
      await sendDm(client(), participantId, text);
      return 'sent';
    } catch (error) {
      assert.ok(error instanceof XCallError);
      return error.xError.code;
    }
  }

  describe('authentication', () => {
    it('verifies OAuth 1.0a signatures and refuses a wrong token secret with code 32', async () => {
      assert.equal((await getMe(client())).user.id, SENDER_ID);
      const forged = createXClient(
        {
          kind: 'oauth1',
          appKey: app.consumerKey,
          appSecret: app.consumerSecret,
          accessToken: senderOAuth1.accessToken,
          accessSecret: 'not-the-secret',
        },
        { baseUrl: emulator.url },
      );
      await assert.rejects(forged.v2.get('users/me'), (error: unknown) => {
        assert.ok(error instanceof ApiResponseError);
        assert.equal(error.code, 401);
        assert.deepEqual((error.data as { errors?: unknown }).errors, [
          { code: 32, message: 'Could not authenticate you.' },
        ]);
        return true;
      });
    });

    it('answers a revoked token with 401 and tells the webhook (oauth.revoke)', async () => {
      applyAction(emulator, { type: 'revoke', user: 'kuji_sender' });
      await assert.rejects(
        getMe(client()),
        (error: unknown) =>
          error instanceof XCallError && error.xError.code === 'auth_token_invalid',
      );
      assert.equal(emulator.events().at(-1)?.eventType, 'oauth.revoke');
    });

    it('refuses an app-only token on user-context endpoints', async () => {
      await emulator.loadScenario(
        baseScenario({ tokens: [{ kind: 'app', bearerToken: 'app-only-bearer-1' }] }),
      );
      const response = await fetch(`${emulator.url}/2/dm_conversations/with/${ALICE_ID}/messages`, {
        method: 'POST',
        headers: { authorization: 'Bearer app-only-bearer-1', 'content-type': 'application/json' },
        body: JSON.stringify({ text: 'hi' }),
      });
      assert.equal(response.status, 403);
      assert.equal(
        ((await response.json()) as { type: string }).type,
        'https://api.x.com/2/problems/unsupported-authentication',
      );
      assert.equal((await get(`/2/users/${ALICE_ID}`, 'app-only-bearer-1')).status, 200);
    });

    it('refuses a DM from an OAuth 2.0 token without dm.write the way X does (403 about:blank)', async () => {
      await emulator.loadScenario(
        baseScenario({
          tokens: [
            {
              kind: 'oauth2',
              user: 'kuji_sender',
              accessToken: 'no-dm-scope-token',
              scopes: ['tweet.read', 'users.read'],
            },
          ],
        }),
      );
      const noScope = createXClient(
        {
          kind: 'oauth2',
          clientId: app.clientId,
          accessToken: 'no-dm-scope-token',
          expiresAt: new Date(T0 + 7_200_000).toISOString(),
        },
        { baseUrl: emulator.url },
      );
      await assert.rejects(
        sendDm(noScope, ALICE_ID, 'hi'),
        (error: unknown) =>
          error instanceof XCallError && error.xError.code === 'auth_missing_dm_scopes',
      );
    });

    it('expires OAuth 2.0 access tokens when the clock passes their lifetime', async () => {
      await emulator.loadScenario(
        baseScenario({
          tokens: [
            {
              kind: 'oauth2',
              user: 'kuji_sender',
              accessToken: 'short-lived-token',
              expiresInSeconds: 60,
            },
          ],
        }),
      );
      assert.equal((await get('/2/users/me', 'short-lived-token')).status, 200);
      emulator.clock.advance(60_000);
      assert.equal((await get('/2/users/me', 'short-lived-token')).status, 401);
    });
  });

  describe('direct messages', () => {
    it("applies recipients' DM settings, follows, blocks and verification", async () => {
      assert.equal(await dmCode(ALICE_ID), 'sent', 'everyone');
      assert.equal(await dmCode(BOB_ID), 'sent', 'following, and bob follows the sender');
      assert.equal(await dmCode(DAVE_ID), 'dm_not_permitted', 'closed');
      applyAction(emulator, { type: 'update_user', user: 'bob', patch: { dmSetting: 'verified' } });
      applyAction(emulator, { type: 'unfollow', user: 'bob', target: 'kuji_sender' });
      applyAction(emulator, {
        type: 'update_user',
        user: 'kuji_sender',
        patch: { verified: false },
      });
      assert.equal(await dmCode(BOB_ID, 'again'), 'dm_not_permitted', 'verified only');
      applyAction(emulator, {
        type: 'update_user',
        user: 'bob',
        patch: { dmSetting: 'following' },
      });
      assert.equal(await dmCode(BOB_ID, 'again'), 'dm_recipient_not_following');
      applyAction(emulator, { type: 'block', user: 'carol', target: 'kuji_sender' });
      assert.equal(await dmCode(CAROL_ID), 'dm_not_permitted', 'blocked looks the same as closed');
    });

    it('lets a recipient who wrote first receive DMs whatever their settings', async () => {
      assert.equal(await dmCode(DAVE_ID), 'dm_not_permitted');
      applyAction(emulator, { type: 'dm', from: 'dave', to: 'kuji_sender', text: '参加' });
      assert.equal(await dmCode(DAVE_ID), 'sent');
    });

    it('reports receives_your_dm consistently with what a send would do', async () => {
      const page = await readPage<XUser>(client(), {
        kind: 'reposters',
        subject: CAMPAIGN_POST_ID,
      });
      const receives = Object.fromEntries(page.items.map((u) => [u.username, u.receivesYourDm]));
      assert.deepEqual(receives, { dave: false, carol: true, bob: true, alice: true });
    });

    it('refuses message requests from a sender without a confirmed phone, but not DMs to followers', async () => {
      applyAction(emulator, {
        type: 'update_user',
        user: 'kuji_sender',
        patch: { phoneVerified: false },
      });
      assert.equal(await dmCode(ERIN_ID), 'sender_unverified');
      assert.equal(await dmCode(ALICE_ID), 'sent');
    });

    it('answers the same text twice in a row with 151 "You already said that"', async () => {
      assert.equal(await dmCode(ALICE_ID, 'same text'), 'sent');
      assert.equal(await dmCode(ALICE_ID, 'same text'), 'dm_already_said');
      assert.equal(emulator.sent().dms.length, 1);
    });

    it("lists the conversation newest first with X's fields and ids", async () => {
      await sendDm(client(), ALICE_ID, 'one');
      applyAction(emulator, { type: 'dm', from: 'alice', to: 'kuji_sender', text: 'two' });
      const page = await readPage<XDmEvent>(client(), {
        kind: 'dm_events',
        subject: ALICE_ID,
      });
      assert.deepEqual(
        page.items.map((e) => [e.text, e.senderId]),
        [
          ['two', ALICE_ID],
          ['one', SENDER_ID],
        ],
      );
      assert.equal(page.items[0]?.dmConversationId, `${SENDER_ID}-${ALICE_ID}`);
    });
  });

  describe('reads', () => {
    it('paginates with opaque tokens and rejects a malformed one', async () => {
      const first = await readPage<XUser>(client(), {
        kind: 'reposters',
        subject: CAMPAIGN_POST_ID,
        maxResults: 3,
      });
      assert.equal(first.items.length, 3);
      assert.match(first.nextToken ?? '', /^[0-9a-v]{16}$/);
      const second = await readPage<XUser>(client(), {
        kind: 'reposters',
        subject: CAMPAIGN_POST_ID,
        maxResults: 3,
        paginationToken: first.nextToken,
      });
      assert.deepEqual(
        second.items.map((u) => u.username),
        ['alice'],
      );
      assert.equal(second.nextToken, undefined);
      await assert.rejects(
        readPage(client(), {
          kind: 'reposters',
          subject: CAMPAIGN_POST_ID,
          paginationToken: 'not-a-token-at-all',
        }),
        (error: unknown) => error instanceof XCallError && error.xError.code === 'invalid_request',
      );
    });

    it('searches with X operators and never returns reposts', async () => {
      applyAction(emulator, {
        type: 'reply',
        user: 'alice',
        post: 'campaign',
        text: '@kuji_sender 参加します #kuji',
      });
      applyAction(emulator, {
        type: 'reply',
        user: 'bob',
        post: 'campaign',
        text: '@kuji_sender maybe later',
      });
      applyAction(emulator, { type: 'quote', user: 'carol', post: 'campaign', text: 'look #kuji' });
      const search = async (query: string) =>
        (await readPage<XPost>(client(), { kind: 'search', subject: query })).items.map(
          (p) => p.authorId,
        );
      assert.deepEqual(await search(`conversation_id:${CAMPAIGN_POST_ID} is:reply #kuji`), [
        ALICE_ID,
      ]);
      assert.deepEqual(await search('#kuji -is:reply'), [CAROL_ID, SENDER_ID]);
      assert.deepEqual(await search('from:bob OR from:carol'), [CAROL_ID, BOB_ID]);
      assert.deepEqual(await search('is:retweet'), []);
    });

    it("hides protected accounts' posts from non-followers and answers their timelines 401", async () => {
      applyAction(emulator, { type: 'update_user', user: 'alice', patch: { protected: true } });
      applyAction(emulator, {
        type: 'reply',
        user: 'alice',
        post: 'campaign',
        text: '@kuji_sender secret entry',
      });
      const mentions = await readPage(client(), { kind: 'mentions', subject: SENDER_ID });
      assert.equal(mentions.items.length, 0);
      await assert.rejects(
        readPage(client(), { kind: 'followers', subject: ALICE_ID }),
        (error: unknown) =>
          error instanceof XCallError && error.xError.code === 'recipient_protected',
      );
    });

    it("returns suspended and unknown users as partial errors in a 200, in the spec's Problem shape", async () => {
      applyAction(emulator, { type: 'update_user', user: 'alice', patch: { suspended: true } });
      const response = await fetch(`${emulator.url}/2/users?ids=${ALICE_ID},1790000000000009999`, {
        headers: { authorization: `Bearer ${tokenFor('kuji_sender')}` },
      });
      assert.equal(response.status, 200);
      const body = (await response.json()) as {
        data?: unknown;
        errors: { type: string; detail: string }[];
      };
      assert.equal(body.data, undefined);
      assert.deepEqual(
        body.errors.map((e) => e.type),
        [
          'https://api.x.com/2/problems/resource-not-found',
          'https://api.x.com/2/problems/resource-not-found',
        ],
      );
      assert.match(body.errors[0]?.detail ?? '', /User has been suspended/);
    });

    it('sends x-rate-limit headers, refuses with 429 when spent and opens a new window when the clock moves', async () => {
      await emulator.loadScenario(
        baseScenario({ rateLimits: { 'users.lookup': { limit: 2, windowSeconds: 60 } } }),
      );
      const token = tokenFor('kuji_sender');
      const first = await get(`/2/users/${ALICE_ID}`, token);
      assert.equal(first.headers.get('x-rate-limit-limit'), '2');
      assert.equal(first.headers.get('x-rate-limit-remaining'), '1');
      assert.equal(first.headers.get('x-rate-limit-reset'), String((T0 + 60_000) / 1000));
      assert.equal((await get(`/2/users/${ALICE_ID}`, token)).status, 200);
      const refused = await get(`/2/users/${ALICE_ID}`, token);
      assert.equal(refused.status, 429);
      assert.equal(refused.headers.get('x-rate-limit-remaining'), '0');
      emulator.clock.advance(60_000);
      const renewed = await get(`/2/users/${ALICE_ID}`, token);
      assert.equal(renewed.status, 200);
      assert.equal(renewed.headers.get('x-rate-limit-remaining'), '1');
    });

    it('adds the 24-hour user and app headers on DM sends', async () => {
      const sent = await sendDm(client(), ALICE_ID, 'hi');
      assert.equal(sent.rateLimit?.userDay?.limit, 1440);
      assert.equal(sent.rateLimit?.userDay?.remaining, 1439);
      assert.equal(sent.rateLimit?.appDay?.limit, 1440);
    });
  });

  /** A bearer token for the user (OAuth 2.0), added to the current world. */
  function tokenFor(username: string): string {
    const token = `bearer-for-${username}-${emulator.state.tokens.size}`;
    const user = emulator.state.requireUser(username);
    emulator.state.tokens.set(token, {
      kind: 'oauth2',
      accessToken: token,
      userId: user.id,
      scopes: ['tweet.read', 'users.read'],
      expiresAtMs: emulator.clock.now() + 3_600_000,
      revoked: false,
    });
    return token;
  }

  describe('fault injection', () => {
    it('plays scripted sequences in order, with pass letting a request through', async () => {
      emulator.injectFault({
        endpoint: 'users.me',
        sequence: ['server_error', 'pass', 'service_unavailable_text'],
      });
      const outcomes: string[] = [];
      for (let i = 0; i < 4; i += 1) {
        try {
          await getMe(client());
          outcomes.push('ok');
        } catch (error) {
          outcomes.push(error instanceof XCallError ? error.xError.code : 'other');
        }
      }
      assert.deepEqual(outcomes, ['server_error', 'ok', 'service_unavailable', 'ok']);
      assert.deepEqual(
        emulator.requests().map((r) => r.fault ?? '-'),
        ['server_error', '-', 'service_unavailable_text', '-'],
      );
    });

    it('fires rate-based faults reproducibly for a seed', async () => {
      const pattern = async () => {
        await emulator.loadScenario(
          baseScenario({
            seed: 99,
            faults: [{ endpoint: 'users.me', fault: 'server_error', rate: 0.5 }],
          }),
        );
        const statuses: number[] = [];
        for (let i = 0; i < 12; i += 1)
          statuses.push((await get('/2/users/me', tokenFor('kuji_sender'))).status);
        return statuses;
      };
      const first = await pattern();
      assert.ok(first.includes(500) && first.includes(200), `no mix: ${first.join(',')}`);
      assert.deepEqual(await pattern(), first);
    });

    it('answers every preset the way the README documents, as Kuji classifies it', async () => {
      const expected: Record<FaultPresetName, XErrorCode> = {
        server_error: 'server_error',
        bad_gateway: 'server_error',
        service_unavailable: 'service_unavailable',
        service_unavailable_text: 'service_unavailable',
        over_capacity: 'service_unavailable',
        timeout: 'timeout',
        connection_reset: 'network_error',
        partial_body: 'network_error',
        rate_limited: 'rate_limited',
        user_daily_limit: 'user_daily_limit',
        usage_capped: 'usage_capped',
        credits_depleted: 'credits_depleted',
        unauthorized: 'auth_token_invalid',
        invalid_token: 'auth_token_invalid',
        revoked: 'auth_token_invalid',
        missing_dm_scopes: 'auth_missing_dm_scopes',
        client_forbidden: 'auth_app_not_permitted',
        oauth1_permissions: 'auth_app_permissions',
        unsupported_authentication: 'auth_unsupported_type',
        automated: 'sender_automation_flagged',
        locked: 'sender_locked',
        sender_suspended: 'sender_suspended',
        authenticated_user_suspended: 'sender_suspended',
        sender_unverified: 'sender_unverified',
        recipient_suspended: 'recipient_suspended',
        not_permitted: 'dm_not_permitted',
        not_following: 'dm_recipient_not_following',
        open_dms_required: 'dm_open_dms_required',
        blocked: 'recipient_blocked',
        protected: 'recipient_protected',
        not_found: 'user_not_found',
        post_not_found: 'post_not_found',
        duplicate: 'dm_already_said',
        dm_already_said: 'dm_already_said',
        legacy_duplicate: 'duplicate_content',
        daily_limit: 'account_daily_dm_limit',
        text_too_long: 'text_too_long',
        media_not_allowed: 'media_not_allowed',
        reply_not_permitted: 'reply_not_permitted',
        invalid_request: 'invalid_request',
        partial_suspended: 'recipient_suspended',
        refused_in_success: 'sender_suspended',
        success_without_data: 'unknown',
        unknown: 'unknown',
      };
      const quick = createXClient(senderCredentials(), { baseUrl: emulator.url, timeoutMs: 1_500 });
      const actual: Record<string, string> = {};
      for (const preset of faultPresetNames) {
        await emulator.loadScenario(baseScenario());
        emulator.injectFault({ endpoint: 'dm.send', fault: preset });
        try {
          await sendDm(quick, ALICE_ID, 'hi');
          actual[preset] = 'sent';
        } catch (error) {
          actual[preset] = error instanceof XCallError ? error.xError.code : String(error);
        }
      }
      assert.deepEqual(actual, expected);
    });

    it('performs the write and then drops the answer when applyEffect is set', async () => {
      emulator.injectFault({ endpoint: 'dm.send', fault: 'connection_reset', applyEffect: true });
      await assert.rejects(
        sendDm(client(), ALICE_ID, 'lost answer'),
        (error: unknown) => error instanceof XCallError && error.xError.code === 'network_error',
      );
      assert.deepEqual(
        emulator.sent().dms.map((d) => d.text),
        ['lost answer'],
      );
    });
  });

  describe('admin API', () => {
    it('loads a scenario, moves the clock, simulates activity and reads back sent messages and requests', async () => {
      await admin(
        'POST',
        '/scenario',
        baseScenario({
          users: [...(baseScenario().users ?? []), { username: 'frank', dmSetting: 'everyone' }],
        }),
      );
      const clock = await admin('POST', '/clock', { advanceSeconds: 30 });
      assert.equal(clock.now, new Date(T0 + 30_000).toISOString());
      const actions = await admin('POST', '/actions', [
        { type: 'follow', user: 'frank', target: 'kuji_sender' },
        { type: 'reply', user: 'frank', post: 'campaign', text: '@kuji_sender me too' },
      ]);
      assert.equal((actions.results as unknown[]).length, 2);
      await sendDm(client(), ALICE_ID, 'via API');
      const sent = await admin('GET', '/sent');
      assert.deepEqual(
        (sent.dms as { text: string }[]).map((d) => d.text),
        ['via API'],
      );
      const requests = await admin('GET', '/requests?endpoint=dm.send');
      assert.deepEqual(
        (requests.requests as { status: number }[]).map((r) => r.status),
        [201],
      );
      const state = await admin('GET', '/state');
      assert.ok((state.users as { username: string }[]).some((u) => u.username === 'frank'));
      assert.equal(
        JSON.stringify(state).includes(senderOAuth1.accessSecret),
        false,
        'admin state shows no token secrets',
      );
      assert.equal(
        JSON.stringify(state).includes(senderOAuth1.accessToken),
        false,
        'admin state shows no full tokens',
      );
    });

    it('injects and clears faults over HTTP', async () => {
      await admin('POST', '/faults', { endpoint: 'users.me', fault: 'credits_depleted', count: 2 });
      assert.equal(((await admin('GET', '/faults')).faults as unknown[]).length, 1);
      assert.equal((await get('/2/users/me', tokenFor('kuji_sender'))).status, 402);
      await admin('DELETE', '/faults');
      assert.equal((await get('/2/users/me', tokenFor('kuji_sender'))).status, 200);
    });

    it('rejects an invalid scenario with a readable reason', async () => {
      const response = await fetch(`${emulator.url}/_admin/scenario`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ users: [{ username: 'has space' }] }),
      });
      assert.equal(response.status, 400);
      assert.match(((await response.json()) as { detail: string }).detail, /usernames/);
    });
  });

  describe('webhooks', () => {
    let receiver: Server;
    let receiverUrl: string;
    let answerCrcWith = 'correct' as 'correct' | 'wrong';
    const received: { body: string; signature?: string }[] = [];

    before(async () => {
      receiver = createServer((req, res) => {
        const url = new URL(req.url ?? '/', 'http://localhost');
        if (req.method === 'GET') {
          const token = url.searchParams.get('crc_token') ?? '';
          const secret = answerCrcWith === 'correct' ? app.consumerSecret : 'wrong';
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ response_token: crcResponseToken(secret, token) }));
          return;
        }
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          received.push({
            body: Buffer.concat(chunks).toString('utf8'),
            signature: req.headers['x-twitter-webhooks-signature'] as string,
          });
          res.writeHead(200);
          res.end();
        });
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/x`;
    });

    after(async () => {
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    });

    beforeEach(() => {
      received.length = 0;
      answerCrcWith = 'correct';
    });

    const eventTypes = () =>
      received.map((r) => (JSON.parse(r.body) as { data: { event_type: string } }).data.event_type);

    it('passes the CRC challenge and delivers signed Activity API events for what participants do', async () => {
      const loaded = await emulator.loadScenario(baseScenario({ webhook: { url: receiverUrl } }));
      assert.equal(loaded.webhook?.valid, true);
      applyAction(emulator, { type: 'dm', from: 'alice', to: 'kuji_sender', text: '参加' });
      applyAction(emulator, {
        type: 'reply',
        user: 'bob',
        post: 'campaign',
        text: 'entering #kuji',
      });
      applyAction(emulator, { type: 'quote', user: 'carol', post: 'campaign', text: 'look' });
      applyAction(emulator, { type: 'repost', user: 'erin', post: 'campaign' });
      applyAction(emulator, { type: 'follow', user: 'erin', target: 'kuji_sender' });
      applyAction(emulator, { type: 'like', user: 'dave', post: 'campaign' });
      applyAction(emulator, { type: 'post', user: 'erin', text: 'hey @kuji_sender' });
      applyAction(emulator, { type: 'revoke', user: 'kuji_sender' });
      await emulator.webhookIdle();
      assert.deepEqual(eventTypes(), [
        'dm.received',
        'post.reply.create',
        'post.quote.create',
        'post.repost.create',
        'follow.follow',
        'like.create',
        'post.mention.create',
        'oauth.revoke',
      ]);
      for (const delivery of received) {
        assert.ok(
          verifyWebhookSignature(app.consumerSecret, delivery.body, delivery.signature),
          'signature verifies',
        );
        assert.equal(
          verifyWebhookSignature('another-secret', delivery.body, delivery.signature),
          false,
        );
      }
      const dm = JSON.parse(received[0]?.body ?? '{}') as {
        data: {
          filter: { user_id: string };
          payload: {
            direct_message_events: {
              message_create: { sender_id: string; message_data: { text: string } };
            }[];
          };
        };
      };
      assert.equal(dm.data.filter.user_id, SENDER_ID);
      assert.equal(dm.data.payload.direct_message_events[0]?.message_create.sender_id, ALICE_ID);
      assert.equal(
        dm.data.payload.direct_message_events[0]?.message_create.message_data.text,
        '参加',
      );
    });

    it('never delivers posts of protected accounts', async () => {
      await emulator.loadScenario(baseScenario({ webhook: { url: receiverUrl } }));
      applyAction(emulator, { type: 'update_user', user: 'bob', patch: { protected: true } });
      applyAction(emulator, { type: 'reply', user: 'bob', post: 'campaign', text: 'secret' });
      await emulator.webhookIdle();
      assert.deepEqual(eventTypes(), []);
    });

    it('refuses a webhook that fails the CRC challenge and delivers nothing to it', async () => {
      answerCrcWith = 'wrong';
      const loaded = await emulator.loadScenario(baseScenario({ webhook: { url: receiverUrl } }));
      assert.equal(loaded.webhook?.valid, false);
      applyAction(emulator, { type: 'dm', from: 'alice', to: 'kuji_sender', text: 'hi' });
      await emulator.webhookIdle();
      assert.equal(received.length, 0);
    });

    it('replays recorded events on request', async () => {
      await emulator.loadScenario(baseScenario({ webhook: { url: receiverUrl } }));
      applyAction(emulator, { type: 'follow', user: 'erin', target: 'kuji_sender' });
      await emulator.webhookIdle();
      const replayed = await admin('POST', '/webhook/replay', { fromIndex: 0 });
      await emulator.webhookIdle();
      assert.equal(replayed.replayed, 1);
      assert.deepEqual(eventTypes(), ['follow.follow', 'follow.follow']);
    });
  });

  describe('demo scenario', () => {
    it('seeds kuji_demo, thirty participants with mixed DM settings and an active campaign post', async () => {
      const scenario: Scenario = demoScenario();
      await emulator.loadScenario(scenario);
      const participants = [...emulator.state.users.values()].filter(
        (u) => u.username !== 'kuji_demo',
      );
      assert.equal(participants.length, 30);
      assert.deepEqual(
        new Set(participants.map((u) => u.dmSetting)),
        new Set(['everyone', 'following', 'verified', 'closed']),
      );
      const demoClient = createXClient(demoSenderCredentials(), { baseUrl: emulator.url });
      assert.equal((await getMe(demoClient)).user.username, 'kuji_demo');
      const reposters = await readPage<XUser>(demoClient, {
        kind: 'reposters',
        subject: DEMO_CAMPAIGN_POST_ID,
        maxResults: 100,
      });
      assert.ok(reposters.items.length >= 20);
      const replies = await readPage(demoClient, {
        kind: 'search',
        subject: `conversation_id:${DEMO_CAMPAIGN_POST_ID} is:reply`,
        maxResults: 100,
      });
      assert.ok(replies.items.length >= 5);
    });
  });
});

describe('npm run emulator', () => {
  it('starts the emulator alone with a scenario file from argv', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kuji-emulator-'));
    const file = path.join(dir, 'scenario.json');
    writeFileSync(file, JSON.stringify(baseScenario()));
    const child = spawn(process.execPath, ['--import', 'tsx', 'emulator/main.ts', file], {
      cwd: path.resolve(__dirname, '../..'),
      env: { ...process.env, X_EMULATOR_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const match = /listening on (http:\/\/\S+)/.exec(output);
          if (match?.[1]) resolve(match[1]);
        });
        child.once('exit', (code) => reject(new Error(`emulator exited with ${code}: ${output}`)));
      });
      const state = (await (await fetch(`${url}/_admin/state`)).json()) as {
        users: { username: string }[];
      };
      assert.ok(state.users.some((u) => u.username === 'kuji_sender'));
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  });
});
