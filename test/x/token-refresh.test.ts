/**
 * OAuth 2.0 refresh: X rotates refresh tokens (the old one dies on use), so two activities
 * refreshing at once must end with one valid stored pair.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { ApiResponseError } from 'twitter-api-v2';
import { credentialsEnvelopeStore } from '../../db/repositories/credential-envelopes';
import { createXAccess } from '../../activities/x-access';
import { createOAuth2AppClient } from '../../x/client';
import {
  generateCredentialsKey,
  loadAccountCredentials,
  type OAuth2Credentials,
} from '../../x/credentials';
import { startXEmulator, type XEmulator } from '../../emulator';
import { ensureFreshCredentials, needsRefresh } from '../../x/token-refresh';
import { createTestDatabase, type TestDatabase } from '../support/database';
import {
  app,
  baseScenario,
  captureLogger,
  createSenderAccount,
  emulatorClock,
  runActivity,
  SENDER_ID,
} from './support';

const T0 = Date.parse('2026-11-22T03:00:00.000Z');

function oauth2Credentials(
  accessToken: string,
  refreshToken: string | undefined,
  expiresAtMs: number,
): OAuth2Credentials {
  return {
    kind: 'oauth2',
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    accessToken,
    ...(refreshToken ? { refreshToken } : {}),
    expiresAt: new Date(expiresAtMs).toISOString(),
    scopes: ['tweet.read', 'users.read', 'dm.read', 'dm.write', 'offline.access'],
  };
}

describe('OAuth 2.0 token refresh', () => {
  let database: TestDatabase;
  let emulator: XEmulator;
  const key = generateCredentialsKey();

  before(async () => {
    database = await createTestDatabase();
    emulator = await startXEmulator();
  });

  after(async () => {
    await emulator?.close();
    await database?.close();
  });

  async function loadWorld(
    tokens: { accessToken: string; refreshToken?: string; expiresInSeconds: number }[],
  ) {
    await emulator.loadScenario(
      baseScenario({
        tokens: tokens.map((token) => ({ kind: 'oauth2' as const, user: 'kuji_sender', ...token })),
      }),
    );
  }

  function activitiesFor() {
    return createXAccess({
      db: database.db,
      credentialsKey: key,
      xApiBaseUrl: emulator.url,
      logger: captureLogger().logger,
      clock: emulatorClock(emulator),
    });
  }

  it('needs a refresh within the skew before expiry, and never for OAuth 1.0a', () => {
    const credentials = oauth2Credentials('a', 'r', T0 + 60_000);
    assert.equal(needsRefresh(credentials, T0, 5 * 60_000), true);
    assert.equal(needsRefresh(credentials, T0, 30_000), false);
    assert.equal(
      needsRefresh(
        { kind: 'oauth1', appKey: 'k', appSecret: 's', accessToken: 't', accessSecret: 'x' },
        T0,
      ),
      false,
    );
  });

  it('X rotates refresh tokens: a second use of the same one is refused', async () => {
    await loadWorld([
      {
        accessToken: 'rotation-access-0001',
        refreshToken: 'rotation-refresh-0001',
        expiresInSeconds: 60,
      },
    ]);
    const client = createOAuth2AppClient(app, { baseUrl: emulator.url });
    const outcomes = await Promise.allSettled([
      client.refreshOAuth2Token('rotation-refresh-0001'),
      client.refreshOAuth2Token('rotation-refresh-0001'),
    ]);
    assert.deepEqual(outcomes.map((o) => o.status).sort(), ['fulfilled', 'rejected']);
    const rejected = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    assert.ok(rejected?.reason instanceof ApiResponseError);
    assert.equal(rejected.reason.code, 400);
  });

  it('two activities refreshing at once store one valid pair, refreshing once', async () => {
    await loadWorld([
      { accessToken: 'race-access-0001', refreshToken: 'race-refresh-0001', expiresInSeconds: 60 },
    ]);
    const accountId = await createSenderAccount(
      database.db,
      key,
      oauth2Credentials('race-access-0001', 'race-refresh-0001', T0 + 60_000),
    );
    const before = await loadAccountCredentials(
      credentialsEnvelopeStore(database.db),
      key,
      accountId,
    );
    // Two activity instances, as in two worker processes: only the database is shared.
    const [first, second] = await Promise.all([
      runActivity(() => activitiesFor().xMe({ accountId })),
      runActivity(() => activitiesFor().xMe({ accountId })),
    ]);
    assert.equal(first.error, undefined);
    assert.equal(second.error, undefined);
    assert.equal(first.result?.id, SENDER_ID);
    assert.equal(second.result?.id, SENDER_ID);

    const refreshes = emulator.requests({ endpoint: 'oauth2.token' });
    assert.deepEqual(
      refreshes.map((r) => r.status),
      [200],
      'exactly one refresh reached X',
    );

    const stored = await loadAccountCredentials(
      credentialsEnvelopeStore(database.db),
      key,
      accountId,
    );
    assert.equal(stored.version, before.version + 1);
    assert.equal(stored.credentials.kind, 'oauth2');
    if (stored.credentials.kind !== 'oauth2') return;
    assert.notEqual(stored.credentials.accessToken, 'race-access-0001');
    assert.notEqual(stored.credentials.refreshToken, 'race-refresh-0001');
    assert.equal(stored.credentials.expiresAt, new Date(T0 + 7200 * 1000).toISOString());

    // The stored pair is the live one: its refresh token still works, the old one does not.
    const client = createOAuth2AppClient(app, { baseUrl: emulator.url });
    await assert.rejects(
      client.refreshOAuth2Token('race-refresh-0001'),
      (error: unknown) => error instanceof ApiResponseError && error.code === 400,
    );
    const next = await client.refreshOAuth2Token(stored.credentials.refreshToken ?? '');
    assert.ok(next.accessToken);
  });

  it('uses a token that is still fresh without refreshing it', async () => {
    await loadWorld([
      {
        accessToken: 'fresh-access-0001',
        refreshToken: 'fresh-refresh-0001',
        expiresInSeconds: 7200,
      },
    ]);
    const accountId = await createSenderAccount(
      database.db,
      key,
      oauth2Credentials('fresh-access-0001', 'fresh-refresh-0001', T0 + 7_200_000),
    );
    const since = emulator.requests().at(-1)?.seq ?? 0;
    const stored = await ensureFreshCredentials(
      {
        envelopes: credentialsEnvelopeStore(database.db),
        credentialsKey: key,
        now: () => emulator.clock.now(),
      },
      accountId,
    );
    assert.equal(
      stored.credentials.kind === 'oauth2' && stored.credentials.accessToken,
      'fresh-access-0001',
    );
    assert.deepEqual(emulator.requests({ since }), []);
  });

  it('fails as auth when the token expired and no refresh token was granted', async () => {
    await loadWorld([{ accessToken: 'norefresh-access-0001', expiresInSeconds: 60 }]);
    const accountId = await createSenderAccount(
      database.db,
      key,
      oauth2Credentials('norefresh-access-0001', undefined, T0 + 60_000),
    );
    const run = await runActivity(() => activitiesFor().xMe({ accountId }));
    assert.ok(run.error instanceof ApplicationFailure);
    assert.equal(run.error.type, 'auth_token_invalid');
    assert.equal(run.error.nonRetryable, true);
  });
});
