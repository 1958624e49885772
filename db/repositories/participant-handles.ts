/** The X username Kuji saw for a participant, to say on their page who is signed in. */
import type { Db } from '../client';

/**
 * The username of `xUserId` as this campaign's entry recorded it (one primary-key lookup), or
 * undefined when they have no entry here or X gave no username with it.
 */
export async function findParticipantUsername(
  db: Db,
  campaignId: string,
  xUserId: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('entries')
    .select('username')
    .where('campaign_id', '=', campaignId)
    .where('x_user_id', '=', xUserId)
    .executeTakeFirst();
  return row?.username ?? undefined;
}
