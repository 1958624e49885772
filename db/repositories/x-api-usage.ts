/**
 * Kuji's own X calls as X bills them (docs/x-costs.md): reads by the resources X returned,
 * charged once per resource and UTC day; writes by X's id of what they created, once.
 */
import { sql } from 'kysely';
import { type Db, inTransaction } from '../client';

export interface UsageSubject {
  campaignId: string | null;
  accountId: string;
  /**
   * A read of what belongs to the whole account (its DM inbox, its mentions): whichever campaign
   * polls first in a UTC day reads it, so it is never counted against that campaign's budget.
   */
  accountWide?: boolean;
}

/** How many UTC days of read resources are kept: today and yesterday (a call across midnight). */
const READ_DAYS_KEPT = 2;

export function utcDayOf(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/**
 * Counts a read: only the resources not yet charged today (UTC) count, so a poll that re-reads
 * the same list, or a retried read, adds nothing X would not bill. Returns the units counted.
 */
export async function recordXReadUsage(
  db: Db,
  subject: UsageSubject,
  read: { kind: string; resourceIds: readonly string[]; at: Date },
): Promise<number> {
  const ids = [...new Set(read.resourceIds)];
  if (ids.length === 0) return 0;
  const day = utcDayOf(read.at);
  return inTransaction(db, async (trx) => {
    const fresh = await trx
      .insertInto('x_api_read_days')
      .values(ids.map((id) => ({ utc_day: day, kind: read.kind, resource_id: id })))
      .onConflict((oc) => oc.doNothing())
      .returning('resource_id')
      .execute();
    if (fresh.length > 0) {
      await trx
        .insertInto('x_api_usage')
        .values({
          campaign_id: subject.campaignId,
          account_id: subject.accountId,
          kind: read.kind,
          units: fresh.length,
          account_wide: subject.accountWide ?? false,
        })
        .execute();
    }
    return fresh.length;
  });
}

/**
 * Counts a write X accepted, once per X id: the same DM or reply counted again (a retry that
 * found the copy X already holds) adds nothing. Returns whether it was counted now.
 */
export async function recordXWriteUsage(
  db: Db,
  subject: UsageSubject,
  write: { kind: string; xObjectId: string },
): Promise<boolean> {
  const inserted = await db
    .insertInto('x_api_usage')
    .values({
      campaign_id: subject.campaignId,
      account_id: subject.accountId,
      kind: write.kind,
      units: 1,
      x_object_id: write.xObjectId,
    })
    .onConflict((oc) =>
      oc.columns(['kind', 'x_object_id']).where('x_object_id', 'is not', null).doNothing(),
    )
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** Forgets read resources of days X no longer deduplicates against. */
export async function purgeXReadDays(db: Db, now: Date): Promise<number> {
  const oldest = new Date(now.getTime() - (READ_DAYS_KEPT - 1) * 86_400_000);
  const result = await db
    .deleteFrom('x_api_read_days')
    .where('utc_day', '<', utcDayOf(oldest))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * Units counted per kind for one campaign: its own calls, which its budget is held to. Reads of
 * account-wide resources its workflow made are left out (sumAccountWideXUsageByKind).
 */
export async function sumXUsageByKind(db: Db, campaignId: string): Promise<Record<string, number>> {
  return sumByKind(db, campaignId, false);
}

/** Units per kind of the account-wide reads (DM inbox, mentions) the campaign's workflow made. */
export async function sumAccountWideXUsageByKind(
  db: Db,
  campaignId: string,
): Promise<Record<string, number>> {
  return sumByKind(db, campaignId, true);
}

async function sumByKind(
  db: Db,
  campaignId: string,
  accountWide: boolean,
): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('x_api_usage')
    .select(['kind', sql<string>`sum(units)`.as('units')])
    .where('campaign_id', '=', campaignId)
    .where('account_wide', '=', accountWide)
    .groupBy('kind')
    .execute();
  return Object.fromEntries(rows.map((row) => [row.kind, Number(row.units)]));
}
