import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createCipheriv, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { credentialsEnvelopeStore } from '../../db/repositories/credential-envelopes';
import {
  credentialsKeyId,
  decryptCredentials,
  encryptCredentials,
  envelopeKeyId,
  loadAccountCredentials,
  loadCredentialsKey,
  storeAccountCredentials,
  type XCredentials,
} from '../../x/credentials';
import { reencryptAllCredentials } from '../../x/credentials-rotation';
import { createTestDatabase, type TestDatabase } from '../support/database';

const root = path.resolve(__dirname, '../..');

const credentials: XCredentials = {
  kind: 'oauth1',
  appKey: 'app-key',
  appSecret: 'app-secret-value',
  accessToken: 'access-token-value',
  accessSecret: 'access-secret-value',
};

/** An envelope of the first format (`v1.iv.tag.ciphertext`, no key id), as Kuji wrote them. */
function legacyEnvelope(key: Buffer, accountId: string, value: XCredentials): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(`kuji:accounts:${accountId}:credentials`, 'utf8'));
  const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return ['v1', iv, cipher.getAuthTag(), body]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

const b64 = (key: Buffer) => key.toString('base64');

describe('credentials envelopes carry the key id', () => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);

  it('names the key that wrote it, as a short hash that reveals nothing of the key', () => {
    const envelope = encryptCredentials(newKey, 'acct-1', credentials);
    assert.equal(envelopeKeyId(envelope), credentialsKeyId(newKey));
    assert.match(credentialsKeyId(newKey), /^[\w-]{11}$/);
    assert.notEqual(credentialsKeyId(newKey), credentialsKeyId(oldKey));
    assert.equal(envelope.includes(newKey.toString('base64url').slice(0, 11)), false);
  });

  it('reads envelopes of the old keys listed in KUJI_ENCRYPTION_KEYS_OLD, v1 ones included', () => {
    const older = randomBytes(32);
    const ring = loadCredentialsKey({
      KUJI_ENCRYPTION_KEY: b64(newKey),
      KUJI_ENCRYPTION_KEYS_OLD: `${b64(oldKey)}, ${older.toString('hex')}`,
    });
    assert.deepEqual(ring, newKey);
    const underOld = encryptCredentials(oldKey, 'acct-1', credentials);
    assert.deepEqual(decryptCredentials(ring, 'acct-1', underOld), credentials);
    assert.deepEqual(
      decryptCredentials(ring, 'acct-1', legacyEnvelope(older, 'acct-1', credentials)),
      credentials,
    );
    // New writes always use the current key.
    assert.equal(
      envelopeKeyId(encryptCredentials(ring, 'acct-1', credentials)),
      credentialsKeyId(newKey),
    );
    // Without the old key the envelope says which key it needs.
    const newOnly = loadCredentialsKey({ KUJI_ENCRYPTION_KEY: b64(newKey) });
    assert.throws(
      () => decryptCredentials(newOnly, 'acct-1', underOld),
      new RegExp(`written with key ${credentialsKeyId(oldKey)}`),
    );
  });

  it('refuses an old key of the wrong length by its position', () => {
    assert.throws(
      () =>
        loadCredentialsKey({
          KUJI_ENCRYPTION_KEY: b64(newKey),
          KUJI_ENCRYPTION_KEYS_OLD: `${b64(oldKey)} ${randomBytes(8).toString('hex')}`,
        }),
      /KUJI_ENCRYPTION_KEYS_OLD \(key 2\) must decode to exactly 32 bytes/,
    );
  });
});

