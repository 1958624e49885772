/**
 * Counting Kuji's own X calls as X bills them (docs/x-costs.md), at the one place activities
 * reach X. Only answers X gave count: a call X refused (an error, a 429, a 5xx, a timeout) bills
 * nothing and counts nothing, so retrying it never counts twice. A read counts the resources it
 * returned, each once per UTC day (X deduplicates within the day); a write counts once per X id
 * of what it created, so a retry that finds the DM or reply X already holds, or finds one the
 * crashed attempt never counted, counts it exactly once.
 *
 * The count is its own statement right after X's answer, not in the transaction of what the
 * caller stores from it: a worker lost between X's answer and the count leaves that call
 * uncounted until the activity's retry, which counts the resources it reads again (none were
 * recorded for the day) or the DM or reply its reconciliation finds. Calls are attributed to the
 * campaign whose workflow runs the activity. Reads of what belongs to the whole account (its DM
 * inbox, its mentions) are marked account-wide: they carry every campaign's traffic on the
 * account, so they never count against the budget of the campaign that happened to read them.
 */
import { Context } from '@temporalio/activity';
import type { Db } from '../../db/client';
import {
  purgeXReadDays,
  recordXReadUsage,
  recordXWriteUsage,
  utcDayOf,
} from '../../db/repositories/x-api-usage';
import type { XCostKind } from '../../domain/x-cost';
import type { PageKind } from '../../x/api';
import { campaignWorkflowId } from '../../workflows/search-attributes';

const campaignPrefix = campaignWorkflowId('');

/** The campaign whose workflow runs the current activity; null outside one. */
export function campaignOfActivity(): string | null {
  let workflowId: string | undefined;
  try {
    workflowId = Context.current().info.workflowExecution?.workflowId;
  } catch {
    return null;
  }
  return workflowId?.startsWith(campaignPrefix) ? workflowId.slice(campaignPrefix.length) : null;
}

/** What each paged list returns, as X prices it. */
export const pageCostKind: Record<PageKind, XCostKind> = {
  reposters: 'user_read',
  likers: 'user_read',
  quotes: 'post_read',
  followers: 'follow_read',
  following: 'follow_read',
  mentions: 'post_read',
  search: 'post_read',
  dm_events: 'dm_event_read',
  account_dm_events: 'dm_event_read',
};

/**
 * Lists of the whole account, not of one campaign: the account's DM inbox (every conversation,
 * other campaigns' keyword DMs, Kuji's own sent DMs) and the posts mentioning the account.
 */
export const accountWidePageKinds: ReadonlySet<PageKind> = new Set<PageKind>([
  'account_dm_events',
  'mentions',
]);

export function createXUsage(
  db: Db,
  now: () => number,
  campaignOf: () => string | null = campaignOfActivity,
) {
  let purgedDay: string | undefined;
  async function countRead(
    accountId: string,
    kind: XCostKind,
    resources: readonly { id: string }[],
    accountWide = false,
  ): Promise<void> {
    if (resources.length === 0) return;
    const at = new Date(now());
    await recordXReadUsage(
      db,
      { campaignId: campaignOf(), accountId, accountWide },
      { kind, resourceIds: resources.map((r) => r.id), at },
    );
    // Yesterday's resources stop mattering once a day has passed: forget them once a day.
    if (purgedDay !== utcDayOf(at)) {
      purgedDay = utcDayOf(at);
      await purgeXReadDays(db, at);
    }
  }
  return {
    countRead,

    /** A page of a paged list, at its kind's price; account-wide lists kept apart. */
    async countPage(
      accountId: string,
      pageKind: PageKind,
      resources: readonly { id: string }[],
    ): Promise<void> {
      await countRead(
        accountId,
        pageCostKind[pageKind],
        resources,
        accountWidePageKinds.has(pageKind),
      );
    },

    async countWrite(accountId: string, kind: XCostKind, xObjectId: string): Promise<void> {
      await recordXWriteUsage(db, { campaignId: campaignOf(), accountId }, { kind, xObjectId });
    },
  };
}

export type XUsageCounter = ReturnType<typeof createXUsage>;
