import { z } from 'zod';
import {
  findFullWidthPlaceholders,
  findUnknownVariables,
  templateVariableNames,
  templateVariables,
  type TemplateVariable,
} from './templates';
import { isStorableText, unstorableTextMessage } from './storable-text';
import { isValidHashtag } from './text';
import { claimConfigSchema } from './claims';
import { codeBeforeClaimMessage, handsOutCodeBeforeClaim } from './claim-templates';

/**
 * Upper bounds on everything a campaign holds, so one request costs bounded memory, CPU and rows.
 * Exported for the tests and the API document, which states them.
 */
export const configLimits = {
  entryRules: 10,
  wordsPerRule: 20,
  wordLength: 100,
  followAccounts: 10,
  staffUserIds: 1_000,
  blockedUserIds: 10_000,
  previousCampaigns: 50,
  maxEntriesPerUser: 1_000,
  prizes: 50,
  stockPerPrize: 1_000_000,
  valueYen: 100_000_000,
  /** Prize codes of all prizes together. */
  codes: 100_000,
  codeLength: 200,
  /** A rehearsal DMs each of them under the brand's name: a handful is enough. */
  testAccounts: 5,
  winners: 100_000,
  alternates: 100_000,
  /** A gap of an hour between two sends is already a campaign that sends 24 a day. */
  pacingSeconds: 3_600,
  claimDeadlineHours: 24 * 90,
  campaignDays: 366,
  yen: 1_000_000_000_000,
  /** A campaign's X API budget in USD (domain/x-cost.ts). */
  budgetUsd: 1_000_000,
  expectedEntries: 100_000_000,
} as const;

/** A string PostgreSQL can store: no NUL, no unpaired surrogate. */
function text(error?: string) {
  return z
    .string(error ? { error } : undefined)
    .refine(isStorableText, { error: unstorableTextMessage, abort: true });
}

/** X ids (users, posts) are 64-bit integers sent as decimal strings. */
const xIdSchema = z.string().regex(/^\d{1,20}$/, 'must be an X id (digits only)');
const isoDateTimeSchema = z.iso.datetime({
  offset: true,
  error: 'must be an ISO-8601 date-time with an offset, e.g. 2026-12-01T10:00:00+09:00',
});
const wordListSchema = z
  .array(text().trim().min(1).max(configLimits.wordLength))
  .max(configLimits.wordsPerRule)
  .optional();

export const campaignKinds = ['instant_win', 'drawn'] as const;
export type CampaignKind = (typeof campaignKinds)[number];

export const entryRuleTypes = ['repost', 'follow', 'like', 'reply', 'quote', 'dm_keyword'] as const;
export type EntryRuleType = (typeof entryRuleTypes)[number];

export const entryRuleSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('repost') }),
  z.object({
    type: z.literal('follow'),
    /** Accounts to follow besides the sender account (joint campaigns). */
    alsoUserIds: z.array(xIdSchema).max(configLimits.followAccounts).optional(),
  }),
  z.object({ type: z.literal('like') }),
  z.object({
    type: z.literal('reply'),
    /** At least one keyword must appear (alternatives such as 欲しい / ほしい). */
    keywords: wordListSchema,
    /** Every hashtag must appear. */
    hashtags: wordListSchema,
  }),
  z.object({ type: z.literal('quote'), keywords: wordListSchema, hashtags: wordListSchema }),
  z.object({
    type: z.literal('dm_keyword'),
    keyword: text('a dm_keyword rule needs a keyword that participants send by DM')
      .max(configLimits.wordLength)
      .describe('The keyword participants send by DM (required)'),
  }),
]);
export type EntryRule = z.infer<typeof entryRuleSchema>;

/** Every rule must hold (AND). */
export const entryRulesSchema = z.object({
  all: z
    .array(entryRuleSchema)
    .min(1, 'a campaign needs at least one entry rule')
    .max(configLimits.entryRules),
});

