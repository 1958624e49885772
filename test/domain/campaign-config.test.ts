import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  campaignConfigSchema,
  exampleCampaignConfig,
  exampleInstantWinConfig,
  type CampaignConfigInput,
} from '../../domain/campaign-config';

const now = new Date('2026-11-22T03:00:00Z');

/** The example as plain input, so a test can change one thing and see what the schema says. */
function drawnInput(): CampaignConfigInput {
  return structuredClone(exampleCampaignConfig(now));
}
function instantInput(): CampaignConfigInput {
  return structuredClone(exampleInstantWinConfig(now));
}

function issuesOf(input: unknown): { path: string; message: string }[] {
  const result = campaignConfigSchema.safeParse(input);
  if (result.success) return [];
  return result.error.issues.map((issue) => ({
    path: issue.path.join('.'),
    message: issue.message,
  }));
}

function assertIssue(input: unknown, path: string, messagePart: RegExp) {
  const issues = issuesOf(input);
  assert.ok(
    issues.some((issue) => issue.path === path && messagePart.test(issue.message)),
    `expected an issue at ${path} matching ${String(messagePart)}, got ${JSON.stringify(issues)}`,
  );
}

describe('campaignConfigSchema', () => {
  it('accepts both example configs', () => {
    assert.deepEqual(issuesOf(exampleCampaignConfig(now)), []);
    assert.deepEqual(issuesOf(exampleInstantWinConfig(now)), []);
  });

  it('schedules the examples relative to the given now, in Japan time', () => {
    const config = exampleCampaignConfig(now);
    assert.equal(config.schedule.startAt, '2026-11-22T13:00:00+09:00');
    assert.ok(Date.parse(config.schedule.endAt) > Date.parse(config.schedule.startAt));
  });

  it('fills in the defaults for exclusions, pacing, timezone and test accounts', () => {
    const input = drawnInput();
    delete input.exclusions;
    delete input.pacing;
    delete input.testAccounts;
    delete input.schedule.timezone;
    if (input.kind === 'drawn') delete input.draw.alternates;
    const config = campaignConfigSchema.parse(input);
    assert.deepEqual(config.exclusions, {
      staffUserIds: [],
      blockedUserIds: [],
      excludeProtected: true,
      excludeSuspended: true,
      excludePreviousWinnersOf: [],
      maxEntriesPerUser: 1,
    });
    assert.deepEqual(config.pacing, { minGapSeconds: 20, jitterSeconds: 10 });
    assert.equal(config.schedule.timezone, 'Asia/Tokyo');
    assert.deepEqual(config.testAccounts, []);
    assert.equal(config.kind === 'drawn' && config.draw.alternates, 0);
  });

  it('rejects an end before the start', () => {
    const input = drawnInput();
    input.schedule.endAt = '2026-11-01T00:00:00+09:00';
    assertIssue(input, 'schedule.endAt', /must be after startAt/);
  });

  it('rejects a date-time without an offset', () => {
    const input = drawnInput();
    input.schedule.startAt = '2026-12-01T10:00:00';
    assertIssue(input, 'schedule.startAt', /with an offset/);
  });

  it('rejects an unknown time zone by name', () => {
    const input = drawnInput();
    input.schedule.timezone = 'Asia/Tokio';
    assertIssue(input, 'schedule.timezone', /unknown time zone "Asia\/Tokio"/);
  });

  it('rejects odds on a drawn campaign', () => {
    const input = drawnInput();
    input.prizes[0]!.odds = 0.5;
    assertIssue(input, 'prizes.0.odds', /only to instant_win/);
  });

  it('rejects an instant-win prize without odds', () => {
    const input = instantInput();
    delete input.prizes[1]!.odds;
    assertIssue(input, 'prizes.1.odds', /needs odds/);
  });

  it('rejects odds on a prize with no stock', () => {
    const input = instantInput();
    input.prizes[0]!.stock = 0;
    assertIssue(input, 'prizes.0.odds', /no stock/);
  });

  it('rejects instant-win odds that add up to more than 1', () => {
    const input = instantInput();
    input.prizes[0]!.odds = 0.95;
    assertIssue(input, 'prizes', /add up to 1\.05/);
  });

  it('rejects odds outside (0, 1]', () => {
    const input = instantInput();
    input.prizes[0]!.odds = 0;
    assert.ok(issuesOf(input).some((issue) => issue.path === 'prizes.0.odds'));
  });

  it('rejects duplicate prize ids', () => {
    const input = instantInput();
    input.prizes[1]!.id = input.prizes[0]!.id;
    assertIssue(input, 'prizes.1.id', /duplicate prize id "grand"/);
  });

  it('rejects fewer codes than stock, and a code listed twice', () => {
    const short = drawnInput();
    short.prizes[0]!.codes = ['A', 'B'];
    assertIssue(short, 'prizes.0.codes', /2 codes for a stock of 10/);

    const twice = drawnInput();
    twice.prizes[0]!.codes![3] = twice.prizes[0]!.codes![2]!;
    assertIssue(twice, 'prizes.0.codes', /lists the code "GIFT-0003" twice/);
  });

  it('rejects more winners than prizes in stock on a drawn campaign', () => {
    const input = drawnInput();
    if (input.kind === 'drawn') input.draw.winners = 11;
    assertIssue(input, 'draw.winners', /11 winners but only 10 prizes/);
  });

  it('requires the draw settings on a drawn campaign', () => {
    const input = drawnInput() as Record<string, unknown>;
    delete input.draw;
    assert.ok(issuesOf(input).some((issue) => issue.path === 'draw'));
  });

  it('names an unknown template variable and the allowed ones', () => {
    const input = drawnInput();
    input.templates.win.dm = '{name}さん、{prize_name}が当たりました';
    assertIssue(
      input,
      'templates.win.dm',
      /unknown variable \{prize_name\}; allowed: \{name\}, \{prize\}, \{code\}, \{resultUrl\}/,
    );
  });

  it('rejects a prize or code in a losing message', () => {
    const input = drawnInput();
    input.templates.lose.dm = '{name}さん、{prize}は外れました';
    assertIssue(input, 'templates.lose.dm', /\{prize\}; allowed: \{name\}, \{resultUrl\}/);
  });

  it('rejects placeholders typed with full-width braces', () => {
    const input = drawnInput();
    input.templates.win.dm = '｛name｝さん、{prize}が当たりました {resultUrl}';
    assertIssue(input, 'templates.win.dm', /｛name｝ uses full-width braces/);
  });

  it('refuses to publish a prize code in a reply', () => {
    const input = drawnInput();
    input.templates.win.reply = '{name}さん当選！コード {code}';
    assertIssue(input, 'templates.win.reply', /would publish the prize code/);
  });

  it('rejects {code} when a prize has no codes', () => {
    const input = drawnInput();
    delete input.prizes[0]!.codes;
    assertIssue(input, 'templates.win.dm', /no codes: gift-card-1000/);
  });

  it('requires a dm or reply text for the win message', () => {
    const input = drawnInput();
    input.templates.win = {};
    assertIssue(input, 'templates.win', /needs a dm or a reply text/);
  });

  it('rejects a dm_keyword rule without a keyword, or with a blank one', () => {
    const missing = drawnInput() as { entryRules: { all: unknown[] } };
    missing.entryRules.all = [{ type: 'dm_keyword' }];
    assertIssue(missing, 'entryRules.all.0.keyword', /needs a keyword/);

    const blank = drawnInput();
    blank.entryRules.all = [{ type: 'dm_keyword', keyword: '　' }];
    assertIssue(blank, 'entryRules.all.0.keyword', /non-blank keyword/);
  });

  it('rejects a reply rule with neither keywords nor hashtags', () => {
    const input = drawnInput();
    input.entryRules.all = [{ type: 'reply' }];
    assertIssue(input, 'entryRules.all.0', /at least one keyword or hashtag/);
  });

  it('rejects a hashtag X would not read as one tag', () => {
    const input = drawnInput();
    input.entryRules.all = [{ type: 'quote', hashtags: ['#ok', '#くじ 当たれ'] }];
    assertIssue(input, 'entryRules.all.0.hashtags.1', /not one hashtag/);
    assert.ok(!issuesOf(input).some((issue) => issue.path === 'entryRules.all.0.hashtags.0'));
  });

  it('rejects an empty rule list', () => {
    const input = drawnInput();
    input.entryRules.all = [];
    assertIssue(input, 'entryRules.all', /at least one entry rule/);
  });

  it('requires the figures the premium caps are computed from', () => {
    const general = drawnInput();
    general.compliance = { premiumKind: 'general' };
    assertIssue(general, 'compliance.transactionValueYen', /set transactionValueYen/);
    assertIssue(general, 'compliance.expectedSalesYen', /set expectedSalesYen/);

    const joint = drawnInput();
    joint.compliance = { premiumKind: 'joint', expectedSalesYen: 1_000_000 };
    assert.deepEqual(issuesOf(joint), []);

    const allComers = drawnInput();
    allComers.compliance = { premiumKind: 'all_comers' };
    assertIssue(allComers, 'compliance.transactionValueYen', /set transactionValueYen/);
  });

  it('rejects a post id that is not an X id', () => {
    const input = drawnInput();
    input.post.tweetId = 'https://x.com/brand/status/1';
    assertIssue(input, 'post.tweetId', /X id/);
  });
});
