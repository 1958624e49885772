import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../api/app';
import type { ApiDependencies } from '../../api/plugins/dependencies';
import { CONSOLE_SIGN_INS_PER_MINUTE } from '../../api/routes/console-session';
import type { ApiRole } from '../../db/database';
import { insertApiKey } from '../../db/repositories/api-keys';
import { listAuditEntries } from '../../db/repositories/audit-log';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { uniqueId } from '../support/fixtures';

interface SessionBody {
  principal: { id: string; name: string; role: ApiRole };
  csrfToken: string;
  expiresAt: string;
}

const roles = ['admin', 'operator', 'approver', 'viewer'] as const;
const twelveHoursMs = 12 * 60 * 60_000;

/** These routes answer from PostgreSQL; a lazy client that never connects stands in for Temporal. */
function appOn(
  testDb: TestDatabase,
  extra: Partial<ApiDependencies> = {},
  options: Parameters<typeof buildApp>[1] = {},
) {
  return buildApp(
    {
      db: testDb.db,
      temporal: new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) }),
      temporalConfig: { namespace: 'default', taskQueue: 'unused' },
      ...extra,
    },
    options,
  );
}

function setCookies(response: LightMyRequestResponse): string[] {
  const header = response.headers['set-cookie'];
  if (header === undefined) return [];
  return Array.isArray(header) ? header : [header];
}

/** The `kuji_console=<token>` pair a browser would send back. */
function cookieOf(response: LightMyRequestResponse): string {
  const cookie = setCookies(response).find((c) => c.startsWith('kuji_console='));
  assert.ok(cookie, `no session cookie in ${JSON.stringify(response.headers['set-cookie'])}`);
  return cookie.split(';')[0] ?? '';
}

