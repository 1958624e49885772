import type { Db } from '../client';

/** An account's stored credentials envelope, as text: the database never sees what it holds. */
export interface CredentialsEnvelopeRow {
  accountId: string;
  envelope: string;
}

/** Every account that has linked credentials, by id (for a key rotation). */
export async function listCredentialsEnvelopes(db: Db): Promise<CredentialsEnvelopeRow[]> {
  const rows = await db
    .selectFrom('accounts')
    .select(['id', 'credentials_ciphertext'])
    .where('credentials_ciphertext', 'is not', null)
    .orderBy('id')
    .execute();
  return rows.flatMap((row) =>
    row.credentials_ciphertext ? [{ accountId: row.id, envelope: row.credentials_ciphertext }] : [],
  );
}

/**
 * Swaps one envelope for another of the same credentials (re-encrypted under another key), only
 * if the row still holds `from`: a refresh or re-link written meanwhile wins, and is already
 * under the writer's key. The version stays, since the credentials themselves did not change.
 */
export async function replaceCredentialsEnvelope(
  db: Db,
  accountId: string,
  from: string,
  to: string,
): Promise<boolean> {
  const result = await db
    .updateTable('accounts')
    .set({ credentials_ciphertext: to, updated_at: new Date() })
    .where('id', '=', accountId)
    .where('credentials_ciphertext', '=', from)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
