import type { Db } from '../client';
import type { CampaignRow } from '../database';

export interface Campaign {
  id: string;
  name: string;
  accountId: string;
  config: unknown;
  phase: string;
  paused: boolean;
  author: string;
  workflowId: string | null;
  workflowRunId: string | null;
  preflight: unknown;
  configVersion: number;
  createdAt: Date;
  updatedAt: Date;
}

export function toCampaign(row: CampaignRow): Campaign {
  return {
    id: row.id,
    name: row.name,
    accountId: row.account_id,
    config: row.config,
    phase: row.phase,
    paused: row.paused,
    author: row.author,
    workflowId: row.workflow_id,
    workflowRunId: row.workflow_run_id,
    preflight: row.preflight,
    configVersion: row.config_version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function insertCampaign(
  db: Db,
  campaign: { id: string; name: string; accountId: string; config: unknown; author: string },
): Promise<Campaign | undefined> {
  const row = await db
    .insertInto('campaigns')
    .values({
      id: campaign.id,
      name: campaign.name,
      account_id: campaign.accountId,
      config: JSON.stringify(campaign.config),
      author: campaign.author,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .returningAll()
    .executeTakeFirst();
  return row ? toCampaign(row) : undefined;
}

export async function findCampaignById(db: Db, id: string): Promise<Campaign | undefined> {
  const row = await db.selectFrom('campaigns').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toCampaign(row) : undefined;
}

export async function listCampaigns(
  db: Db,
  options: { limit: number; phase?: string },
): Promise<Campaign[]> {
  let query = db
    .selectFrom('campaigns')
    .selectAll()
    .orderBy('created_at', 'desc')
    .limit(options.limit);
  if (options.phase) query = query.where('phase', '=', options.phase);
  return (await query.execute()).map(toCampaign);
}

export async function updateCampaignPhase(
  db: Db,
  id: string,
  phase: string,
  workflowRunId?: string,
): Promise<void> {
  await db
    .updateTable('campaigns')
    .set({
      phase,
      updated_at: new Date(),
      ...(workflowRunId ? { workflow_run_id: workflowRunId } : {}),
    })
    .where('id', '=', id)
    .execute();
}

export async function markCampaignStarted(db: Db, id: string, workflowId: string, runId: string) {
  await db
    .updateTable('campaigns')
    .set({
      workflow_id: workflowId,
      workflow_run_id: runId,
      phase: 'preflight',
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .where('phase', '=', 'draft')
    .execute();
}

export async function updateCampaignPreflight(
  db: Db,
  id: string,
  preflight: unknown,
): Promise<void> {
  await db
    .updateTable('campaigns')
    .set({ preflight: JSON.stringify(preflight), updated_at: new Date() })
    .where('id', '=', id)
    .execute();
}

/** Stores a changed configuration and returns its new version (null: no such campaign). */
export async function updateCampaignConfig(
  db: Db,
  id: string,
  config: unknown,
  name: string,
): Promise<number | null> {
  const row = await db
    .updateTable('campaigns')
    .set((eb) => ({
      config: JSON.stringify(config),
      name,
      config_version: eb('config_version', '+', 1),
      updated_at: new Date(),
    }))
    .where('id', '=', id)
    .returning('config_version')
    .executeTakeFirst();
  return row ? row.config_version : null;
}