describe('console sessions (API → PostgreSQL)', () => {
  let testDb: TestDatabase;
  let app: FastifyInstance;
  const keys = {} as Record<ApiRole, string>;
  const address = () => `198.51.100.${Math.floor(Math.random() * 250) + 1}`;

  before(async () => {
    testDb = await createTestDatabase();
    app = await appOn(testDb);
    for (const role of roles) {
      keys[role] = (
        await insertApiKey(testDb.db, { id: uniqueId(role), name: uniqueId(role), role })
      ).secret;
    }
  });
  after(async () => {
    await app?.close();
    await testDb?.close();
  });

  async function signIn(role: ApiRole, on: FastifyInstance = app) {
    const response = await on.inject({
      method: 'POST',
      url: '/v1/console/session',
      payload: { apiKey: keys[role] },
      remoteAddress: address(),
    });
    assert.equal(response.statusCode, 200, response.body);
    return { cookie: cookieOf(response), body: response.json<SessionBody>(), response };
  }

  const countAccounts = async () =>
    Number(
      (
        await testDb.db
          .selectFrom('accounts')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  const createAccount = (headers: InjectOptions['headers'], on: FastifyInstance = app) =>
    on.inject({
      method: 'POST',
      url: '/v1/accounts',
      headers,
      payload: { id: uniqueId('acct').toLowerCase().slice(0, 40) },
    });

  describe('POST /v1/console/session', () => {
    it('signs in with an API key: an HttpOnly, SameSite=Strict, Path=/ cookie, the principal, a CSRF token and a 12-hour expiry', async () => {
      const before = Date.now();
      const { response, body, cookie } = await signIn('operator');
      const [setCookie] = setCookies(response);
      assert.match(setCookie ?? '', /^kuji_console=[A-Za-z0-9_-]{43}; /);
      const flags = (setCookie ?? '').split('; ').slice(1);
      assert.ok(flags.includes('HttpOnly'), setCookie);
      assert.ok(flags.includes('SameSite=Strict'), setCookie);
      assert.ok(flags.includes('Path=/'), setCookie);
      assert.ok(flags.includes(`Max-Age=${twelveHoursMs / 1000}`), setCookie);
      assert.ok(!flags.includes('Secure'), 'plain http without an https public URL');
      assert.equal(response.headers['cache-control'], 'no-store');
      assert.equal(body.principal.role, 'operator');
      assert.match(body.csrfToken, /^[A-Za-z0-9_-]{43}$/);
      const expiresAt = Date.parse(body.expiresAt);
      assert.ok(expiresAt >= before + twelveHoursMs && expiresAt <= Date.now() + twelveHoursMs);

      // Only hashes are stored: neither the token nor the CSRF token is in the table.
      const token = cookie.slice('kuji_console='.length);
      const rows = await testDb.db.selectFrom('console_sessions').selectAll().execute();
      const row = rows.find(
        (r) => r.token_hash === createHash('sha256').update(token).digest('hex'),
      );
      assert.ok(row, 'the session is stored under its token hash');
      assert.equal(row.api_key_id, body.principal.id);
      const stored = JSON.stringify(rows);
      assert.ok(!stored.includes(token) && !stored.includes(body.csrfToken));

      const audit = await listAuditEntries(testDb.db, { limit: 50 });
      const signIn_ = audit.find((e) => e.action === 'console.signin' && e.outcome === 'ok');
      assert.equal(signIn_?.actor, body.principal.id);
      assert.ok(!JSON.stringify(audit).includes(keys.operator), 'the key is never audited');
    });

    it('sets a Secure cookie when the public base URL is https, or the request came over https', async () => {
      const behindHttps = await appOn(testDb, { publicBaseUrl: 'https://kuji.example' });
      const proxied = await appOn(testDb, {}, { trustProxy: true });
      try {
        const viaPublicUrl = await behindHttps.inject({
          method: 'POST',
          url: '/v1/console/session',
          payload: { apiKey: keys.viewer },
          remoteAddress: address(),
        });
        assert.ok(setCookies(viaPublicUrl)[0]?.split('; ').includes('Secure'));
        const viaProxy = await proxied.inject({
          method: 'POST',
          url: '/v1/console/session',
          headers: { 'x-forwarded-proto': 'https' },
          payload: { apiKey: keys.viewer },
          remoteAddress: address(),
        });
        assert.ok(setCookies(viaProxy)[0]?.split('; ').includes('Secure'));
        const signOut = await behindHttps.inject({
          method: 'DELETE',
          url: '/v1/console/session',
          headers: {
            cookie: cookieOf(viaPublicUrl),
            'x-csrf-token': viaPublicUrl.json<SessionBody>().csrfToken,
          },
        });
        assert.equal(signOut.statusCode, 204);
        assert.ok(setCookies(signOut)[0]?.split('; ').includes('Secure'));
      } finally {
        await behindHttps.close();
        await proxied.close();
      }
    });

    it('refuses a wrong or revoked key with 401 and no cookie, audited as refused without the key', async () => {
      const revoked = await insertApiKey(testDb.db, { name: uniqueId('gone'), role: 'admin' });
      await testDb.db
        .updateTable('api_keys')
        .set({ revoked_at: new Date() })
        .where('id', '=', revoked.principal.id)
        .execute();
      for (const apiKey of ['kuji_not_a_real_key', revoked.secret]) {
        const response = await app.inject({
          method: 'POST',
          url: '/v1/console/session',
          payload: { apiKey },
          remoteAddress: address(),
        });
        assert.equal(response.statusCode, 401, response.body);
        assert.equal(response.json<{ code: string }>().code, 'unauthorized');
        assert.equal(response.headers['set-cookie'], undefined);
      }
      const audit = await listAuditEntries(testDb.db, { limit: 100 });
      const refused = audit.filter((e) => e.action === 'console.signin' && e.outcome === 'refused');
      assert.ok(refused.length >= 2);
      const text = JSON.stringify(audit);
      assert.ok(!text.includes('kuji_not_a_real_key') && !text.includes(revoked.secret));
    });

    it(`limits sign-in attempts to ${CONSOLE_SIGN_INS_PER_MINUTE} a minute per address (429 with retry-after)`, async () => {
      const from = '203.0.113.77';
      const attempt = (apiKey: string) =>
        app.inject({
          method: 'POST',
          url: '/v1/console/session',
          payload: { apiKey },
          remoteAddress: from,
        });
      // A malformed request is refused before it counts.
      const malformed = await app.inject({
        method: 'POST',
        url: '/v1/console/session',
        payload: { key: 'x' },
        remoteAddress: from,
      });
      assert.equal(malformed.statusCode, 400);
      for (let i = 0; i < CONSOLE_SIGN_INS_PER_MINUTE; i += 1) {
        assert.equal((await attempt(`kuji_guess_${i}`)).statusCode, 401);
      }
      const limited = await attempt(keys.admin);
      assert.equal(limited.statusCode, 429, limited.body);
      assert.equal(limited.json<{ code: string }>().code, 'rate_limited');
      assert.ok(Number(limited.headers['retry-after']) > 0);
      assert.equal(limited.headers['set-cookie'], undefined, 'even the right key is refused');
      // Another address is not affected.
      assert.equal((await signIn('admin')).response.statusCode, 200);
    });

    it('ends the live session of the cookie the browser signed in with, audited as a sign-out', async () => {
      const old = await signIn('viewer');
      const from = address();
      // A refused sign-in leaves the browser's session alone.
      const wrong = await app.inject({
        method: 'POST',
        url: '/v1/console/session',
        headers: { cookie: old.cookie },
        payload: { apiKey: 'kuji_not_a_real_key' },
        remoteAddress: from,
      });
      assert.equal(wrong.statusCode, 401);
      const me = (cookie: string) => app.inject({ url: '/v1/me', headers: { cookie } });
      assert.equal((await me(old.cookie)).statusCode, 200);

      const again = await app.inject({
        method: 'POST',
        url: '/v1/console/session',
        headers: { cookie: `theme=dark; ${old.cookie}` },
        payload: { apiKey: keys.operator },
        remoteAddress: from,
      });
      assert.equal(again.statusCode, 200, again.body);
      const fresh = cookieOf(again);
      assert.notEqual(fresh, old.cookie);
      assert.equal((await me(old.cookie)).statusCode, 401, 'the old session is over');
      const now = await me(fresh);
      assert.equal(now.statusCode, 200, now.body);
      assert.equal(now.json<SessionBody>().principal.role, 'operator');

      const audit = await listAuditEntries(testDb.db, { limit: 50 });
      const ended = audit.filter(
        (e) =>
          e.action === 'console.signout' &&
          e.actor === old.body.principal.id &&
          (e.details as { reason?: string } | null)?.reason === 'signed_in_again',
      );
      assert.equal(ended.length, 1, 'the replaced session is audited once');
    });
  });

  describe('the session cookie on the API', () => {
    it('reads with the cookie alone', async () => {
      const { cookie } = await signIn('viewer');
      const response = await app.inject({ url: '/v1/accounts', headers: { cookie } });
      assert.equal(response.statusCode, 200, response.body);
    });

    it('refuses an unsafe method without, or with a wrong, x-csrf-token (403 csrf_failed) and changes nothing', async () => {
      const { cookie, body } = await signIn('admin');
      const accounts = await countAccounts();
      for (const headers of [
        { cookie },
        { cookie, 'x-csrf-token': 'not-the-token' },
        { cookie, 'x-csrf-token': body.csrfToken.slice(0, -1) },
        { cookie, 'x-csrf-token': '' },
      ]) {
        const response = await createAccount(headers);
        assert.equal(response.statusCode, 403, response.body);
        const error = response.json<{ code: string; message: string }>();
        assert.equal(error.code, 'csrf_failed');
        assert.match(error.message, /x-csrf-token/);
      }
      // Another session's token is no good either.
      const other = await signIn('admin');
      const crossed = await createAccount({ cookie, 'x-csrf-token': other.body.csrfToken });
      assert.equal(crossed.statusCode, 403);
      assert.equal(await countAccounts(), accounts);
    });

    it('lets an unsafe method through with the session’s x-csrf-token', async () => {
      const { cookie, body } = await signIn('admin');
      const accounts = await countAccounts();
      const response = await createAccount({ cookie, 'x-csrf-token': body.csrfToken });
      assert.equal(response.statusCode, 201, response.body);
      assert.equal(await countAccounts(), accounts + 1);
      const audit = await listAuditEntries(testDb.db, { limit: 20 });
      assert.equal(audit.find((e) => e.action === 'account.create')?.actor, body.principal.id);
    });

    it('needs no CSRF token with a bearer key, even beside a cookie', async () => {
      const { cookie } = await signIn('viewer');
      const response = await createAccount({ authorization: `Bearer ${keys.admin}`, cookie });
      assert.equal(response.statusCode, 201, response.body);
    });

    it('gives a viewer session 403 on an operate route', async () => {
      const { cookie, body } = await signIn('viewer');
      const response = await app.inject({
        method: 'POST',
        url: '/v1/accounts/any/resume',
        headers: { cookie, 'x-csrf-token': body.csrfToken },
        payload: {},
      });
      assert.equal(response.statusCode, 403, response.body);
      assert.equal(response.json<{ code: string }>().code, 'forbidden');
    });

    it('ends every session of a revoked API key', async () => {
      const key = await insertApiKey(testDb.db, { name: uniqueId('leaving'), role: 'admin' });
      const signedIn = await app.inject({
        method: 'POST',
        url: '/v1/console/session',
        payload: { apiKey: key.secret },
        remoteAddress: address(),
      });
      const cookie = cookieOf(signedIn);
      assert.equal((await app.inject({ url: '/v1/me', headers: { cookie } })).statusCode, 200);
      const revoke = await app.inject({
        method: 'DELETE',
        url: `/v1/api-keys/${key.principal.id}`,
        headers: { authorization: `Bearer ${keys.admin}` },
      });
      assert.equal(revoke.statusCode, 204);
      for (const url of ['/v1/me', '/v1/console/session', '/v1/accounts']) {
        const response = await app.inject({ url, headers: { cookie } });
        assert.equal(response.statusCode, 401, `${url}: ${response.body}`);
      }
    });

    it('answers 401 once the session has expired', async () => {
      const { cookie } = await signIn('admin');
      const token = cookie.slice('kuji_console='.length);
      await testDb.db
        .updateTable('console_sessions')
        .set({ expires_at: new Date(Date.now() - 1000) })
        .where('token_hash', '=', createHash('sha256').update(token).digest('hex'))
        .execute();
      for (const url of ['/v1/me', '/v1/console/session']) {
        const response = await app.inject({ url, headers: { cookie } });
        assert.equal(response.statusCode, 401, `${url}: ${response.body}`);
      }
    });

    it('answers 401 to a made-up or malformed cookie', async () => {
      for (const cookie of [
        `kuji_console=${'A'.repeat(43)}`,
        'kuji_console=short',
        'kuji_console=',
        `kuji_console=${'x'.repeat(5000)}`,
      ]) {
        const response = await app.inject({ url: '/v1/me', headers: { cookie } });
        assert.equal(response.statusCode, 401, `${cookie.slice(0, 30)}: ${response.body}`);
      }
      const none = await app.inject({ url: '/v1/me' });
      assert.equal(none.statusCode, 401);
      assert.match(none.json<{ message: string }>().message, /console/);
    });
  });

  describe('GET /v1/console/session', () => {
    it("answers the cookie's principal, the same CSRF token and the expiry", async () => {
      const { cookie, body } = await signIn('approver');
      const response = await app.inject({ url: '/v1/console/session', headers: { cookie } });
      assert.equal(response.statusCode, 200, response.body);
      assert.deepEqual(response.json(), body);
      assert.equal(response.headers['cache-control'], 'no-store');
    });

    it('answers 401 without a cookie, even with a bearer key', async () => {
      for (const headers of [{}, { authorization: `Bearer ${keys.admin}` }]) {
        const response = await app.inject({ url: '/v1/console/session', headers });
        assert.equal(response.statusCode, 401, response.body);
      }
    });
  });

  describe('DELETE /v1/console/session', () => {
    it('needs the CSRF token, then ends the session and clears the cookie', async () => {
      const { cookie, body } = await signIn('operator');
      const refused = await app.inject({
        method: 'DELETE',
        url: '/v1/console/session',
        headers: { cookie },
      });
      assert.equal(refused.statusCode, 403);
      assert.equal(refused.json<{ code: string }>().code, 'csrf_failed');
      assert.equal((await app.inject({ url: '/v1/me', headers: { cookie } })).statusCode, 200);

      const signOut = await app.inject({
        method: 'DELETE',
        url: '/v1/console/session',
        headers: { cookie, 'x-csrf-token': body.csrfToken },
      });
      assert.equal(signOut.statusCode, 204, signOut.body);
      const cleared = setCookies(signOut)[0] ?? '';
      assert.match(cleared, /^kuji_console=; Max-Age=0; /);
      assert.ok(cleared.includes('HttpOnly') && cleared.includes('SameSite=Strict'));
      assert.equal((await app.inject({ url: '/v1/me', headers: { cookie } })).statusCode, 401);
      const again = await app.inject({
        method: 'DELETE',
        url: '/v1/console/session',
        headers: { cookie, 'x-csrf-token': body.csrfToken },
      });
      assert.equal(again.statusCode, 401);
      assert.match(setCookies(again)[0] ?? '', /^kuji_console=; Max-Age=0; /);
      const audit = await listAuditEntries(testDb.db, { limit: 20 });
      assert.equal(audit.find((e) => e.action === 'console.signout')?.actor, body.principal.id);
    });
  });

  describe('GET /v1/me', () => {
    const expected: Record<ApiRole, Record<string, boolean>> = {
      admin: { read: true, operate: true, approve: true, pause: true, admin: true },
      operator: { read: true, operate: true, approve: false, pause: true, admin: false },
      approver: { read: true, operate: false, approve: true, pause: true, admin: false },
      viewer: { read: true, operate: false, approve: false, pause: false, admin: false },
    };

    it('answers the principal and what its role may do, for a bearer key', async () => {
      for (const role of roles) {
        const response = await app.inject({
          url: '/v1/me',
          headers: { authorization: `Bearer ${keys[role]}` },
        });
        assert.equal(response.statusCode, 200, response.body);
        const body = response.json<{ principal: { role: string }; can: unknown }>();
        assert.equal(body.principal.role, role);
        assert.deepEqual(body.can, expected[role]);
      }
    });

    it('answers the same for a console session', async () => {
      for (const role of roles) {
        const { cookie, body: session } = await signIn(role);
        const response = await app.inject({ url: '/v1/me', headers: { cookie } });
        assert.equal(response.statusCode, 200, response.body);
        assert.deepEqual(response.json(), { principal: session.principal, can: expected[role] });
      }
    });
  });

  describe('the OpenAPI document', () => {
    interface Operation {
      security?: Record<string, unknown>[];
      parameters?: { in: string; name: string; required?: boolean }[];
    }
    interface Document {
      security: Record<string, unknown>[];
      components: { securitySchemes: Record<string, Record<string, unknown>> };
      paths: Record<string, Record<string, Operation>>;
    }

    it('documents the session cookie beside the bearer key, and the CSRF header where it applies', async () => {
      const doc = (await app.inject({ url: '/docs/json' })).json<Document>();
      assert.deepEqual(doc.components.securitySchemes.consoleSession, {
        type: 'apiKey',
        in: 'cookie',
        name: 'kuji_console',
        description: doc.components.securitySchemes.consoleSession?.description,
      });
      assert.match(
        String(doc.components.securitySchemes.consoleSession?.description),
        /x-csrf-token/,
      );
      assert.deepEqual(doc.security, [{ apiKey: [] }, { consoleSession: [] }]);
      const csrfOf = (operation: Operation | undefined) =>
        operation?.parameters?.find((p) => p.in === 'header' && p.name === 'x-csrf-token');
      assert.equal(csrfOf(doc.paths['/v1/accounts']?.post)?.required, false);
      assert.ok(csrfOf(doc.paths['/v1/console/session']?.delete));
      assert.equal(csrfOf(doc.paths['/v1/accounts']?.get), undefined, 'safe methods need none');
      assert.equal(csrfOf(doc.paths['/v1/console/session']?.post), undefined, 'sign-in is public');
      assert.deepEqual(doc.paths['/v1/console/session']?.get?.security, [{ consoleSession: [] }]);
      assert.deepEqual(doc.paths['/v1/console/session']?.post?.security, []);
    });
  });

  describe('the per-key rate limit', () => {
    it('gives each console session its own budget from one address, and leaves bearer keys theirs', async () => {
      const limited = await appOn(testDb, { rateLimits: { perKey: 3, perAddress: 100 } });
      try {
        const office = '192.0.2.10';
        const get = (headers: InjectOptions['headers']) =>
          limited.inject({ url: '/v1/accounts', headers, remoteAddress: office });
        const first = await signIn('viewer');
        const second = await signIn('viewer');
        for (const { cookie } of [first, second]) {
          const statuses: number[] = [];
          for (let i = 0; i < 4; i++) statuses.push((await get({ cookie })).statusCode);
          assert.deepEqual(statuses, [200, 200, 200, 429], cookie);
        }
        const overSession = await get({ cookie: first.cookie });
        const error = overSession.json<{ message: string; details: { scope: string } }>();
        assert.equal(error.details.scope, 'session');
        assert.match(error.message, /console session/);
        assert.match(error.message, /コンソールセッション/);
        assert.doesNotMatch(error.message, /API key|API キー/);

        // A bearer key (even beside a spent session's cookie) keeps its own budget.
        // A key of its own: the counters are in the database this file's other tests share.
        const { secret } = await insertApiKey(testDb.db, {
          name: uniqueId('budget'),
          role: 'viewer',
        });
        const bearer = { authorization: `Bearer ${secret}`, cookie: first.cookie };
        const statuses: number[] = [];
        for (let i = 0; i < 4; i++) statuses.push((await get(bearer)).statusCode);
        assert.deepEqual(statuses, [200, 200, 200, 429]);
        const overKey = (await get(bearer)).json<{ message: string; details: { scope: string } }>();
        assert.equal(overKey.details.scope, 'key');
        assert.match(overKey.message, /API key/);
      } finally {
        await limited.close();
      }
    });
  });

  describe('a second API replica on the same database', () => {
    it('accepts the session the first one signed in, CSRF token included, and sees its sign-out', async () => {
      const replica = await appOn(testDb);
      try {
        const { cookie, body } = await signIn('admin', app);
        const me = await replica.inject({ url: '/v1/me', headers: { cookie } });
        assert.equal(me.statusCode, 200, me.body);
        assert.equal(me.json<SessionBody>().principal.id, body.principal.id);
        const created = await createAccount({ cookie, 'x-csrf-token': body.csrfToken }, replica);
        assert.equal(created.statusCode, 201, created.body);
        const signOut = await replica.inject({
          method: 'DELETE',
          url: '/v1/console/session',
          headers: { cookie, 'x-csrf-token': body.csrfToken },
        });
        assert.equal(signOut.statusCode, 204);
        assert.equal((await app.inject({ url: '/v1/me', headers: { cookie } })).statusCode, 401);
      } finally {
        await replica.close();
      }
    });
  });
});
