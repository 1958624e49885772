/**
 * The emulator's error answers against X's OpenAPI document (x/openapi/openapi.json), through an
 * OpenAPI response validator: every body whose problem `type` the spec defines has the spec's
 * Problem shape for that path, method and status. The answers the spec has no Problem for
 * (`about:blank`, legacy `{ errors: [{ code, message }] }`, usage caps, credits…) are named here,
 * so a new one must be placed on purpose. And a scripted fault never replaces the emulator's own
 * framing headers.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { problemTypeSlug } from '../../domain/x-errors';
import {
  applyAction,
  faultPresetNames,
  startXEmulator,
  type FaultPresetName,
  type XEmulator,
} from '../../emulator';
import { createResponseValidator, specProblemTypeUris } from './openapi-responses';
import { ALICE_ID, baseScenario, CAMPAIGN_POST_ID } from './support';

interface Answer {
  method: string;
  path: string;
  status: number;
  contentType: string;
  headers: Headers;
  body: unknown;
}

/** Presets that answer the way X does where its spec defines no Problem type. */
const offSpecPresets: Partial<Record<FaultPresetName, string>> = {
  bad_gateway: 'HTML from a proxy',
  service_unavailable: 'about:blank',
  service_unavailable_text: 'plain text from a proxy',
  over_capacity: 'legacy code 130',
  rate_limited: 'about:blank',
  user_daily_limit: 'about:blank',
  usage_capped: 'usage-capped, not in the spec',
  credits_depleted: 'credits, not in the spec',
  unauthorized: 'about:blank',
  invalid_token: 'legacy code 89',
  missing_dm_scopes: 'about:blank',
  client_forbidden: 'client-forbidden, not in the spec',
  oauth1_permissions: 'oauth1-permissions, not in the spec',
  unsupported_authentication: 'unsupported-authentication, not in the spec',
  automated: 'legacy code 226',
  locked: 'legacy code 326',
  sender_suspended: 'legacy code 64',
  authenticated_user_suspended: 'about:blank',
  sender_unverified: 'legacy code 476',
  recipient_suspended: 'legacy code 63',
  not_permitted: 'legacy code 349',
  not_following: 'legacy code 150',
  open_dms_required: 'legacy code 214',
  blocked: 'legacy code 136',
  protected: '{"error": "Not authorized."} of a protected timeline',
  post_not_found: 'about:blank',
  duplicate: 'legacy code 151',
  dm_already_said: 'legacy code 151',
  legacy_duplicate: 'legacy code 187',
  daily_limit: 'legacy code 185',
  reply_not_permitted: 'about:blank',
  refused_in_success: 'X off its own contract: a 201 with "data": {} (its errors are checked)',
  success_without_data: 'X off its own contract: a 2xx without the ids and without errors',
  unknown: 'a teapot nobody has seen',
};

/** Presets that are no HTTP answer at all. */
const noAnswerPresets = new Set<FaultPresetName>([
  'timeout',
  'connection_reset',
  'partial_body',
  'revoked',
]);

const specTypes = new Set(specProblemTypeUris().map((uri) => problemTypeSlug(uri)));

/** The problem objects of a body (top level and `errors[]`) whose type the spec defines. */
function specProblems(body: unknown): Record<string, unknown>[] {
  if (!body || typeof body !== 'object') return [];
  const record = body as Record<string, unknown>;
  const all = [record, ...(Array.isArray(record.errors) ? (record.errors as unknown[]) : [])];
  return all.filter(
    (problem): problem is Record<string, unknown> =>
      Boolean(problem) &&
      typeof problem === 'object' &&
      typeof (problem as { type?: unknown }).type === 'string' &&
      specTypes.has(problemTypeSlug((problem as { type: string }).type)),
  );
}

