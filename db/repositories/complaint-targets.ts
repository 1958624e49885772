/** Where a participant's "I didn't receive it" lands: the sender's campaigns that sent them a result. */
import { sql } from 'kysely';
import { terminalPhases } from '../../domain/phases';
import type { Db } from '../client';

export interface ComplaintTarget {
  campaignId: string;
  workflowId: string | null;
  accountId: string;
  deliveryId: string;
  deliveryState: string;
  /** The campaign has completed: its workflow has ended, so a person handles the complaint. */
  afterCompletion: boolean;
}

/**
 * Every campaign not yet ended of the sender `senderXUserId` in which `xUserId` has a result
 * delivery, each with its newest result delivery (a resend supersedes the failed original).
 * With none, the newest completed campaign that sent them a result at or after
 * `completedSince`, if any.
 */
export async function findComplaintTargets(
  db: Db,
  query: { senderXUserId: string; xUserId: string; completedSince: Date },
): Promise<ComplaintTarget[]> {
  // When the result went out (or was planned, for one that never did).
  const sentAt = sql<Date>`coalesce(deliveries.sent_at, deliveries.created_at)`;
  const resultDeliveries = () =>
    db
      .selectFrom('campaigns')
      .innerJoin('accounts', 'accounts.id', 'campaigns.account_id')
      .innerJoin('deliveries', 'deliveries.campaign_id', 'campaigns.id')
      .where('accounts.x_user_id', '=', query.senderXUserId)
      .where('deliveries.x_user_id', '=', query.xUserId)
      .where('deliveries.kind', 'in', ['win', 'lose'])
      .select([
        'campaigns.id as campaignId',
        'campaigns.workflow_id as workflowId',
        'campaigns.account_id as accountId',
        'deliveries.id as deliveryId',
        'deliveries.state as deliveryState',
      ]);
  const running = await resultDeliveries()
    // Any campaign not yet ended (delivering, or back in approval or analyzing mid-way).
    .where('campaigns.phase', 'not in', [...terminalPhases])
    .distinctOn('campaigns.id')
    .orderBy('campaigns.id')
    .orderBy('deliveries.created_at', 'desc')
    .orderBy('deliveries.id', 'desc')
    .execute();
  if (running.length > 0) {
    return running.map((campaign) => ({ ...campaign, afterCompletion: false }));
  }
  const completed = await resultDeliveries()
    .where('campaigns.phase', '=', 'completed')
    .where(sentAt, '>=', query.completedSince)
    .orderBy(sentAt, 'desc')
    .orderBy('deliveries.id', 'desc')
    .limit(1)
    .execute();
  return completed.map((campaign) => ({ ...campaign, afterCompletion: true }));
}
