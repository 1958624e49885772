/**
 * Contract: every failure class, produced by the emulator over HTTP, read by twitter-api-v2,
 * classified, and thrown by the activity as the ApplicationFailure Temporal will see.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import {
  xErrorCatalog,
  xErrorCodes,
  xErrorFromDetails,
  type XErrorCode,
} from '../../domain/x-errors';
import { applyAction, type FaultRuleInput, type Scenario } from '../../emulator';
import { createTestDatabase, type TestDatabase } from '../support/database';
import {
  ALICE_ID,
  app,
  baseScenario,
  CAMPAIGN_POST_ID,
  CAROL_ID,
  createHarness,
  createSenderAccount,
  DAVE_ID,
  ERIN_ID,
  runActivity,
  senderOAuth1,
  type Harness,
} from './support';

const T0 = Date.parse('2026-11-22T03:00:00.000Z');

interface Case {
  code: XErrorCode;
  how: string;
  scenario?: Partial<Scenario>;
  fault?: FaultRuleInput;
  setup?: (h: Harness) => Promise<void> | void;
  run: (h: Harness) => Promise<unknown>;
  retryAt?: string;
}

const dm = (
  h: Harness,
  participantId: string,
  text = 'Congratulations, you won!',
  notBefore?: string,
) => h.activities.xSendDm({ accountId: h.accountId, participantId, text, notBefore });

/** A step that must succeed, run inside an activity context like the case itself. */
async function succeed(step: () => Promise<unknown>): Promise<void> {
  const run = await runActivity(step);
  if (run.error instanceof Error) throw run.error;
  if (run.error !== undefined) throw new Error('The set-up step failed.');
}

