/**
 * The automation watch while a campaign runs: is the webhook the campaign depends on still live,
 * and re-arming it (with a replay of what was missed) when a person asks.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Db } from '../../db/client';
import { insertAuditEntry } from '../../db/repositories/audit-log';
import { findCampaignById } from '../../db/repositories/campaigns';
import { createArmedCheck } from '../campaign/armed-check';
import type { XAccess } from '../x-access';

export interface AutomationArmedStatus {
  armed: boolean;
  problem: { code: string; ja: string; en: string } | null;
  checkedAt: string;
}

export interface RearmOutcome {
  replayJobId: string | null;
  subscribed: boolean;
  /** The end of the replayed gap (X clock): the automation is armed again from here. */
  replayTo?: string;
}

export interface AutomationWatchDeps {
  db: Db;
  now?: () => Date;
  /** Needed with a webhookUrl. */
  x?: Pick<XAccess, 'xArmedCheck' | 'xRearm'>;
  /**
   * Where X delivers this deployment's events (`${PUBLIC_BASE_URL}/v1/webhooks/x`), set only when
   * the deployment has a webhook. Unset, Kuji runs on polling alone and is always armed.
   */
  webhookUrl?: string;
}

export function createAutomationWatchActivities({
  db,
  now = () => new Date(),
  x,
  webhookUrl,
}: AutomationWatchDeps) {
  if (webhookUrl !== undefined && !x) {
    throw new Error('createAutomationWatchActivities: a webhookUrl needs X access (x) to check it');
  }

  const checkCampaignArmed = createArmedCheck({ db, x, webhookUrl, now });

  async function requireCampaign(campaignId: string) {
    const campaign = await findCampaignById(db, campaignId);
    if (!campaign) {
      throw ApplicationFailure.create({
        type: 'campaign_missing',
        message: `campaign ${campaignId} does not exist`,
        nonRetryable: true,
      });
    }
    return campaign;
  }

  return {
    /**
     * Is the automation the running campaign depends on live? Always armed without a webhook:
     * polling alone is a valid setup. X failures leave as classified failures (retried).
     */
    async checkAutomationArmed(input: { campaignId: string }): Promise<AutomationArmedStatus> {
      if (webhookUrl === undefined || !x) {
        return { armed: true, problem: null, checkedAt: now().toISOString() };
      }
      const campaign = await requireCampaign(input.campaignId);
      // Dated like the entry watch's checks (the attempt's time on the server), so the watch's
      // first attempt does not check again what was just checked.
      const at = new Date(Context.current().info.currentAttemptScheduledTimestampMs);
      const check = await checkCampaignArmed(
        { campaignId: input.campaignId, accountId: campaign.accountId },
        at,
      );
      return { ...check, checkedAt: now().toISOString() };
    },

    /**
     * Re-arms the campaign's account (CRC check again, subscribe) and replays the events of
     * [disarmedSince, now) so entries sent while disarmed are not lost. Without a webhook there
     * is nothing to re-arm (polling reconciles): `{ replayJobId: null, subscribed: false }`.
     * webhook_missing / webhook_invalid fail non-retryably: a person must fix the webhook.
     */
    async rearmAutomation(input: {
      campaignId: string;
      disarmedSince: string;
      by: string;
    }): Promise<RearmOutcome> {
      if (webhookUrl === undefined || !x) return { replayJobId: null, subscribed: false };
      const campaign = await requireCampaign(input.campaignId);
      const replayTo = now().toISOString();
      const rearmed = await x.xRearm({
        accountId: campaign.accountId,
        webhookUrl,
        replayFrom: input.disarmedSince,
        replayTo,
      });
      await insertAuditEntry(db, {
        actor: input.by,
        action: 'automation.rearm',
        campaignId: campaign.id,
        subject: campaign.accountId,
        outcome: 'ok',
        details: {
          webhookId: rearmed.webhookId,
          subscribed: rearmed.subscribed,
          replayJobId: rearmed.replayJobId,
          replayFrom: input.disarmedSince,
          replayTo,
        },
      });
      return { replayJobId: rearmed.replayJobId, subscribed: rearmed.subscribed, replayTo };
    },
  };
}

export type AutomationWatchActivities = ReturnType<typeof createAutomationWatchActivities>;
