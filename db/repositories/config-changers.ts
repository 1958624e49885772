import type { Db } from '../client';

/**
 * Who changed the campaign's configuration since its last approval through the API (audit log
 * `campaign.config_changed` after the last `campaign.approve` that succeeded), oldest first. The
 * workflow bars exactly them (and the author) from approving; the console uses this list only
 * to leave out a button the API would refuse.
 */
export async function findConfigChangersSinceApproval(
  db: Db,
  campaignId: string,
): Promise<string[]> {
  const lastApproval = db
    .selectFrom('audit_log')
    .select((eb) => eb.fn.max('id').as('id'))
    .where('campaign_id', '=', campaignId)
    .where('action', '=', 'campaign.approve')
    .where('outcome', '=', 'ok');
  const rows = await db
    .selectFrom('audit_log')
    .select('actor')
    .select((eb) => eb.fn.min('id').as('first'))
    .where('campaign_id', '=', campaignId)
    .where('action', '=', 'campaign.config_changed')
    .where('outcome', '=', 'ok')
    .where((eb) => eb('id', '>', eb.fn.coalesce(lastApproval, eb.val('0'))))
    .groupBy('actor')
    .orderBy('first')
    .execute();
  return rows.map((row) => row.actor);
}
