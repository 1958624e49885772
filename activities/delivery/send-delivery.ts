/**
 * Sending one result: the participant's text, rendered from the campaign's approved templates,
 * goes through the send pipeline (delivery/send-pipeline.ts): at most once, under the account's
 * local-day DM quota, reconciling with X after a possible send, and recording when X accepted it.
 * A win message always carries the participant's verification code, and, when the campaign has
 * claims on, moves their claim deadline to `claimDeadlineHours` after it went out.
 */
import type { Db } from '../../db/client';
import { ensureCampaignSecretSeed } from '../../db/repositories/campaign-seed';
import { extendClaimDeadline } from '../../db/repositories/claims';
import { type Delivery, findDelivery } from '../../db/repositories/deliveries';
import { findEntry } from '../../db/repositories/entries';
import type { CampaignConfig } from '../../domain/campaign-config';
import { resultUrl } from '../../domain/result-links';
import { isXUsername, renderTemplate, withVerificationCode } from '../../domain/templates';
import { verificationCode } from '../../domain/verification';
import { loadRunningCampaign, nonRetryable } from '../campaign/campaign-loader';
import type { XAccess } from '../x-access';
import { createSendPipeline, type MessageOutcome, settledOutcome } from './send-pipeline';

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

/** The pipeline's outcome as sendDelivery has always answered it (workflow histories hold it). */
function asSendOutcome(outcome: MessageOutcome): SendOutcome {
  switch (outcome.status) {
    case 'sent':
      return { status: 'sent', reconciled: outcome.reconciled };
    case 'skipped':
      return { status: 'skipped' };
    case 'failed':
      return { status: 'failed', code: outcome.failure.code, category: outcome.failure.category };
    case 'quota_full':
      return { status: 'quota_full', dayKey: outcome.dayKey, nextWindowAt: outcome.nextWindowAt };
    case 'halted':
      return outcome;
  }
}

export function createSendDeliveryActivity({ db, x, publicBaseUrl, now }: SendDeliveryDeps) {
  const pipeline = createSendPipeline({ db, x, now });

  /**
   * A winner has `claimDeadlineHours` from when they were told, not from the draw: a win DM or
   * reply that went out later (quota, pauses) moves their open claim's deadline later, never
   * earlier. Only when the campaign has claims on.
   */
  async function extendDeadlineOnWin(
    delivery: Delivery,
    notifiedAt: Date,
    config: CampaignConfig,
  ): Promise<void> {
    const hours = config.schedule.claimDeadlineHours;
    if (!config.claim || hours === undefined) return;
    await extendClaimDeadline(db, {
      campaignId: delivery.campaignId,
      xUserId: delivery.xUserId,
      notifiedAt,
      hours,
    });
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
      // Rehearsal DMs are preflight's: their text is made there, not from a participant's entry.
      if (delivery.kind === 'rehearsal')
        throw nonRetryable('not_a_campaign_delivery', `${delivery.id} is a rehearsal DM`);
      const settled = settledOutcome(delivery);
      // A retry after a crash between sending and extending the claim deadline extends it now.
      if (settled?.status === 'sent' && delivery.kind === 'win') {
        const { config } = await loadRunningCampaign(db, delivery.campaignId);
        await extendDeadlineOnWin(delivery, settled.sentAt, config);
      }
      if (settled) return asSendOutcome(settled);
      const { config, account } = await loadRunningCampaign(db, delivery.campaignId);
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
      const seed = await ensureCampaignSecretSeed(db, delivery.campaignId);
      const code = verificationCode(seed, delivery.xUserId);
      const rendered = renderTemplate(text, {
        // Rows stored before usernames were checked at the door are checked here too.
        name: isXUsername(entry?.username) ? `@${entry.username}` : '',
        prize: prize?.name ?? '',
        code: entry?.prizeCode ?? '',
        // Signed with the campaign's secret seed: X ids are public, prize codes are not.
        resultUrl: resultUrl(publicBaseUrl, delivery.campaignId, delivery.xUserId, seed),
        verificationCode: code,
      });
      if (!rendered.ok) {
        throw nonRetryable(
          'template_unrenderable',
          `template for ${delivery.kind} misses ${rendered.missing.join(', ')}`,
        );
      }
      // X refuses the same text twice to one person ("You already said that"), and a resend
      // after "I didn't receive it" should say what it is.
      let message = delivery.resendOf ? `${rendered.text}\n（再送 / resent）` : rendered.text;
      // Every win (a promoted alternate's too) carries the code /verify checks, as its last line.
      if (delivery.kind === 'win') message = withVerificationCode(text, message, code);

      const outcome = await pipeline.sendMessage({
        delivery,
        account,
        text: message,
        at: new Date(input.now),
      });
      if (outcome.status === 'sent' && delivery.kind === 'win') {
        await extendDeadlineOnWin(delivery, outcome.sentAt, config);
      }
      return asSendOutcome(outcome);
    },
  };
}
