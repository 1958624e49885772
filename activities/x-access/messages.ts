/**
 * Sending as the account — a DM, a reply — at most once: a retry (or an answer that may hide a
 * delivery) reads the conversation or the replies first and reports the copy X already holds.
 */
import { recordXDmDayLimit } from '../../db/repositories/accounts';
import { XCallError, createReply, readPage, sendDm, type XDmEvent, type XPost } from '../../x/api';
import { activityContext, type XCore, type XFail } from './core';
import { replyCostKind } from '../../domain/x-cost';
import { markedNotTaken } from './not-taken';
import type { ReplyInput, ReplyResult, SendDmInput, SendDmResult } from './types';

function normalizeForMatch(text: string): string {
  // X rewrites links to t.co and may trim whitespace; compare what survives that.
  return text
    .replace(/https?:\/\/\S+/g, '<url>')
    .replace(/\s+/g, ' ')
    .trim();
}

export function createXMessages(core: XCore) {
  const { db, clients, usage, log, logPartialErrors, notBeforeOf } = core;
  const fail: XFail = core.fail;

  /** Finds our DM with this text in the conversation, sent at or after `notBeforeMs`. */
  async function findDeliveredDm(
    input: SendDmInput,
    notBeforeMs: number,
  ): Promise<SendDmResult | undefined> {
    const senderId = await clients.senderUserId(input.accountId);
    const { client } = await clients.forAccount(input.accountId);
    const page = await readPage<XDmEvent>(client, {
      kind: 'dm_events',
      subject: input.participantId,
      maxResults: 50,
    });
    await usage.countRead(input.accountId, 'dm_event_read', page.items);
    const wanted = normalizeForMatch(input.text);
    const match = page.items.find(
      (event) =>
        event.eventType === 'MessageCreate' &&
        event.senderId === senderId &&
        event.text !== undefined &&
        normalizeForMatch(event.text) === wanted &&
        (!event.createdAt || Date.parse(event.createdAt) >= notBeforeMs),
    );
    return match
      ? {
          dmEventId: match.id,
          dmConversationId: match.dmConversationId,
          reconciled: true,
          ...(match.createdAt ? { acceptedAt: match.createdAt } : {}),
          rateLimit: page.rateLimit,
        }
      : undefined;
  }

  async function findPostedReply(
    input: ReplyInput,
    notBeforeMs: number,
  ): Promise<ReplyResult | undefined> {
    const senderId = await clients.senderUserId(input.accountId);
    const { client } = await clients.forAccount(input.accountId);
    const page = await readPage<XPost>(client, {
      kind: 'search',
      subject: `from:${senderId} in_reply_to_tweet_id:${input.inReplyToPostId}`,
      maxResults: 100,
    });
    await usage.countRead(input.accountId, 'post_read', page.items);
    // X may prefix a reply's text with the @handles it replies to.
    const withoutLeadingMentions = (text: string) =>
      normalizeForMatch(text).replace(/^(@\w+\s*)+/, '');
    const wanted = withoutLeadingMentions(input.text);
    const match = page.items.find(
      (post) =>
        withoutLeadingMentions(post.text) === wanted &&
        (!post.createdAt || Date.parse(post.createdAt) >= notBeforeMs),
    );
    return match
      ? {
          postId: match.id,
          reconciled: true,
          ...(match.createdAt ? { acceptedAt: match.createdAt } : {}),
          rateLimit: page.rateLimit,
        }
      : undefined;
  }

  /** A DM or reply X holds was billed once when X accepted it: counted once by its X id. */
  async function countedDm<T extends { dmEventId: string }>(accountId: string, dm: T): Promise<T> {
    await usage.countWrite(accountId, 'dm_create', dm.dmEventId);
    return dm;
  }

  async function countedReply<T extends { postId: string }>(
    accountId: string,
    text: string,
    reply: T,
  ): Promise<T> {
    await usage.countWrite(accountId, replyCostKind(text), reply.postId);
    return reply;
  }

  return {
    /**
     * Sends a DM as the account. On a retry (or after a timeout or "You already said that") it
     * first reads the conversation and reports an already delivered copy instead of sending twice.
     */
    async xSendDm(input: SendDmInput): Promise<SendDmResult> {
      const notBeforeMs = notBeforeOf(input);
      /** Set when X refused the send call itself before taking the DM (see not-taken.ts). */
      let notTaken = false;
      try {
        if (input.reconcileFirst || activityContext().info.attempt > 1) {
          const delivered = await findDeliveredDm(input, notBeforeMs);
          if (delivered) {
            log.info('DM already delivered; not sending again', {
              accountId: input.accountId,
              dmEventId: delivered.dmEventId,
            });
            return await countedDm(input.accountId, delivered);
          }
        }
        const { client } = await clients.forAccount(input.accountId);
        try {
          const sent = await sendDm(client, input.participantId, input.text);
          await usage.countWrite(input.accountId, 'dm_create', sent.dmEventId);
          logPartialErrors('xSendDm', input.accountId, sent);
          // The daily cap is never above what X says it allows (domain/quota.ts dailyCapOf).
          const xDayLimit = sent.rateLimit?.userDay?.limit;
          if (xDayLimit !== undefined) {
            await recordXDmDayLimit(db, input.accountId, xDayLimit);
          }
          return {
            dmEventId: sent.dmEventId,
            dmConversationId: sent.dmConversationId,
            reconciled: false,
            rateLimit: sent.rateLimit,
          };
        } catch (error) {
          // A 429 is a refusal before acceptance: X did not take this DM.
          if (error instanceof XCallError && error.xError.code === 'rate_limited') notTaken = true;
          if (error instanceof XCallError && error.xError.reconcileBeforeRetry) {
            const delivered = await findDeliveredDm(input, notBeforeMs).catch(() => undefined);
            if (delivered) {
              log.info('DM reported as failed was delivered', {
                accountId: input.accountId,
                code: error.xError.code,
                dmEventId: delivered.dmEventId,
              });
              return await countedDm(input.accountId, delivered);
            }
          }
          throw error;
        }
      } catch (error) {
        try {
          fail(error, 'xSendDm', input.accountId);
        } catch (failure) {
          throw notTaken ? markedNotTaken(failure) : failure;
        }
      }
    },

    /** Replies to a post as the account, reconciling against recent replies before a retry. */
    async xReply(input: ReplyInput): Promise<ReplyResult> {
      const notBeforeMs = notBeforeOf(input);
      try {
        if (input.reconcileFirst || activityContext().info.attempt > 1) {
          const posted = await findPostedReply(input, notBeforeMs);
          if (posted) return await countedReply(input.accountId, input.text, posted);
        }
        const { client } = await clients.forAccount(input.accountId);
        try {
          const created = await createReply(client, input.text, input.inReplyToPostId);
          await usage.countWrite(input.accountId, replyCostKind(input.text), created.postId);
          return { postId: created.postId, reconciled: false, rateLimit: created.rateLimit };
        } catch (error) {
          if (error instanceof XCallError && error.xError.reconcileBeforeRetry) {
            const posted = await findPostedReply(input, notBeforeMs).catch(() => undefined);
            if (posted) return await countedReply(input.accountId, input.text, posted);
          }
          throw error;
        }
      } catch (error) {
        fail(error, 'xReply', input.accountId);
      }
    },
  };
}
