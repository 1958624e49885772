import { randomBytes } from 'node:crypto';
import { newDrawSeed } from '../../domain/lottery';
import type { Db } from '../client';

/** The campaign's secret seed, or null while it has none (or the campaign does not exist). */
export async function findCampaignSecretSeed(db: Db, campaignId: string): Promise<string | null> {
  const row = await db
    .selectFrom('campaigns')
    .select('secret_seed')
    .where('id', '=', campaignId)
    .executeTakeFirst();
  return row?.secret_seed ?? null;
}

/**
 * The campaign's secret seed (it keys result links and instant-win rolls), created on first use.
 * The first writer wins: a concurrent caller's update finds the seed set and changes nothing, and
 * every caller returns the one stored seed. Throws when the campaign does not exist.
 */
export async function ensureCampaignSecretSeed(db: Db, campaignId: string): Promise<string> {
  const stored = await findCampaignSecretSeed(db, campaignId);
  if (stored) return stored;
  await db
    .updateTable('campaigns')
    .set({ secret_seed: newDrawSeed(randomBytes(32)) })
    .where('id', '=', campaignId)
    .where('secret_seed', 'is', null)
    .execute();
  const seed = await findCampaignSecretSeed(db, campaignId);
  if (!seed) throw new Error(`campaign ${campaignId} does not exist`);
  return seed;
}