export const exclusionsSchema = z.object({
  /** Staff and other insiders who may not win. The top-level `testAccounts` are excluded too. */
  staffUserIds: z.array(xIdSchema).max(configLimits.staffUserIds).default([]),
  blockedUserIds: z.array(xIdSchema).max(configLimits.blockedUserIds).default([]),
  excludeProtected: z.boolean().default(true),
  excludeSuspended: z.boolean().default(true),
  /** Campaign ids whose winners may not win again. */
  excludePreviousWinnersOf: z
    .array(text().min(1).max(200))
    .max(configLimits.previousCampaigns)
    .default([]),
  maxEntriesPerUser: z.int().min(1).max(configLimits.maxEntriesPerUser).default(1),
});
export type Exclusions = z.infer<typeof exclusionsSchema>;

export const prizeSchema = z.object({
  id: text().min(1).max(64).describe('Unique among the campaign’s prizes'),
  name: text().min(1).max(120),
  stock: z.int().min(0).max(configLimits.stockPerPrize),
  valueYen: z.int().min(0).max(configLimits.valueYen),
  /** Instant win only: the chance that one entry wins this prize. */
  odds: z.number().gt(0).lte(1).optional(),
  /** One code per winner (gift codes, coupon codes), handed out in order. */
  codes: z
    .array(text().min(1).max(configLimits.codeLength))
    .max(configLimits.codes)
    .optional()
    .describe(
      `At least \`stock\` codes, each listed once; at most ${configLimits.codes} over all prizes`,
    ),
});
export type Prize = z.infer<typeof prizeSchema>;

/** One message per channel; a channel without a text is not used for that message. */
export const templateSetSchema = z.object({
  dm: text().min(1).max(10_000).optional(),
  /** Public: never put a prize code here. */
  reply: text().min(1).max(280).optional(),
});
export type TemplateSet = z.infer<typeof templateSetSchema>;
export const templateChannels = ['dm', 'reply'] as const;
export type TemplateChannel = (typeof templateChannels)[number];

export const templatesSchema = z.object({
  win: templateSetSchema,
  lose: templateSetSchema,
  /** Sent after a misdelivery, only to the affected recipients and only after approval. */
  followUp: templateSetSchema.optional(),
});
export type Templates = z.infer<typeof templatesSchema>;
export type TemplateKind = keyof Templates;

export const scheduleSchema = z.object({
  startAt: isoDateTimeSchema,
  endAt: isoDateTimeSchema.describe(
    `After startAt, at most ${configLimits.campaignDays} days later`,
  ),
  timezone: text()
    .max(64)
    .default('Asia/Tokyo')
    .describe('An IANA time zone name, e.g. Asia/Tokyo'),
  claimDeadlineHours: z.int().positive().max(configLimits.claimDeadlineHours).optional(),
});
export type Schedule = z.infer<typeof scheduleSchema>;

export const pacingSchema = z.object({
  minGapSeconds: z.number().min(0).max(configLimits.pacingSeconds).default(20),
  jitterSeconds: z.number().min(0).max(configLimits.pacingSeconds).default(10),
});
export type Pacing = z.infer<typeof pacingSchema>;

/** When sending stops for a person: too many of the recent sends failed. */
export const safetySchema = z.object({
  errorRateThreshold: z.number().gt(0).max(1).default(0.3),
  errorRateWindow: z.int().min(2).max(500).default(20),
  errorRateMinAttempts: z.int().min(1).max(500).default(10),
});
export type Safety = z.infer<typeof safetySchema>;

/** 景品表示法 categories: open (no purchase), general (一般懸賞), joint (共同懸賞), all_comers (総付景品). */
export const premiumKinds = ['open', 'general', 'joint', 'all_comers'] as const;
export type PremiumKind = (typeof premiumKinds)[number];

