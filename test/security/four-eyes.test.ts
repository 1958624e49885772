/**
 * Four eyes, through the real stack (API → Temporal dev server → worker → PostgreSQL): the author
 * of a campaign cannot approve it by the API, by a signal typed in the Web UI or CLI, or by an
 * update; nor can anyone who is not a live approver key. Every refusal is audited as refused.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { approveSignal, approveUpdate, statusQuery } from '../../workflows/messages';
import { campaignWorkflowId } from '../../workflows/search-attributes';
import { type ApiHarness, startApiHarness } from '../support/api';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { reachableExampleConfig, seedAccount } from '../support/fixtures';
import { createDevServerEnv } from '../support/temporal';

describe('four eyes by every channel', () => {
  let env: TestWorkflowEnvironment;
  let testDb: TestDatabase;
  let api: ApiHarness;
  let accountId: string;

  before(async () => {
    [env, testDb] = await Promise.all([createDevServerEnv(), createTestDatabase()]);
    api = await startApiHarness(env, testDb);
    accountId = await seedAccount(testDb.db);
  });
  after(async () => {
    await api?.close();
    await env?.teardown();
    await testDb?.close();
  });

  async function updateRefusal(promise: Promise<unknown>): Promise<string | undefined> {
    try {
      await promise;
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
        return error.cause.type ?? undefined;
      }
      throw error;
    }
    return undefined;
  }

  it("refuses the author's approval by API, signal and update, and a made-up approver's, auditing each", async () => {
    // An admin may write and approve campaigns: the one caller the author rule alone must stop.
    const created = await api.app.inject({
      method: 'POST',
      url: '/v1/campaigns',
      headers: api.auth('admin'),
      payload: { id: 'four-eyes', config: { ...reachableExampleConfig(new Date()), accountId } },
    });
    assert.equal(created.statusCode, 201, created.body);
    const handle = env.client.workflow.getHandle(campaignWorkflowId('four-eyes'));
    for (let i = 0; (await handle.query(statusQuery)).phase !== 'awaiting_approval'; i += 1) {
      if (i > 300) throw new Error('never reached awaiting_approval');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    const byApi = await api.app.inject({
      method: 'POST',
      url: '/v1/campaigns/four-eyes/approve',
      headers: api.auth('admin'),
    });
    assert.equal(byApi.statusCode, 403, byApi.body);
    assert.equal(byApi.json<{ code: string }>().code, 'author_cannot_approve');

    await handle.signal(approveSignal, { by: 'admin' });
    await handle.signal(approveSignal, { by: 'someone-typed-this' });
    assert.equal(
      await updateRefusal(handle.executeUpdate(approveUpdate, { args: [{ by: 'admin' }] })),
      'author_cannot_approve',
    );
    assert.equal(
      await updateRefusal(handle.executeUpdate(approveUpdate, { args: [{ by: 'viewer' }] })),
      'not_an_approver',
    );

    const status = await handle.query(statusQuery);
    assert.equal(status.phase, 'awaiting_approval');
    assert.equal(status.approvedBy, null);
    const refused = await testDb.db
      .selectFrom('audit_log')
      .select(['actor', 'details'])
      .where('campaign_id', '=', 'four-eyes')
      .where('action', '=', 'campaign.approve')
      .where('outcome', '=', 'refused')
      .execute();
    const codes = refused
      .map((r) => `${r.actor}:${(r.details as { code?: string } | null)?.code}`)
      .sort();
    for (const expected of [
      'admin:author_cannot_approve',
      'someone-typed-this:not_an_approver',
      'viewer:not_an_approver',
    ]) {
      assert.ok(codes.includes(expected), `${expected} not audited: ${codes.join(', ')}`);
    }
    console.log(`[four-eyes] ${refused.length} refused approvals audited: ${codes.join(', ')}`);

    const byApprover = await api.app.inject({
      method: 'POST',
      url: '/v1/campaigns/four-eyes/approve',
      headers: api.auth('approver'),
    });
    assert.equal(byApprover.statusCode, 200, byApprover.body);
    assert.equal((await handle.query(statusQuery)).approvedBy, 'approver');
    await handle.terminate('test over');
  });
});
