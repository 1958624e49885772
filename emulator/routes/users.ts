/** Users: the caller, and lookups by id, ids, username and usernames. */
import { json, type EmuReply } from '../http';
import { invalidRequestBody, renderUser, requestedFields, userLookupError } from '../render';
import { callerUser, requireId, type ApiContext, type ApiRoute } from './context';
import { targetUserOr200Error } from './lists';

function renderUsersLookup(
  context: ApiContext,
  refs: string[],
  parameter: 'ids' | 'usernames',
): EmuReply {
  const fields = requestedFields(context.request.query, 'user.fields');
  const data: Record<string, unknown>[] = [];
  const errors: Record<string, unknown>[] = [];
  for (const ref of refs) {
    const user = parameter === 'ids' ? context.state.users.get(ref) : context.state.user(ref);
    if (!user || user.suspended) errors.push(userLookupError(user, ref, parameter));
    else data.push(renderUser(context.state, user, context.caller?.userId, fields));
  }
  return json(200, {
    ...(data.length > 0 ? { data } : {}),
    ...(errors.length > 0 ? { errors } : {}),
  });
}

export const usersMe: ApiRoute = {
  method: 'GET',
  pattern: /^\/2\/users\/me$/,
  endpoint: 'users.me',
  auth: 'user',
  handle(context) {
    const me = callerUser(context);
    return json(200, {
      data: renderUser(
        context.state,
        me,
        me.id,
        requestedFields(context.request.query, 'user.fields'),
      ),
    });
  },
};

export const usersByIds: ApiRoute = {
  method: 'GET',
  pattern: /^\/2\/users$/,
  endpoint: 'users.lookup',
  auth: 'any',
  handle(context) {
    const ids = (context.request.query.get('ids') ?? '').split(',').filter(Boolean);
    if (ids.length === 0 || ids.length > 100)
      return json(
        400,
        invalidRequestBody('ids', '', 'The `ids` query parameter needs 1 to 100 ids'),
      );
    ids.forEach((id) => requireId(id, 'ids'));
    return renderUsersLookup(context, ids, 'ids');
  },
};

export const usersByUsernames: ApiRoute = {
  method: 'GET',
  pattern: /^\/2\/users\/by$/,
  endpoint: 'users.lookup',
  auth: 'any',
  handle(context) {
    const usernames = (context.request.query.get('usernames') ?? '').split(',').filter(Boolean);
    if (usernames.length === 0 || usernames.length > 100) {
      return json(
        400,
        invalidRequestBody(
          'usernames',
          '',
          'The `usernames` query parameter needs 1 to 100 usernames',
        ),
      );
    }
    return renderUsersLookup(context, usernames, 'usernames');
  },
};

export const userByUsername: ApiRoute = {
  method: 'GET',
  pattern: /^\/2\/users\/by\/username\/([^/]+)$/,
  endpoint: 'users.lookup',
  auth: 'any',
  handle(context) {
    const username = context.request.params.username ?? '';
    const user = context.state.user(username);
    if (!user || user.suspended)
      return json(200, { errors: [userLookupError(user, username, 'username')] });
    return json(200, {
      data: renderUser(
        context.state,
        user,
        context.caller?.userId,
        requestedFields(context.request.query, 'user.fields'),
      ),
    });
  },
};

export const userById: ApiRoute = {
  method: 'GET',
  pattern: /^\/2\/users\/([^/]+)$/,
  endpoint: 'users.lookup',
  auth: 'any',
  handle(context) {
    const id = requireId(context.request.params.id ?? '', 'id');
    const user = targetUserOr200Error(context, id);
    if (!('username' in user)) return user;
    return json(200, {
      data: renderUser(
        context.state,
        user,
        context.caller?.userId,
        requestedFields(context.request.query, 'user.fields'),
      ),
    });
  },
};
