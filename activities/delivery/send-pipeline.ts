/**
 * The one send pipeline of every message Kuji sends as an account: a participant's result, a
 * resend, a follow-up, and preflight's rehearsal DMs to test accounts. Each is a `deliveries` row
 * that moves queued → reserved (a slot in the account's local-day DM quota) → sending → sent |
 * failed. A row found 'sending' may have reached X before a crash: X is asked before sending
 * again, so a retry never sends twice.
 *
 * What a refusal means depends on who waits for the message. A participant's message waits for
 * its window: a refusal that stops the account puts it back in the queue, a rate limit or a
 * transient error is retried by Temporal with the row left 'sending'. A rehearsal is preflight's
 * and is sent now or not at all: any refusal fails it (its finding blocks launch), and a full
 * quota fails it too, so it never waits for (and is never counted in) a later day's window.
 *
 * A sent row keeps the SHA-256 of its text (text_digest), so /verify can tell a participant
 * whether a message is word for word what Kuji sent.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { Db } from '../../db/client';
import type { LocalizedTextJson } from '../../db/database';
import { type Account, haltAccount } from '../../db/repositories/accounts';
import {
  type Delivery,
  type DeliveryFailure,
  markDeliveryFailed,
  markDeliveryQueued,
  markDeliveryReserved,
  markDeliverySending,
  markDeliverySent,
} from '../../db/repositories/deliveries';
import { releaseQuotaSlot, reserveQuotaSlot } from '../../db/repositories/quota';
import { localDayKey, startOfNextLocalDay } from '../../domain/day-window';
import { dailyCapOf } from '../../domain/quota';
import { messageDigest } from '../../domain/verification';
import { isXErrorCode, type XError, xErrorCatalog, xErrorFromDetails } from '../../domain/x-errors';
import { nonRetryable } from '../campaign/campaign-loader';
import type { SendDmResult, XAccess } from '../x-access';
import { xDidNotTakeIt } from '../x-access/not-taken';

export interface SendPipelineDeps {
  db: Db;
  /** Replies are needed only where a message goes out as one (never a rehearsal). */
  x: Pick<XAccess, 'xSendDm'> & Partial<Pick<XAccess, 'xReply'>>;
  /** Wall time: when X accepted a message. */
  now: () => Date;
}

export interface MessageToSend {
  delivery: Delivery;
  account: Pick<Account, 'id' | 'timezone' | 'dmDailyCap'>;
  /** The text as the recipient reads it. */
  text: string;
  /** The sender's time (the workflow's, or preflight's): the quota day and the first attempt. */
  at: Date;
}

export type MessageOutcome =
  | {
      status: 'sent';
      xEventId: string;
      reconciled: boolean;
      earlierCopy: boolean;
      /** When X accepted it (the row's sent_at). */
      sentAt: Date;
    }
  | { status: 'skipped' }
  | { status: 'failed'; failure: DeliveryFailure }
  | { status: 'quota_full'; dayKey: string; used: number; cap: number; nextWindowAt: string }
  | { status: 'halted'; code: string; category: string; accountHalted?: boolean };

/** The X error an X call put in its failure, or undefined for anything else (a bug, the DB). */
export function classifiedXError(error: unknown): XError | undefined {
  return error instanceof ApplicationFailure ? xErrorFromDetails(error.details) : undefined;
}

export function failureOf(error: XError): DeliveryFailure {
  return { code: error.code, category: error.category, reason: error.reason, remedy: error.remedy };
}

/** A failure as stored on its row, completed from the catalog where a column is empty. */
export function failureFromRow(row: {
  errorCode: string | null;
  errorCategory: DeliveryFailure['category'] | null;
  errorReason: LocalizedTextJson | null;
  errorRemedy: LocalizedTextJson | null;
}): DeliveryFailure {
  const code = row.errorCode ?? 'unknown';
  const known = isXErrorCode(code) ? xErrorCatalog[code] : xErrorCatalog.unknown;
  return {
    code,
    category: row.errorCategory ?? known.category,
    reason: row.errorReason ?? known.reason,
    remedy: row.errorRemedy ?? known.remedy,
  };
}

/** The outcome of a row no attempt may change any more (sent, skipped, failed); else undefined. */
export function settledOutcome(delivery: Delivery): MessageOutcome | undefined {
  if (delivery.state === 'sent') {
    return {
      status: 'sent',
      xEventId: delivery.xEventId ?? '',
      reconciled: false,
      earlierCopy: false,
      sentAt: delivery.sentAt ?? delivery.updatedAt,
    };
  }
  if (delivery.state === 'skipped') return { status: 'skipped' };
  if (delivery.state === 'failed') return { status: 'failed', failure: failureFromRow(delivery) };
  return undefined;
}

