import type { ExpressionBuilder } from 'kysely';
import { eventTakingPhases } from '../../domain/phases';
import { type Db, inTransaction } from '../client';
import type { CampaignRow, Database } from '../database';

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
  /** The version the last approval signed off: sending uses it. Null before any approval. */
  approvedConfigVersion: number | null;
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
    approvedConfigVersion: row.approved_config_version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function insertCampaign(
  db: Db,
  campaign: { id: string; name: string; accountId: string; config: unknown; author: string },
): Promise<Campaign | undefined> {
  return inTransaction(db, async (trx) => {
    const row = await trx
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
    if (row) await recordConfigVersion(trx, row.id, row.config_version, row.name, campaign.config);
    return row ? toCampaign(row) : undefined;
  });
}

async function recordConfigVersion(
  db: Db,
  campaignId: string,
  version: number,
  name: string,
  config: unknown,
): Promise<void> {
  await db
    .insertInto('campaign_config_versions')
    .values({ campaign_id: campaignId, version, name, config: JSON.stringify(config) })
    .execute();
}

/** One stored version of a campaign's configuration. */
export async function findCampaignConfigVersion(
  db: Db,
  campaignId: string,
  version: number,
): Promise<{ version: number; name: string; config: unknown } | undefined> {
  return db
    .selectFrom('campaign_config_versions')
    .select(['version', 'name', 'config'])
    .where('campaign_id', '=', campaignId)
    .where('version', '=', version)
    .executeTakeFirst();
}

/** Records that an approval signed off `version`: from now on sending uses it. */
export async function pinApprovedConfigVersion(
  db: Db,
  campaignId: string,
  version: number,
): Promise<void> {
  await db
    .updateTable('campaigns')
    .set({ approved_config_version: version, updated_at: new Date() })
    .where('id', '=', campaignId)
    .execute();
}

/**
 * Campaigns joined with the configuration version their last approval pinned (`approved`; its
 * columns are null before any approval). What a campaign runs on, for participants, is
 * `approved.config ?? campaigns.config`: a change waiting for approval reaches no one.
 */
export function selectCampaignsWithApprovedConfig(db: Db) {
  return db
    .selectFrom('campaigns')
    .leftJoin('campaign_config_versions as approved', (join) =>
      join
        .onRef('approved.campaign_id', '=', 'campaigns.id')
        .onRef('approved.version', '=', 'campaigns.approved_config_version'),
    );
}

/** Campaigns that take X's events now: approved and not past delivering (see eventTakingPhases). */
function takingEvents(eb: ExpressionBuilder<Database, 'campaigns'>) {
  return eb.or([
    eb('campaigns.phase', 'in', [...eventTakingPhases]),
    eb.and([
      eb('campaigns.phase', '=', 'awaiting_approval'),
      eb('campaigns.approved_config_version', 'is not', null),
    ]),
  ]);
}

/**
 * The campaigns of the sender with X user id `xUserId` that take X's events now, with the
 * configuration they run on (`approvedConfig ?? config`), oldest first.
 */
export async function findCampaignsTakingEvents(db: Db, xUserId: string) {
  return selectCampaignsWithApprovedConfig(db)
    .innerJoin('accounts', 'accounts.id', 'campaigns.account_id')
    .where('accounts.x_user_id', '=', xUserId)
    .where(takingEvents)
    .select([
      'campaigns.id',
      'campaigns.workflow_id',
      'campaigns.config',
      'campaigns.config_version',
      'campaigns.approved_config_version',
      'campaigns.created_at',
      'approved.config as approvedConfig',
    ])
    .orderBy('campaigns.created_at')
    .orderBy('campaigns.id')
    .execute();
}

/**
 * Inside a transaction: true when the campaign still takes events, holding its row against a
 * phase change until the transaction ends, so events stored here are committed before the
 * workflow records `analyzing` and decides the last of them.
 */
export async function lockCampaignTakingEvents(trx: Db, campaignId: string): Promise<boolean> {
  const row = await trx
    .selectFrom('campaigns')
    .select('campaigns.id')
    .where('campaigns.id', '=', campaignId)
    .where(takingEvents)
    .forShare()
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * The other campaigns of the account that have not ended, with the configuration they run on
 * (`approvedConfig ?? config`): what a new campaign's entry rules must not collide with.
 */
export async function findOtherLiveCampaignsOfAccount(
  db: Db,
  accountId: string,
  exceptCampaignId: string,
) {
  return selectCampaignsWithApprovedConfig(db)
    .where('campaigns.account_id', '=', accountId)
    .where('campaigns.id', '!=', exceptCampaignId)
    .where('campaigns.phase', 'not in', ['completed', 'cancelled', 'failed'])
    .select([
      'campaigns.id',
      'campaigns.name',
      'campaigns.config',
      'approved.config as approvedConfig',
    ])
    .orderBy('campaigns.created_at')
    .execute();
}

/**
 * A campaign with the configuration it runs on (see selectCampaignsWithApprovedConfig); `config`
 * is undefined when the pinned version is not stored, which the caller must refuse.
 */
export async function findCampaignRunningConfig(
  db: Db,
  id: string,
): Promise<{ campaign: Campaign; config: unknown } | undefined> {
  const row = await selectCampaignsWithApprovedConfig(db)
    .selectAll('campaigns')
    .select(['approved.config as approvedConfig', 'approved.version as approvedVersion'])
    .where('campaigns.id', '=', id)
    .executeTakeFirst();
  if (!row) return undefined;
  const { approvedConfig, approvedVersion, ...campaign } = row;
  if (campaign.approved_config_version === null) {
    return { campaign: toCampaign(campaign), config: campaign.config };
  }
  return {
    campaign: toCampaign(campaign),
    config: approvedVersion === null ? undefined : approvedConfig,
  };
}

export async function findCampaignById(db: Db, id: string): Promise<Campaign | undefined> {
  const row = await db.selectFrom('campaigns').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toCampaign(row) : undefined;
}

export async function listCampaigns(
  db: Db,
  options: { limit: number; offset?: number; phase?: string },
): Promise<Campaign[]> {
  let query = db
    .selectFrom('campaigns')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(options.limit)
    .offset(options.offset ?? 0);
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

/**
 * Stores a changed configuration, keeps it as a new version, and returns that version (null: no
 * such campaign, or its version is no longer `ifVersion`). The approved version stays pinned until
 * the change is approved.
 */
export async function updateCampaignConfig(
  db: Db,
  id: string,
  config: unknown,
  name: string,
  options: { ifVersion?: number } = {},
): Promise<number | null> {
  return inTransaction(db, async (trx) => {
    let update = trx
      .updateTable('campaigns')
      .set((eb) => ({
        config: JSON.stringify(config),
        name,
        config_version: eb('config_version', '+', 1),
        updated_at: new Date(),
      }))
      .where('id', '=', id);
    if (options.ifVersion !== undefined) {
      update = update.where('config_version', '=', options.ifVersion);
    }
    const row = await update.returning('config_version').executeTakeFirst();
    if (!row) return null;
    await recordConfigVersion(trx, id, row.config_version, name, config);
    return row.config_version;
  });
}
