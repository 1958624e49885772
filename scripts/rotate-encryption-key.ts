/**
 * `npm run rotate-encryption-key`: re-encrypts every linked X credential under
 * KUJI_ENCRYPTION_KEY, reading the old ones with KUJI_ENCRYPTION_KEYS_OLD. Safe to run again
 * (what is already under the new key is left alone); exits 1 while any envelope is unreadable.
 * The steps around it are in docs/security.md ("Rotating keys").
 */
import { loadSettings, requireDatabaseUrl } from '../config/settings';
import { createDb } from '../db/client';
import { credentialsEnvelopeStore } from '../db/repositories/credential-envelopes';
import { reencryptAllCredentials } from '../x/credentials-rotation';
import { loadCredentialsKey } from '../x/credentials';

async function main() {
  const key = loadCredentialsKey(process.env);
  const db = createDb(requireDatabaseUrl(loadSettings()), { max: 2 });
  try {
    const outcome = await reencryptAllCredentials(credentialsEnvelopeStore(db), key);
    console.log(
      `Credentials now under key ${outcome.keyId}: ${outcome.reencrypted.length} re-encrypted, ` +
        `${outcome.alreadyCurrent.length} already current, ` +
        `${outcome.changedMeanwhile.length} rewritten meanwhile by Kuji, ` +
        `${outcome.unreadable.length} unreadable.`,
    );
    for (const { message } of outcome.unreadable) console.error(`  ${message}`);
    if (outcome.unreadable.length > 0) {
      console.error(
        'Add the key they were written with to KUJI_ENCRYPTION_KEYS_OLD and run again, or re-link those accounts.',
      );
      process.exitCode = 1;
    }
  } finally {
    await db.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
