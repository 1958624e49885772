/**
 * What Kuji's own X calls cost under X's pay-per-use pricing: reads are billed per resource
 * returned, writes per request (docs/x-costs.md). Pure: units × prices → USD, and the estimate
 * preflight shows from a campaign's expected entries and winners.
 */

/**
 * The billing units Kuji counts. A read counts the resources X returned (posts, users, follow
 * list users, DM events); a write counts the request X accepted. A reply carrying a link is
 * X's dearer "Content: Create (with URL)".
 */
export const xCostKinds = [
  'post_read',
  'user_read',
  'follow_read',
  'dm_event_read',
  'dm_create',
  'post_create',
  'post_create_url',
] as const;
export type XCostKind = (typeof xCostKinds)[number];

export function isXCostKind(value: string): value is XCostKind {
  return (xCostKinds as readonly string[]).includes(value);
}

/** USD per unit of each kind, with where and when the figures were read. */
export interface XPriceTable {
  usdPerUnit: Record<XCostKind, number>;
  /** The day the prices were read (YYYY-MM-DD). */
  readOn: string;
  source: string;
}

export type XUsage = Partial<Record<XCostKind, number>>;

export interface XCostLine {
  kind: XCostKind;
  units: number;
  unitUsd: number;
  usd: number;
}

export interface XCost {
  lines: XCostLine[];
  totalUsd: number;
}

/**
 * Sums are taken in millionths of a dollar (X's prices have at most three decimals), so adding
 * thousands of half-cent reads never drifts; figures are shown to a hundredth of a cent.
 */
const MICROS = 1_000_000;

function micros(usd: number): number {
  return Math.round(usd * MICROS);
}

export function roundUsd(usd: number): number {
  return Math.round(usd * 10_000) / 10_000;
}

export function priceUsage(usage: XUsage, prices: XPriceTable): XCost {
  let total = 0;
  const lines = xCostKinds.map((kind): XCostLine => {
    const units = Math.max(0, Math.floor(usage[kind] ?? 0));
    const lineMicros = units * micros(prices.usdPerUnit[kind]);
    total += lineMicros;
    return { kind, units, unitUsd: prices.usdPerUnit[kind], usd: roundUsd(lineMicros / MICROS) };
  });
  return { lines, totalUsd: roundUsd(total / MICROS) };
}

/** What one more unit of `kind` would cost. */
export function unitCost(kind: XCostKind, prices: XPriceTable): number {
  return prices.usdPerUnit[kind];
}

/**
 * Whether spending `nextUsd` more would take the campaign past its budget. Compared in
 * millionths, so a send that lands exactly on the budget is still allowed.
 */
export function exceedsBudget(spentUsd: number, nextUsd: number, budgetUsd: number): boolean {
  return micros(spentUsd) + micros(nextUsd) > micros(budgetUsd);
}

/** What the estimate needs from a campaign's configuration. */
export interface XCostEstimateInput {
  expectedEntries: number;
  /** Messages that carry a win (winners), and how many others get a lose message. */
  winners: number;
  losersMessaged: number;
  /** The entry rule types (repost, like, follow, quote, reply, dm_keyword). */
  ruleTypes: readonly string[];
  /** UTC days the campaign collects: X charges a resource once per UTC day it is read. */
  collectingDays: number;
  /** How a message goes out: a DM, a reply (with or without a link), or nothing sent via X. */
  messageWrite: 'dm_create' | 'post_create' | 'post_create_url' | null;
}

/**
 * An upper-bound estimate: each list the rules need is re-read in full once every collecting
 * UTC day (X deduplicates a resource within a UTC day), every participant is looked up once,
 * and every message costs one write. Incoming webhook events and the reconciliation reads of a
 * retried send are left out.
 */
export function estimateXUsage(input: XCostEstimateInput): XUsage {
  const entries = Math.max(0, Math.floor(input.expectedEntries));
  const days = Math.max(1, Math.ceil(input.collectingDays));
  const usage: Record<XCostKind, number> = {
    post_read: 0,
    user_read: 0,
    follow_read: 0,
    dm_event_read: 0,
    dm_create: 0,
    post_create: 0,
    post_create_url: 0,
  };
  const rules = new Set(input.ruleTypes);
  if (rules.has('repost')) usage.user_read += entries * days;
  if (rules.has('like')) usage.user_read += entries * days;
  if (rules.has('follow')) usage.follow_read += entries * days;
  if (rules.has('quote')) usage.post_read += entries * days;
  if (rules.has('reply')) usage.post_read += entries * days;
  // Profiles (protected, suspended) are looked up once per participant.
  usage.user_read += entries;
  if (input.messageWrite) {
    usage[input.messageWrite] +=
      Math.max(0, Math.floor(input.winners)) + Math.max(0, Math.floor(input.losersMessaged));
  }
  return usage;
}

/** A reply whose text carries a link (or the personal result link) is X's dearer kind. */
export function replyCostKind(text: string): 'post_create' | 'post_create_url' {
  return /https?:\/\/\S|\{resultUrl\}/i.test(text) ? 'post_create_url' : 'post_create';
}

