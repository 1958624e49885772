import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  postEngagementEvent,
  userEngagementEvent,
  userEngagementKey,
  xDateOrNull,
} from '../../domain/entry-events';

const sender = '1000';

describe('userEngagementKey', () => {
  it('keys reposts, likes and follows by source and user, as X gives them no id', () => {
    assert.equal(userEngagementKey('repost', '42'), 'repost:42');
    assert.equal(userEngagementKey('like', '42'), 'like:42');
    assert.equal(userEngagementKey('follow', '42'), 'follow:42');
  });
});

describe('userEngagementEvent', () => {
  it('builds the same event whether the user came from a list or a webhook', () => {
    const fromList = userEngagementEvent('repost', { id: '42', username: 'taro' });
    const fromWebhook = userEngagementEvent('repost', { id: '42', username: 'taro' }, null);
    assert.deepEqual(fromList, fromWebhook);
    assert.deepEqual(fromList, {
      source: 'repost',
      xEventId: 'repost:42',
      xUserId: '42',
      username: 'taro',
      text: null,
      occurredAt: null,
    });
  });

  it('keeps the date the caller knows and a missing username as null', () => {
    const at = new Date('2026-12-03T01:02:03Z');
    assert.deepEqual(userEngagementEvent('follow', { id: '7' }, at), {
      source: 'follow',
      xEventId: 'follow:7',
      xUserId: '7',
      username: null,
      text: null,
      occurredAt: at,
    });
  });
});

describe('postEngagementEvent', () => {
  it("keys a reply, quote or mention by X's post id, with its text and date", () => {
    assert.deepEqual(
      postEngagementEvent(
        'quote',
        {
          id: '555',
          authorId: '42',
          username: 'taro',
          text: '参加します',
          createdAt: '2026-12-03T00:00:00.000Z',
        },
        sender,
      ),
      [
        {
          source: 'quote',
          xEventId: '555',
          xUserId: '42',
          username: 'taro',
          text: '参加します',
          occurredAt: new Date('2026-12-03T00:00:00.000Z'),
        },
      ],
    );
  });

  it("leaves out the sender's own posts and posts X gave no author", () => {
    assert.deepEqual(postEngagementEvent('reply', { id: '1', authorId: sender }, sender), []);
    assert.deepEqual(postEngagementEvent('reply', { id: '2' }, sender), []);
    assert.equal(postEngagementEvent('reply', { id: '3', authorId: '42' }, null).length, 1);
  });

  it('reads an undated or unreadable date as null', () => {
    const [undated] = postEngagementEvent('mention', { id: '4', authorId: '42' }, sender);
    assert.equal(undated?.occurredAt, null);
    const [garbled] = postEngagementEvent(
      'mention',
      { id: '5', authorId: '42', createdAt: 'yesterday-ish' },
      sender,
    );
    assert.equal(garbled?.occurredAt, null);
  });
});

describe('xDateOrNull', () => {
  it('reads ISO 8601 and epoch milliseconds as digits', () => {
    assert.equal(xDateOrNull('2026-12-03T00:00:00Z')?.toISOString(), '2026-12-03T00:00:00.000Z');
    assert.equal(xDateOrNull('1795400000000')?.toISOString(), '2026-11-23T02:13:20.000Z');
  });

  it('answers null for nothing or nonsense', () => {
    assert.equal(xDateOrNull(undefined), null);
    assert.equal(xDateOrNull(''), null);
    assert.equal(xDateOrNull('not a date'), null);
  });
});
