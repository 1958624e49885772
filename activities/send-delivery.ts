/**
 * Sending one result: at most once, under the account's local-day DM quota, reconciling with X
 * after a possible send, and recording when X accepted it.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { Db } from '../db/client';
import { haltAccount } from '../db/repositories/accounts';
import { ensureCampaignSecretSeed } from '../db/repositories/campaign-seed';
import {
  findDelivery,
  markDeliveryFailed,
  markDeliveryQueued,
  markDeliveryReserved,
  markDeliverySending,
  markDeliverySent,
} from '../db/repositories/deliveries';
import { findEntry } from '../db/repositories/entries';
import { releaseQuotaSlot, reserveQuotaSlot } from '../db/repositories/quota';
import { localDayKey, startOfNextLocalDay } from '../domain/day-window';
import { effectiveDailyCap } from '../domain/quota';
import { resultUrl } from '../domain/result-links';
import { isXUsername, renderTemplate } from '../domain/templates';
import { type XError, xErrorFromDetails } from '../domain/x-errors';
import { loadRunningCampaign, nonRetryable } from './campaign-loader';
import type { XAccess } from './x-access';

export type SendOutcome =
  | { status: 'sent'; reconciled: boolean }
  | { status: 'skipped' }
  | { status: 'failed'; code: string; category: string }
  | { status: 'quota_full'; nextWindowAt: string; dayKey: string }
  | { status: 'halted'; code: string; category: string; accountHalted?: boolean };

export interface SendDeliveryDeps {
  db: Db;
  x: Pick<XAccess, 'xSendDm' | 'xReply'>;
  publicBaseUrl: string;
  /** Wall time: when X accepted a message. */
  now: () => Date;
}

