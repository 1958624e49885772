import type { Db } from '../client';
import type { EntryOutcome, EntryReasonJson } from '../database';
import { selectCampaignsWithApprovedConfig } from './campaigns';

/** What the participant result page needs of a campaign: its name and the key of its links. */
export interface ResultPageCampaign {
  id: string;
  name: string;
  /** Keys the result link tokens; null until the campaign has one (no link is valid then). */
  secretSeed: string | null;
}

/** One participant's result, with the prize's display name resolved. */
export interface ParticipantResult {
  outcome: EntryOutcome;
  prizeId: string | null;
  /** null when the entry has no prize or the prize row is gone. */
  prizeName: string | null;
  prizeCode: string | null;
  reasons: EntryReasonJson[];
}

export async function findResultPageCampaign(
  db: Db,
  campaignId: string,
): Promise<ResultPageCampaign | undefined> {
  // Participants see the approved name, not one changed and still waiting for approval.
  const row = await selectCampaignsWithApprovedConfig(db)
    .select(['campaigns.id', 'campaigns.name', 'approved.name as approvedName', 'secret_seed'])
    .where('campaigns.id', '=', campaignId)
    .executeTakeFirst();
  return row
    ? { id: row.id, name: row.approvedName ?? row.name, secretSeed: row.secret_seed }
    : undefined;
}

export async function findParticipantResult(
  db: Db,
  campaignId: string,
  xUserId: string,
): Promise<ParticipantResult | undefined> {
  const row = await db
    .selectFrom('entries')
    .leftJoin('prizes', (join) =>
      join
        .onRef('prizes.campaign_id', '=', 'entries.campaign_id')
        .onRef('prizes.prize_id', '=', 'entries.prize_id'),
    )
    .select([
      'entries.outcome',
      'entries.prize_id',
      'entries.prize_code',
      'entries.reasons',
      'prizes.name as prize_name',
    ])
    .where('entries.campaign_id', '=', campaignId)
    .where('entries.x_user_id', '=', xUserId)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    outcome: row.outcome,
    prizeId: row.prize_id,
    prizeName: row.prize_name,
    prizeCode: row.prize_code,
    reasons: Array.isArray(row.reasons) ? row.reasons : [],
  };
}
