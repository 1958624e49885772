/**
 * What /verify reads (api/verify-message.ts): the campaigns a handle took part in, with the seed
 * that keys its verification codes, and the digests of the texts Kuji sent that participant.
 */
import type { DeliveryChannel } from '../../domain/consent';
import type { Db } from '../client';
import type { DeliveryKind, EntryOutcome } from '../database';

export interface HandleEntry {
  campaignId: string;
  campaignName: string;
  /** Null until the campaign's first result link, code or instant-win roll needed one. */
  secretSeed: string | null;
  xUserId: string;
  outcome: EntryOutcome;
}

/**
 * Every entry under `username` (case-insensitive, without `@`), newest campaign first: a handle
 * may have entered several campaigns, and X lets a handle pass from one account to another.
 */
export async function findEntriesByUsername(db: Db, username: string): Promise<HandleEntry[]> {
  const rows = await db
    .selectFrom('entries')
    .innerJoin('campaigns', 'campaigns.id', 'entries.campaign_id')
    .select([
      'entries.campaign_id',
      'campaigns.name',
      'campaigns.secret_seed',
      'entries.x_user_id',
      'entries.outcome',
    ])
    .where((eb) => eb(eb.fn('lower', ['entries.username']), '=', username.toLowerCase()))
    .orderBy('campaigns.created_at', 'desc')
    .limit(50)
    .execute();
  return rows.map((row) => ({
    campaignId: row.campaign_id,
    campaignName: row.name,
    secretSeed: row.secret_seed,
    xUserId: row.x_user_id,
    outcome: row.outcome,
  }));
}

export interface SentText {
  kind: DeliveryKind;
  channel: DeliveryChannel;
  textDigest: string;
  sentAt: Date | null;
}

/** The digests of the messages sent to a participant in a campaign (rehearsals excluded), newest first. */
export async function findSentTextDigests(
  db: Db,
  input: { campaignId: string; xUserId: string },
): Promise<SentText[]> {
  const rows = await db
    .selectFrom('deliveries')
    .select(['kind', 'channel', 'text_digest', 'sent_at'])
    .where('x_user_id', '=', input.xUserId)
    .where('campaign_id', '=', input.campaignId)
    .where('text_digest', 'is not', null)
    .where('state', '=', 'sent')
    .where('kind', '!=', 'rehearsal')
    .orderBy('sent_at', 'desc')
    .execute();
  return rows.map((row) => ({
    kind: row.kind,
    channel: row.channel,
    textDigest: row.text_digest ?? '',
    sentAt: row.sent_at,
  }));
}
