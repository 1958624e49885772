/**
 * Re-encrypts every stored X credentials envelope under the current credentials key, so an old
 * key can be retired. Idempotent: an envelope already under the current key is left as it is.
 */
import {
  CredentialsError,
  type CredentialsEnvelopeStore,
  credentialsKeyId,
  decryptCredentials,
  encryptCredentials,
  envelopeKeyId,
} from './credentials';

export interface RotationOutcome {
  /** The id of the key everything is now under. */
  keyId: string;
  reencrypted: string[];
  alreadyCurrent: string[];
  /** Changed by someone else meanwhile (a refresh or re-link writes under the current key). */
  changedMeanwhile: string[];
  /** Written with a key that is neither current nor listed as old: left as they are. */
  unreadable: { accountId: string; message: string }[];
}

/** `key` as loaded by loadCredentialsKey: the new key, with the old ones it still reads. */
export async function reencryptAllCredentials(
  envelopes: Pick<CredentialsEnvelopeStore, 'list' | 'replace'>,
  key: Buffer,
): Promise<RotationOutcome> {
  const keyId = credentialsKeyId(key);
  const outcome: RotationOutcome = {
    keyId,
    reencrypted: [],
    alreadyCurrent: [],
    changedMeanwhile: [],
    unreadable: [],
  };
  for (const { accountId, envelope } of await envelopes.list()) {
    if (envelopeKeyId(envelope) === keyId) {
      outcome.alreadyCurrent.push(accountId);
      continue;
    }
    let credentials;
    try {
      credentials = decryptCredentials(key, accountId, envelope);
    } catch (error) {
      if (!(error instanceof CredentialsError)) throw error;
      outcome.unreadable.push({ accountId, message: error.message });
      continue;
    }
    const replaced = await envelopes.replace(
      accountId,
      envelope,
      encryptCredentials(key, accountId, credentials),
    );
    (replaced ? outcome.reencrypted : outcome.changedMeanwhile).push(accountId);
  }
  return outcome;
}
