/** Follows: a user's followers and the accounts they follow. */
import { requireId, type ApiRoute } from './context';
import { knownUsers, notAuthorizedTimeline, targetUserOr200Error, userListReply } from './lists';

export function followList(direction: 'followers' | 'following'): ApiRoute {
  return {
    method: 'GET',
    pattern: new RegExp(`^/2/users/([^/]+)/${direction}$`),
    endpoint: direction === 'followers' ? 'users.followers' : 'users.following',
    auth: 'any',
    scopes: ['follows.read'],
    handle(context) {
      const target = targetUserOr200Error(
        context,
        requireId(context.request.params.id ?? '', 'id'),
      );
      if (!('username' in target)) return target;
      if (!context.state.canSeeUserContent(context.caller?.userId, target))
        return notAuthorizedTimeline();
      const entries = context.state.follows
        .filter((f) =>
          direction === 'followers' ? f.followeeId === target.id : f.followerId === target.id,
        )
        .map((f) => ({
          seq: f.seq,
          userId: direction === 'followers' ? f.followerId : f.followeeId,
        }));
      return userListReply(context, knownUsers(context, entries), 1, 1000, 100);
    },
  };
}