export function createSendPipeline({ db, x, now: wallClock }: SendPipelineDeps) {
  /**
   * When X accepted a message: X's own date of the message found when reconciling after a
   * crash, else the moment its answer came back (not the time of the first attempt, which on a
   * retry is minutes earlier).
   */
  function acceptedAt(sent: { reconciled: boolean; acceptedAt?: string }): Date {
    if (sent.reconciled && sent.acceptedAt && !Number.isNaN(Date.parse(sent.acceptedAt))) {
      return new Date(sent.acceptedAt);
    }
    return wallClock();
  }

  async function refused(
    delivery: Delivery,
    accountId: string,
    xError: XError,
    failure: ApplicationFailure,
  ): Promise<MessageOutcome> {
    const recorded = failureOf(xError);
    if (delivery.kind === 'rehearsal') {
      // Only a transient failure may have reached X; any other refusal gives the slot back.
      if (xError.category !== 'transient') {
        await releaseQuotaSlot(db, { accountId, deliveryId: delivery.id });
      }
      await markDeliveryFailed(db, delivery.id, recorded);
      return { status: 'failed', failure: recorded };
    }
    if (xError.haltsAccount || xError.category === 'quota_exhausted') {
      await markDeliveryQueued(db, delivery.id, recorded);
      await releaseQuotaSlot(db, { accountId, deliveryId: delivery.id });
      // A restricted sender or lost authorisation stops every campaign on the account.
      const accountWide = xError.category === 'sender_restricted' || xError.category === 'auth';
      if (accountWide) {
        await haltAccount(db, accountId, {
          code: xError.code,
          category: xError.category,
          campaignId: delivery.campaignId,
        });
      }
      return {
        status: 'halted',
        code: xError.code,
        category: xError.category,
        ...(accountWide ? { accountHalted: true } : {}),
      };
    }
    if (!xError.retryable) {
      await markDeliveryFailed(db, delivery.id, recorded);
      await releaseQuotaSlot(db, { accountId, deliveryId: delivery.id });
      return { status: 'failed', failure: recorded };
    }
    if (xDidNotTakeIt(failure)) {
      // X refused the send itself (a 429, a spent window): it does not hold the message, so the
      // row goes back to the queue at its place, with nothing to reconcile before the next try,
      // and gives its quota slot back until then.
      await markDeliveryQueued(db, delivery.id, recorded);
      await releaseQuotaSlot(db, { accountId, deliveryId: delivery.id });
      throw failure;
    }
    // Transient errors: Temporal retries the activity (with backoff) or the batch ends to try
    // again later. The row stays 'sending' — a timeout may have reached X — so the retry
    // reconciles before sending, and its quota slot stays held.
    throw failure;
  }

  async function sendDm(
    delivery: Delivery,
    dm: Parameters<XAccess['xSendDm']>[0],
  ): Promise<SendDmResult & { earlierCopy: boolean }> {
    try {
      return { ...(await x.xSendDm(dm)), earlierCopy: false };
    } catch (error) {
      if (delivery.kind !== 'rehearsal' || classifiedXError(error)?.code !== 'dm_already_said') {
        throw error;
      }
      // Rehearsal rounds send unchanged templates to the same test accounts on purpose, and X
      // refuses to repeat a text: the identical DM already in the conversation is what the test
      // account received, so confirm that one, however old.
      const earlier = await x.xSendDm({
        ...dm,
        notBefore: new Date(0).toISOString(),
        reconcileFirst: true,
      });
      return { ...earlier, earlierCopy: true };
    }
  }

  /**
   * Sends one message whose row is not settled (queued, reserved or sending): reserves its DM
   * quota slot, marks it sending, sends (reconciling first when an earlier attempt may have
   * reached X) and records X's acceptance or the refusal.
   */
  async function sendMessage({
    delivery,
    account,
    text,
    at,
  }: MessageToSend): Promise<MessageOutcome> {
    if (delivery.channel === 'dm') {
      const dayKey = localDayKey(at, account.timezone);
      const reservation = await reserveQuotaSlot(db, {
        accountId: account.id,
        deliveryId: delivery.id,
        dayKey,
        cap: dailyCapOf(account),
      });
      if (!reservation.reserved) {
        return {
          status: 'quota_full',
          dayKey,
          used: reservation.used,
          cap: reservation.cap,
          nextWindowAt: startOfNextLocalDay(at, account.timezone).toISOString(),
        };
      }
      await markDeliveryReserved(db, delivery.id, { windowDay: reservation.dayKey, eta: at });
    }

    const { previousState } = await markDeliverySending(db, delivery.id);
    // A row already 'sending' may have reached X before a crash: look before sending.
    const reconcileFirst = previousState === 'sending';
    const notBefore = (delivery.sendingStartedAt ?? at).toISOString();
    try {
      if (delivery.channel === 'dm') {
        const sent = await sendDm(delivery, {
          accountId: account.id,
          participantId: delivery.xUserId,
          text,
          notBefore,
          reconcileFirst,
        });
        const sentAt = acceptedAt(sent);
        await markDeliverySent(db, delivery.id, {
          xEventId: sent.dmEventId,
          xConversationId: sent.dmConversationId ?? null,
          sentAt,
          textDigest: messageDigest(text),
        });
        return {
          status: 'sent',
          xEventId: sent.dmEventId,
          reconciled: sent.reconciled,
          earlierCopy: sent.earlierCopy,
          sentAt,
        };
      }
      if (!delivery.replyToTweetId)
        throw nonRetryable('reply_target_missing', 'no post to reply to');
      if (!x.xReply) throw nonRetryable('reply_unavailable', `${delivery.id} cannot be replied`);
      const posted = await x.xReply({
        accountId: account.id,
        inReplyToPostId: delivery.replyToTweetId,
        text,
        notBefore,
        reconcileFirst,
      });
      const sentAt = acceptedAt(posted);
      await markDeliverySent(db, delivery.id, {
        xEventId: posted.postId,
        sentAt,
        textDigest: messageDigest(text),
      });
      return {
        status: 'sent',
        xEventId: posted.postId,
        reconciled: posted.reconciled,
        earlierCopy: false,
        sentAt,
      };
    } catch (error) {
      const xError = classifiedXError(error);
      if (!xError) throw error;
      return refused(delivery, account.id, xError, error as ApplicationFailure);
    }
  }

  return { sendMessage };
}

export type SendPipeline = ReturnType<typeof createSendPipeline>;
