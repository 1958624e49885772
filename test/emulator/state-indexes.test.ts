import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EmulatorClock } from '../../emulator';
import { renderPost, renderUser } from '../../emulator/render';
import { EmulatorState } from '../../emulator/state';

const metrics = new Set(['public_metrics']);

function world() {
  const state = new EmulatorState(
    new EmulatorClock({ startMs: Date.parse('2026-01-01T00:00:00Z') }),
  );
  for (const username of ['ann', 'bob', 'cat']) state.addUser({ username });
  return state;
}

const userMetrics = (state: EmulatorState, ref: string) =>
  renderUser(state, state.requireUser(ref), undefined, metrics).public_metrics;
const postMetrics = (state: EmulatorState, id: string) =>
  renderPost(state, state.requirePost(id), metrics).public_metrics;

describe('the emulator state indexes (follows, likes, posts)', () => {
  it('counts follows and answers isFollowing after follow, unfollow and block', () => {
    const state = world();
    const [ann, bob, cat] = ['ann', 'bob', 'cat'].map((u) => state.requireUser(u).id);
    state.follow('bob', 'ann');
    state.follow('cat', 'ann');
    assert.equal(state.follow('bob', 'ann'), undefined, 'a second follow is no follow');
    state.follow('ann', 'bob');
    assert.deepEqual(userMetrics(state, 'ann'), {
      followers_count: 2,
      following_count: 1,
      tweet_count: 0,
      listed_count: 0,
      like_count: 0,
    });
    assert.equal(state.unfollow('cat', 'ann'), true);
    assert.equal(state.unfollow('cat', 'ann'), false);
    assert.equal(state.isFollowing(cat!, ann!), false);
    state.block('ann', 'bob');
    assert.equal(state.isFollowing(bob!, ann!), false);
    assert.equal(state.isFollowing(ann!, bob!), false);
    assert.equal(state.follows.length, 0);
    for (const user of ['ann', 'bob', 'cat']) {
      const counts = userMetrics(state, user) as Record<string, number>;
      assert.equal(counts.followers_count, 0, user);
      assert.equal(counts.following_count, 0, user);
    }
    state.follow('cat', 'ann');
    assert.equal(state.isFollowing(cat!, ann!), true);
    assert.equal((userMetrics(state, 'ann') as Record<string, number>).followers_count, 1);
  });

  it('counts posts, reposts, replies, quotes and likes, and keeps them when a post is deleted', () => {
    const state = world();
    const original = state.createPost({ author: 'ann', text: 'hello' });
    const reply = state.createPost({ author: 'bob', text: 'hi', replyTo: original.id });
    state.createPost({ author: 'cat', text: 'look', quoteOf: original.id });
    const repost = state.repost('bob', original.id);
    assert.equal(state.repost('bob', original.id).id, repost.id, 'one repost per user and post');
    state.like('bob', original.id);
    state.like('cat', original.id);
    assert.equal(state.like('cat', original.id), undefined, 'a second like is no like');
    assert.deepEqual(postMetrics(state, original.id), {
      retweet_count: 1,
      reply_count: 1,
      like_count: 2,
      quote_count: 1,
      bookmark_count: 0,
      impression_count: 0,
    });
    assert.equal((userMetrics(state, 'bob') as Record<string, number>).tweet_count, 2);
    assert.equal((userMetrics(state, 'bob') as Record<string, number>).like_count, 1);
    // Tests take posts away by deleting them from the map: the counts follow.
    state.posts.delete(repost.id);
    state.posts.delete(reply.id);
    assert.equal((userMetrics(state, 'bob') as Record<string, number>).tweet_count, 0);
    const after = postMetrics(state, original.id) as Record<string, number>;
    assert.equal(after.retweet_count, 0);
    assert.equal(after.reply_count, 0);
    assert.notEqual(
      state.repost('bob', original.id).id,
      repost.id,
      'a deleted repost can be made again',
    );
  });
});
