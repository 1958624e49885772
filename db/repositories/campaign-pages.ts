/**
 * What a campaign's public page reads: the campaign as approved, the draw's entry list, and its
 * promotions with the alternates passed over.
 */
import type { Db } from '../client';
import { selectCampaignsWithApprovedConfig } from './campaigns';
import { listPromotions } from './claims';

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

export interface PublishedPromotion {
  xUserId: string;
  replacesXUserId: string;
  promotedAt: Date;
}

/**
 * The promotions of a draw as draw.json publishes them, and the alternates passed over on the
 * way: settleClaims promotes the next alternate in draw order who is still an alternate, so an
 * alternate judged otherwise since the draw (ineligible, say) is skipped. Those are the draw's
 * alternates before the last one promoted that were not promoted themselves and whose entry is no
 * longer 'alternate' (or 'won'); the reason is their outcome and its reason codes. Promotions
 * made at the same instant (one settling) are listed in draw order. Nothing new is stored: the
 * re-derive script allows a skip only for an id listed here.
 */
export async function listPublishedPromotions(
  db: Db,
  input: { campaignId: string; alternates: readonly string[] },
): Promise<{
  promotions: PublishedPromotion[];
  passedOver: Array<{ xUserId: string; reason: string }>;
}> {
  const order = new Map(input.alternates.map((id, index) => [id, index]));
  const rank = (id: string) => order.get(id) ?? Number.MAX_SAFE_INTEGER;
  const promotions = (await listPromotions(db, input.campaignId)).sort(
    (a, b) => a.promotedAt.getTime() - b.promotedAt.getTime() || rank(a.xUserId) - rank(b.xUserId),
  );
  const promoted = new Set(promotions.map((p) => p.xUserId));
  const last = Math.max(-1, ...promotions.map((p) => order.get(p.xUserId) ?? -1));
  const skipped = input.alternates.slice(0, last + 1).filter((id) => !promoted.has(id));
  if (skipped.length === 0) return { promotions, passedOver: [] };
  const rows = await db
    .selectFrom('entries')
    .select(['x_user_id', 'outcome', 'reasons'])
    .where('campaign_id', '=', input.campaignId)
    .where('x_user_id', 'in', skipped)
    .execute();
  const byId = new Map(rows.map((row) => [row.x_user_id, row]));
  const passedOver = skipped.flatMap((xUserId) => {
    const row = byId.get(xUserId);
    if (row && (row.outcome === 'alternate' || row.outcome === 'won')) return [];
    const codes = (row?.reasons ?? []).map((reason) => reason.code);
    const outcome = row?.outcome ?? 'withdrawn';
    return [{ xUserId, reason: codes.length > 0 ? `${outcome}: ${codes.join(', ')}` : outcome }];
  });
  return { promotions, passedOver };
}
