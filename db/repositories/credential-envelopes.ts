/**
 * Where linked X credentials are kept: `accounts.credentials_ciphertext`, an encrypted envelope
 * the database never reads into (x/credentials.ts encrypts and decrypts it), and
 * `credentials_version`, bumped on every write so a writer can compare and set.
 */
import { inTransaction, type Db } from '../client';
import { markAccountDisconnected } from './accounts';

/** An account's stored credentials envelope, as text: the database never sees what it holds. */
export interface CredentialsEnvelopeRow {
  accountId: string;
  envelope: string;
}

/** The account row as the credentials code needs it; `envelope` is null when nothing is linked. */
export interface StoredEnvelope {
  accountId: string;
  handle: string;
  xUserId: string | null;
  version: number;
  envelope: string | null;
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

/** The account's envelope and version; undefined when the account does not exist. */
export async function findCredentialsEnvelope(
  db: Db,
  accountId: string,
  options: { forUpdate?: boolean } = {},
): Promise<StoredEnvelope | undefined> {
  let query = db
    .selectFrom('accounts')
    .select(['id', 'handle', 'x_user_id', 'credentials_ciphertext', 'credentials_version'])
    .where('id', '=', accountId);
  if (options.forUpdate) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  return row
    ? {
        accountId: row.id,
        handle: row.handle,
        xUserId: row.x_user_id,
        version: row.credentials_version,
        envelope: row.credentials_ciphertext,
      }
    : undefined;
}

/**
 * Links (or re-links) an envelope to the account, with the X user id it belongs to when known.
 * Returns the new version; undefined when the account does not exist.
 */
export async function storeCredentialsEnvelope(
  db: Db,
  accountId: string,
  envelope: string,
  xUserId?: string,
): Promise<number | undefined> {
  const row = await db
    .updateTable('accounts')
    .set((eb) => ({
      credentials_ciphertext: envelope,
      credentials_version: eb('credentials_version', '+', 1),
      updated_at: new Date(),
      credentials_linked_at: new Date(),
      ...(xUserId ? { x_user_id: xUserId } : {}),
    }))
    .where('id', '=', accountId)
    .returning('credentials_version')
    .executeTakeFirst();
  return row?.credentials_version;
}

/**
 * Replaces the envelope only if nobody wrote one since `expectedVersion` was read (compare and
 * set). Returns the new version, or undefined when someone else won.
 */
export async function replaceCredentialsEnvelopeIfVersion(
  db: Db,
  accountId: string,
  expectedVersion: number,
  envelope: string,
): Promise<number | undefined> {
  const row = await db
    .updateTable('accounts')
    .set({
      credentials_ciphertext: envelope,
      credentials_version: expectedVersion + 1,
      updated_at: new Date(),
    })
    .where('id', '=', accountId)
    .where('credentials_version', '=', expectedVersion)
    .returning('credentials_version')
    .executeTakeFirst();
  return row?.credentials_version;
}

/** Unlinks the account's credentials (for example after an `oauth.revoke` event). */
export async function clearAccountCredentials(db: Db, accountId: string): Promise<void> {
  await db
    .updateTable('accounts')
    .set((eb) => ({
      credentials_ciphertext: null,
      credentials_version: eb('credentials_version', '+', 1),
      updated_at: new Date(),
    }))
    .where('id', '=', accountId)
    .execute();
}

/**
 * Unlinks the credentials of every account of the X user that were linked at or before
 * `revokedAt` (X's time of the revocation; now when X gave none). Credentials linked after it
 * belong to a newer consent and stay. Returns the ids of the accounts cleared.
 */
export async function clearCredentialsRevokedAt(
  db: Db,
  xUserId: string,
  revokedAt: Date,
): Promise<string[]> {
  const rows = await db
    .updateTable('accounts')
    .set((eb) => ({
      credentials_ciphertext: null,
      credentials_version: eb('credentials_version', '+', 1),
      updated_at: new Date(),
    }))
    .where('x_user_id', '=', xUserId)
    .where('credentials_ciphertext', 'is not', null)
    .where((eb) =>
      eb.or([
        eb('credentials_linked_at', 'is', null),
        eb('credentials_linked_at', '<=', revokedAt),
      ]),
    )
    .returning('id')
    .execute();
  return rows.map((row) => row.id);
}

export async function hasAccountCredentials(db: Db, accountId: string): Promise<boolean> {
  const row = await db
    .selectFrom('accounts')
    .select('credentials_ciphertext')
    .where('id', '=', accountId)
    .executeTakeFirst();
  return Boolean(row?.credentials_ciphertext);
}

/**
 * The envelope operations of one database (or transaction), shaped as x/credentials.ts's
 * `CredentialsEnvelopeStore`: the X side encrypts, decrypts and refreshes through it without
 * knowing there is a database.
 */
export function credentialsEnvelopeStore(db: Db) {
  return {
    find: (accountId: string) => findCredentialsEnvelope(db, accountId),
    store: (accountId: string, envelope: string, xUserId?: string) =>
      storeCredentialsEnvelope(db, accountId, envelope, xUserId),
    replaceIfVersion: (accountId: string, expectedVersion: number, envelope: string) =>
      replaceCredentialsEnvelopeIfVersion(db, accountId, expectedVersion, envelope),
    replace: (accountId: string, from: string, to: string) =>
      replaceCredentialsEnvelope(db, accountId, from, to),
    list: () => listCredentialsEnvelopes(db),
    clear: (accountId: string) => clearAccountCredentials(db, accountId),
    markDisconnected: (accountId: string) => markAccountDisconnected(db, accountId),
    /**
     * Runs `work` holding the account row's lock (`select … for update`) until it returns, with
     * the row as read under the lock and a compare-and-set write in the same transaction.
     */
    withLocked: <T>(
      accountId: string,
      work: (
        row: StoredEnvelope | undefined,
        replaceIfVersion: (
          expectedVersion: number,
          envelope: string,
        ) => Promise<number | undefined>,
      ) => Promise<T>,
    ): Promise<T> =>
      inTransaction(db, async (trx) =>
        work(await findCredentialsEnvelope(trx, accountId, { forUpdate: true }), (version, next) =>
          replaceCredentialsEnvelopeIfVersion(trx, accountId, version, next),
        ),
      ),
  };
}
