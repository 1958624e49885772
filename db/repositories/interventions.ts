import { sql } from 'kysely';
import { randomBytes } from 'node:crypto';
import type { Db } from '../client';
import type { InterventionRow, InterventionStatus } from '../database';

export interface Intervention {
  id: string;
  campaignId: string | null;
  accountId: string | null;
  kind: string;
  status: InterventionStatus;
  details: Record<string, unknown>;
  openedBy: string;
  openedAt: Date;
  resolution: string | null;
  resolvedBy: string | null;
  resolvedAt: Date | null;
  resolutionDetails: Record<string, unknown> | null;
}

function toIntervention(row: InterventionRow): Intervention {
  return {
    id: row.id,
    campaignId: row.campaign_id,
    accountId: row.account_id,
    kind: row.kind,
    status: row.status,
    details: (row.details ?? {}) as Record<string, unknown>,
    openedBy: row.opened_by,
    openedAt: row.opened_at,
    resolution: row.resolution,
    resolvedBy: row.resolved_by,
    resolvedAt: row.resolved_at,
    resolutionDetails: row.resolution_details as Record<string, unknown> | null,
  };
}

export function newInterventionId(): string {
  return `int-${randomBytes(6).toString('hex')}`;
}

/**
 * Opens an intervention once per cause: while one with the same campaign, kind and dedupe key
 * is open, a second report returns it (created: false) instead of opening another.
 */
export async function openIntervention(
  db: Db,
  input: {
    campaignId: string | null;
    accountId: string | null;
    kind: string;
    dedupeKey: string;
    details: Record<string, unknown>;
    openedBy: string;
  },
): Promise<{ intervention: Intervention; created: boolean }> {
  const inserted = await db
    .insertInto('interventions')
    .values({
      id: newInterventionId(),
      campaign_id: input.campaignId,
      account_id: input.accountId,
      kind: input.kind,
      dedupe_key: input.dedupeKey,
      details: JSON.stringify(input.details),
      opened_by: input.openedBy,
    })
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return { intervention: toIntervention(inserted), created: true };
  let existing = db
    .selectFrom('interventions')
    .selectAll()
    .where('kind', '=', input.kind)
    .where('dedupe_key', '=', input.dedupeKey)
    .where('status', '=', 'open');
  existing =
    input.campaignId === null
      ? existing.where('campaign_id', 'is', null)
      : existing.where('campaign_id', '=', input.campaignId);
  const row = await existing.executeTakeFirstOrThrow();
  return { intervention: toIntervention(row), created: false };
}

export async function findIntervention(db: Db, id: string): Promise<Intervention | undefined> {
  const row = await db
    .selectFrom('interventions')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? toIntervention(row) : undefined;
}

export async function listInterventions(
  db: Db,
  filter: { campaignId?: string; accountId?: string; status?: InterventionStatus; kind?: string },
  page?: { limit: number; offset: number },
): Promise<Intervention[]> {
  let query = db.selectFrom('interventions').selectAll().orderBy('opened_at').orderBy('id');
  if (page) query = query.limit(page.limit).offset(page.offset);
  if (filter.campaignId) query = query.where('campaign_id', '=', filter.campaignId);
  if (filter.accountId) query = query.where('account_id', '=', filter.accountId);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.kind) query = query.where('kind', '=', filter.kind);
  return (await query.execute()).map(toIntervention);
}

/**
 * Records how an intervention ended. Only an open one changes: resolving it again returns the
 * stored resolution with `changed: false`, so a retried activity or a double press is harmless.
 */
export async function resolveIntervention(
  db: Db,
  input: { id: string; resolution: string; by: string; details?: Record<string, unknown> },
): Promise<{ intervention: Intervention; changed: boolean } | undefined> {
  const updated = await db
    .updateTable('interventions')
    .set({
      status: 'resolved',
      resolution: input.resolution,
      resolved_by: input.by,
      resolved_at: new Date(),
      resolution_details: input.details ? JSON.stringify(input.details) : null,
    })
    .where('id', '=', input.id)
    .where('status', '=', 'open')
    .returningAll()
    .executeTakeFirst();
  if (updated) return { intervention: toIntervention(updated), changed: true };
  const existing = await findIntervention(db, input.id);
  return existing ? { intervention: existing, changed: false } : undefined;
}

/** Adds facts to a resolution already recorded (what its effect produced, e.g. a config version). */
export async function addResolutionDetails(
  db: Db,
  id: string,
  details: Record<string, unknown>,
): Promise<void> {
  await db
    .updateTable('interventions')
    .set((eb) => ({
      resolution_details: sql<string>`coalesce(${eb.ref('resolution_details')}, '{}'::jsonb) || ${JSON.stringify(details)}::jsonb`,
    }))
    .where('id', '=', id)
    .execute();
}
