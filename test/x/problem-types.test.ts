/**
 * Every problem `type` X's OpenAPI document lists (x/openapi/openapi.json) is classified on
 * purpose — under both prefixes X uses, for every call Kuji makes, whatever status carries it —
 * and the refusals the issue names land in the right category.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  classifyPartialErrors,
  classifyXFailure,
  problemTypeSlug,
  type XError,
  type XOperation,
} from '../../domain/x-errors';
import { decisiveProblemTypes, genericProblemTypes } from '../../domain/x-problem-types';
import { loadXOpenApi, specProblemSchemas, type ProblemSchema } from './openapi-responses';

const spec = loadXOpenApi();

/** The problem types of the document: the `Problem` union's members and their `type` enums. */
function specProblemTypes(): { type: string; schema: ProblemSchema }[] {
  const found = specProblemSchemas(spec);
  const problem = spec.components.schemas.Problem as {
    discriminator?: { mapping?: Record<string, string> };
  };
  // The discriminator must not name a type the union lacks.
  for (const type of Object.keys(problem.discriminator?.mapping ?? {}))
    assert.ok(
      found.some((entry) => entry.type === type),
      `${type} is in the union`,
    );
  return found;
}

const X_PREFIX = 'https://api.x.com/2/problems/';
const TWITTER_PREFIX = 'https://api.twitter.com/2/problems/';
const operations: XOperation[] = [
  'dm_send',
  'dm_read',
  'post_create',
  'read',
  'user_lookup',
  'token_refresh',
];

/** A body with every field the spec requires, in neutral words that name no other failure. */
function problemBody(
  type: string,
  schema: ProblemSchema,
  status?: number,
): Record<string, unknown> {
  const body: Record<string, unknown> = { type, title: 'Problem', detail: 'See the type.' };
  for (const field of schema.required ?? []) body[field] ??= field === 'field' ? 'text' : 'user';
  if (status !== undefined) body.status = status;
  return body;
}

function assertDeliberate(error: XError, where: string): void {
  assert.notEqual(error.category, 'unknown', `${where} fell back to unknown`);
  assert.notEqual(error.code, 'unknown', where);
  for (const text of [error.reason.en, error.reason.ja, error.remedy.en, error.remedy.ja])
    assert.ok(text.length > 10, `${where} has a reason and remedy in both languages`);
  assert.match(error.reason.ja, /[\u3040-\u30ff\u4e00-\u9fff]/, `${where} reason.ja is Japanese`);
  assert.match(error.remedy.ja, /[\u3040-\u30ff\u4e00-\u9fff]/, `${where} remedy.ja is Japanese`);
}

describe("X's OpenAPI problem types", () => {
  const problemTypes = specProblemTypes();

  it('are read from the committed document', () => {
    assert.ok(problemTypes.length >= 9, `only ${problemTypes.length} problem types`);
    for (const { type } of problemTypes) assert.ok(type.startsWith(X_PREFIX), type);
  });

  it('each classify to a deliberate category under both prefixes, for every call and status', () => {
    for (const { type, schema } of problemTypes) {
      const slug = type.slice(X_PREFIX.length);
      for (const prefix of [X_PREFIX, TWITTER_PREFIX]) {
        const full = `${prefix}${slug}`;
        for (const operation of operations) {
          if (operation === 'token_refresh') continue;
          for (const httpStatus of [400, 403, 404, 409, 200, 201]) {
            const error = classifyXFailure({
              httpStatus,
              body: problemBody(full, schema),
              operation,
            });
            assertDeliberate(error, `${full} ${httpStatus} ${operation}`);
            assert.equal(error.xType, full);
            assert.equal(error.httpStatus, httpStatus);
          }
          const [partial] = classifyPartialErrors([problemBody(full, schema)], operation);
          assert.ok(partial);
          assertDeliberate(partial, `${full} as a partial error of ${operation}`);
        }
      }
    }
  });

  it('each have an entry of their own in the problem-type table', () => {
    for (const { type } of problemTypes) {
      const slug = problemTypeSlug(type) ?? '';
      assert.ok(
        slug in decisiveProblemTypes || slug in genericProblemTypes,
        `${type} is not in domain/x-problem-types.ts`,
      );
    }
  });

  it('reads an internal error carried by a 4xx or a 200 as transient', () => {
    for (const prefix of [X_PREFIX, TWITTER_PREFIX]) {
      for (const httpStatus of [200, 201, 400, 403]) {
        const error = classifyXFailure({
          httpStatus,
          body: {
            errors: [
              {
                type: `${prefix}internal-error`,
                title: 'Internal Error',
                detail: 'Could not find user with id: [1].',
              },
            ],
          },
          operation: 'dm_send',
        });
        assert.equal(error.category, 'transient', `${prefix} in ${httpStatus}`);
        assert.equal(error.retryable, true);
      }
    }
  });
});

