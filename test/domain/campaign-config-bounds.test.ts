import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  campaignConfigSchema,
  configLimits,
  exampleCampaignConfig,
  type CampaignConfigInput,
} from '../../domain/campaign-config';
import { findUnstorableText, isStorableText } from '../../domain/storable-text';

const now = new Date('2026-11-22T03:00:00Z');

function drawnInput(): CampaignConfigInput & { kind: 'drawn' } {
  const input = structuredClone(exampleCampaignConfig(now));
  return input;
}

function issuePaths(input: unknown): string[] {
  const result = campaignConfigSchema.safeParse(input);
  if (result.success) return [];
  return result.error.issues.map((issue) => issue.path.join('.'));
}

function assertRejectedAt(input: unknown, path: string) {
  const paths = issuePaths(input);
  assert.ok(paths.includes(path), `expected an issue at ${path}, got ${JSON.stringify(paths)}`);
}

const codes = (count: number, prefix = 'C') =>
  Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(6, '0')}`);

describe('campaignConfigSchema: text PostgreSQL cannot store', () => {
  const hostile = {
    nul: 'a\u0000b',
    loneHigh: 'a\ud800b',
    loneLow: '\udc00',
    trailingHigh: 'x\udbff',
  };

  for (const [label, value] of Object.entries(hostile)) {
    it(`rejects ${label} in the name, a keyword, a prize, a code and a template, naming the field`, () => {
      const withName = { ...drawnInput(), name: value };
      assertRejectedAt(withName, 'name');

      const withKeyword = drawnInput();
      withKeyword.entryRules = { all: [{ type: 'dm_keyword', keyword: value }] };
      assertRejectedAt(withKeyword, 'entryRules.all.0.keyword');

      const withPrize = drawnInput();
      withPrize.prizes[0] = { ...withPrize.prizes[0]!, name: value };
      assertRejectedAt(withPrize, 'prizes.0.name');

      const withCode = drawnInput();
      withCode.prizes[0]!.codes![4] = value;
      assertRejectedAt(withCode, 'prizes.0.codes.4');

      const withTemplate = drawnInput();
      withTemplate.templates.win.dm = `{name} ${value} {resultUrl}`;
      assertRejectedAt(withTemplate, 'templates.win.dm');
    });
  }

  it('accepts emoji and other well-formed surrogate pairs', () => {
    const input = { ...drawnInput(), name: '冬のキャンペーン🎁🎄' };
    assert.deepEqual(issuePaths(input), []);
  });
});

describe('campaignConfigSchema: every number and list is bounded', () => {
  it('rejects pacing of 1e308 seconds (the workflow timer would fail after the first send)', () => {
    const input = drawnInput();
    input.pacing = { minGapSeconds: 1e308, jitterSeconds: 1e308 };
    assertRejectedAt(input, 'pacing.minGapSeconds');
    assertRejectedAt(input, 'pacing.jitterSeconds');
  });

  it('accepts pacing of an hour, the longest gap', () => {
    const input = drawnInput();
    input.pacing = { minGapSeconds: configLimits.pacingSeconds, jitterSeconds: 0 };
    assert.deepEqual(issuePaths(input), []);
  });

  it('caps stock, value, winners, alternates and claim deadlines', () => {
    const input = drawnInput();
    input.prizes[0] = {
      ...input.prizes[0]!,
      stock: configLimits.stockPerPrize + 1,
      codes: undefined,
    };
    input.prizes[0].valueYen = configLimits.valueYen + 1;
    input.draw = { winners: configLimits.winners + 1, alternates: configLimits.alternates + 1 };
    input.schedule.claimDeadlineHours = configLimits.claimDeadlineHours + 1;
    for (const path of [
      'prizes.0.stock',
      'prizes.0.valueYen',
      'draw.winners',
      'draw.alternates',
      'schedule.claimDeadlineHours',
    ]) {
      assertRejectedAt(input, path);
    }
  });

  it('caps the counts of prizes, rules, keywords, test accounts, staff and block lists', () => {
    const input = drawnInput();
    const prize = { ...input.prizes[0]!, codes: undefined, stock: 1 };
    input.prizes = Array.from({ length: configLimits.prizes + 1 }, (_, i) => ({
      ...prize,
      id: `p${i}`,
    }));
    input.entryRules = {
      all: [
        ...Array.from({ length: configLimits.entryRules }, () => ({ type: 'repost' as const })),
        {
          type: 'reply' as const,
          keywords: Array.from({ length: configLimits.wordsPerRule + 1 }, (_, i) => `k${i}`),
        },
      ],
    };
    input.testAccounts = Array.from(
      { length: configLimits.testAccounts + 1 },
      (_, i) => `${i + 1}`,
    );
    input.exclusions = {
      staffUserIds: Array.from({ length: configLimits.staffUserIds + 1 }, (_, i) => `${i + 1}`),
      blockedUserIds: Array.from({ length: configLimits.blockedUserIds + 1 }, (_, i) => `${i + 1}`),
    };
    for (const path of [
      'prizes',
      'entryRules.all',
      'testAccounts',
      'exclusions.staffUserIds',
      'exclusions.blockedUserIds',
    ]) {
      assertRejectedAt(input, path);
    }
  });

  it('caps keyword and code lengths and template sizes', () => {
    const input = drawnInput();
    input.entryRules = {
      all: [{ type: 'dm_keyword', keyword: 'k'.repeat(configLimits.wordLength + 1) }],
    };
    input.prizes[0]!.codes![0] = 'c'.repeat(configLimits.codeLength + 1);
    input.templates.lose.dm = `{name} ${'x'.repeat(10_000)}`;
    assertRejectedAt(input, 'entryRules.all.0.keyword');
    assertRejectedAt(input, 'prizes.0.codes.0');
    assertRejectedAt(input, 'templates.lose.dm');
  });

  it(`caps prize codes at ${configLimits.codes} over all prizes`, () => {
    const input = drawnInput();
    const half = configLimits.codes / 2 + 1;
    input.prizes = [
      { id: 'a', name: 'A', stock: 1, valueYen: 100, codes: codes(half, 'A') },
      { id: 'b', name: 'B', stock: 1, valueYen: 100, codes: codes(half, 'B') },
    ];
    input.draw = { winners: 2, alternates: 0 };
    assertRejectedAt(input, 'prizes');
  });

  it('refuses a campaign longer than a year', () => {
    const input = drawnInput();
    input.schedule.endAt = '2028-01-01T00:00:00+09:00';
    assertRejectedAt(input, 'schedule.endAt');
  });
});

describe('campaignConfigSchema: duplicate prize codes', () => {
  it('checks 100,000 codes in linear time (the quadratic check blocked the event loop for seconds)', () => {
    const input = drawnInput();
    input.prizes[0] = {
      ...input.prizes[0]!,
      stock: configLimits.codes,
      codes: codes(configLimits.codes),
    };
    const started = performance.now();
    const result = campaignConfigSchema.safeParse(input);
    const elapsed = performance.now() - started;
    assert.equal(result.success, true, JSON.stringify(issuePaths(input)));
    assert.ok(elapsed < 1500, `parsing 100,000 codes took ${Math.round(elapsed)} ms`);
  });

  it('still names a code listed twice', () => {
    const input = drawnInput();
    input.prizes[0]!.codes![7] = input.prizes[0]!.codes![2]!;
    const result = campaignConfigSchema.safeParse(input);
    assert.equal(result.success, false);
    assert.match(result.error?.issues[0]?.message ?? '', /lists the code "GIFT-0003" twice/);
  });
});

describe('findUnstorableText', () => {
  it('finds NUL and lone surrogates in nested values and keys, with the path', () => {
    assert.deepEqual(findUnstorableText({ a: [1, { b: 'ok', c: 'x\u0000' }] }), {
      path: ['a', 1, 'c'],
    });
    assert.deepEqual(findUnstorableText({ ['k\ud800']: 1 }), { path: ['k\ud800'] });
    assert.equal(findUnstorableText({ a: ['🎁', 'ok'], n: 5, z: null }), undefined);
  });

  it('walks a deeply nested body without overflowing the stack', () => {
    let value: unknown = 'end\u0000';
    for (let i = 0; i < 100_000; i++) value = [value];
    assert.equal(findUnstorableText(value)?.path.length, 100_000);
  });

  it('tells storable text from text that is not', () => {
    assert.equal(isStorableText('ギフト🎁'), true);
    assert.equal(isStorableText('\ud83c'), false);
    assert.equal(isStorableText('\udf81'), false);
    assert.equal(isStorableText('\u0000'), false);
  });
});
