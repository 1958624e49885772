/** What a campaign's public page reads: the campaign as approved, and the draw's entry list. */
import type { Db } from '../client';
import { selectCampaignsWithApprovedConfig } from './campaigns';

export interface CampaignPageRow {
  id: string;
  /** The approved name (participants never see a change still waiting for approval). */
  name: string;
  phase: string;
  secretSeed: string | null;
  /** Whether an approver signed a configuration off (drafts have no public page). */
  approved: boolean;
  /** The approved configuration's JSON (the current one before any approval) and its version. */
  config: unknown;
  configVersion: number;
}

export async function findCampaignPage(
  db: Db,
  campaignId: string,
): Promise<CampaignPageRow | undefined> {
  const row = await selectCampaignsWithApprovedConfig(db)
    .select([
      'campaigns.id',
      'campaigns.name',
      'campaigns.phase',
      'campaigns.secret_seed',
      'campaigns.config',
      'campaigns.config_version',
      'approved.name as approvedName',
      'approved.config as approvedConfig',
      'approved.version as approvedVersion',
    ])
    .where('campaigns.id', '=', campaignId)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.id,
    name: row.approvedName ?? row.name,
    phase: row.phase,
    secretSeed: row.secret_seed,
    approved: row.approvedVersion !== null,
    config: row.approvedConfig ?? row.config,
    configVersion: row.approvedVersion ?? row.config_version,
  };
}

/**
 * The X user ids the draw ran over, sorted as the draw sorts them: the list stored with the draw,
 * so outcomes changed since (an alternate judged ineligible) do not change it. Draws stored
 * before the list was kept rebuild it from the eligible entries the draw gave an outcome (won,
 * lost or alternate; a promoted alternate has won). Callers check the list against the stored
 * digest before publishing it.
 */
export async function listDrawnEntryIds(db: Db, campaignId: string): Promise<string[]> {
  const draw = await db
    .selectFrom('draws')
    .select('entry_ids')
    .where('campaign_id', '=', campaignId)
    .executeTakeFirst();
  if (draw?.entry_ids) return [...draw.entry_ids].sort();
  const rows = await db
    .selectFrom('entries')
    .select('x_user_id')
    .where('campaign_id', '=', campaignId)
    .where('eligible', '=', true)
    .where('outcome', 'in', ['won', 'lost', 'alternate'])
    .execute();
  return rows.map((row) => row.x_user_id).sort();
}
