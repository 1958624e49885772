/**
 * The webhook's mapping of X Activity API events to entry events keys each engagement exactly as
 * polling does (domain/entry-events.ts), so the two deduplicate each other in entry_events.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type CollectingCampaign, entryEventsFor } from '../../api/x-activity-events';
import { exampleCampaignConfig } from '../../domain/campaign-config';
import { userEngagementEvent, userEngagementKey } from '../../domain/entry-events';

const sender = '1000000000000000009';
const participant = { id: '1000000000000000042', username: 'taro' };
const base = exampleCampaignConfig(new Date('2026-12-01T00:00:00Z'));
const postId = base.post.tweetId;
const campaign: CollectingCampaign = {
  id: 'camp-1',
  workflowId: null,
  senderXUserId: sender,
  config: {
    ...base,
    entryRules: { all: [{ type: 'repost' }, { type: 'like' }, { type: 'follow' }] },
  },
};

describe('entryEventsFor (webhook) and polling', () => {
  it('key a repost, a like and a follow the same way', () => {
    const repost = entryEventsFor(
      {
        event_type: 'post.repost.create',
        payload: {
          id: '1860000000000000777',
          author_id: participant.id,
          referenced_tweets: [{ type: 'retweeted', id: postId }],
        },
        includes: { users: [participant] },
      },
      campaign,
    );
    const like = entryEventsFor(
      {
        event_type: 'like.create',
        payload: { liked_tweet_id: postId, liked_tweet_author_id: sender },
        includes: { users: [participant] },
      },
      campaign,
    );
    const follow = entryEventsFor(
      {
        event_type: 'follow.follow',
        payload: { source: { data: participant }, target: { data: { id: sender } } },
      },
      campaign,
    );
    for (const [events, source] of [
      [repost, 'repost'],
      [like, 'like'],
      [follow, 'follow'],
    ] as const) {
      assert.deepEqual(
        events.map((event) => event.xEventId),
        [userEngagementKey(source, participant.id)],
      );
      // What polling stores for the same user from X's list.
      assert.equal(events[0]?.xEventId, userEngagementEvent(source, participant).xEventId);
      assert.equal(events[0]?.username, 'taro');
    }
  });

  it("takes no entry from the sender's own repost", () => {
    const own = entryEventsFor(
      {
        event_type: 'post.repost.create',
        payload: {
          id: '1860000000000000778',
          author_id: sender,
          referenced_tweets: [{ type: 'retweeted', id: postId }],
        },
      },
      campaign,
    );
    assert.deepEqual(own, []);
  });
});
