/**
 * X credentials at rest: an AES-256-GCM envelope of a JSON object in
 * `accounts.credentials_ciphertext`, bound to the account id (additional authenticated data), so
 * a ciphertext copied to another row does not decrypt. `credentials_version` is bumped on every
 * write. Tokens leave this module only towards the twitter-api-v2 client, never towards a log, an
 * API answer or a workflow.
 *
 * An envelope names the key it was written with (`v2.<keyId>.…`, keyId a short hash of the key),
 * so the key can be rotated: `KUJI_ENCRYPTION_KEY` is the key that writes,
 * `KUJI_ENCRYPTION_KEYS_OLD` lists earlier keys that still read, and
 * `npm run rotate-encryption-key` re-encrypts every stored envelope under the current key.
 * Envelopes of the first format (`v1.…`, no key id) are still read, with every key tried.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';

export const oauth1CredentialsSchema = z.object({
  kind: z.literal('oauth1'),
  appKey: z.string().min(1),
  appSecret: z.string().min(1),
  accessToken: z.string().min(1),
  accessSecret: z.string().min(1),
  /** X user id of the account, when known at link time. */
  userId: z.string().optional(),
});

export const oauth2CredentialsSchema = z.object({
  kind: z.literal('oauth2'),
  clientId: z.string().min(1),
  /** Confidential clients only; public (PKCE) clients have none. */
  clientSecret: z.string().min(1).optional(),
  accessToken: z.string().min(1),
  /** Present when the grant included `offline.access`; rotates on every refresh. */
  refreshToken: z.string().min(1).optional(),
  /** ISO instant at which X stops accepting the access token (about two hours after issue). */
  expiresAt: z.iso.datetime({ offset: true }),
  scopes: z.array(z.string()).optional(),
  userId: z.string().optional(),
});

export const xCredentialsSchema = z.discriminatedUnion('kind', [
  oauth1CredentialsSchema,
  oauth2CredentialsSchema,
]);

export type OAuth1Credentials = z.infer<typeof oauth1CredentialsSchema>;
export type OAuth2Credentials = z.infer<typeof oauth2CredentialsSchema>;
export type XCredentials = z.infer<typeof xCredentialsSchema>;

export class CredentialsKeyError extends Error {
  override name = 'CredentialsKeyError';
}

export class CredentialsError extends Error {
  override name = 'CredentialsError';
  constructor(
    message: string,
    readonly accountId: string,
  ) {
    super(message);
  }
}

const keyHelp =
  'Set KUJI_ENCRYPTION_KEY to 32 random bytes, base64 or hex encoded ' +
  '(for example the output of `openssl rand -base64 32`). It encrypts linked X credentials; ' +
  'keep it stable, or linked accounts must be re-linked.';

function decodeKey(name: string, raw: string): Buffer {
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(raw)) {
    key = Buffer.from(raw, 'hex');
  } else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(raw)) {
    key = Buffer.from(raw.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  }
  if (!key || key.length !== 32) {
    throw new CredentialsKeyError(
      `${name} must decode to exactly 32 bytes (got ${key?.length ?? 0}). ${keyHelp}`,
    );
  }
  return key;
}

/**
 * Earlier keys that still decrypt, per current key. Kept beside the key rather than in a new
 * type so every holder of "the credentials key" (worker, token refresh) reads old envelopes.
 */
const previousKeys = new WeakMap<Buffer, readonly Buffer[]>();

/** `key` that also reads envelopes written with `previous` keys (a rotation in progress). */
export function withPreviousKeys(key: Buffer, previous: readonly Buffer[]): Buffer {
  const ring = Buffer.from(key);
  previousKeys.set(
    ring,
    previous.filter((old) => !old.equals(key)),
  );
  return ring;
}

/**
 * The 32-byte credentials key from `KUJI_ENCRYPTION_KEY` (base64, base64url or hex), with the
 * earlier keys of `KUJI_ENCRYPTION_KEYS_OLD` (same encodings, separated by commas or spaces)
 * to read what they wrote until `npm run rotate-encryption-key` has re-encrypted it.
 */
export function loadCredentialsKey(env: Record<string, string | undefined>): Buffer {
  const raw = env.KUJI_ENCRYPTION_KEY?.trim();
  if (!raw) throw new CredentialsKeyError(`KUJI_ENCRYPTION_KEY is not set. ${keyHelp}`);
  const key = decodeKey('KUJI_ENCRYPTION_KEY', raw);
  const old = (env.KUJI_ENCRYPTION_KEYS_OLD ?? '')
    .split(/[\s,]+/)
    .filter((part) => part.length > 0)
    .map((part, i) => decodeKey(`KUJI_ENCRYPTION_KEYS_OLD (key ${i + 1})`, part));
  return old.length === 0 ? key : withPreviousKeys(key, old);
}

