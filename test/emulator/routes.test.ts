import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { endpointKeys } from '../../emulator';
import { apiRoutes, matchApiRoute } from '../../emulator/routes';

describe('the emulator router (emulator/routes/index.ts)', () => {
  it('sends every X path to its endpoint, the fixed paths before the ones with an id', () => {
    const cases: [string, string, string, Record<string, string>][] = [
      ['POST', '/2/dm_conversations/with/42/messages', 'dm.send', { participant_id: '42' }],
      ['GET', '/2/dm_conversations/with/42/dm_events', 'dm.events', { participant_id: '42' }],
      ['POST', '/2/tweets', 'posts.create', {}],
      ['GET', '/2/tweets/search/recent', 'search.recent', {}],
      ['GET', '/2/tweets/7', 'posts.lookup', { id: '7' }],
      ['GET', '/2/tweets/7/retweeted_by', 'posts.retweeted_by', { id: '7' }],
      ['GET', '/2/tweets/7/quote_tweets', 'posts.quote_tweets', { id: '7' }],
      ['GET', '/2/tweets/7/liking_users', 'posts.liking_users', { id: '7' }],
      ['GET', '/2/users/me', 'users.me', {}],
      ['GET', '/2/users/by', 'users.lookup', {}],
      ['GET', '/2/users/by/username/kuji_demo', 'users.lookup', { username: 'kuji_demo' }],
      ['GET', '/2/users', 'users.lookup', {}],
      ['GET', '/2/users/9', 'users.lookup', { id: '9' }],
      ['GET', '/2/users/9/followers', 'users.followers', { id: '9' }],
      ['GET', '/2/users/9/following', 'users.following', { id: '9' }],
      ['GET', '/2/users/9/mentions', 'users.mentions', { id: '9' }],
      ['POST', '/2/oauth2/token', 'oauth2.token', {}],
      ['POST', '/2/oauth2/revoke', 'oauth2.revoke', {}],
      ['GET', '/2/webhooks', 'webhooks.list', {}],
      ['PUT', '/2/webhooks/5', 'webhooks.validate', { webhook_id: '5' }],
      [
        'GET',
        '/2/account_activity/webhooks/5/subscriptions/all',
        'account_activity.subscription',
        { webhook_id: '5' },
      ],
      [
        'POST',
        '/2/account_activity/webhooks/5/subscriptions/all',
        'account_activity.subscribe',
        { webhook_id: '5' },
      ],
      [
        'POST',
        '/2/account_activity/replay/webhooks/5/subscriptions/all',
        'account_activity.replay',
        { webhook_id: '5' },
      ],
    ];
    for (const [method, path, endpoint, params] of cases) {
      const matched = matchApiRoute(method, path);
      assert.equal(matched?.route.endpoint, endpoint, `${method} ${path}`);
      assert.deepEqual(matched.params, params, `${method} ${path}`);
    }
    // `GET /2/users` with ids and `GET /2/users/by` with usernames are two routes of one key.
    assert.notEqual(
      matchApiRoute('GET', '/2/users/by')?.route,
      matchApiRoute('GET', '/2/users/9')?.route,
    );
  });

  it('serves every endpoint key, and nothing it does not know', () => {
    assert.deepEqual(
      [...new Set(apiRoutes.map((route) => route.endpoint))].sort(),
      [...endpointKeys].sort(),
    );
    assert.equal(matchApiRoute('GET', '/2/spaces/1'), undefined);
    assert.equal(matchApiRoute('DELETE', '/2/tweets/7'), undefined);
  });
});