export const complianceSchema = z.object({
  premiumKind: z.enum(premiumKinds),
  transactionValueYen: z.int().min(0).max(configLimits.yen).optional(),
  expectedSalesYen: z.int().min(0).max(configLimits.yen).optional(),
});
export type Compliance = z.infer<typeof complianceSchema>;

export const drawSchema = z.object({
  winners: z
    .int()
    .min(1)
    .max(configLimits.winners)
    .describe('At most the total stock of all prizes'),
  /** Drawn in order after the winners; promoted when a winner misses the claim deadline. */
  alternates: z.int().min(0).max(configLimits.alternates).default(0),
});
export type Draw = z.infer<typeof drawSchema>;

const commonFields = {
  name: text().trim().min(1).max(120),
  /** Kuji's id of the X sender account. */
  accountId: text().min(1).max(64),
  post: z.object({ tweetId: xIdSchema }),
  entryRules: entryRulesSchema,
  exclusions: exclusionsSchema.prefault({}),
  prizes: z
    .array(prizeSchema)
    .min(1, 'a campaign needs at least one prize')
    .max(configLimits.prizes)
    .describe('Prize ids are unique'),
  templates: templatesSchema,
  schedule: scheduleSchema,
  pacing: pacingSchema.prefault({}),
  safety: safetySchema.prefault({}),
  /** X user ids that receive the real templates in the rehearsal before launch. */
  testAccounts: z.array(xIdSchema).max(configLimits.testAccounts).default([]),
  compliance: complianceSchema,
  /**
   * Present: winners claim their prize before `schedule.claimDeadlineHours` runs out, and an
   * unclaimed prize goes to the next alternate (docs/claims.md). Absent: results are final.
   */
  claim: claimConfigSchema.optional(),
  /**
   * The most this campaign may spend on X API calls, in USD at the configured X prices
   * (docs/x-costs.md): sending stops for a person before a send would pass it. Absent: no limit.
   */
  budget: z
    .object({ usd: z.number().min(0).max(configLimits.budgetUsd) })
    .optional()
    .describe('X API budget in USD; sending stops for a person before a send would exceed it'),
  /** How many entries are expected: preflight estimates the X API cost from it and the winners. */
  expectedEntries: z
    .int()
    .min(0)
    .max(configLimits.expectedEntries)
    .optional()
    .describe('Expected entries, for the X API cost estimate preflight shows'),
};

export const campaignConfigSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('instant_win'), ...commonFields }),
    z.object({ kind: z.literal('drawn'), ...commonFields, draw: drawSchema }),
  ])
  .superRefine((config, ctx) => {
    const report = (path: PropertyKey[], message: string) =>
      ctx.addIssue({ code: 'custom', path, message });
    checkSchedule(config, report);
    checkEntryRules(config, report);
    checkPrizes(config, report);
    checkTemplates(config, report);
    checkCompliance(config, report);
    checkClaim(config, report);
  })
  .describe(
    'Besides each field’s own bounds: no string may hold a NUL character or an unpaired ' +
      'surrogate; schedule.timezone is an IANA name; schedule.endAt is after startAt and at most ' +
      `${configLimits.campaignDays} days later; prize ids are unique; a prize’s codes are unique ` +
      'and at least its stock, at most ' +
      `${configLimits.codes} codes over all prizes; draw.winners is at most the total stock; ` +
      'instant_win prizes need odds adding up to at most 1, drawn prizes have none; a campaign ' +
      'with a claim section needs schedule.claimDeadlineHours and no {code} in its win templates ' +
      '(code_before_claim: the code shows on the campaign page once claimed).',
  );

export type CampaignConfig = z.infer<typeof campaignConfigSchema>;
export type CampaignConfigInput = z.input<typeof campaignConfigSchema>;
export type DrawnCampaignConfig = Extract<CampaignConfig, { kind: 'drawn' }>;
export type InstantWinCampaignConfig = Extract<CampaignConfig, { kind: 'instant_win' }>;