const cases: Case[] = [
  {
    code: 'dm_not_permitted',
    how: 'DM to a user whose DMs are closed',
    run: (h) => dm(h, DAVE_ID),
  },
  {
    code: 'dm_recipient_not_following',
    how: 'fault not_following',
    fault: { endpoint: 'dm.send', fault: 'not_following' },
    run: (h) => dm(h, ALICE_ID),
  },
  {
    code: 'dm_open_dms_required',
    how: 'fault open_dms_required',
    fault: { endpoint: 'dm.send', fault: 'open_dms_required' },
    run: (h) => dm(h, ALICE_ID),
  },
  {
    code: 'recipient_blocked',
    how: 'reply to a post whose author blocked the sender',
    setup: (h) => {
      applyAction(h.emulator, {
        type: 'post',
        user: 'carol',
        text: 'my own post',
        key: 'carol-post',
      });
      applyAction(h.emulator, { type: 'block', user: 'carol', target: 'kuji_sender' });
    },
    run: (h) =>
      h.activities.xReply({
        accountId: h.accountId,
        inReplyToPostId: h.emulator.state.requirePost('carol-post').id,
        text: 'hi',
      }),
  },
  {
    code: 'recipient_protected',
    how: "reading a protected account's followers",
    setup: (h) =>
      void applyAction(h.emulator, {
        type: 'update_user',
        user: 'carol',
        patch: { protected: true },
      }),
    run: (h) => h.activities.xListFollowers({ accountId: h.accountId, userId: CAROL_ID }),
  },
  {
    code: 'recipient_suspended',
    how: 'DM to a suspended user (legacy 63)',
    setup: (h) =>
      void applyAction(h.emulator, {
        type: 'update_user',
        user: 'alice',
        patch: { suspended: true },
      }),
    run: (h) => dm(h, ALICE_ID),
  },
  {
    code: 'user_not_found',
    how: 'lookup of an id X does not know (200 with errors)',
    run: (h) => h.activities.xLookupUser({ accountId: h.accountId, userId: '1790000000000009999' }),
  },
  {
    code: 'post_not_found',
    how: 'reply to a post that does not exist',
    run: (h) =>
      h.activities.xReply({
        accountId: h.accountId,
        inReplyToPostId: '1860000000000009999',
        text: 'hi',
      }),
  },
  {
    code: 'reply_not_permitted',
    how: 'self-serve reply without being summoned',
    scenario: { app: { ...app, tier: 'self_serve' } },
    setup: (h) =>
      void applyAction(h.emulator, {
        type: 'post',
        user: 'alice',
        text: 'just a post',
        key: 'alice-post',
      }),
    run: (h) =>
      h.activities.xReply({
        accountId: h.accountId,
        inReplyToPostId: h.emulator.state.requirePost('alice-post').id,
        text: 'hi',
      }),
  },
  {
    code: 'sender_automation_flagged',
    how: 'sender flagged as automated (226)',
    setup: (h) =>
      void applyAction(h.emulator, {
        type: 'update_user',
        user: 'kuji_sender',
        patch: { automationFlagged: true },
      }),
    run: (h) => dm(h, ALICE_ID),
  },
  {
    code: 'sender_locked',
    how: 'sender locked (326)',
    setup: (h) =>
      void applyAction(h.emulator, {
        type: 'update_user',
        user: 'kuji_sender',
        patch: { locked: true },
      }),
    run: (h) => dm(h, ALICE_ID),
  },
  {
    code: 'sender_suspended',
    how: 'sender suspended (64)',
    setup: (h) =>
      void applyAction(h.emulator, {
        type: 'update_user',
        user: 'kuji_sender',
        patch: { suspended: true },
      }),
    run: (h) => dm(h, ALICE_ID),
  },
  {
    code: 'sender_unverified',
    how: 'message request from a sender without a confirmed phone (476)',
    setup: (h) =>
      void applyAction(h.emulator, {
        type: 'update_user',
        user: 'kuji_sender',
        patch: { phoneVerified: false },
      }),
    run: (h) => dm(h, ERIN_ID),
  },
  {
    code: 'auth_token_invalid',
    how: 'the user revoked the app (401, legacy 89)',
    setup: (h) => void applyAction(h.emulator, { type: 'revoke', user: 'kuji_sender' }),
    run: (h) => dm(h, ALICE_ID),
  },
  {
    code: 'auth_missing_dm_scopes',
    how: '403 about:blank Forbidden on DM send',
    fault: { endpoint: 'dm.send', fault: 'missing_dm_scopes' },
    run: (h) => dm(h, ALICE_ID),
  },
  {
    code: 'auth_unsupported_type',
    how: 'fault unsupported_authentication',
    fault: { endpoint: 'dm.send', fault: 'unsupported_authentication' },
    run: (h) => dm(h, ALICE_ID),
  },
  {
    code: 'auth_app_not_permitted',
    how: 'fault client_forbidden',
    fault: { endpoint: 'users.me', fault: 'client_forbidden' },
    run: (h) => h.activities.xMe({ accountId: h.accountId }),
  },
  {
    code: 'auth_app_permissions',
    how: 'fault oauth1_permissions (403 oauth1-permissions)',
    fault: { endpoint: 'dm.send', fault: 'oauth1_permissions' },
    run: (h) => dm(h, ALICE_ID),
  },
  {
    code: 'auth_refresh_rejected',
    how: 'expired OAuth 2.0 token whose refresh token X no longer accepts',
    setup: async (h) => {
      h.accountId = await createSenderAccount(h.db, h.key, {
        kind: 'oauth2',
        clientId: app.clientId,
        clientSecret: app.clientSecret,
        accessToken: 'expired-access-token',
        refreshToken: 'already-spent-refresh-token',
        expiresAt: new Date(T0 - 60_000).toISOString(),
      });
    },
    run: (h) => h.activities.xMe({ accountId: h.accountId }),
  },
  {
    code: 'credentials_missing',
    how: 'an account that was never linked (no X call)',
    setup: async (h) => {
      h.accountId = 'never-linked';
      await h.db.insertInto('accounts').values({ id: h.accountId, handle: 'nobody' }).execute();
    },
    run: (h) => h.activities.xMe({ accountId: h.accountId }),
  },
  {
    code: 'rate_limited',
    how: 'second DM in a window of one',
    scenario: { rateLimits: { 'dm.send': { limit: 1, windowSeconds: 900 } } },
    setup: (h) => succeed(() => dm(h, ALICE_ID, 'first')),
    run: (h) => dm(h, CAROL_ID),
    retryAt: '2026-11-22T03:15:00.000Z',
  },
  {
    code: 'user_daily_limit',
    how: "second DM after the user's 24-hour window is spent",
    scenario: {
      rateLimits: {
        'dm.send': { limit: 15, windowSeconds: 900, userDay: { limit: 1, windowSeconds: 86400 } },
      },
    },
    setup: (h) => succeed(() => dm(h, ALICE_ID, 'first')),
    run: (h) => dm(h, CAROL_ID),
    retryAt: '2026-11-23T03:00:00.000Z',
  },
  {
    code: 'app_daily_limit',
    how: "second DM after the app's 24-hour window is spent",
    scenario: {
      rateLimits: {
        'dm.send': {
          limit: 15,
          windowSeconds: 900,
          userDay: { limit: 100, windowSeconds: 86400 },
          appDay: { limit: 1, windowSeconds: 86400 },
        },
      },
    },
    setup: (h) => succeed(() => dm(h, ALICE_ID, 'first')),
    run: (h) => dm(h, CAROL_ID),
    retryAt: '2026-11-23T03:00:00.000Z',
  },
  {
    code: 'account_daily_dm_limit',
    how: 'account-level DM day limit of one',
    scenario: { dmDailyLimit: 1 },
    setup: (h) => succeed(() => dm(h, ALICE_ID, 'first')),
    run: (h) => dm(h, CAROL_ID),
  },
  {
    code: 'usage_capped',
    how: '429 usage-capped with requests left in the headers',
    fault: { endpoint: 'dm.send', fault: 'usage_capped' },
    run: (h) => dm(h, ALICE_ID),
  },
  {
    code: 'credits_depleted',
    how: '402 CreditsDepleted',
    fault: { endpoint: 'dm.send', fault: 'credits_depleted' },
    run: (h) => dm(h, ALICE_ID),
  },
  {
    code: 'duplicate_content',
    how: 'the same reply twice',
    setup: (h) =>
      succeed(() =>
        h.activities.xReply({
          accountId: h.accountId,
          inReplyToPostId: CAMPAIGN_POST_ID,
          text: 'Thanks for joining!',
        }),
      ),
    run: (h) =>
      h.activities.xReply({
        accountId: h.accountId,
        inReplyToPostId: CAMPAIGN_POST_ID,
        text: 'Thanks for joining!',
      }),
  },
  {
    code: 'dm_already_said',
    how: 'the same DM twice, the earlier one outside the reconciliation window',
    setup: async (h) => {
      await succeed(() => dm(h, ALICE_ID, 'You won!'));
      h.emulator.clock.advance(60_000);
    },
    run: (h) => dm(h, ALICE_ID, 'You won!', new Date(h.emulator.clock.now()).toISOString()),
  },
  {
    code: 'text_too_long',
    how: 'a DM over 10,000 characters',
    run: (h) => dm(h, ALICE_ID, 'あ'.repeat(10_001)),
  },
  {
    code: 'content_policy_violation',
    how: 'custom fault with a rules-violation message',
    fault: {
      endpoint: 'posts.create',
      fault: {
        kind: 'response',
        status: 403,
        body: { errors: [{ code: 422, message: 'This request violated the X Rules.' }] },
      },
    },
    run: (h) =>
      h.activities.xReply({
        accountId: h.accountId,
        inReplyToPostId: CAMPAIGN_POST_ID,
        text: 'hi',
      }),
  },
  {
    code: 'media_not_allowed',
    how: 'fault media_not_allowed (403 disallowed-resource, resource_type media)',
    fault: { endpoint: 'dm.send', fault: 'media_not_allowed' },
    run: (h) => dm(h, ALICE_ID),
  },
  {
    code: 'invalid_request',
    how: 'a malformed user id',
    run: (h) => h.activities.xLookupUser({ accountId: h.accountId, userId: 'not-a-number' }),
  },
  {
    code: 'server_error',
    how: 'fault server_error (500 internal-error)',
    fault: { endpoint: 'dm.send', fault: 'server_error' },
    run: (h) => dm(h, ALICE_ID),
  },
  {
    code: 'service_unavailable',
    how: 'plain-text 503 from a proxy',
    fault: { endpoint: 'posts.retweeted_by', fault: 'service_unavailable_text' },
    run: (h) => h.activities.xListReposters({ accountId: h.accountId, postId: CAMPAIGN_POST_ID }),
  },
  {
    code: 'network_error',
    how: 'connection reset',
    fault: { endpoint: 'dm.send', fault: 'connection_reset' },
    run: (h) => dm(h, ALICE_ID),
  },
  {
    code: 'timeout',
    how: 'no answer before the client timeout',
    fault: { endpoint: 'dm.send', fault: 'timeout' },
    run: (h) => dm(h, ALICE_ID),
  },
  {
    code: 'unknown',
    how: 'an answer nobody has seen before (418)',
    fault: { endpoint: 'users.me', fault: 'unknown' },
    run: (h) => h.activities.xMe({ accountId: h.accountId }),
  },
];

