/** Counts read at scrape time for the Prometheus gauges of `/metrics`. */
import { sql } from 'kysely';
import type { Db } from '../client';

/** One series of a gauge: its labels and its value (PostgreSQL's count/sum as read). */
export type LabelRow<L extends string> = Record<L, string> & { count: string | number | null };

async function rowsOf<R>(db: Db, query: ReturnType<typeof sql<R>>): Promise<R[]> {
  return (await query.execute(db)).rows;
}

export function countCampaignsByPhase(db: Db): Promise<LabelRow<'phase'>[]> {
  return rowsOf(
    db,
    sql<LabelRow<'phase'>>`
    select phase, count(*) as count from campaigns group by phase
  `,
  );
}

export function countPausedCampaigns(db: Db): Promise<LabelRow<never>[]> {
  return rowsOf(
    db,
    sql<LabelRow<never>>`
    select count(*) as count from campaigns where paused
  `,
  );
}

export function countDeliveriesByStateKindChannel(
  db: Db,
): Promise<LabelRow<'state' | 'kind' | 'channel'>[]> {
  return rowsOf(
    db,
    sql<LabelRow<'state' | 'kind' | 'channel'>>`
    select state, kind, channel, count(*) as count
    from deliveries group by state, kind, channel
  `,
  );
}

export function countOpenInterventionsByKind(db: Db): Promise<LabelRow<'kind'>[]> {
  return rowsOf(
    db,
    sql<LabelRow<'kind'>>`
    select kind, count(*) as count from interventions where status = 'open' group by kind
  `,
  );
}

export function countHaltedAccounts(db: Db): Promise<LabelRow<never>[]> {
  return rowsOf(
    db,
    sql<LabelRow<never>>`
    select count(*) as count from accounts where halt is not null
  `,
  );
}

export function sumQuotaUsedByAccount(db: Db): Promise<LabelRow<'account_id'>[]> {
  return rowsOf(
    db,
    sql<LabelRow<'account_id'>>`
    select account_id, sum(used) as count from dm_quota_days group by account_id
  `,
  );
}