type Report = (path: PropertyKey[], message: string) => void;

export function isKnownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

function checkSchedule(config: CampaignConfig, report: Report) {
  const { startAt, endAt, timezone } = config.schedule;
  const length = Date.parse(endAt) - Date.parse(startAt);
  if (length <= 0) {
    report(['schedule', 'endAt'], `endAt (${endAt}) must be after startAt (${startAt})`);
  } else if (length > configLimits.campaignDays * 24 * 60 * 60 * 1000) {
    report(
      ['schedule', 'endAt'],
      `a campaign runs at most ${configLimits.campaignDays} days; endAt is later than that`,
    );
  }
  if (!isKnownTimeZone(timezone)) {
    report(
      ['schedule', 'timezone'],
      `unknown time zone "${timezone}"; use an IANA name such as Asia/Tokyo`,
    );
  }
}

function checkEntryRules(config: CampaignConfig, report: Report) {
  config.entryRules.all.forEach((rule, index) => {
    const path = ['entryRules', 'all', index];
    if (rule.type === 'dm_keyword' && rule.keyword.normalize('NFKC').trim() === '') {
      report([...path, 'keyword'], 'a dm_keyword rule needs a non-blank keyword');
    }
    if (rule.type === 'reply' && !rule.keywords?.length && !rule.hashtags?.length) {
      report(path, 'a reply rule needs at least one keyword or hashtag');
    }
    if (rule.type === 'reply' || rule.type === 'quote') {
      rule.hashtags?.forEach((tag, tagIndex) => {
        if (!isValidHashtag(tag)) {
          report(
            [...path, 'hashtags', tagIndex],
            `"${tag}" is not one hashtag on X (no spaces or punctuation, not only digits)`,
          );
        }
      });
    }
  });
}

function checkPrizes(config: CampaignConfig, report: Report) {
  const seen = new Set<string>();
  config.prizes.forEach((prize, index) => {
    const path = ['prizes', index];
    if (seen.has(prize.id)) report([...path, 'id'], `duplicate prize id "${prize.id}"`);
    seen.add(prize.id);

    if (config.kind === 'drawn' && prize.odds !== undefined) {
      report(
        [...path, 'odds'],
        `prize "${prize.id}" has odds, but odds apply only to instant_win campaigns`,
      );
    }
    if (config.kind === 'instant_win' && prize.odds === undefined) {
      report([...path, 'odds'], `instant_win prize "${prize.id}" needs odds (0 < odds ≤ 1)`);
    }
    if (prize.odds !== undefined && prize.stock === 0) {
      report([...path, 'odds'], `prize "${prize.id}" has odds but no stock; it can never be won`);
    }
    if (prize.codes) {
      if (prize.codes.length < prize.stock) {
        report(
          [...path, 'codes'],
          `prize "${prize.id}" has ${prize.codes.length} codes for a stock of ${prize.stock}`,
        );
      }
      const duplicate = firstDuplicate(prize.codes);
      if (duplicate !== undefined) {
        report([...path, 'codes'], `prize "${prize.id}" lists the code "${duplicate}" twice`);
      }
    }
  });

  const totalCodes = config.prizes.reduce((sum, prize) => sum + (prize.codes?.length ?? 0), 0);
  if (totalCodes > configLimits.codes) {
    report(['prizes'], `${totalCodes} prize codes in all; at most ${configLimits.codes}`);
  }

  if (config.kind === 'instant_win') {
    const totalOdds = config.prizes.reduce((sum, prize) => sum + (prize.odds ?? 0), 0);
    if (totalOdds > 1 + 1e-9) {
      report(['prizes'], `the odds of all prizes add up to ${totalOdds}, more than 1`);
    }
  }
  if (config.kind === 'drawn') {
    const totalStock = config.prizes.reduce((sum, prize) => sum + prize.stock, 0);
    if (config.draw.winners > totalStock) {
      report(
        ['draw', 'winners'],
        `${config.draw.winners} winners but only ${totalStock} prizes in stock`,
      );
    }
  }
}