describe('X failure contract (emulator → HTTP → twitter-api-v2 → activity)', () => {
  let database: TestDatabase;
  let harness: Harness;

  before(async () => {
    database = await createTestDatabase();
    harness = await createHarness(database.db, baseScenario(), { maxInlineRateLimitWaitMs: 0 });
  });

  after(async () => {
    await harness?.emulator.close();
    await database?.close();
  });

  it('has a case for every code in the catalog', () => {
    assert.deepEqual(cases.map((c) => c.code).sort(), [...xErrorCodes].sort());
  });

  for (const testCase of cases) {
    it(`${testCase.code}: ${testCase.how}`, async () => {
      const h = harness;
      const accountId = h.accountId;
      await h.emulator.loadScenario(baseScenario(testCase.scenario));
      if (testCase.fault) h.emulator.injectFault(testCase.fault);
      await testCase.setup?.(h);
      try {
        const run = await runActivity(() => testCase.run(h));
        assert.ok(run.error, `expected ${testCase.code}, got ${JSON.stringify(run.result)}`);
        assert.ok(
          run.error instanceof ApplicationFailure,
          `not an ApplicationFailure: ${run.error instanceof Error ? run.error.message : typeof run.error}`,
        );
        const failure = run.error;
        const xError = xErrorFromDetails(failure.details);
        assert.ok(xError, 'the failure carries the classified XError');
        assert.equal(failure.type, testCase.code);
        assert.equal(xError.code, testCase.code);
        assert.equal(xError.category, xErrorCatalog[testCase.code].category);
        assert.equal(failure.nonRetryable, !xError.retryable);
        if (testCase.retryAt) {
          assert.equal(xError.retryAt, testCase.retryAt);
          if (xError.retryable) {
            assert.equal(
              failure.nextRetryDelay,
              Date.parse(testCase.retryAt) - h.emulator.clock.now(),
            );
          } else {
            assert.equal(failure.nextRetryDelay, undefined);
          }
        } else {
          assert.equal(failure.nextRetryDelay, undefined);
        }
      } finally {
        h.accountId = accountId;
      }
    });
  }

  it('never puts a credential in a failure, a log line or a request log entry', () => {
    const secrets = [
      senderOAuth1.accessToken,
      senderOAuth1.accessSecret,
      app.consumerSecret,
      app.clientSecret,
    ];
    const visible = JSON.stringify({ logs: harness.logs, requests: harness.emulator.requests() });
    for (const secret of secrets)
      assert.equal(visible.includes(secret), false, `leaked ${secret.slice(0, 6)}…`);
  });

  it('logs an unknown answer raw (redacted) instead of dropping it', () => {
    const unknown = harness.logs.find(
      (line) => line.level === 'error' && line.meta?.code === 'unknown',
    );
    assert.ok(unknown, 'no error line for the unknown answer');
    assert.deepEqual((unknown.meta?.raw as { body?: unknown }).body, {
      surprise: 'I am a teapot',
      trace: 'e3b0c442',
    });
  });

  it('classifies partial errors of a 200 per item', async () => {
    await harness.emulator.loadScenario(baseScenario());
    applyAction(harness.emulator, {
      type: 'update_user',
      user: 'alice',
      patch: { suspended: true },
    });
    const run = await runActivity(() =>
      harness.activities.xLookupUsers({
        accountId: harness.accountId,
        ids: [ALICE_ID, CAROL_ID, '1790000000000009999'],
      }),
    );
    assert.ok(run.result);
    assert.deepEqual(
      run.result.users.map((u) => u.id),
      [CAROL_ID],
    );
    assert.deepEqual(
      run.result.errors.map((e) => [e.code, e.resourceId]),
      [
        ['recipient_suspended', ALICE_ID],
        ['user_not_found', '1790000000000009999'],
      ],
    );
  });
});
