import type { Db } from '../db/client';
import { type Campaign, findCampaignById } from '../db/repositories/campaigns';
import { notFound } from './errors';

/** The campaign, or a 404 `campaign_not_found` the caller can act on. */
export async function requireCampaign(db: Db, id: string): Promise<Campaign> {
  const campaign = await findCampaignById(db, id);
  if (!campaign) throw notFound('campaign', id);
  return campaign;
}
