import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  classifyPartialErrors,
  classifyXFailure,
  problemTypeSlug,
  xErrorCatalog,
  xErrorCategories,
  xErrorCategoryActions,
  xErrorCodes,
  xErrorFromDetails,
} from '../../domain/x-errors';

describe('xErrorCatalog', () => {
  it('gives every code a Japanese and English reason and remedy', () => {
    for (const code of xErrorCodes) {
      const entry = xErrorCatalog[code];
      for (const text of [entry.reason.ja, entry.reason.en, entry.remedy.ja, entry.remedy.en]) {
        assert.ok(text.length > 20, `${code} has a short text: ${text}`);
      }
      assert.match(
        entry.reason.ja,
        /[\u3040-\u30ff\u4e00-\u9fff]/,
        `${code} reason.ja is not Japanese`,
      );
      assert.match(
        entry.remedy.ja,
        /[\u3040-\u30ff\u4e00-\u9fff]/,
        `${code} remedy.ja is not Japanese`,
      );
    }
  });

  it('covers every category and describes what the workflow does with it', () => {
    const used = new Set(xErrorCodes.map((code) => xErrorCatalog[code].category));
    assert.deepEqual([...used].sort(), [...xErrorCategories].sort());
    for (const category of xErrorCategories)
      assert.ok(xErrorCategoryActions[category].ja.length > 0);
  });

  it('is documented row by row in docs/failure-codes.md', () => {
    const readme = readFileSync(path.resolve(__dirname, '../../docs/failure-codes.md'), 'utf8');
    for (const code of xErrorCodes) {
      const entry = xErrorCatalog[code];
      const row = readme.split('\n').find((line) => {
        const [, first, second] = line.split('|').map((cell) => cell.trim());
        return first === `\`${code}\`` && second === entry.category;
      });
      assert.ok(row, `docs/failure-codes.md has no row for ${code}`);
      const cells = row.split('|').map((cell) => cell.trim());
      assert.equal(cells[3], entry.retryable ? 'yes' : 'no', `${code} retryable`);
      assert.ok(
        row.includes(entry.reason.en) && row.includes(entry.remedy.ja),
        `${code} texts differ from the catalog`,
      );
    }
  });

  it('retries only transient failures and rate limits automatically', () => {
    const retryable = xErrorCodes.filter((code) => xErrorCatalog[code].retryable).sort();
    assert.deepEqual(retryable, [
      'network_error',
      'rate_limited',
      'server_error',
      'service_unavailable',
      'timeout',
    ]);
  });
});

describe('problemTypeSlug', () => {
  it('reads both problem prefixes, about:blank and troubleshooting anchors', () => {
    assert.equal(problemTypeSlug('https://api.x.com/2/problems/usage-capped'), 'usage-capped');
    assert.equal(
      problemTypeSlug('https://api.twitter.com/2/problems/resource-not-found'),
      'resource-not-found',
    );
    assert.equal(problemTypeSlug('about:blank'), 'about:blank');
    assert.equal(
      problemTypeSlug(
        'https://developer.x.com/en/support/x-api/error-troubleshooting#client-forbidden',
      ),
      'client-forbidden',
    );
  });
});