describe("the emulator's error bodies against X's OpenAPI document", () => {
  const validator = createResponseValidator();
  let emulator: XEmulator;
  let token: string;

  before(async () => {
    emulator = await startXEmulator({ scenario: baseScenario(), holdTimeoutMs: 500 });
  });

  after(async () => {
    await emulator?.close();
  });

  /** A fresh world, and a user token for the sender with every scope Kuji asks for. */
  async function reset(): Promise<void> {
    await emulator.loadScenario(baseScenario());
    token = 'bearer-kuji-sender-all-scopes';
    emulator.state.tokens.set(token, {
      kind: 'oauth2',
      accessToken: token,
      userId: emulator.state.requireUser('kuji_sender').id,
      scopes: ['tweet.read', 'tweet.write', 'users.read', 'dm.read', 'dm.write', 'follows.read'],
      expiresAtMs: emulator.clock.now() + 3_600_000,
      revoked: false,
    });
  }

  beforeEach(reset);

  async function call(method: string, path: string, body?: unknown): Promise<Answer> {
    const response = await fetch(`${emulator.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const contentType = response.headers.get('content-type') ?? '';
    const text = await response.text();
    let parsed: unknown = text;
    if (contentType.includes('json')) parsed = JSON.parse(text) as unknown;
    return {
      method,
      path: new URL(path, 'http://x').pathname,
      status: response.status,
      contentType,
      headers: response.headers,
      body: parsed,
    };
  }

  function assertMatchesSpec(answer: Answer, what: string): void {
    const verdict = validator.validate(answer);
    assert.ok(
      verdict.valid,
      `${what}: ${answer.status} ${JSON.stringify(answer.body)} is not valid against ${verdict.against}: ${verdict.errors.join('; ')}`,
    );
  }

  const dmPath = (participant: string) => `/2/dm_conversations/with/${participant}/messages`;

  it("gives the spec's Problem shapes in the answers of its own routes", async () => {
    applyAction(emulator, { type: 'update_user', user: 'carol', patch: { suspended: true } });
    const answers = [
      await call('GET', '/2/users/not-a-number'),
      await call('GET', '/2/users/1790000000000009999'),
      await call('GET', `/2/users?ids=${ALICE_ID},1790000000000103,1790000000000009999`),
      await call('GET', '/2/users/by?usernames=alice,nobody_here_at_all'),
      await call('GET', '/2/users/by/username/nobody_here_at_all'),
      await call('GET', '/2/tweets/1860000000000009999'),
      await call('POST', dmPath('1790000000000009999'), { text: 'hi' }),
      await call('POST', dmPath(ALICE_ID), { text: '' }),
      await call('POST', dmPath(ALICE_ID), { text: 'あ'.repeat(10_001) }),
      await call('POST', dmPath(ALICE_ID), '{not json'),
      await call('POST', '/2/tweets', {
        text: 'hi',
        reply: { in_reply_to_tweet_id: '1860000000000009999' },
      }),
      await call('GET', '/2/tweets/search/recent?query='),
      await call('GET', `/2/tweets/${CAMPAIGN_POST_ID}/retweeted_by?max_results=0`),
      await call('PUT', '/2/webhooks/1990000000000009999'),
    ];
    let checked = 0;
    for (const answer of answers) {
      assert.ok(answer.status >= 400 || specProblems(answer.body).length > 0, answer.path);
      if (specProblems(answer.body).length === 0) continue;
      assertMatchesSpec(answer, `${answer.method} ${answer.path}`);
      checked += 1;
    }
    assert.ok(checked >= 10, `only ${checked} answers carried a spec problem type`);
  });

  it('gives every fault preset a spec Problem shape, or names why the spec has none', async () => {
    const unplaced: string[] = [];
    for (const preset of faultPresetNames) {
      if (noAnswerPresets.has(preset)) continue;
      await reset();
      // Partial errors belong to a lookup's 200; everything else is tried on a DM send.
      const lookup = preset === 'partial_suspended';
      emulator.injectFault({ endpoint: lookup ? 'users.lookup' : 'dm.send', fault: preset });
      const answer = lookup
        ? await call('GET', `/2/users?ids=${ALICE_ID}`)
        : await call('POST', dmPath(ALICE_ID), { text: 'hi' });
      const problems = specProblems(answer.body);
      // Whatever the answer around them, problems of a type the spec defines have its shape.
      for (const problem of problems) {
        assert.match(String(problem.type), /^https:\/\/api\.x\.com\/2\/problems\//, preset);
        const verdict = validator.validateComponent('Problem', problem);
        assert.ok(verdict.valid, `${preset}: ${verdict.errors.join('; ')}`);
      }
      if (offSpecPresets[preset] !== undefined) continue;
      if (problems.length > 0) assertMatchesSpec(answer, `preset ${preset}`);
      else unplaced.push(preset);
    }
    assert.deepEqual(unplaced, [], 'presets with neither a spec shape nor a reason');
  });

  it('names only presets that exist', () => {
    for (const preset of Object.keys(offSpecPresets))
      assert.ok((faultPresetNames as readonly string[]).includes(preset), preset);
  });

  it("never lets a scripted fault's headers replace its own framing headers", async () => {
    const body = { title: 'Teapot', detail: 'Short and stout.', type: 'about:blank', status: 418 };
    emulator.injectFault({
      endpoint: 'users.me',
      fault: {
        kind: 'response',
        status: 418,
        body,
        headers: {
          'Content-Length': '3',
          'transfer-encoding': 'chunked',
          'x-scripted': 'kept',
        },
      },
    });
    const answer = await call('GET', '/2/users/me');
    assert.equal(answer.status, 418);
    assert.deepEqual(answer.body, body, 'the whole body arrived');
    assert.equal(answer.headers.get('content-length'), String(JSON.stringify(body).length));
    assert.equal(answer.headers.get('transfer-encoding'), null);
    assert.equal(answer.headers.get('x-scripted'), 'kept', 'other scripted headers still apply');
  });
});
