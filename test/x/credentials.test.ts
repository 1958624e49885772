import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  clearAccountCredentials,
  credentialsEnvelopeStore,
  hasAccountCredentials,
} from '../../db/repositories/credential-envelopes';
import {
  CredentialsError,
  CredentialsKeyError,
  decryptCredentials,
  encryptCredentials,
  generateCredentialsKey,
  loadAccountCredentials,
  loadCredentialsKey,
  MissingCredentialsError,
  replaceAccountCredentialsIfVersion,
  storeAccountCredentials,
  type XCredentials,
} from '../../x/credentials';
import { createTestDatabase, type TestDatabase } from '../support/database';

const credentials: XCredentials = {
  kind: 'oauth2',
  clientId: 'client-id',
  clientSecret: 'client-secret-value',
  accessToken: 'access-token-value',
  refreshToken: 'refresh-token-value',
  expiresAt: '2026-11-22T05:00:00.000Z',
  scopes: ['dm.write'],
  userId: '1790000000000000001',
};

describe('loadCredentialsKey', () => {
  const raw = randomBytes(32);

  it('accepts 32 bytes as base64, base64url or hex', () => {
    assert.deepEqual(loadCredentialsKey({ KUJI_ENCRYPTION_KEY: raw.toString('base64') }), raw);
    assert.deepEqual(loadCredentialsKey({ KUJI_ENCRYPTION_KEY: raw.toString('base64url') }), raw);
    assert.deepEqual(loadCredentialsKey({ KUJI_ENCRYPTION_KEY: raw.toString('hex') }), raw);
  });

  it('explains what to do when the key is missing', () => {
    assert.throws(
      () => loadCredentialsKey({}),
      (error: unknown) => {
        assert.ok(error instanceof CredentialsKeyError);
        assert.match(error.message, /KUJI_ENCRYPTION_KEY is not set/);
        assert.match(error.message, /openssl rand -base64 32/);
        return true;
      },
    );
  });

  it('refuses a key of the wrong length', () => {
    assert.throws(
      () => loadCredentialsKey({ KUJI_ENCRYPTION_KEY: randomBytes(16).toString('base64') }),
      /exactly 32 bytes \(got 16\)/,
    );
  });
});

describe('encryptCredentials', () => {
  const key = generateCredentialsKey();

  it('round-trips through an AES-256-GCM envelope that shows nothing of the tokens', () => {
    const envelope = encryptCredentials(key, 'acct-1', credentials);
    assert.match(envelope, /^v2\.[\w-]{11}\.[\w-]+\.[\w-]+\.[\w-]+$/);
    for (const secret of ['access-token-value', 'refresh-token-value', 'client-secret-value']) {
      assert.equal(envelope.includes(secret), false);
      assert.equal(
        Buffer.from(envelope.split('.')[4] ?? '', 'base64url')
          .toString('utf8')
          .includes(secret),
        false,
      );
    }
    assert.deepEqual(decryptCredentials(key, 'acct-1', envelope), credentials);
  });

  it('uses a fresh IV each time', () => {
    assert.notEqual(
      encryptCredentials(key, 'acct-1', credentials),
      encryptCredentials(key, 'acct-1', credentials),
    );
  });

  it('refuses another key, another account and any tampering', () => {
    const envelope = encryptCredentials(key, 'acct-1', credentials);
    assert.throws(
      () => decryptCredentials(generateCredentialsKey(), 'acct-1', envelope),
      /cannot be decrypted/,
    );
    assert.throws(() => decryptCredentials(key, 'acct-2', envelope), CredentialsError);
    const parts = envelope.split('.');
    const body = Buffer.from(parts[4] ?? '', 'base64url');
    body[0] = (body[0] ?? 0) ^ 1;
    parts[4] = body.toString('base64url');
    assert.throws(() => decryptCredentials(key, 'acct-1', parts.join('.')), CredentialsError);
    assert.throws(() => decryptCredentials(key, 'acct-1', 'plain text'), /not a Kuji envelope/);
  });

  it('refuses malformed credentials before encrypting them', () => {
    assert.throws(() => encryptCredentials(key, 'acct-1', { ...credentials, accessToken: '' }));
  });
});

describe('account credentials in PostgreSQL', () => {
  let database: TestDatabase;
  const key = generateCredentialsKey();

  before(async () => {
    database = await createTestDatabase();
    await database.db
      .insertInto('accounts')
      .values({ id: 'acct-db', handle: 'kuji_sender' })
      .execute();
  });

  after(async () => {
    await database?.close();
  });

  it('stores, bumps the version and records the X user id', async () => {
    assert.equal(await hasAccountCredentials(database.db, 'acct-db'), false);
    await assert.rejects(
      loadAccountCredentials(credentialsEnvelopeStore(database.db), key, 'acct-db'),
      MissingCredentialsError,
    );
    const { version } = await storeAccountCredentials(
      credentialsEnvelopeStore(database.db),
      key,
      'acct-db',
      credentials,
    );
    const again = await storeAccountCredentials(
      credentialsEnvelopeStore(database.db),
      key,
      'acct-db',
      credentials,
    );
    assert.equal(again.version, version + 1);
    const stored = await loadAccountCredentials(
      credentialsEnvelopeStore(database.db),
      key,
      'acct-db',
    );
    assert.deepEqual(stored.credentials, credentials);
    assert.equal(stored.xUserId, '1790000000000000001');
    assert.equal(stored.version, again.version);
  });

  it('replaces only from the version it read (compare-and-set)', async () => {
    const { version } = await loadAccountCredentials(
      credentialsEnvelopeStore(database.db),
      key,
      'acct-db',
    );
    const next = { ...credentials, accessToken: 'second-access-token' };
    assert.equal(
      await replaceAccountCredentialsIfVersion(
        credentialsEnvelopeStore(database.db),
        key,
        'acct-db',
        version,
        next,
      ),
      version + 1,
    );
    assert.equal(
      await replaceAccountCredentialsIfVersion(
        credentialsEnvelopeStore(database.db),
        key,
        'acct-db',
        version,
        next,
      ),
      undefined,
    );
    const stored = await loadAccountCredentials(
      credentialsEnvelopeStore(database.db),
      key,
      'acct-db',
    );
    assert.equal(stored.credentials.accessToken, 'second-access-token');
  });

  it('refuses to store for an unknown account and unlinks on demand', async () => {
    await assert.rejects(
      storeAccountCredentials(credentialsEnvelopeStore(database.db), key, 'nope', credentials),
      /does not exist/,
    );
    await clearAccountCredentials(database.db, 'acct-db');
    assert.equal(await hasAccountCredentials(database.db, 'acct-db'), false);
  });
});