/** A short, public name of a key (a hash prefix): envelopes carry it, logs may show it. */
export function credentialsKeyId(key: Buffer): string {
  return createHash('sha256')
    .update('kuji:credentials-key:')
    .update(key)
    .digest('base64url')
    .slice(0, 11);
}

/** The key id an envelope was written with; undefined for a first-format (v1) envelope. */
export function envelopeKeyId(envelope: string): string | undefined {
  const [version, keyId] = envelope.split('.');
  return version === envelopeVersion ? keyId : undefined;
}

/** A fresh random key, for local mode and tests. */
export function generateCredentialsKey(): Buffer {
  return randomBytes(32);
}

const envelopeVersion = 'v2';
const legacyEnvelopeVersion = 'v1';

function additionalData(accountId: string): Buffer {
  return Buffer.from(`kuji:accounts:${accountId}:credentials`, 'utf8');
}

function assertKey(key: Buffer): void {
  if (key.length !== 32)
    throw new CredentialsKeyError(`The credentials key must be 32 bytes. ${keyHelp}`);
}

export function encryptCredentials(
  key: Buffer,
  accountId: string,
  credentials: XCredentials,
): string {
  const plaintext = Buffer.from(JSON.stringify(xCredentialsSchema.parse(credentials)), 'utf8');
  return sealEnvelope(key, additionalData(accountId), plaintext);
}

function sealEnvelope(key: Buffer, aad: Buffer, plaintext: Buffer): string {
  assertKey(key);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [envelopeVersion, credentialsKeyId(key), iv, tag, ciphertext]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}

/**
 * Other secrets at rest (claim answers) in the credentials' envelope format, under the same key
 * (and its rotation), bound to `context` (e.g. `kuji:claims:<campaign>:<user>`) so a ciphertext
 * copied to another row does not open.
 */
export function sealSecret(key: Buffer, context: string, plaintext: string): string {
  return sealEnvelope(key, Buffer.from(context, 'utf8'), Buffer.from(plaintext, 'utf8'));
}

/** Opens what `sealSecret` sealed with the same context; undefined when no known key opens it. */
export function openSealedSecret(
  key: Buffer,
  context: string,
  envelope: string,
): string | undefined {
  assertKey(key);
  const [version, keyId, iv, tag, ciphertext, ...rest] = envelope.split('.');
  if (version !== envelopeVersion || !keyId || !iv || !tag || ciphertext === undefined) return;
  if (rest.length > 0) return undefined;
  const aad = Buffer.from(context, 'utf8');
  for (const candidate of [key, ...(previousKeys.get(key) ?? [])]) {
    if (credentialsKeyId(candidate) !== keyId) continue;
    const plaintext = openEnvelope(candidate, aad, { iv, tag, ciphertext });
    if (plaintext) return plaintext.toString('utf8');
  }
  return undefined;
}

function openEnvelope(
  key: Buffer,
  aad: Buffer,
  parts: { iv: string; tag: string; ciphertext: string },
): Buffer | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(parts.iv, 'base64url'));
    decipher.setAAD(aad);
    decipher.setAuthTag(Buffer.from(parts.tag, 'base64url'));
    return Buffer.concat([
      decipher.update(Buffer.from(parts.ciphertext, 'base64url')),
      decipher.final(),
    ]);
  } catch {
    return undefined;
  }
}

/** Decrypts with the key the envelope names (the current one or one of its previous keys). */
export function decryptCredentials(key: Buffer, accountId: string, envelope: string): XCredentials {
  assertKey(key);
  const fields = envelope.split('.');
  const version = fields[0];
  const [keyId, iv, tag, ciphertext, ...rest] =
    version === legacyEnvelopeVersion ? [undefined, ...fields.slice(1)] : fields.slice(1);
  if (
    (version !== envelopeVersion && version !== legacyEnvelopeVersion) ||
    (version === envelopeVersion && !keyId) ||
    !iv ||
    !tag ||
    ciphertext === undefined ||
    rest.length > 0
  ) {
    throw new CredentialsError(
      `Stored credentials of account ${accountId} are not a Kuji envelope.`,
      accountId,
    );
  }
  const keys = [key, ...(previousKeys.get(key) ?? [])];
  // A v2 envelope names its key; a v1 envelope does not, so each key is tried (GCM's tag tells).
  const candidates =
    keyId === undefined ? keys : keys.filter((candidate) => credentialsKeyId(candidate) === keyId);
  let plaintext: Buffer | undefined;
  for (const candidate of candidates) {
    plaintext = openEnvelope(candidate, additionalData(accountId), { iv, tag, ciphertext });
    if (plaintext) break;
  }
  if (!plaintext) {
    const which =
      keyId !== undefined && candidates.length === 0
        ? `they were written with key ${keyId}, which is neither KUJI_ENCRYPTION_KEY nor in KUJI_ENCRYPTION_KEYS_OLD`
        : 'KUJI_ENCRYPTION_KEY differs from the key they were written with, or the row was altered';
    throw new CredentialsError(
      `Stored credentials of account ${accountId} cannot be decrypted: ${which}.`,
      accountId,
    );
  }
  const parsed = xCredentialsSchema.safeParse(JSON.parse(plaintext.toString('utf8')));
  if (!parsed.success) {
    throw new CredentialsError(
      `Stored credentials of account ${accountId} have an unexpected shape.`,
      accountId,
    );
  }
  return parsed.data;
}

