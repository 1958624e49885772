import { sql } from 'kysely';
import type { Db } from '../client';

export interface StoredReport {
  campaignId: string;
  report: unknown;
  createdAt: Date;
  updatedAt: Date;
}

/** Stores the campaign's latest report, replacing an earlier one. */
export async function upsertReport(db: Db, campaignId: string, report: unknown): Promise<void> {
  await db
    .insertInto('reports')
    .values({ campaign_id: campaignId, report: JSON.stringify(report) })
    .onConflict((oc) =>
      oc.column('campaign_id').doUpdateSet((eb) => ({
        report: eb.ref('excluded.report'),
        updated_at: sql<Date>`now()`,
      })),
    )
    .execute();
}

export async function findReport(db: Db, campaignId: string): Promise<StoredReport | undefined> {
  const row = await db
    .selectFrom('reports')
    .selectAll()
    .where('campaign_id', '=', campaignId)
    .executeTakeFirst();
  return row
    ? {
        campaignId: row.campaign_id,
        report: row.report,
        createdAt: row.created_at,
        updatedAt: row.updated_at,
      }
    : undefined;
}
