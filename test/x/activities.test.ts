/**
 * The X activities against the emulator: sends that reconcile instead of sending twice, paged
 * reads that resume from their heartbeat, and credentials that never leave the activity.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { applyAction } from '../../emulator';
import { createTestDatabase, type TestDatabase } from '../support/database';
import {
  ALICE_ID,
  app,
  baseScenario,
  CAMPAIGN_POST_ID,
  createHarness,
  ERIN_ID,
  runActivity,
  senderOAuth1,
  SENDER_ID,
  type Harness,
} from './support';

const T0 = Date.parse('2026-11-22T03:00:00.000Z');

describe('createXAccess', () => {
  let database: TestDatabase;
  let h: Harness;

  before(async () => {
    database = await createTestDatabase();
    h = await createHarness(database.db);
  });

  after(async () => {
    await h?.emulator.close();
    await database?.close();
  });

  beforeEach(async () => {
    await h.emulator.loadScenario(baseScenario());
    h.logs.length = 0;
  });

  const requestsOf = (endpoint: string) => h.emulator.requests({ endpoint }).map((r) => r.status);

  describe('xSendDm', () => {
    const send =
      (text = 'You won! Your code is A1') =>
      () =>
        h.activities.xSendDm({ accountId: h.accountId, participantId: ALICE_ID, text });

    it('sends as the linked account and reports the ids and rate limit', async () => {
      const run = await runActivity(send());
      assert.equal(run.error, undefined);
      assert.equal(run.result?.reconciled, false);
      assert.equal(run.result?.dmConversationId, `${SENDER_ID}-${ALICE_ID}`);
      assert.equal(run.result?.rateLimit?.remaining, 14);
      assert.deepEqual(
        h.emulator.sent().dms.map((dm) => [dm.senderId, dm.recipientId]),
        [[SENDER_ID, ALICE_ID]],
      );
    });

    it('finds the DM X delivered before timing out instead of reporting a failure', async () => {
      h.emulator.injectFault({ endpoint: 'dm.send', fault: 'timeout', applyEffect: true });
      const run = await runActivity(send(), { scheduledTimestampMs: T0 });
      assert.equal(run.error, undefined);
      assert.equal(run.result?.reconciled, true);
      assert.equal(h.emulator.sent().dms.length, 1);
      assert.deepEqual(requestsOf('dm.send'), [0], 'one send, whose answer never came');
    });

    it('retries a send that timed out without reaching X, exactly once', async () => {
      h.emulator.injectFault({ endpoint: 'dm.send', fault: 'timeout' });
      const first = await runActivity(send(), { scheduledTimestampMs: T0 });
      assert.ok(first.error instanceof ApplicationFailure);
      assert.equal(first.error.type, 'timeout');
      assert.equal(first.error.nonRetryable, false);
      const second = await runActivity(send(), { attempt: 2, scheduledTimestampMs: T0 });
      assert.equal(second.result?.reconciled, false);
      assert.equal(h.emulator.sent().dms.length, 1);
      assert.deepEqual(requestsOf('dm.send'), [0, 201]);
    });

    it('reads the conversation before a retry, so a lost answer never becomes a second DM', async () => {
      h.emulator.injectFault({ endpoint: 'dm.send', fault: 'connection_reset', applyEffect: true });
      const first = await runActivity(send(), { scheduledTimestampMs: T0 });
      assert.ok(first.error instanceof ApplicationFailure);
      assert.equal(first.error.type, 'network_error');
      const second = await runActivity(send(), { attempt: 2, scheduledTimestampMs: T0 });
      assert.equal(second.result?.reconciled, true);
      assert.equal(h.emulator.sent().dms.length, 1);
      assert.deepEqual(requestsOf('dm.send'), [0], 'the retry did not send again');
    });

    it('treats "You already said that" as delivered when the conversation shows the message', async () => {
      h.emulator.injectFault({ endpoint: 'dm.send', fault: 'dm_already_said', applyEffect: true });
      const run = await runActivity(send(), { scheduledTimestampMs: T0 });
      assert.equal(run.error, undefined);
      assert.equal(run.result?.reconciled, true);
    });

    it('does not mistake an older identical message for this delivery', async () => {
      applyAction(h.emulator, {
        type: 'dm',
        from: 'kuji_sender',
        to: 'alice',
        text: 'You won! Your code is A1',
      });
      h.emulator.clock.advance(10 * 60_000);
      const run = await runActivity(() =>
        h.activities.xSendDm({
          accountId: h.accountId,
          participantId: ALICE_ID,
          text: 'You won! Your code is A1',
          reconcileFirst: true,
          notBefore: new Date(h.emulator.clock.now()).toISOString(),
        }),
      );
      assert.ok(run.error instanceof ApplicationFailure);
      assert.equal(run.error.type, 'dm_already_said');
      assert.equal(run.error.nonRetryable, true);
    });
  });

  describe('xReply', () => {
    it('replies, and reconciles a reply whose answer was lost', async () => {
      h.emulator.injectFault({
        endpoint: 'posts.create',
        fault: 'connection_reset',
        applyEffect: true,
      });
      const input = {
        accountId: h.accountId,
        inReplyToPostId: CAMPAIGN_POST_ID,
        text: '@alice 当選おめでとうございます！',
      };
      const first = await runActivity(() => h.activities.xReply(input), {
        scheduledTimestampMs: T0,
      });
      assert.ok(first.error instanceof ApplicationFailure);
      const second = await runActivity(() => h.activities.xReply(input), {
        attempt: 2,
        scheduledTimestampMs: T0,
      });
      assert.equal(second.result?.reconciled, true);
      assert.equal(h.emulator.sent().posts.length, 1);
      assert.equal(second.result?.postId, h.emulator.sent().posts[0]?.id);
    });
  });

  describe('paged reads', () => {
    it('resume from the heartbeat checkpoint after a transient failure, without re-reading pages', async () => {
      h.emulator.injectFault({
        endpoint: 'posts.retweeted_by',
        sequence: ['pass', 'server_error'],
      });
      const input = {
        accountId: h.accountId,
        postId: CAMPAIGN_POST_ID,
        maxResults: 1,
        maxPages: 10,
      };
      const first = await runActivity(() => h.activities.xListReposters(input));
      assert.ok(first.error instanceof ApplicationFailure);
      assert.equal(first.error.type, 'server_error');
      assert.equal(first.error.nonRetryable, false);
      const checkpoint = first.heartbeats.at(-1);
      const second = await runActivity(() => h.activities.xListReposters(input), {
        attempt: 2,
        heartbeatDetails: checkpoint,
      });
      assert.deepEqual(
        second.result?.items.map((u) => u.username),
        ['dave', 'carol', 'bob', 'alice'],
      );
      assert.deepEqual(requestsOf('posts.retweeted_by'), [200, 500, 200, 200, 200]);
    });

    it('ignores a checkpoint that belongs to another read', async () => {
      const stale = {
        key: 'followers|123||',
        items: [{ id: 'x' }],
        pagesRead: 3,
        partialErrors: [],
      };
      const run = await runActivity(
        () => h.activities.xListReposters({ accountId: h.accountId, postId: CAMPAIGN_POST_ID }),
        { attempt: 2, heartbeatDetails: stale },
      );
      assert.equal(run.result?.items.length, 4);
    });

    it('return a cursor to continue when the page budget runs out', async () => {
      const input = {
        accountId: h.accountId,
        postId: CAMPAIGN_POST_ID,
        maxResults: 1,
        maxPages: 2,
      };
      const first = await runActivity(() => h.activities.xListReposters(input));
      assert.equal(first.result?.complete, false);
      assert.equal(first.result?.pagesRead, 2);
      const rest = await runActivity(() =>
        h.activities.xListReposters({
          ...input,
          paginationToken: first.result?.nextToken,
          maxPages: 10,
        }),
      );
      assert.deepEqual(
        [...(first.result?.items ?? []), ...(rest.result?.items ?? [])].map((u) => u.username),
        ['dave', 'carol', 'bob', 'alice'],
      );
      assert.equal(rest.result?.complete, true);
      const capped = await runActivity(() =>
        h.activities.xListReposters({ ...input, maxPages: 10, maxItems: 3 }),
      );
      assert.equal(capped.result?.items.length, 3, 'stops at the item budget');
      assert.equal(capped.result?.complete, false);
    });

    it('poll mentions incrementally with sinceId', async () => {
      applyAction(h.emulator, { type: 'post', user: 'alice', text: '@kuji_sender first' });
      const first = await runActivity(() => h.activities.xListMentions({ accountId: h.accountId }));
      assert.equal(first.result?.items.length, 1);
      applyAction(h.emulator, { type: 'post', user: 'bob', text: '@kuji_sender second' });
      const next = await runActivity(() =>
        h.activities.xListMentions({ accountId: h.accountId, sinceId: first.result?.newestId }),
      );
      assert.deepEqual(
        next.result?.items.map((p) => p.text),
        ['@kuji_sender second'],
      );
      assert.equal(next.result?.items[0]?.author?.username, 'bob');
    });

    it('read quotes, likers, followers, following, search and DM events', async () => {
      applyAction(h.emulator, {
        type: 'quote',
        user: 'carol',
        post: 'campaign',
        text: 'quoting #kuji',
      });
      applyAction(h.emulator, { type: 'like', user: 'erin', post: 'campaign' });
      applyAction(h.emulator, { type: 'dm', from: 'alice', to: 'kuji_sender', text: '参加' });
      const id = h.accountId;
      const quotes = await runActivity(() =>
        h.activities.xListQuotes({ accountId: id, postId: CAMPAIGN_POST_ID }),
      );
      assert.deepEqual(
        quotes.result?.items.map((p) => [p.author?.username, p.hashtags]),
        [['carol', ['kuji']]],
      );
      const likers = await runActivity(() =>
        h.activities.xListLikers({ accountId: id, postId: CAMPAIGN_POST_ID }),
      );
      assert.deepEqual(
        likers.result?.items.map((u) => u.username),
        ['erin'],
      );
      const followers = await runActivity(() => h.activities.xListFollowers({ accountId: id }));
      assert.deepEqual(followers.result?.items.map((u) => u.username).sort(), [
        'alice',
        'bob',
        'carol',
      ]);
      const following = await runActivity(() =>
        h.activities.xListFollowing({ accountId: id, userId: ALICE_ID }),
      );
      assert.deepEqual(
        following.result?.items.map((u) => u.id),
        [SENDER_ID],
      );
      const search = await runActivity(() =>
        h.activities.xSearchRecent({ accountId: id, query: '#kuji is:quote' }),
      );
      assert.equal(search.result?.items.length, 1);
      const events = await runActivity(() =>
        h.activities.xListDmEvents({ accountId: id, participantId: ALICE_ID }),
      );
      assert.deepEqual(
        events.result?.items.map((e) => [e.text, e.senderId]),
        [['参加', ALICE_ID]],
      );
    });

    it('check whether a participant follows the sender', async () => {
      const follows = await runActivity(() =>
        h.activities.xCheckFollows({ accountId: h.accountId, followerId: ALICE_ID }),
      );
      assert.deepEqual(follows.result, { follows: true, pagesRead: 1 });
      const doesNot = await runActivity(() =>
        h.activities.xCheckFollows({ accountId: h.accountId, followerId: ERIN_ID }),
      );
      assert.deepEqual(doesNot.result, { follows: false, pagesRead: 1 });
    });
  });

  describe('credentials', () => {
    it('never appear in results, heartbeats, failures or log lines', async () => {
      const outputs: unknown[] = [];
      const collect = async (
        fn: () => Promise<unknown>,
        info?: Parameters<typeof runActivity>[1],
      ) => {
        const run = await runActivity(fn, info);
        outputs.push(
          run.result,
          run.heartbeats,
          run.error instanceof ApplicationFailure
            ? { ...run.error, message: run.error.message, stack: run.error.stack }
            : run.error,
        );
      };
      await collect(() => h.activities.xMe({ accountId: h.accountId }));
      await collect(() =>
        h.activities.xSendDm({ accountId: h.accountId, participantId: ALICE_ID, text: 'hello' }),
      );
      await collect(() =>
        h.activities.xListReposters({ accountId: h.accountId, postId: CAMPAIGN_POST_ID }),
      );
      h.emulator.injectFault({
        endpoint: 'users.me',
        sequence: ['unknown', 'unauthorized', 'timeout'],
      });
      await collect(() => h.activities.xMe({ accountId: h.accountId }));
      await collect(() => h.activities.xMe({ accountId: h.accountId }));
      await collect(() => h.activities.xMe({ accountId: h.accountId }));
      const visible = JSON.stringify({ outputs, logs: h.logs });
      for (const secret of [
        senderOAuth1.accessToken,
        senderOAuth1.accessSecret,
        app.consumerSecret,
        app.consumerKey,
      ]) {
        assert.equal(visible.includes(secret), false, `found ${secret.slice(0, 8)}…`);
      }
      assert.ok(
        h.logs.some((line) => line.level === 'error'),
        'the unknown answer was logged',
      );
    });

    it('are stored encrypted', async () => {
      const row = await database.db
        .selectFrom('accounts')
        .select('credentials_ciphertext')
        .where('id', '=', h.accountId)
        .executeTakeFirstOrThrow();
      assert.ok(row.credentials_ciphertext?.startsWith('v2.'));
      assert.equal(row.credentials_ciphertext?.includes(senderOAuth1.accessSecret), false);
      assert.equal(row.credentials_ciphertext?.includes(senderOAuth1.accessToken), false);
    });
  });
});
