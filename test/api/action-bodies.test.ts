/**
 * Every action route takes a request without a body, as `curl -X POST` sends it (the README's
 * examples send none), with or without `content-type: application/json`, and `{}`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { type ApiHarness, startApiHarness } from '../support/api';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { reachableExampleConfig, seedAccount } from '../support/fixtures';
import { createDevServerEnv } from '../support/temporal';

/** The three ways a caller sends "nothing". */
const emptyBodies = [
  { name: 'no body at all', headers: {}, payload: undefined },
  {
    name: 'no body with content-type json',
    headers: { 'content-type': 'application/json' },
    payload: undefined,
  },
  { name: '{}', headers: { 'content-type': 'application/json' }, payload: '{}' },
] as const;

type EmptyBody = (typeof emptyBodies)[number];

describe('action routes without a body', () => {
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

  function post(url: string, role: keyof ApiHarness['keys'], body: EmptyBody) {
    return api.app.inject({
      method: 'POST',
      url,
      headers: { ...api.auth(role), ...body.headers },
      ...(body.payload === undefined ? {} : { payload: body.payload }),
    });
  }

  async function waitForPhase(id: string, phase: string) {
    for (let attempt = 0; attempt < 150; attempt += 1) {
      const response = await api.app.inject({
        url: `/v1/campaigns/${id}`,
        headers: api.auth('viewer'),
      });
      if (response.json<{ campaign: { phase: string } }>().campaign.phase === phase) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.fail(`campaign ${id} never reached ${phase}`);
  }

  async function waitForPaused(id: string, paused: boolean) {
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const response = await api.app.inject({
        url: `/v1/campaigns/${id}`,
        headers: api.auth('viewer'),
      });
      if (response.json<{ campaign: { paused: boolean } }>().campaign.paused === paused) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.fail(`campaign ${id} never showed paused: ${paused}`);
  }

  for (const [index, body] of emptyBodies.entries()) {
    describe(`with ${body.name}`, () => {
      const id = `empty-body-${index}`;

      it('POST /v1/campaigns/:id/start starts the stored draft (202)', async () => {
        const created = await api.app.inject({
          method: 'POST',
          url: '/v1/campaigns',
          headers: api.auth('operator'),
          payload: {
            id,
            config: { ...reachableExampleConfig(new Date()), accountId },
            start: false,
          },
        });
        assert.equal(created.statusCode, 201, created.body);
        const response = await post(`/v1/campaigns/${id}/start`, 'operator', body);
        assert.equal(response.statusCode, 202, response.body);
        await waitForPhase(id, 'awaiting_approval');
      });

      it('POST /v1/campaigns/:id/approve approves (200)', async () => {
        const response = await post(`/v1/campaigns/${id}/approve`, 'approver', body);
        assert.equal(response.statusCode, 200, response.body);
        assert.ok(response.json<{ approvedBy: string }>().approvedBy);
      });

      it('POST /v1/campaigns/:id/pause and …/resume pause and resume (202)', async () => {
        const paused = await post(`/v1/campaigns/${id}/pause`, 'approver', body);
        assert.equal(paused.statusCode, 202, paused.body);
        await waitForPaused(id, true);
        const resumed = await post(`/v1/campaigns/${id}/resume`, 'operator', body);
        assert.equal(resumed.statusCode, 202, resumed.body);
        await waitForPaused(id, false);
      });

      it('POST /v1/campaigns/:id/deliveries/:deliveryId/resend reaches the workflow', async () => {
        const response = await post(
          `/v1/campaigns/${id}/deliveries/no-such-delivery/resend`,
          'operator',
          body,
        );
        // The workflow's own refusal (nothing to resend before collecting): the request got in.
        assert.equal(response.statusCode, 409, response.body);
        assert.equal(response.json<{ code: string }>().code, 'invalid_in_phase');
      });

      it('POST /v1/accounts/:id/resume answers with the account (200)', async () => {
        const response = await post(`/v1/accounts/${accountId}/resume`, 'operator', body);
        assert.equal(response.statusCode, 200, response.body);
        assert.equal(response.json<{ wasHalted: boolean }>().wasHalted, false);
      });

      it('POST /v1/campaigns/:id/cancel cancels (202)', async () => {
        const response = await post(`/v1/campaigns/${id}/cancel`, 'operator', body);
        assert.equal(response.statusCode, 202, response.body);
        await waitForPhase(id, 'cancelled');
      });
    });
  }

  it('a route that needs fields answers 400 naming them when the body is empty', async () => {
    const response = await post(
      '/v1/campaigns/empty-body-0/interventions/int-x/resolve',
      'operator',
      emptyBodies[1],
    );
    assert.equal(response.statusCode, 400, response.body);
    const error = response.json<{ code: string; details: { path: string }[] }>();
    assert.equal(error.code, 'validation_failed');
    assert.deepEqual(
      error.details.map((d) => d.path),
      ['body.resolution'],
    );
  });
});