describe('refusals the issue names', () => {
  it('"The user used for authentication is suspended" is the sender, not the recipient', () => {
    for (const httpStatus of [403, 200, undefined]) {
      const error = classifyXFailure({
        httpStatus,
        body: {
          errors: [
            {
              title: 'Forbidden',
              detail: 'The user used for authentication is suspended',
              type: `${TWITTER_PREFIX}resource-unavailable`,
              resource_type: 'user',
            },
          ],
        },
        operation: 'dm_send',
      });
      assert.equal(error.code, 'sender_suspended', `status ${httpStatus}`);
      assert.equal(error.category, 'sender_restricted');
      assert.equal(error.haltsAccount, true);
    }
  });

  it('app-permission refusals are auth with the developer-portal setting to change', () => {
    const bodies = [
      {
        title: 'Forbidden',
        detail:
          'Your client app is not configured with the appropriate oauth1 app permissions for this endpoint.',
        type: `${TWITTER_PREFIX}oauth1-permissions`,
        status: 403,
      },
      { errors: [{ code: 37, message: 'Your app is not permitted to access this feature.' }] },
      { title: 'Forbidden', detail: 'Not permitted to access this feature.', type: 'about:blank' },
    ];
    for (const body of bodies) {
      const error = classifyXFailure({ httpStatus: 403, body, operation: 'dm_send' });
      assert.equal(error.code, 'auth_app_permissions', JSON.stringify(body));
      assert.equal(error.category, 'auth');
      assert.match(error.remedy.en, /App permissions/);
      assert.match(error.remedy.en, /Read and write and Direct message/);
      assert.match(error.remedy.ja, /App permissions/);
    }
  });

  it('a suspended sender told "not permitted to access this feature" stays sender_suspended', () => {
    const error = classifyXFailure({
      httpStatus: 403,
      body: {
        errors: [
          {
            code: 64,
            message: 'Your account is suspended and is not permitted to access this feature.',
          },
        ],
      },
      operation: 'dm_send',
    });
    assert.equal(error.code, 'sender_suspended');
  });

  it('media that may not be attached to a DM is content_rejected', () => {
    const bodies = [
      {
        title: 'Disallowed Resource',
        detail: 'The media with id [1880000000000000001] may not be attached to this message.',
        type: `${X_PREFIX}disallowed-resource`,
        resource_type: 'media',
        status: 403,
      },
      {
        title: 'Forbidden',
        detail: 'Direct messages do not support this media.',
        type: 'about:blank',
        status: 403,
      },
      { errors: [{ code: 324, message: 'The validation of media ids failed.' }] },
    ];
    for (const body of bodies) {
      const error = classifyXFailure({ httpStatus: 403, body, operation: 'dm_send' });
      assert.equal(error.code, 'media_not_allowed', JSON.stringify(body));
      assert.equal(error.category, 'content_rejected');
    }
  });

  it('a server error wrapped in a 4xx or a 200 body is transient', () => {
    const cases: { httpStatus: number; body: unknown }[] = [
      {
        httpStatus: 400,
        body: {
          title: 'Internal Server Error',
          detail: 'Internal Server Error',
          type: 'about:blank',
        },
      },
      { httpStatus: 403, body: { errors: [{ code: 131, message: 'Internal error' }] } },
      { httpStatus: 200, body: { data: {}, errors: [{ message: 'Over capacity', code: 130 }] } },
      {
        httpStatus: 200,
        body: { errors: [{ title: 'Service Unavailable', detail: 'Try later.', status: 503 }] },
      },
      {
        httpStatus: 409,
        body: { title: 'Conflict', detail: 'Something broke.', type: 'about:blank', status: 500 },
      },
    ];
    for (const { httpStatus, body } of cases) {
      const error = classifyXFailure({ httpStatus, body, operation: 'dm_send' });
      assert.equal(error.category, 'transient', JSON.stringify(body));
      assert.equal(error.httpStatus, httpStatus);
    }
  });
});
