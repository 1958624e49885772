/**
 * A refusal X sends in a 2xx answer is never taken for success: the activity fails with the
 * classified XError (as Temporal sees it), the status X really sent and the raw answer in the log.
 * Partial errors beside usable data are logged raw too.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { xErrorFromDetails, type XError } from '../../domain/x-errors';
import { applyAction, type FaultRuleInput } from '../../emulator';
import { createTestDatabase, type TestDatabase } from '../support/database';
import {
  ALICE_ID,
  app,
  baseScenario,
  CAMPAIGN_POST_ID,
  CAROL_ID,
  createHarness,
  runActivity,
  senderOAuth1,
  type Harness,
} from './support';

const refusalBody = {
  data: {},
  errors: [
    {
      title: 'Forbidden',
      detail: 'The user used for authentication is suspended',
      type: 'https://api.x.com/2/problems/resource-unavailable',
      resource_type: 'user',
      status: 403,
    },
  ],
};

describe('refusals in a 2xx answer', () => {
  let database: TestDatabase;
  let h: Harness;

  before(async () => {
    database = await createTestDatabase();
    h = await createHarness(database.db);
  });

  after(async () => {
    await h?.emulator.close();
    await database?.close();
  });

  beforeEach(async () => {
    await h.emulator.loadScenario(baseScenario());
    h.logs.length = 0;
  });

  const sendDm = () =>
    runActivity(() =>
      h.activities.xSendDm({ accountId: h.accountId, participantId: ALICE_ID, text: 'You won!' }),
    );

  function classified(error: unknown): XError {
    assert.ok(error instanceof ApplicationFailure, `not a failure: ${String(error)}`);
    const xError = xErrorFromDetails(error.details);
    assert.ok(xError, 'the failure carries the classified XError');
    assert.equal(error.type, xError.code);
    return xError;
  }

  function loggedRaw(code: string): { httpStatus?: number; body?: unknown } {
    const line = h.logs.find((entry) => entry.meta?.code === code && entry.meta.raw);
    assert.ok(line, `no log line with the raw answer for ${code}: ${JSON.stringify(h.logs)}`);
    return line.meta?.raw as { httpStatus?: number; body?: unknown };
  }

  it('fails a DM send answered 201 with "data": {} and errors, classified from the errors', async () => {
    h.emulator.injectFault({
      endpoint: 'dm.send',
      fault: { kind: 'response', status: 201, body: refusalBody },
    });
    const run = await sendDm();
    assert.equal(run.result, undefined, 'never reported as sent');
    const xError = classified(run.error);
    assert.equal(xError.code, 'sender_suspended');
    assert.equal(xError.category, 'sender_restricted');
    assert.equal(xError.httpStatus, 201);
    assert.equal((run.error as ApplicationFailure).nonRetryable, true);
    const raw = loggedRaw('sender_suspended');
    assert.equal(raw.httpStatus, 201);
    assert.deepEqual(raw.body, refusalBody);
  });

  it('reports the status X sent, not the one the endpoint usually answers with', async () => {
    h.emulator.injectFault({
      endpoint: 'dm.send',
      fault: { kind: 'response', status: 200, body: refusalBody },
    });
    const xError = classified((await sendDm()).error);
    assert.equal(xError.httpStatus, 200);
  });

  it('fails a DM send without dm_event_id, logging the answer raw', async () => {
    h.emulator.injectFault({
      endpoint: 'dm.send',
      fault: { kind: 'response', status: 201, body: { data: { dm_conversation_id: ALICE_ID } } },
    });
    const run = await sendDm();
    assert.equal(run.result, undefined);
    const xError = classified(run.error);
    assert.equal(xError.code, 'unknown');
    assert.equal(xError.httpStatus, 201);
    const raw = loggedRaw('unknown');
    assert.deepEqual(raw.body, { data: { dm_conversation_id: ALICE_ID } });
    assert.equal(h.emulator.sent().dms.length, 0);
  });

  it('fails a DM send whose errors say X broke as transient, for Temporal to retry', async () => {
    h.emulator.injectFault({
      endpoint: 'dm.send',
      fault: {
        kind: 'response',
        status: 201,
        body: {
          data: { dm_conversation_id: ALICE_ID },
          errors: [{ code: 131, message: 'Internal error' }],
        },
      },
    });
    const xError = classified((await sendDm()).error);
    assert.equal(xError.category, 'transient');
    assert.equal(xError.retryable, true);
  });

  it('fails a reply answered without data.id', async () => {
    h.emulator.injectFault({
      endpoint: 'posts.create',
      fault: { kind: 'response', status: 201, body: refusalBody },
    });
    const run = await runActivity(() =>
      h.activities.xReply({
        accountId: h.accountId,
        inReplyToPostId: CAMPAIGN_POST_ID,
        text: '@alice おめでとうございます',
      }),
    );
    assert.equal(run.result, undefined);
    const xError = classified(run.error);
    assert.equal(xError.code, 'sender_suspended');
    assert.equal(xError.httpStatus, 201);
  });

  it('fails a list read X refused as a whole, instead of reading it as an empty list', async () => {
    const run = await runActivity(() =>
      h.activities.xListFollowers({ accountId: h.accountId, userId: '1790000000000009999' }),
    );
    assert.equal(run.result, undefined, 'not an empty list of followers');
    const xError = classified(run.error);
    assert.equal(xError.code, 'user_not_found');
    assert.equal(xError.httpStatus, 200);
    assert.match(JSON.stringify(loggedRaw('user_not_found').body), /Could not find user/);
  });

  it('fails a users lookup X refused as a whole, instead of reading nobody as protected or suspended', async () => {
    h.emulator.injectFault({
      endpoint: 'users.lookup',
      fault: { kind: 'response', status: 200, body: refusalBody },
    });
    const run = await runActivity(() =>
      h.activities.xLookupUsers({ accountId: h.accountId, ids: [ALICE_ID, CAROL_ID] }),
    );
    assert.equal(run.result, undefined, 'not an answer about nobody');
    assert.equal(classified(run.error).httpStatus, 200);
  });

  it("fails a webhook list X refused, instead of reading it as 'no webhook'", async () => {
    h.emulator.injectFault({
      endpoint: 'webhooks.list',
      fault: { kind: 'response', status: 200, body: { errors: refusalBody.errors } },
    });
    const run = await runActivity(() =>
      h.activities.xArmedCheck({ accountId: h.accountId, webhookUrl: 'https://kuji.test/hook' }),
    );
    assert.equal(run.result, undefined, 'not a finding that the webhook is missing');
    assert.equal(classified(run.error).httpStatus, 200);
  });

  it('logs partial errors beside usable data raw, with the status, and no credentials', async () => {
    applyAction(h.emulator, { type: 'update_user', user: 'alice', patch: { suspended: true } });
    const run = await runActivity(() =>
      h.activities.xLookupUsers({ accountId: h.accountId, ids: [ALICE_ID, CAROL_ID] }),
    );
    assert.ok(run.result);
    assert.deepEqual(
      run.result.errors.map((error) => [error.code, error.httpStatus]),
      [['recipient_suspended', 200]],
    );
    const line = h.logs.find((entry) => entry.message === 'Partial errors from X');
    assert.ok(line, `no raw log of the partial errors: ${JSON.stringify(h.logs)}`);
    const raw = line.meta?.raw as { httpStatus?: number; body?: { errors?: unknown[] } };
    assert.equal(raw.httpStatus, 200);
    assert.equal(raw.body?.errors?.length, 1);
    assert.match(JSON.stringify(raw.body), /User has been suspended/);
    const visible = JSON.stringify(h.logs);
    for (const secret of [senderOAuth1.accessToken, senderOAuth1.accessSecret, app.consumerSecret])
      assert.equal(visible.includes(secret), false);
  });

  it('still sends normally when X answers with the ids', async () => {
    const rule: FaultRuleInput = { endpoint: 'dm.send', sequence: ['pass'] };
    h.emulator.injectFault(rule);
    const run = await sendDm();
    assert.equal(run.error, undefined);
    assert.match(run.result?.dmEventId ?? '', /^\d+$/);
  });
});