/** The first value listed twice, in one pass (a body may carry 100,000 codes). */
function firstDuplicate(values: readonly string[]): string | undefined {
  const seen = new Set<string>();
  for (const value of values) {
    if (seen.has(value)) return value;
    seen.add(value);
  }
  return undefined;
}

/** A losing message has no prize and no code to show. */
const allowedVariables: Record<TemplateKind, readonly TemplateVariable[]> = {
  win: templateVariableNames,
  lose: ['name', 'resultUrl'],
  followUp: templateVariableNames,
};

function checkTemplates(config: CampaignConfig, report: Report) {
  const prizesWithoutCodes = config.prizes.filter((p) => p.stock > 0 && !p.codes).map((p) => p.id);
  for (const kind of ['win', 'lose', 'followUp'] as const) {
    const set = config.templates[kind];
    if (!set) continue;
    if (kind === 'win' && !set.dm && !set.reply) {
      report(['templates', kind], 'the win message needs a dm or a reply text');
    }
    for (const channel of templateChannels) {
      const template = set[channel];
      if (template === undefined) continue;
      const path = ['templates', kind, channel];
      const allowed = allowedVariables[kind];
      for (const name of findUnknownVariables(template, allowed)) {
        const known = (templateVariableNames as readonly string[]).includes(name);
        report(
          path,
          `${known ? 'variable not available in a ' + kind + ' message' : 'unknown variable'} ` +
            `{${name}}; allowed: ${allowed.map((v) => `{${v}}`).join(', ')}`,
        );
      }
      for (const placeholder of findFullWidthPlaceholders(template)) {
        report(path, `${placeholder} uses full-width braces and would be sent as is; use {…}`);
      }
      const used = templateVariables(template);
      if (channel === 'reply' && used.includes('code')) {
        report(path, '{code} in a reply would publish the prize code; send codes by DM only');
      }
      if (used.includes('code') && prizesWithoutCodes.length > 0) {
        report(
          path,
          `{code} is used but these prizes have no codes: ${prizesWithoutCodes.join(', ')}`,
        );
      }
    }
  }
}

function checkCompliance(config: CampaignConfig, report: Report) {
  const { premiumKind, transactionValueYen, expectedSalesYen } = config.compliance;
  const needsTransaction = premiumKind === 'general' || premiumKind === 'all_comers';
  const needsSales = premiumKind === 'general' || premiumKind === 'joint';
  if (needsTransaction && transactionValueYen === undefined) {
    report(
      ['compliance', 'transactionValueYen'],
      `premiumKind "${premiumKind}" caps prizes by the transaction value; set transactionValueYen`,
    );
  }
  if (needsSales && expectedSalesYen === undefined) {
    report(
      ['compliance', 'expectedSalesYen'],
      `premiumKind "${premiumKind}" caps the prize total by expected sales; set expectedSalesYen`,
    );
  }
}

function checkClaim(config: CampaignConfig, report: Report) {
  if (config.claim && config.schedule.claimDeadlineHours === undefined) {
    report(
      ['schedule', 'claimDeadlineHours'],
      'claim_deadline_missing: a campaign with a claim section needs schedule.claimDeadlineHours ' +
        '(how long a winner has to claim before the prize goes to an alternate)',
    );
  }
  if (!config.claim) return;
  for (const channel of templateChannels) {
    const template = config.templates.win[channel];
    if (template !== undefined && handsOutCodeBeforeClaim(template)) {
      report(['templates', 'win', channel], codeBeforeClaimMessage(channel));
    }
  }
}

/** `date` as ISO-8601 in Japan time (+09:00), the way operators read and write it. */
function toTokyoIso(date: Date): string {
  const shifted = new Date(date.getTime() + 9 * 60 * 60 * 1000);
  return shifted.toISOString().replace(/\.\d{3}Z$/, '+09:00');
}

