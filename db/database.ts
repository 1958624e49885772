import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { ConsentBasis, DeliveryChannel, EntrySource } from '../domain/consent';

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
  /** X's DM limit per 24 hours as it last reported it on a send; null until it has. */
  x_dm_day_limit: ColumnType<number | null, number | null | undefined, number | null>;
  status: Generated<string>;
  credentials_ciphertext: string | null;
  credentials_version: Generated<number>;
  /** When the stored credentials were linked: a revocation dated before it does not clear them. */
  credentials_linked_at: NullableTimestamp;
  /** What operators call the account (the brand's name); X's own name is not copied here. */
  display_name: ColumnType<string | null, string | null | undefined, string | null>;
  /** Set when sending is halted for every campaign on the account (restricted, auth lost). */
  halt: Json<AccountHaltJson> | null;
  halted_at: NullableTimestamp;
  created_at: CreatedTimestamp;
  updated_at: CreatedTimestamp;
}

export type OAuthStatePurpose = 'account_link' | 'participant_signin';

/** A pending "connect" to X: see the oauth_states migration. */
export interface OAuthStatesTable {
  state_hash: string;
  /** What the state started: linking a sender account, or a participant's sign-in. */
  purpose: ColumnType<OAuthStatePurpose, OAuthStatePurpose | undefined, OAuthStatePurpose>;
  /** Set for `account_link`. */
  account_id: string | null;
  /** Set for `participant_signin`: the campaign page the participant signs in on. */
  campaign_id: string | null;
  /** `participant_signin`: SHA-256 (hex) of the starting browser's sign-in cookie nonce. */
  browser_nonce_hash: string | null;
  requested_by: string;
  code_verifier: string;
  created_at: CreatedTimestamp;
  expires_at: ColumnType<Date, Date | string, Date | string>;
  used_at: NullableTimestamp;
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

/** A console sign-in: see the console_sessions migration. */
export interface ConsoleSessionsTable {
  /** SHA-256 (hex) of the cookie's token; the token itself is never stored. */
  token_hash: string;
  api_key_id: string;
  created_at: CreatedTimestamp;
  expires_at: ColumnType<Date, Date | string, Date | string>;
  /** Set by sign-out. */
  ended_at: NullableTimestamp;
}

/** One rate-limit bucket's hits in its current window: see the rate_limit_counters migration. */
export interface RateLimitCountersTable {
  /** SHA-256 of the limiter's key (an API key's or session's hash, an address). */
  bucket: string;
  hits: number;
  window_ends_at: ColumnType<Date, Date | string, Date | string>;
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
  secret_seed: string | null;
  /** Bumped by every configuration change; a change after approval needs a new approval. */
  config_version: Generated<number>;
  /** The version the last approval signed off (what sending uses); null before any approval. */
  approved_config_version: number | null;
  created_at: CreatedTimestamp;
  updated_at: CreatedTimestamp;
}

/** Every configuration a campaign has had, by version (`campaigns.config` is the newest). */
export interface CampaignConfigVersionsTable {
  campaign_id: string;
  version: number;
  name: string;
  config: Json<unknown>;
  created_at: CreatedTimestamp;
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

/** How an entry event reached us: the polling reconciliation or the Account Activity webhook. */
export type EntryEventReceivedVia = 'poll' | 'webhook';
export type EntryOutcome = 'pending' | 'won' | 'lost' | 'alternate' | 'ineligible';
export type DeliveryKind = 'win' | 'lose' | 'follow_up' | 'rehearsal';
export type DeliveryState = 'queued' | 'reserved' | 'sending' | 'sent' | 'failed' | 'skipped';

/** Text shown to operators in both languages. */
export interface LocalizedTextJson {
  ja: string;
  en: string;
}

/** One reason an entry is not eligible (domain/eligibility.ts IneligibilityReason). */
export interface EntryReasonJson extends LocalizedTextJson {
  code: string;
}

export interface EntryEventsTable {
  id: Generated<string>;
  campaign_id: string;
  /** X's id: a post id, a DM event id, or `${source}:${userId}` for repost/follow/like. */
  x_event_id: string;
  source: EntrySource;
  x_user_id: string;
  username: string | null;
  text: string | null;
  occurred_at: NullableTimestamp;
  received_via: EntryEventReceivedVia;
  processed_at: NullableTimestamp;
  created_at: CreatedTimestamp;
}

/** X Activity API events already taken in, by X's event_uuid: a replayed delivery changes nothing. */
export interface WebhookEventsTable {
  event_uuid: string;
  event_type: string;
  received_at: CreatedTimestamp;
}

export interface EntriesTable {
  campaign_id: string;
  x_user_id: string;
  username: string | null;
  consent_basis: ConsentBasis;
  facts: Json<unknown>;
  eligible: boolean | null;
  reasons: Json<EntryReasonJson[]>;
  outcome: Generated<EntryOutcome>;
  prize_id: string | null;
  prize_code: string | null;
  first_seen_at: CreatedTimestamp;
  updated_at: CreatedTimestamp;
}

export interface PrizesTable {
  campaign_id: string;
  prize_id: string;
  name: string;
  value_yen: number;
  stock_total: number;
  stock_remaining: number;
  created_at: CreatedTimestamp;
}

export interface PrizeCodesTable {
  campaign_id: string;
  prize_id: string;
  code: string;
  assigned_x_user_id: string | null;
  assigned_at: NullableTimestamp;
}

export interface DeliveriesTable {
  id: string;
  campaign_id: string;
  account_id: string;
  x_user_id: string;
  kind: DeliveryKind;
  channel: DeliveryChannel;
  channel_reason: Json<unknown> | null;
  state: Generated<DeliveryState>;
  attempts: Generated<number>;
  error_code: string | null;
  error_category: string | null;
  error_reason: Json<LocalizedTextJson> | null;
  error_remedy: Json<LocalizedTextJson> | null;
  x_event_id: string | null;
  x_conversation_id: string | null;
  /** Local day key (YYYY-MM-DD) of the quota slot it was planned or reserved in. */
  window_day: string | null;
  eta: NullableTimestamp;
  reply_to_tweet_id: string | null;
  sending_started_at: NullableTimestamp;
  sent_at: NullableTimestamp;
  /** The intervention a follow-up or resend came from. */
  intervention_id: string | null;
  /** The delivery a resend repeats. */
  resend_of: string | null;
  /** Text fixed at queueing time (follow-ups); null renders the campaign's template. */
  body: string | null;
  /** Hex SHA-256 of the text sent (domain/verification.ts messageDigest); null until sent. */
  text_digest: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: CreatedTimestamp;
  updated_at: CreatedTimestamp;
}

export interface AccountHaltJson {
  code: string;
  category: string;
  campaignId: string | null;
}

export type InterventionStatus = 'open' | 'resolved';

export interface InterventionsTable {
  id: string;
  campaign_id: string | null;
  account_id: string | null;
  kind: string;
  status: Generated<InterventionStatus>;
  dedupe_key: string;
  details: Json<unknown>;
  opened_by: string;
  opened_at: CreatedTimestamp;
  resolution: string | null;
  resolved_by: string | null;
  resolved_at: NullableTimestamp;
  resolution_details: Json<unknown> | null;
}

export interface DmQuotaDaysTable {
  account_id: string;
  day_key: string;
  used: Generated<number>;
  cap: number;
}

export interface DmQuotaSlotsTable {
  account_id: string;
  delivery_id: string;
  day_key: string;
  reserved_at: CreatedTimestamp;
}

export interface DrawsTable {
  campaign_id: string;
  seed: string;
  digest: string;
  entry_count: number;
  winners: Json<string[]>;
  alternates: Json<string[]>;
  /** The sorted X user ids the draw ran over; null for draws stored before it was kept. */
  entry_ids: Json<string[]> | null;
  created_at: CreatedTimestamp;
}

/** X users an admin allowed to receive a sender account's rehearsal DMs. */
export interface TestAccountsTable {
  account_id: string;
  x_user_id: string;
  label: string | null;
  added_by: string;
  created_at: CreatedTimestamp;
}

/** What X said about a campaign's participant, stored as it is read (see participant-facts). */
export interface ParticipantFactsTable {
  campaign_id: string;
  x_user_id: string;
  profile: Json<{ protected: boolean; suspended: boolean } | null>;
  profile_checked_at: NullableTimestamp;
  follows: Json<{ followsSender: boolean; followedUserIds: string[] } | null>;
  follows_checked_at: NullableTimestamp;
  updated_at: CreatedTimestamp;
}

/** The entry watch's state per campaign (see migration 2026_12_03_1100_create_campaign_watch). */
export interface CampaignWatchTable {
  campaign_id: string;
  cursors: Json<{ repliesSinceId?: string }>;
  polled_at: NullableTimestamp;
  armed_checked_at: NullableTimestamp;
  last_armed_at: NullableTimestamp;
  updated_at: CreatedTimestamp;
}

export type ClaimStateColumn = 'open' | 'claimed' | 'forfeited';

/** A prize someone must claim (see migration 2026_12_03_1200_create_claims). */
export interface ClaimsTable {
  campaign_id: string;
  x_user_id: string;
  prize_id: string | null;
  state: Generated<ClaimStateColumn>;
  opened_at: ColumnType<Date, Date | string, Date | string>;
  deadline_at: ColumnType<Date, Date | string, Date | string>;
  claimed_at: NullableTimestamp;
  forfeited_at: NullableTimestamp;
  promoted_at: NullableTimestamp;
  replaces_x_user_id: string | null;
  /** The claim form's answers, sealed (x/credentials.ts sealSecret); null once purged. */
  data_sealed: string | null;
  data_purged_at: NullableTimestamp;
}

export interface ReportsTable {
  campaign_id: string;
  report: Json<unknown>;
  created_at: CreatedTimestamp;
  updated_at: CreatedTimestamp;
}

/** One billed X call: see the x_api_usage migration. */
export interface XApiUsageTable {
  id: Generated<string>;
  campaign_id: string | null;
  account_id: string;
  kind: string;
  units: number;
  /** X's id of what a write created (DM event, post); null for reads. */
  x_object_id: string | null;
  /** A read of the whole account's DM inbox or mentions: never against a campaign's budget. */
  account_wide: Generated<boolean>;
  counted_at: CreatedTimestamp;
}

/** A resource X charged for on a UTC day (X charges it once a day). */
export interface XApiReadDaysTable {
  utc_day: ColumnType<Date | string, string, string>;
  kind: string;
  resource_id: string;
}

export interface Database {
  accounts: AccountsTable;
  api_keys: ApiKeysTable;
  console_sessions: ConsoleSessionsTable;
  rate_limit_counters: RateLimitCountersTable;
  oauth_states: OAuthStatesTable;
  campaigns: CampaignsTable;
  campaign_config_versions: CampaignConfigVersionsTable;
  audit_log: AuditLogTable;
  entry_events: EntryEventsTable;
  webhook_events: WebhookEventsTable;
  entries: EntriesTable;
  prizes: PrizesTable;
  prize_codes: PrizeCodesTable;
  deliveries: DeliveriesTable;
  dm_quota_days: DmQuotaDaysTable;
  dm_quota_slots: DmQuotaSlotsTable;
  draws: DrawsTable;
  reports: ReportsTable;
  interventions: InterventionsTable;
  test_accounts: TestAccountsTable;
  participant_facts: ParticipantFactsTable;
  campaign_watch: CampaignWatchTable;
  claims: ClaimsTable;
  x_api_usage: XApiUsageTable;
  x_api_read_days: XApiReadDaysTable;
}

export type AccountRow = Selectable<AccountsTable>;
export type NewAccountRow = Insertable<AccountsTable>;
export type AccountUpdate = Updateable<AccountsTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type CampaignRow = Selectable<CampaignsTable>;
export type NewCampaignRow = Insertable<CampaignsTable>;
export type CampaignUpdate = Updateable<CampaignsTable>;
export type AuditLogRow = Selectable<AuditLogTable>;
export type EntryEventRow = Selectable<EntryEventsTable>;
export type EntryRow = Selectable<EntriesTable>;
export type PrizeRow = Selectable<PrizesTable>;
export type PrizeCodeRow = Selectable<PrizeCodesTable>;
export type DeliveryRow = Selectable<DeliveriesTable>;
export type NewDeliveryRow = Insertable<DeliveriesTable>;
export type DmQuotaDayRow = Selectable<DmQuotaDaysTable>;
export type DmQuotaSlotRow = Selectable<DmQuotaSlotsTable>;
export type DrawRow = Selectable<DrawsTable>;
export type ReportRow = Selectable<ReportsTable>;
export type ClaimRow = Selectable<ClaimsTable>;
export type InterventionRow = Selectable<InterventionsTable>;
