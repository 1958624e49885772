/**
 * Is X still delivering a campaign's events to Kuji? One check, used by the check at the start of
 * collection (`checkAutomationArmed`) and by the entry watch's periodic checks, and recorded in
 * campaign_watch either way, so a check one of them made is not made again by the other.
 */
import type { Db } from '../../db/client';
import { saveWatchArmedCheck } from '../../db/repositories/campaign-watch';
import type { XAccess } from '../x-access';

export interface ArmedProblem {
  code: string;
  ja: string;
  en: string;
}

export interface ArmedCheckDeps {
  db: Db;
  x?: Pick<XAccess, 'xArmedCheck'>;
  /** Where X delivers this deployment's events; unset: polling alone, always armed. */
  webhookUrl?: string;
  /** The wall clock, X's clock: dates the last instant X was seen delivering. */
  now?: () => Date;
}

export function createArmedCheck({ db, x, webhookUrl, now = () => new Date() }: ArmedCheckDeps) {
  /**
   * Checks the sender account's webhook and subscription and records the check at `at` (the
   * workflow's clock). X's failures leave as classified failures (and record nothing).
   */
  return async function checkCampaignArmed(
    campaign: { campaignId: string; accountId: string },
    at: Date,
  ): Promise<{ armed: boolean; problem: ArmedProblem | null }> {
    if (webhookUrl === undefined || !x) return { armed: true, problem: null };
    const check = await x.xArmedCheck({ accountId: campaign.accountId, webhookUrl });
    await saveWatchArmedCheck(db, campaign.campaignId, {
      checkedAt: at,
      seenAt: now(),
      armed: check.armed,
    });
    return {
      armed: check.armed,
      problem: check.problem
        ? { code: check.problem.code, ja: check.problem.ja, en: check.problem.en }
        : null,
    };
  };
}