describe('classifyXFailure', () => {
  it('tells a monthly usage cap from a rate limit by the body, even when the headers show requests left', () => {
    const error = classifyXFailure({
      httpStatus: 429,
      headers: {
        'x-rate-limit-limit': '40000',
        'x-rate-limit-remaining': '39999',
        'x-rate-limit-reset': '1795320000',
      },
      body: {
        title: 'UsageCapExceeded',
        detail: 'Usage cap exceeded: Monthly product cap',
        type: 'https://api.twitter.com/2/problems/usage-capped',
      },
    });
    assert.equal(error.code, 'usage_capped');
    assert.equal(error.category, 'quota_exhausted');
    assert.equal(error.retryable, false);
    assert.equal(error.haltsAccount, true);
    assert.equal(error.retryAt, undefined);
  });

  it('puts the retry instant of a 429 at x-rate-limit-reset', () => {
    const error = classifyXFailure({
      httpStatus: 429,
      headers: {
        'x-rate-limit-limit': '15',
        'x-rate-limit-remaining': '0',
        'x-rate-limit-reset': '1795320000',
      },
      body: {
        title: 'Too Many Requests',
        detail: 'Too Many Requests',
        type: 'about:blank',
        status: 429,
      },
    });
    assert.equal(error.code, 'rate_limited');
    assert.equal(error.retryable, true);
    assert.equal(error.retryAt, new Date(1795320000 * 1000).toISOString());
  });

  it('reads retry-after when X sends no reset header', () => {
    const error = classifyXFailure({
      httpStatus: 429,
      headers: { 'retry-after': '30' },
      body: 'Too Many Requests',
      nowMs: 1_000_000,
    });
    assert.equal(error.code, 'rate_limited');
    assert.equal(error.retryAt, new Date(1_030_000).toISOString());
  });

  it('treats a spent 24-hour user window as quota, retrying at its reset', () => {
    const error = classifyXFailure({
      httpStatus: 429,
      headers: {
        'x-rate-limit-remaining': '10',
        'x-rate-limit-reset': '1795320000',
        'x-user-limit-24hour-remaining': '0',
        'x-user-limit-24hour-reset': '1795400000',
      },
      body: { title: 'Too Many Requests', type: 'about:blank', status: 429 },
    });
    assert.equal(error.code, 'user_daily_limit');
    assert.equal(error.category, 'quota_exhausted');
    assert.equal(error.retryAt, new Date(1795400000 * 1000).toISOString());
  });

  it('halts on 402 CreditsDepleted', () => {
    const error = classifyXFailure({
      httpStatus: 402,
      body: {
        title: 'CreditsDepleted',
        detail: 'no credits',
        type: 'https://api.x.com/2/problems/credits',
      },
    });
    assert.equal(error.code, 'credits_depleted');
    assert.equal(error.haltsAccount, true);
  });

  it('reads a 403 about:blank "Forbidden" on a DM send as missing dm scopes, not the recipient', () => {
    const body = { title: 'Forbidden', type: 'about:blank', status: 403, detail: 'Forbidden' };
    assert.equal(
      classifyXFailure({ httpStatus: 403, body, operation: 'dm_send' }).code,
      'auth_missing_dm_scopes',
    );
    assert.equal(
      classifyXFailure({ httpStatus: 403, body, operation: 'dm_send' }).category,
      'auth',
    );
    assert.equal(classifyXFailure({ httpStatus: 403, body, operation: 'read' }).code, 'unknown');
  });

  it('classifies 151 "You already said that" as rejected content to reconcile before any retry', () => {
    const error = classifyXFailure({
      httpStatus: 403,
      body: {
        errors: [
          { code: 151, message: 'There was an error sending your message: You already said that.' },
        ],
      },
      operation: 'dm_send',
    });
    assert.equal(error.code, 'dm_already_said');
    assert.equal(error.category, 'content_rejected');
    assert.equal(error.reconcileBeforeRetry, true);
    assert.equal(error.xCode, 151);
  });

  it('classifies other 151s as a refused DM', () => {
    const error = classifyXFailure({
      httpStatus: 403,
      body: { errors: [{ code: 151, message: 'There was an error sending your message.' }] },
      operation: 'dm_send',
    });
    assert.equal(error.code, 'dm_not_permitted');
  });

  it('classifies 63 as an unreachable recipient and 64 as a restricted sender', () => {
    const recipient = classifyXFailure({
      httpStatus: 403,
      body: { errors: [{ code: 63, message: 'User has been suspended.' }] },
    });
    assert.equal(recipient.code, 'recipient_suspended');
    assert.equal(recipient.category, 'recipient_unreachable');
    const sender = classifyXFailure({
      httpStatus: 403,
      body: {
        errors: [
          {
            code: 64,
            message: 'Your account is suspended and is not permitted to access this feature.',
          },
        ],
      },
    });
    assert.equal(sender.code, 'sender_suspended');
    assert.equal(sender.category, 'sender_restricted');
  });

  it('falls back to the legacy code when the message says nothing known', () => {
    assert.equal(
      classifyXFailure({ httpStatus: 403, body: { errors: [{ code: 226, message: '…' }] } }).code,
      'sender_automation_flagged',
    );
    assert.equal(
      classifyXFailure({ httpStatus: 403, body: { errors: [{ code: 326, message: '…' }] } }).code,
      'sender_locked',
    );
    assert.equal(
      classifyXFailure({ httpStatus: 403, body: { errors: [{ code: 349, message: '…' }] } }).code,
      'dm_not_permitted',
    );
    assert.equal(
      classifyXFailure({ httpStatus: 403, body: { errors: [{ code: 150, message: '…' }] } }).code,
      'dm_recipient_not_following',
    );
  });

  it('prefers the detail text over a generic problem type', () => {
    const error = classifyXFailure({
      httpStatus: 200,
      body: {
        errors: [
          {
            detail: 'User has been suspended: [42].',
            title: 'Forbidden',
            resource_type: 'user',
            resource_id: '42',
            type: 'https://api.twitter.com/2/problems/resource-not-found',
          },
        ],
      },
    });
    assert.equal(error.code, 'recipient_suspended');
    assert.equal(error.resourceId, '42');
  });

  it('reads a protected timeline 401 {"error":"Not authorized."} as the target, not our token', () => {
    assert.equal(
      classifyXFailure({ httpStatus: 401, body: { error: 'Not authorized.' } }).code,
      'recipient_protected',
    );
    assert.equal(
      classifyXFailure({
        httpStatus: 401,
        body: { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' },
      }).code,
      'auth_token_invalid',
    );
  });

  it('classifies a plain-text 503 from a proxy as transient', () => {
    const error = classifyXFailure({
      httpStatus: 503,
      body: 'upstream connect error or disconnect/reset before headers. reset reason: connection termination',
    });
    assert.equal(error.code, 'service_unavailable');
    assert.equal(error.retryable, true);
    assert.match(error.xDetail ?? '', /upstream connect error/);
  });

  it('tells timeouts from other network errors', () => {
    assert.equal(
      classifyXFailure({ networkError: { message: 'Request timeout.' } }).code,
      'timeout',
    );
    assert.equal(
      classifyXFailure({ networkError: { code: 'ECONNRESET', message: 'socket hang up' } }).code,
      'network_error',
    );
    assert.equal(
      classifyXFailure({ networkError: { code: 'ECONNRESET' } }).reconcileBeforeRetry,
      false,
    );
    assert.equal(
      classifyXFailure({ networkError: { message: 'Request timeout.' } }).reconcileBeforeRetry,
      true,
    );
  });

  it('keeps unrecognised answers as unknown with their evidence', () => {
    const error = classifyXFailure({ httpStatus: 418, body: { surprise: true } });
    assert.equal(error.code, 'unknown');
    assert.equal(error.category, 'unknown');
    assert.equal(error.httpStatus, 418);
  });

  it('classifies a refused OAuth 2.0 refresh as an auth problem', () => {
    const error = classifyXFailure({
      httpStatus: 400,
      body: {
        error: 'invalid_request',
        error_description: 'Value passed for the token was invalid.',
      },
      operation: 'token_refresh',
    });
    assert.equal(error.code, 'auth_refresh_rejected');
    assert.equal(error.haltsAccount, true);
  });
});

describe('classifyPartialErrors', () => {
  it('classifies each problem of a 200 answer on its own', () => {
    const errors = classifyPartialErrors([
      {
        detail: 'Could not find user with id: [1].',
        type: 'https://api.x.com/2/problems/resource-not-found',
        resource_id: '1',
        title: 'Not Found Error',
      },
      {
        detail: 'User has been suspended: [2].',
        type: 'https://api.twitter.com/2/problems/resource-not-found',
        resource_id: '2',
        title: 'Forbidden',
      },
    ]);
    assert.deepEqual(
      errors.map((e) => [e.code, e.resourceId]),
      [
        ['user_not_found', '1'],
        ['recipient_suspended', '2'],
      ],
    );
  });
});

describe('xErrorFromDetails', () => {
  it('reads back an XError from failure details and rejects anything else', () => {
    const error = classifyXFailure({ httpStatus: 500, body: {} });
    assert.deepEqual(xErrorFromDetails([JSON.parse(JSON.stringify(error))]), error);
    assert.equal(xErrorFromDetails([{ code: 'made_up' }]), undefined);
    assert.equal(xErrorFromDetails([{ code: 'server_error', category: 'auth' }]), undefined);
    assert.equal(xErrorFromDetails(undefined), undefined);
  });
});
