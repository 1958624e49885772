import type { Db } from '../client';
import type { DrawRow } from '../database';

/** A published draw (domain/lottery.ts PublishedDraw) as stored for its campaign. */
export interface StoredDraw {
  campaignId: string;
  seed: string;
  digest: string;
  entryCount: number;
  winners: string[];
  /** In promotion order. */
  alternates: string[];
  createdAt: Date;
}

/** The draw's columns but its entry list, which can be long: only entries.txt reads it. */
const drawColumns = [
  'campaign_id',
  'seed',
  'digest',
  'entry_count',
  'winners',
  'alternates',
  'created_at',
] as const;

export function toStoredDraw(row: Pick<DrawRow, (typeof drawColumns)[number]>): StoredDraw {
  return {
    campaignId: row.campaign_id,
    seed: row.seed,
    digest: row.digest,
    entryCount: row.entry_count,
    winners: row.winners,
    alternates: row.alternates,
    createdAt: row.created_at,
  };
}

/**
 * Stores the campaign's draw once. A campaign is drawn exactly once, so a second insert (a
 * retried activity) keeps the first draw and returns it: callers always act on the stored one.
 * `entryIds`, the ids the draw ran over, are kept with it for the published entry list.
 */
export async function insertDraw(
  db: Db,
  draw: {
    campaignId: string;
    seed: string;
    digest: string;
    entryCount: number;
    winners: readonly string[];
    alternates: readonly string[];
    entryIds?: readonly string[];
  },
): Promise<StoredDraw> {
  const inserted = await db
    .insertInto('draws')
    .values({
      campaign_id: draw.campaignId,
      seed: draw.seed,
      digest: draw.digest,
      entry_count: draw.entryCount,
      winners: JSON.stringify(draw.winners),
      alternates: JSON.stringify(draw.alternates),
      entry_ids: draw.entryIds ? JSON.stringify([...draw.entryIds].sort()) : null,
    })
    .onConflict((oc) => oc.column('campaign_id').doNothing())
    .returning(drawColumns)
    .executeTakeFirst();
  if (inserted) return toStoredDraw(inserted);
  const stored = await findDraw(db, draw.campaignId);
  if (!stored) throw new Error(`draw of campaign ${draw.campaignId} neither inserted nor found`);
  return stored;
}

export async function findDraw(db: Db, campaignId: string): Promise<StoredDraw | undefined> {
  const row = await db
    .selectFrom('draws')
    .select(drawColumns)
    .where('campaign_id', '=', campaignId)
    .executeTakeFirst();
  return row ? toStoredDraw(row) : undefined;
}
