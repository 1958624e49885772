import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../api/app';
import { maxTestAccountsPerSender } from '../../api/routes/test-accounts';
import type { ApiRole } from '../../db/database';
import { insertAccount } from '../../db/repositories/accounts';
import { insertApiKey } from '../../db/repositories/api-keys';
import { listAuditEntries } from '../../db/repositories/audit-log';
import { createTestDatabase, type TestDatabase } from '../support/database';

describe('test accounts of a sender account (API → PostgreSQL)', () => {
  let testDb: TestDatabase;
  let app: FastifyInstance;
  const keys = {} as Record<ApiRole, string>;
  const auth = (role: ApiRole) => ({ authorization: `Bearer ${keys[role]}` });

  before(async () => {
    testDb = await createTestDatabase();
    // These routes read PostgreSQL only; a lazy client that never connects stands in for Temporal.
    app = await buildApp({
      db: testDb.db,
      temporal: new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) }),
      temporalConfig: { namespace: 'default', taskQueue: 'unused' },
    });
    for (const role of ['admin', 'operator', 'approver', 'viewer'] as const) {
      keys[role] = (await insertApiKey(testDb.db, { id: role, name: role, role })).secret;
    }
    await insertAccount(testDb.db, { id: 'brand', handle: 'kuji_brand' });
    await insertAccount(testDb.db, { id: 'full', handle: 'kuji_full' });
  });
  after(async () => {
    await app?.close();
    await testDb?.close();
  });

  const add = (role: ApiRole, accountId: string, body: unknown) =>
    app.inject({
      method: 'POST',
      url: `/v1/accounts/${accountId}/test-accounts`,
      headers: auth(role),
      payload: body as Record<string, unknown>,
    });

  describe('POST /v1/accounts/:id/test-accounts', () => {
    it('registers a test account for an admin, once, and audits it', async () => {
      const created = await add('admin', 'brand', {
        xUserId: '1790000000000001008',
        label: '広報テスト',
      });
      assert.equal(created.statusCode, 201, created.body);
      assert.deepEqual(
        (({ createdAt: _createdAt, ...rest }) => rest)(
          created.json<{ testAccount: Record<string, unknown> }>().testAccount,
        ),
        {
          accountId: 'brand',
          xUserId: '1790000000000001008',
          label: '広報テスト',
          addedBy: 'admin',
        },
      );
      const again = await add('admin', 'brand', { xUserId: '1790000000000001008' });
      assert.equal(again.statusCode, 200, again.body);
      assert.equal(
        again.json<{ testAccount: { label: string } }>().testAccount.label,
        '広報テスト',
      );
      const audit = (await listAuditEntries(testDb.db, { limit: 100 })).filter(
        (entry) => entry.action === 'account.test_account_add',
      );
      assert.equal(audit.length, 1);
      assert.equal(audit[0]?.actor, 'admin');
    });

    it('is an admin’s call: an operator cannot make the brand DM whoever they like', async () => {
      for (const role of ['operator', 'approver', 'viewer'] as const) {
        const refused = await add(role, 'brand', { xUserId: '1234' });
        assert.equal(refused.statusCode, 403, `${role}: ${refused.body}`);
      }
    });

    it('refuses a bad X id, an unknown account and one past the cap', async () => {
      assert.equal((await add('admin', 'brand', { xUserId: '@someone' })).statusCode, 400);
      assert.equal((await add('admin', 'brand', {})).statusCode, 400);
      const unknown = await add('admin', 'nobody', { xUserId: '1' });
      assert.equal(unknown.statusCode, 404);
      assert.equal(unknown.json<{ code: string }>().code, 'account_not_found');
      for (let i = 0; i < maxTestAccountsPerSender; i += 1) {
        assert.equal((await add('admin', 'full', { xUserId: String(1000 + i) })).statusCode, 201);
      }
      const over = await add('admin', 'full', { xUserId: '999' });
      assert.equal(over.statusCode, 409, over.body);
      assert.equal(over.json<{ code: string }>().code, 'test_accounts_full');
      // Registering one that is already there is not a new one.
      assert.equal((await add('admin', 'full', { xUserId: '1000' })).statusCode, 200);
    });
  });

  describe('GET and DELETE /v1/accounts/:id/test-accounts', () => {
    it('lists them to every role and lets an admin remove one', async () => {
      await add('admin', 'brand', { xUserId: '4242' });
      const listed = await app.inject({
        url: '/v1/accounts/brand/test-accounts',
        headers: auth('viewer'),
      });
      assert.equal(listed.statusCode, 200, listed.body);
      assert.deepEqual(
        listed.json<{ testAccounts: { xUserId: string }[] }>().testAccounts.map((t) => t.xUserId),
        ['1790000000000001008', '4242'],
      );
      const url = '/v1/accounts/brand/test-accounts/4242';
      assert.equal(
        (await app.inject({ method: 'DELETE', url, headers: auth('operator') })).statusCode,
        403,
      );
      const removed = await app.inject({ method: 'DELETE', url, headers: auth('admin') });
      assert.equal(removed.statusCode, 204, removed.body);
      const gone = await app.inject({ method: 'DELETE', url, headers: auth('admin') });
      assert.equal(gone.statusCode, 404);
      assert.equal(gone.json<{ code: string }>().code, 'test_account_not_found');
      const after = await app.inject({
        url: '/v1/accounts/brand/test-accounts',
        headers: auth('admin'),
      });
      assert.deepEqual(
        after.json<{ testAccounts: { xUserId: string }[] }>().testAccounts.map((t) => t.xUserId),
        ['1790000000000001008'],
      );
    });
  });
});
