import type { Db } from '../client';

/** How long an admin has to finish X's consent screen after asking for the authorize URL. */
export const OAUTH_STATE_LIFETIME_MS = 10 * 60_000;

export interface OAuthStateClaim {
  accountId: string;
  requestedBy: string;
  codeVerifier: string;
}

export type ClaimOutcome =
  { status: 'claimed'; claim: OAuthStateClaim } | { status: 'unknown' | 'used' | 'expired' };

/** Remembers a state (by its hash) for one account and one admin key. */
export async function insertOAuthState(
  db: Db,
  state: {
    stateHash: string;
    accountId: string;
    requestedBy: string;
    codeVerifier: string;
    now: Date;
  },
): Promise<void> {
  await db
    .insertInto('oauth_states')
    .values({
      state_hash: state.stateHash,
      account_id: state.accountId,
      requested_by: state.requestedBy,
      code_verifier: state.codeVerifier,
      created_at: state.now,
      expires_at: new Date(state.now.getTime() + OAUTH_STATE_LIFETIME_MS),
    })
    .execute();
}

/**
 * Spends a state: the first callback that presents it wins (one update, so two callbacks racing
 * cannot both claim it); a second presentation is `used`, a late one `expired`.
 */
export async function claimOAuthState(db: Db, stateHash: string, now: Date): Promise<ClaimOutcome> {
  const claimed = await db
    .updateTable('oauth_states')
    .set({ used_at: now })
    .where('state_hash', '=', stateHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returning(['account_id', 'requested_by', 'code_verifier'])
    .executeTakeFirst();
  if (claimed) {
    return {
      status: 'claimed',
      claim: {
        accountId: claimed.account_id,
        requestedBy: claimed.requested_by,
        codeVerifier: claimed.code_verifier,
      },
    };
  }
  const row = await db
    .selectFrom('oauth_states')
    .select(['used_at'])
    .where('state_hash', '=', stateHash)
    .executeTakeFirst();
  if (!row) return { status: 'unknown' };
  return { status: row.used_at ? 'used' : 'expired' };
}

/** Forgets states that ended more than a day ago (spent ones stay a day to tell a replay). */
export async function deleteStaleOAuthStates(db: Db, now: Date): Promise<number> {
  const result = await db
    .deleteFrom('oauth_states')
    .where('expires_at', '<', new Date(now.getTime() - 24 * 60 * 60_000))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