const hour = 60 * 60 * 1000;

/**
 * The examples' test account: @aoi_y of the X emulator's demo world (`emulator/demo.ts`), who
 * takes DMs from anyone and does not follow the sender, so no eligible entrant is lost to it. A
 * rehearsal of an example campaign on the local stack therefore reaches a real (emulated) user.
 */
const exampleTestAccountId = '1790000000000001008';

/** A valid drawn campaign: repost + follow, 10 winners and 3 alternates, starting in an hour. */
export function exampleCampaignConfig(now: Date): DrawnCampaignConfig {
  const config = campaignConfigSchema.parse({
    kind: 'drawn',
    name: '冬のフォロー＆リポストキャンペーン',
    accountId: 'acct_demo',
    post: { tweetId: '1860000000000000001' },
    entryRules: { all: [{ type: 'repost' }, { type: 'follow' }] },
    exclusions: { staffUserIds: ['1000000000000000001'] },
    prizes: [
      {
        id: 'gift-card-1000',
        name: 'デジタルギフト1,000円分',
        stock: 10,
        valueYen: 1000,
        codes: Array.from({ length: 10 }, (_, i) => `GIFT-${String(i + 1).padStart(4, '0')}`),
      },
    ],
    templates: {
      win: {
        dm: '{name}さん、おめでとうございます！{prize}に当選しました。コード: {code}\n詳細: {resultUrl}',
        reply: '{name}さん、当選のお知らせです🎉 こちらからご確認ください: {resultUrl}',
      },
      lose: { dm: '{name}さん、ご応募ありがとうございました。結果はこちら: {resultUrl}' },
    },
    schedule: {
      startAt: toTokyoIso(new Date(now.getTime() + hour)),
      endAt: toTokyoIso(new Date(now.getTime() + 7 * 24 * hour)),
      claimDeadlineHours: 72,
    },
    testAccounts: [exampleTestAccountId],
    compliance: { premiumKind: 'open' },
    draw: { winners: 10, alternates: 3 },
  } satisfies CampaignConfigInput);
  if (config.kind !== 'drawn') throw new Error('example must be a drawn campaign');
  return config;
}

/** A valid instant win: reply with a hashtag, 1% and 10% prizes, results by reply and link. */
export function exampleInstantWinConfig(now: Date): InstantWinCampaignConfig {
  const config = campaignConfigSchema.parse({
    kind: 'instant_win',
    name: 'その場で当たる！リプライキャンペーン',
    accountId: 'acct_demo',
    post: { tweetId: '1860000000000000002' },
    entryRules: { all: [{ type: 'reply', hashtags: ['#くじ当たれ'] }] },
    prizes: [
      { id: 'grand', name: '特賞 オリジナルグッズ', stock: 5, valueYen: 3000, odds: 0.01 },
      {
        id: 'coupon',
        name: '10%OFFクーポン',
        stock: 200,
        valueYen: 300,
        odds: 0.1,
        codes: Array.from({ length: 200 }, (_, i) => `CPN-${String(i + 1).padStart(4, '0')}`),
      },
    ],
    templates: {
      win: {
        dm: '{name}さん、{prize}が当たりました！受け取りはこちら: {resultUrl}',
        reply: '{name}さん、当たりです🎉 結果を確認してください: {resultUrl}',
      },
      lose: { reply: '{name}さん、今回は残念…！結果はこちら: {resultUrl}' },
    },
    schedule: {
      startAt: toTokyoIso(new Date(now.getTime() + hour)),
      endAt: toTokyoIso(new Date(now.getTime() + 3 * 24 * hour)),
    },
    testAccounts: [exampleTestAccountId],
    compliance: { premiumKind: 'open' },
  } satisfies CampaignConfigInput);
  if (config.kind !== 'instant_win') throw new Error('example must be an instant_win campaign');
  return config;
}
