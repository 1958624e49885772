import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** A timestamptz column with a database default. */
type CreatedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null, Date | string | null>;
/** jsonb: written as a JSON string or object, read back parsed. */
type Json<T> = ColumnType<T, T | string, T | string>;

export type ApiRole = 'admin' | 'operator' | 'approver' | 'viewer';

export interface AccountsTable {
  id: string;
  handle: string;
  x_user_id: string | null;
  tier: Generated<string>;
  timezone: Generated<string>;
  dm_daily_cap: Generated<number>;
  status: Generated<string>;
  credentials_ciphertext: string | null;
  credentials_version: Generated<number>;
  created_at: CreatedTimestamp;
  updated_at: CreatedTimestamp;
}

export interface ApiKeysTable {
  id: string;
  name: string;
  role: ApiRole;
  key_hash: string;
  key_prefix: string;
  created_at: CreatedTimestamp;
  revoked_at: NullableTimestamp;
}

export interface CampaignsTable {
  id: string;
  name: string;
  account_id: string;
  config: Json<unknown>;
  phase: Generated<string>;
  paused: Generated<boolean>;
  author: string;
  workflow_id: string | null;
  workflow_run_id: string | null;
  preflight: Json<unknown> | null;
  created_at: CreatedTimestamp;
  updated_at: CreatedTimestamp;
}

export interface AuditLogTable {
  id: Generated<string>;
  at: CreatedTimestamp;
  actor: string;
  action: string;
  campaign_id: string | null;
  subject: string | null;
  outcome: string;
  details: Json<unknown> | null;
}

export interface Database {
  accounts: AccountsTable;
  api_keys: ApiKeysTable;
  campaigns: CampaignsTable;
  audit_log: AuditLogTable;
}

export type AccountRow = Selectable<AccountsTable>;
export type NewAccountRow = Insertable<AccountsTable>;
export type AccountUpdate = Updateable<AccountsTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type CampaignRow = Selectable<CampaignsTable>;
export type NewCampaignRow = Insertable<CampaignsTable>;
export type CampaignUpdate = Updateable<CampaignsTable>;
export type AuditLogRow = Selectable<AuditLogTable>;
