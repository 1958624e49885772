/**
 * Direct Messages: sending a DM to a participant, reading the conversation's events, and the
 * account's events across its conversations (how polling finds keyword DMs without a webhook).
 */
import type { FaultPresetName } from '../faults';
import { json } from '../http';
import {
  invalidRequestBody,
  problemBody,
  renderDmEvent,
  renderUser,
  requestedFields,
} from '../render';
import { DUPLICATE_WINDOW_MS, type EmuDm, type EmuUser } from '../state';
import {
  callerUser,
  cursorOf,
  fromPreset,
  maxResults,
  pageOf,
  requireId,
  type ApiContext,
  type ApiRoute,
} from './context';

export const sendDm: ApiRoute = {
  method: 'POST',
  pattern: /^\/2\/dm_conversations\/with\/([^/]+)\/messages$/,
  endpoint: 'dm.send',
  auth: 'user',
  scopes: ['dm.write'],
  resourceParam: 'participant_id',
  handle(context) {
    const sender = callerUser(context);
    const participantId = requireId(context.request.params.participant_id ?? '', 'participant_id');
    const body = (context.request.json ?? {}) as { text?: unknown };
    const text = typeof body.text === 'string' ? body.text : '';
    const textProblem = context.state.validateText('dm', text);
    if (textProblem === 'empty') {
      return json(
        400,
        invalidRequestBody('text', text, 'The `text` field must be a non-empty string.'),
      );
    }
    if (textProblem === 'too_long') {
      return json(
        400,
        invalidRequestBody('text', '…', 'Text exceeds the maximum length of 10000 characters.'),
      );
    }
    const recipient = context.state.users.get(participantId);
    if (!recipient) {
      return json(
        404,
        problemBody(
          404,
          'resource-not-found',
          'Not Found Error',
          `Could not find user with participant_id: [${participantId}].`,
          {
            resource_type: 'user',
            resource_id: participantId,
            parameter: 'participant_id',
            value: participantId,
          },
        ),
      );
    }
    if (recipient.id === sender.id) return fromPreset('not_permitted', context, 'dm.send');
    const refusal = context.state.dmRefusal(sender, recipient);
    if (refusal === 'verified_only') {
      return json(
        403,
        problemBody(
          403,
          'about:blank',
          'Forbidden',
          'You cannot send messages to this user. They accept messages only from verified accounts.',
        ),
      );
    }
    if (refusal) return fromPreset(refusal as FaultPresetName, context, 'dm.send', participantId);
    const limit = sender.dmDailyLimit ?? context.state.dmDailyLimit;
    if (context.state.dmsSentToday(sender.id) >= limit) {
      return json(
        403,
        problemBody(
          403,
          'about:blank',
          'Forbidden',
          'You have reached your daily limit for sending messages. Please try again later.',
        ),
      );
    }
    const conversationId = context.state.conversationIdFor(sender.id, recipient.id);
    const previous = context.state.lastDmInConversation(conversationId, sender.id);
    if (
      previous &&
      previous.text === text &&
      context.now - previous.createdAtMs < DUPLICATE_WINDOW_MS
    ) {
      return fromPreset('dm_already_said', context, 'dm.send');
    }
    const dm = context.state.createDm({ from: sender.id, to: recipient.id, text, viaApi: true });
    return json(201, { data: { dm_conversation_id: dm.conversationId, dm_event_id: dm.id } });
  },
};

/** One page of DM events, newest first, with the sender users when `expansions=sender_id`. */
function dmEventsPage(context: ApiContext, me: EmuUser, events: EmuDm[]) {
  const { query } = context.request;
  const size = maxResults(query, 1, 100, 100);
  const types = requestedFields(query, 'event_types');
  const listed = types.size === 0 || types.has('MessageCreate') ? events : [];
  const { page, nextToken } = pageOf(listed, cursorOf(query, ['pagination_token']), size);
  const fields = requestedFields(query, 'dm_event.fields');
  const body: Record<string, unknown> = {};
  if (page.length > 0) {
    body.data = page.map((dm) => renderDmEvent(dm, fields));
    if (requestedFields(query, 'expansions').has('sender_id')) {
      const userFields = requestedFields(query, 'user.fields');
      body.includes = {
        users: [...new Set(page.map((dm) => dm.senderId))]
          .map((id) => context.state.users.get(id))
          .filter((u): u is EmuUser => u !== undefined)
          .map((u) => renderUser(context.state, u, me.id, userFields)),
      };
    }
  }
  body.meta = { result_count: page.length, ...(nextToken ? { next_token: nextToken } : {}) };
  return json(200, body);
}

export const listDmEvents: ApiRoute = {
  method: 'GET',
  pattern: /^\/2\/dm_conversations\/with\/([^/]+)\/dm_events$/,
  endpoint: 'dm.events',
  auth: 'user',
  scopes: ['dm.read'],
  handle(context) {
    const me = callerUser(context);
    const participantId = requireId(context.request.params.participant_id ?? '', 'participant_id');
    const conversationId = context.state.conversationIdFor(me.id, participantId);
    return dmEventsPage(
      context,
      me,
      context.state.dms.filter((dm) => dm.conversationId === conversationId),
    );
  },
};

/** `GET /2/dm_events`: the caller's DM events across all their conversations, newest first. */
export const listAccountDmEvents: ApiRoute = {
  method: 'GET',
  pattern: /^\/2\/dm_events$/,
  endpoint: 'dm.events.all',
  auth: 'user',
  scopes: ['dm.read'],
  handle(context) {
    const me = callerUser(context);
    return dmEventsPage(
      context,
      me,
      context.state.dms.filter((dm) => dm.senderId === me.id || dm.recipientId === me.id),
    );
  },
};