describe('re-encrypting every credential under a new key (PostgreSQL)', () => {
  let database: TestDatabase;
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const lostKey = randomBytes(32);
  const ring = loadCredentialsKey({
    KUJI_ENCRYPTION_KEY: b64(newKey),
    KUJI_ENCRYPTION_KEYS_OLD: b64(oldKey),
  });

  before(async () => {
    database = await createTestDatabase();
  });
  after(async () => {
    await database?.close();
  });
  beforeEach(async () => {
    await database.truncate();
    const ids = ['acct-v1', 'acct-old', 'acct-new', 'acct-lost', 'acct-unlinked'];
    await database.db
      .insertInto('accounts')
      .values(ids.map((id) => ({ id, handle: id.replace('-', '_') })))
      .execute();
    await database.db
      .updateTable('accounts')
      .set({ credentials_ciphertext: legacyEnvelope(oldKey, 'acct-v1', credentials) })
      .where('id', '=', 'acct-v1')
      .execute();
    await storeAccountCredentials(
      credentialsEnvelopeStore(database.db),
      oldKey,
      'acct-old',
      credentials,
    );
    await storeAccountCredentials(
      credentialsEnvelopeStore(database.db),
      newKey,
      'acct-new',
      credentials,
    );
    await storeAccountCredentials(
      credentialsEnvelopeStore(database.db),
      lostKey,
      'acct-lost',
      credentials,
    );
  });

  async function envelopes() {
    const rows = await database.db
      .selectFrom('accounts')
      .select(['id', 'credentials_ciphertext', 'credentials_version'])
      .orderBy('id')
      .execute();
    return new Map(rows.map((row) => [row.id, row]));
  }

  it('rewrites old envelopes under the new key, once, and leaves the rest', async () => {
    const before = await envelopes();
    const first = await reencryptAllCredentials(credentialsEnvelopeStore(database.db), ring);
    assert.equal(first.keyId, credentialsKeyId(newKey));
    assert.deepEqual(first.reencrypted, ['acct-old', 'acct-v1']);
    assert.deepEqual(first.alreadyCurrent, ['acct-new']);
    assert.deepEqual(
      first.unreadable.map((u) => u.accountId),
      ['acct-lost'],
    );
    const afterFirst = await envelopes();
    for (const id of ['acct-old', 'acct-v1']) {
      const row = afterFirst.get(id);
      assert.equal(envelopeKeyId(row?.credentials_ciphertext ?? ''), credentialsKeyId(newKey));
      // Same credentials, so the version a token refresh compares against stays.
      assert.equal(row?.credentials_version, before.get(id)?.credentials_version);
    }
    assert.equal(
      afterFirst.get('acct-new')?.credentials_ciphertext,
      before.get('acct-new')?.credentials_ciphertext,
    );
    assert.equal(
      afterFirst.get('acct-lost')?.credentials_ciphertext,
      before.get('acct-lost')?.credentials_ciphertext,
    );
    assert.equal(afterFirst.get('acct-unlinked')?.credentials_ciphertext, null);

    // The old key can go: the new one alone reads everything that was readable.
    const newOnly = loadCredentialsKey({ KUJI_ENCRYPTION_KEY: b64(newKey) });
    for (const id of ['acct-old', 'acct-v1', 'acct-new']) {
      const stored = await loadAccountCredentials(
        credentialsEnvelopeStore(database.db),
        newOnly,
        id,
      );
      assert.deepEqual(stored.credentials, credentials);
    }

    const second = await reencryptAllCredentials(credentialsEnvelopeStore(database.db), ring);
    assert.deepEqual(second.reencrypted, []);
    assert.deepEqual(second.alreadyCurrent, ['acct-new', 'acct-old', 'acct-v1']);
    const afterSecond = await envelopes();
    for (const id of ['acct-old', 'acct-v1']) {
      assert.equal(
        afterSecond.get(id)?.credentials_ciphertext,
        afterFirst.get(id)?.credentials_ciphertext,
      );
    }
  });

  it('is the documented command `npm run rotate-encryption-key`', async () => {
    const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    assert.match(
      manifest.scripts['rotate-encryption-key'] ?? '',
      /scripts\/rotate-encryption-key\.ts/,
    );
    const run = (extra: Record<string, string>) =>
      promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', path.join(root, 'scripts/rotate-encryption-key.ts')],
        {
          cwd: root,
          env: {
            PATH: process.env.PATH ?? '',
            DATABASE_URL: database.url,
            KUJI_ENCRYPTION_KEY: b64(newKey),
            KUJI_ENCRYPTION_KEYS_OLD: b64(oldKey),
            ...extra,
          },
        },
      );
    // The lost key's account keeps the command failing, and saying why.
    await assert.rejects(run({}), (error: { code?: number; stdout?: string; stderr?: string }) => {
      assert.equal(error.code, 1);
      assert.match(
        error.stdout ?? '',
        /2 re-encrypted, 1 already current, 0 rewritten meanwhile by Kuji, 1 unreadable/,
      );
      assert.match(error.stderr ?? '', /acct-lost/);
      return true;
    });
    const { stdout } = await run({ KUJI_ENCRYPTION_KEYS_OLD: `${b64(oldKey)},${b64(lostKey)}` });
    assert.match(
      stdout,
      /1 re-encrypted, 3 already current, 0 rewritten meanwhile by Kuji, 0 unreadable/,
    );
    const rows = await envelopes();
    for (const id of ['acct-v1', 'acct-old', 'acct-new', 'acct-lost']) {
      assert.equal(
        envelopeKeyId(rows.get(id)?.credentials_ciphertext ?? ''),
        credentialsKeyId(newKey),
        id,
      );
    }
  });
});