export function createSendDeliveryActivity({
  db,
  x,
  publicBaseUrl,
  now: wallClock,
}: SendDeliveryDeps) {
  /**
   * When X accepted a message: X's own date of the message found when reconciling after a
   * crash, else the moment its answer came back (not the workflow's time of the first attempt,
   * which on a retry is minutes earlier).
   */
  function acceptedAt(sent: { reconciled: boolean; acceptedAt?: string }): Date {
    if (sent.reconciled && sent.acceptedAt && !Number.isNaN(Date.parse(sent.acceptedAt))) {
      return new Date(sent.acceptedAt);
    }
    return wallClock();
  }

  async function handleSendFailure(
    { id: deliveryId, campaignId }: { id: string; campaignId: string },
    accountId: string,
    xError: XError,
    failure: ApplicationFailure,
  ): Promise<SendOutcome> {
    const recorded = {
      code: xError.code,
      category: xError.category,
      reason: xError.reason,
      remedy: xError.remedy,
    };
    if (xError.haltsAccount || xError.category === 'quota_exhausted') {
      await markDeliveryQueued(db, deliveryId, recorded);
      await releaseQuotaSlot(db, { accountId, deliveryId });
      // A restricted sender or lost authorisation stops every campaign on the account.
      const accountWide = xError.category === 'sender_restricted' || xError.category === 'auth';
      if (accountWide) {
        await haltAccount(db, accountId, {
          code: xError.code,
          category: xError.category,
          campaignId,
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
      await markDeliveryFailed(db, deliveryId, recorded);
      await releaseQuotaSlot(db, { accountId, deliveryId });
      return { status: 'failed', code: xError.code, category: xError.category };
    }
    // Rate limits and transient errors: Temporal retries this activity (at X's reset for a 429,
    // with backoff otherwise). The delivery stays 'sending' — a timeout may have reached X — so
    // the retry reconciles before sending, and its quota slot stays held.
    throw failure;
  }

  return {
    /**
     * Sends one delivery at most once: reserves a slot in the account's local-day DM quota,
     * marks it sending, and on a retry after a possible send first reconciles with X.
     * `now` is the workflow's time, so quota days follow the workflow's clock.
     */
    async sendDelivery(input: { deliveryId: string; now: string }): Promise<SendOutcome> {
      const delivery = await findDelivery(db, input.deliveryId);
      if (!delivery)
        throw nonRetryable('delivery_missing', `delivery ${input.deliveryId} does not exist`);
      if (delivery.state === 'sent') return { status: 'sent', reconciled: false };
      if (delivery.state === 'skipped') return { status: 'skipped' };
      if (delivery.state === 'failed') {
        return {
          status: 'failed',
          code: delivery.errorCode ?? 'unknown',
          category: delivery.errorCategory ?? 'unknown',
        };
      }
      const { config, account } = await loadRunningCampaign(db, delivery.campaignId);
      const now = new Date(input.now);
      // Another campaign on the account hit a restriction: nothing goes out until a person
      // resumes the account.
      if (account.halt) {
        return {
          status: 'halted',
          code: account.halt.code,
          category: account.halt.category,
          accountHalted: true,
        };
      }

      if (delivery.channel === 'dm') {
        const dayKey = localDayKey(now, account.timezone);
        const reservation = await reserveQuotaSlot(db, {
          accountId: account.id,
          deliveryId: delivery.id,
          dayKey,
          cap: effectiveDailyCap({ configuredCap: account.dmDailyCap }),
        });
        if (!reservation.reserved) {
          return {
            status: 'quota_full',
            dayKey,
            nextWindowAt: startOfNextLocalDay(now, account.timezone).toISOString(),
          };
        }
        await markDeliveryReserved(db, delivery.id, { windowDay: reservation.dayKey, eta: now });
      }

      const entry = await findEntry(db, delivery.campaignId, delivery.xUserId);
      const prize = config.prizes.find((p) => p.id === entry?.prizeId);
      const template =
        delivery.kind === 'win' || delivery.kind === 'lose'
          ? config.templates[delivery.kind]
          : undefined;
      const text = delivery.body ?? (delivery.channel === 'dm' ? template?.dm : template?.reply);
      if (!text)
        throw nonRetryable(
          'template_missing',
          `no ${delivery.channel} template for ${delivery.kind}`,
        );
      const rendered = renderTemplate(text, {
        // Rows stored before usernames were checked at the door are checked here too.
        name: isXUsername(entry?.username) ? `@${entry.username}` : '',
        prize: prize?.name ?? '',
        code: entry?.prizeCode ?? '',
        // Signed with the campaign's secret seed: X ids are public, prize codes are not.
        resultUrl: resultUrl(
          publicBaseUrl,
          delivery.campaignId,
          delivery.xUserId,
          await ensureCampaignSecretSeed(db, delivery.campaignId),
        ),
      });
      // X refuses the same text twice to one person ("You already said that"), and a resend
      // after "I didn't receive it" should say what it is.
      if (rendered.ok && delivery.resendOf) rendered.text += '\n（再送 / resent）';
      if (!rendered.ok) {
        throw nonRetryable(
          'template_unrenderable',
          `template for ${delivery.kind} misses ${rendered.missing.join(', ')}`,
        );
      }

      const { previousState } = await markDeliverySending(db, delivery.id);
      // A delivery already 'sending' may have reached X before a crash: look before sending.
      const reconcileFirst = previousState === 'sending';
      const notBefore = (delivery.sendingStartedAt ?? now).toISOString();
      try {
        if (delivery.channel === 'dm') {
          const sent = await x.xSendDm({
            accountId: account.id,
            participantId: delivery.xUserId,
            text: rendered.text,
            notBefore,
            reconcileFirst,
          });
          await markDeliverySent(db, delivery.id, {
            xEventId: sent.dmEventId,
            xConversationId: sent.dmConversationId ?? null,
            sentAt: acceptedAt(sent),
          });
          return { status: 'sent', reconciled: sent.reconciled };
        }
        if (!delivery.replyToTweetId)
          throw nonRetryable('reply_target_missing', 'no post to reply to');
        const posted = await x.xReply({
          accountId: account.id,
          inReplyToPostId: delivery.replyToTweetId,
          text: rendered.text,
          notBefore,
          reconcileFirst,
        });
        await markDeliverySent(db, delivery.id, {
          xEventId: posted.postId,
          sentAt: acceptedAt(posted),
        });
        return { status: 'sent', reconciled: posted.reconciled };
      } catch (error) {
        const xError =
          error instanceof ApplicationFailure ? xErrorFromDetails(error.details) : undefined;
        if (!xError) throw error;
        return handleSendFailure(delivery, account.id, xError, error as ApplicationFailure);
      }
    },
  };
}