export interface StoredCredentials {
  accountId: string;
  handle: string;
  xUserId: string | null;
  version: number;
  credentials: XCredentials;
}

/** An account's credentials as kept: the envelope is text here, null when nothing is linked. */
export interface StoredEnvelope {
  accountId: string;
  handle: string;
  xUserId: string | null;
  version: number;
  envelope: string | null;
}

/**
 * Where envelopes are kept. This module encrypts and decrypts; the keeping is the database's
 * (db/repositories/credential-envelopes.ts `credentialsEnvelopeStore(db)` implements it), so
 * x/ holds no database code.
 */
export interface CredentialsEnvelopeStore {
  find(accountId: string): Promise<StoredEnvelope | undefined>;
  /** Returns the new version; undefined when the account does not exist. */
  store(accountId: string, envelope: string, xUserId?: string): Promise<number | undefined>;
  /** Compare and set: the new version, or undefined when someone wrote since `expectedVersion`. */
  replaceIfVersion(
    accountId: string,
    expectedVersion: number,
    envelope: string,
  ): Promise<number | undefined>;
  /** Every linked envelope, by account id (for a key rotation). */
  list(): Promise<{ accountId: string; envelope: string }[]>;
  /** Swaps `from` for `to` (same credentials, another key) only if the row still holds `from`. */
  replace(accountId: string, from: string, to: string): Promise<boolean>;
  clear(accountId: string): Promise<void>;
  markDisconnected(accountId: string): Promise<void>;
  /** Runs `work` holding the account's lock, with the row read under it and a write beside it. */
  withLocked<T>(
    accountId: string,
    work: (
      row: StoredEnvelope | undefined,
      replaceIfVersion: (expectedVersion: number, envelope: string) => Promise<number | undefined>,
    ) => Promise<T>,
  ): Promise<T>;
}

/** Links (or re-links) an account's X credentials; returns the new version. */
export async function storeAccountCredentials(
  store: Pick<CredentialsEnvelopeStore, 'store'>,
  key: Buffer,
  accountId: string,
  credentials: XCredentials,
): Promise<{ version: number }> {
  const envelope = encryptCredentials(key, accountId, credentials);
  const version = await store.store(accountId, envelope, credentials.userId);
  if (version === undefined) {
    throw new CredentialsError(`Account ${accountId} does not exist.`, accountId);
  }
  return { version };
}

/**
 * Replaces the credentials only if nobody wrote them since `expectedVersion` was read
 * (compare-and-set). Returns the new version, or undefined when someone else won.
 */
export async function replaceAccountCredentialsIfVersion(
  store: Pick<CredentialsEnvelopeStore, 'replaceIfVersion'>,
  key: Buffer,
  accountId: string,
  expectedVersion: number,
  credentials: XCredentials,
): Promise<number | undefined> {
  const envelope = encryptCredentials(key, accountId, credentials);
  return store.replaceIfVersion(accountId, expectedVersion, envelope);
}

export class MissingCredentialsError extends CredentialsError {
  override name = 'MissingCredentialsError';
}

/** Decrypts a stored row; a missing account or an unlinked one is a MissingCredentialsError. */
export function openStoredEnvelope(
  key: Buffer,
  accountId: string,
  row: StoredEnvelope | undefined,
): StoredCredentials {
  if (!row) throw new MissingCredentialsError(`Account ${accountId} does not exist.`, accountId);
  if (!row.envelope) {
    throw new MissingCredentialsError(
      `Account ${accountId} has no linked X credentials.`,
      accountId,
    );
  }
  return {
    accountId: row.accountId,
    handle: row.handle,
    xUserId: row.xUserId,
    version: row.version,
    credentials: decryptCredentials(key, accountId, row.envelope),
  };
}

export async function loadAccountCredentials(
  store: Pick<CredentialsEnvelopeStore, 'find'>,
  key: Buffer,
  accountId: string,
): Promise<StoredCredentials> {
  return openStoredEnvelope(key, accountId, await store.find(accountId));
}