/** Units per kind as stored, keeping only the kinds Kuji prices. */
export function usageOf(unitsByKind: Readonly<Record<string, number>>): XUsage {
  const usage: XUsage = {};
  for (const [kind, units] of Object.entries(unitsByKind))
    if (isXCostKind(kind)) usage[kind] = units;
  return usage;
}

/** The stop code a send gets when it would take the campaign past its X API budget. */
export const xBudgetStopCode = 'x_budget_reached';
export const xBudgetStopCategory = 'budget';

interface Localized {
  ja: string;
  en: string;
}

export function formatUsd(usd: number): string {
  // Four decimals (X's half-cent reads), trailing zeros dropped down to cents: $0.015, $0.03.
  return `$${roundUsd(usd)
    .toFixed(4)
    .replace(/(\.\d\d\d?)0+$/, '$1')
    .replace(/(\.\d\d)0$/, '$1')}`;
}

/** Why sending stopped, and how to go on, with the figures. */
export function budgetStopText(figures: {
  spentUsd: number;
  nextUsd: number;
  budgetUsd: number;
  pricesReadOn: string;
}): { reason: Localized; remedy: Localized } {
  const spent = formatUsd(figures.spentUsd);
  const next = formatUsd(figures.nextUsd);
  const budget = formatUsd(figures.budgetUsd);
  return {
    reason: {
      ja: `次の送信でこのキャンペーンのX API費用が予算を超えるため、送信を止めました（予算 ${budget} のうち ${spent} を使用済み、次の送信は ${next}。Xの価格は ${figures.pricesReadOn} 時点）。`,
      en: `Sending stopped: the next send would take this campaign's X API cost past its budget (${spent} spent of ${budget}; the next send costs ${next}; X prices as of ${figures.pricesReadOn}).`,
    },
    remedy: {
      ja: 'キャンペーン設定の budget.usd を引き上げ、変更の承認（作成者以外）を得てから、この停止を「再開」で解除してください。送信をやめる場合はキャンペーンを中止してください。',
      en: 'Raise budget.usd in the campaign configuration, have the change approved (by someone other than who made it), then resume this stop. To send nothing more, cancel the campaign.',
    },
  };
}

/** What each kind is called, and what its unit is, for people reading a cost. */
export const xCostKindLabels: Record<
  XCostKind,
  { ja: string; en: string; per: 'resource' | 'request' }
> = {
  post_read: { ja: 'ポストの読み取り', en: 'Posts read', per: 'resource' },
  user_read: { ja: 'ユーザーの読み取り', en: 'Users read', per: 'resource' },
  follow_read: {
    ja: 'フォロー・フォロワーの読み取り',
    en: 'Following/followers read',
    per: 'resource',
  },
  dm_event_read: { ja: 'DMイベントの読み取り', en: 'DM events read', per: 'resource' },
  dm_create: { ja: 'DMの送信', en: 'DMs sent', per: 'request' },
  post_create: { ja: 'リプライの投稿', en: 'Replies posted', per: 'request' },
  post_create_url: {
    ja: 'リプライの投稿（URL付き）',
    en: 'Replies posted with a link',
    per: 'request',
  },
};

type XCostSummaryLine = XCostLine & {
  label: { ja: string; en: string };
  per: 'resource' | 'request';
};

function labelledLines(cost: XCost): XCostSummaryLine[] {
  return cost.lines.map((line) => {
    const { per, ...label } = xCostKindLabels[line.kind];
    return { ...line, label, per };
  });
}

/** Why account-wide reads are shown apart from the campaign's cost. */
export const accountWideNote = {
  ja: 'アカウント全体の読み取り（DM受信箱全体・メンション）です。同じアカウントの他のキャンペーンのやり取りも含むため、このキャンペーンの予算には数えません。',
  en: "Account-wide reads (the account's whole DM inbox, its mentions): they carry every campaign's traffic on the account, so they are not counted against this campaign's budget.",
};

/** A campaign's counted X calls priced, against its budget: what the report and API show. */
export interface XCostSummary {
  currency: 'USD';
  lines: XCostSummaryLine[];
  /** The campaign's own calls: what the budget is held to. */
  totalUsd: number;
  budgetUsd: number | null;
  /** Budget left (never below zero); null without a budget. */
  remainingUsd: number | null;
  /**
   * Reads of the whole account's DM inbox and mentions this campaign's polling made: billed to
   * the account, not counted in `totalUsd` nor against the budget.
   */
  accountWide: { lines: XCostSummaryLine[]; totalUsd: number; note: { ja: string; en: string } };
  prices: { readOn: string; source: string };
}

export function costSummary(
  usage: XUsage,
  prices: XPriceTable,
  budgetUsd: number | null,
  accountWideUsage: XUsage = {},
): XCostSummary {
  const cost = priceUsage(usage, prices);
  const accountWide = priceUsage(accountWideUsage, prices);
  return {
    currency: 'USD',
    lines: labelledLines(cost),
    totalUsd: cost.totalUsd,
    budgetUsd,
    remainingUsd:
      budgetUsd === null
        ? null
        : roundUsd(Math.max(0, (micros(budgetUsd) - micros(cost.totalUsd)) / MICROS)),
    accountWide: {
      lines: labelledLines(accountWide),
      totalUsd: accountWide.totalUsd,
      note: accountWideNote,
    },
    prices: { readOn: prices.readOn, source: prices.source },
  };
}
