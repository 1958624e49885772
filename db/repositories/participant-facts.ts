import { sql } from 'kysely';
import type { Db } from '../client';

export interface ParticipantProfile {
  protected: boolean;
  suspended: boolean;
}

export interface ParticipantFollows {
  followsSender: boolean;
  /** Which of the follow rule's other accounts the participant follows. */
  followedUserIds: string[];
}

/** What X said about one participant of one campaign, and when; null: not read yet. */
export interface ParticipantXFacts {
  xUserId: string;
  profile: ParticipantProfile | null;
  profileCheckedAt: Date | null;
  follows: ParticipantFollows | null;
  followsCheckedAt: Date | null;
}

/** The stored X facts of `xUserIds` in the campaign, by user id (absent: nothing read yet). */
export async function findParticipantFacts(
  db: Db,
  campaignId: string,
  xUserIds: readonly string[],
): Promise<Map<string, ParticipantXFacts>> {
  const found = new Map<string, ParticipantXFacts>();
  if (xUserIds.length === 0) return found;
  const rows = await db
    .selectFrom('participant_facts')
    .selectAll()
    .where('campaign_id', '=', campaignId)
    .where('x_user_id', 'in', [...xUserIds])
    .execute();
  for (const row of rows) {
    found.set(row.x_user_id, {
      xUserId: row.x_user_id,
      profile: row.profile,
      profileCheckedAt: row.profile_checked_at,
      follows: row.follows,
      followsCheckedAt: row.follows_checked_at,
    });
  }
  return found;
}

/** Stores the profiles one users lookup answered (the follows stored before are kept). */
export async function saveParticipantProfiles(
  db: Db,
  campaignId: string,
  profiles: readonly { xUserId: string; profile: ParticipantProfile }[],
  checkedAt: Date,
): Promise<void> {
  if (profiles.length === 0) return;
  await db
    .insertInto('participant_facts')
    .values(
      profiles.map(({ xUserId, profile }) => ({
        campaign_id: campaignId,
        x_user_id: xUserId,
        profile: JSON.stringify(profile),
        profile_checked_at: checkedAt,
      })),
    )
    .onConflict((oc) =>
      oc.columns(['campaign_id', 'x_user_id']).doUpdateSet((eb) => ({
        profile: eb.ref('excluded.profile'),
        profile_checked_at: eb.ref('excluded.profile_checked_at'),
        updated_at: sql<Date>`now()`,
      })),
    )
    .execute();
}

/** Stores what one participant's following list showed (the profile stored before is kept). */
export async function saveParticipantFollows(
  db: Db,
  campaignId: string,
  xUserId: string,
  follows: ParticipantFollows,
  checkedAt: Date,
): Promise<void> {
  await db
    .insertInto('participant_facts')
    .values({
      campaign_id: campaignId,
      x_user_id: xUserId,
      follows: JSON.stringify(follows),
      follows_checked_at: checkedAt,
    })
    .onConflict((oc) =>
      oc.columns(['campaign_id', 'x_user_id']).doUpdateSet((eb) => ({
        follows: eb.ref('excluded.follows'),
        follows_checked_at: eb.ref('excluded.follows_checked_at'),
        updated_at: sql<Date>`now()`,
      })),
    )
    .execute();
}
