import type { Db } from '../client';
import type { OAuthStatePurpose } from '../database';

/** How long a person has to finish X's consent screen after Kuji handed them the authorize URL. */
export const OAUTH_STATE_LIFETIME_MS = 10 * 60_000;

/** What a state is bound to: a sender account (an admin links it) or a campaign (a participant). */
export type OAuthStateBinding =
  | { purpose: 'account_link'; accountId: string }
  | { purpose: 'participant_signin'; campaignId: string };

export type OAuthStateClaim = (
  | Extract<OAuthStateBinding, { purpose: 'account_link' }>
  | (Extract<OAuthStateBinding, { purpose: 'participant_signin' }> & {
      /** SHA-256 of the starting browser's sign-in nonce; null for states from before it. */
      browserNonceHash: string | null;
    })
) & {
  requestedBy: string;
  codeVerifier: string;
};

export type ClaimOutcome =
  | { status: 'claimed'; claim: OAuthStateClaim }
  | { status: 'unknown' }
  /** Spent or ran out: the binding says which flow should tell the person to start again. */
  | { status: 'used' | 'expired'; binding: OAuthStateBinding };

/** Remembers a state (by its hash) for one account or campaign and whoever asked. */
export async function insertOAuthState(
  db: Db,
  state: (
    | Extract<OAuthStateBinding, { purpose: 'account_link' }>
    | (Extract<OAuthStateBinding, { purpose: 'participant_signin' }> & {
        browserNonceHash: string;
      })
    | { accountId: string; purpose?: undefined }
  ) & {
    stateHash: string;
    requestedBy: string;
    codeVerifier: string;
    now: Date;
  },
): Promise<void> {
  await db
    .insertInto('oauth_states')
    .values({
      state_hash: state.stateHash,
      purpose: state.purpose ?? 'account_link',
      account_id: state.purpose === 'participant_signin' ? null : state.accountId,
      campaign_id: state.purpose === 'participant_signin' ? state.campaignId : null,
      browser_nonce_hash: state.purpose === 'participant_signin' ? state.browserNonceHash : null,
      requested_by: state.requestedBy,
      code_verifier: state.codeVerifier,
      created_at: state.now,
      expires_at: new Date(state.now.getTime() + OAUTH_STATE_LIFETIME_MS),
    })
    .execute();
}

function toBinding(row: {
  purpose: OAuthStatePurpose;
  account_id: string | null;
  campaign_id: string | null;
}): OAuthStateBinding {
  // The table's check constraint guarantees the id that goes with the purpose.
  return row.purpose === 'participant_signin'
    ? { purpose: 'participant_signin', campaignId: row.campaign_id ?? '' }
    : { purpose: 'account_link', accountId: row.account_id ?? '' };
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
    .returning([
      'purpose',
      'account_id',
      'campaign_id',
      'browser_nonce_hash',
      'requested_by',
      'code_verifier',
    ])
    .executeTakeFirst();
  if (claimed) {
    const binding = toBinding(claimed);
    const secrets = { requestedBy: claimed.requested_by, codeVerifier: claimed.code_verifier };
    return {
      status: 'claimed',
      claim:
        binding.purpose === 'participant_signin'
          ? { ...binding, browserNonceHash: claimed.browser_nonce_hash, ...secrets }
          : { ...binding, ...secrets },
    };
  }
  const row = await db
    .selectFrom('oauth_states')
    .select(['used_at', 'purpose', 'account_id', 'campaign_id'])
    .where('state_hash', '=', stateHash)
    .executeTakeFirst();
  if (!row) return { status: 'unknown' };
  return { status: row.used_at ? 'used' : 'expired', binding: toBinding(row) };
}

/** Forgets states that ended more than a day ago (spent ones stay a day to tell a replay). */
export async function deleteStaleOAuthStates(db: Db, now: Date): Promise<number> {
  const result = await db
    .deleteFrom('oauth_states')
    .where('expires_at', '<', new Date(now.getTime() - 24 * 60 * 60_000))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
