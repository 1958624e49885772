/**
 * The X API cost a campaign's configuration leads to, before it runs: from the expected entries
 * and winners (domain/x-cost.ts estimateXUsage), with the budget beside it. Preflight shows it as
 * a finding, the cost route beside what was counted.
 */
import type { CampaignConfig } from './campaign-config';
import type { Finding } from './findings';
import {
  estimateXUsage,
  exceedsBudget,
  formatUsd,
  priceUsage,
  replyCostKind,
  type XCost,
  type XCostKind,
  type XPriceTable,
  type XUsage,
} from './x-cost';

export interface CampaignCostEstimate {
  expectedEntries: number;
  /** True when the configuration has no `expectedEntries` and the winners stood in for them. */
  entriesAssumed: boolean;
  winners: number;
  messages: number;
  collectingDays: number;
  usage: XUsage;
  cost: XCost;
  budgetUsd: number | null;
  overBudget: boolean;
}

const DAY_MS = 86_400_000;

/** UTC days from start to end, both counted: X charges a resource once per UTC day read. */
function utcDaysSpanned(startAt: string, endAt: string): number {
  const first = Math.floor(Date.parse(startAt) / DAY_MS);
  const last = Math.floor(Date.parse(endAt) / DAY_MS);
  return Number.isFinite(first) && Number.isFinite(last) ? Math.max(1, last - first + 1) : 1;
}

type XCostEstimateWrite = 'dm_create' | 'post_create' | 'post_create_url' | null;

/** The dearest X write any message of the campaign may take (an upper bound per message). */
function messageWriteOf(config: CampaignConfig, prices: XPriceTable): XCostEstimateWrite {
  const kinds: XCostKind[] = [];
  for (const set of [config.templates.win, config.templates.lose]) {
    if (set.dm) kinds.push('dm_create');
    if (set.reply) kinds.push(replyCostKind(set.reply));
  }
  if (kinds.length === 0) return null;
  return kinds.reduce((dearest, kind) =>
    prices.usdPerUnit[kind] > prices.usdPerUnit[dearest] ? kind : dearest,
  ) as XCostEstimateWrite;
}

export function estimateCampaignCost(
  config: CampaignConfig,
  prices: XPriceTable,
): CampaignCostEstimate {
  const stock = config.prizes.reduce((sum, prize) => sum + prize.stock, 0);
  const given = config.expectedEntries;
  let winners: number;
  if (config.kind === 'drawn') {
    winners = config.draw.winners;
  } else {
    // Instant win: each entry wins with the prizes' odds, never more than the stock.
    const odds = config.prizes.reduce((sum, prize) => sum + (prize.odds ?? 0), 0);
    winners = given === undefined ? stock : Math.min(stock, Math.ceil(given * odds));
  }
  const expectedEntries = given ?? winners;
  // Fewer entries than winners: only the entrants can win.
  const winners_ = Math.min(winners, expectedEntries);
  const loseTemplate = Boolean(config.templates.lose.dm ?? config.templates.lose.reply);
  const losersMessaged = loseTemplate ? Math.max(0, expectedEntries - winners_) : 0;
  const messageWrite = messageWriteOf(config, prices);
  const collectingDays = utcDaysSpanned(config.schedule.startAt, config.schedule.endAt);
  const usage = estimateXUsage({
    expectedEntries,
    winners: winners_,
    losersMessaged,
    ruleTypes: config.entryRules.all.map((rule) => rule.type),
    collectingDays,
    messageWrite,
  });
  const cost = priceUsage(usage, prices);
  const budgetUsd = config.budget?.usd ?? null;
  return {
    expectedEntries,
    entriesAssumed: given === undefined,
    winners: winners_,
    messages: messageWrite ? winners_ + losersMessaged : 0,
    collectingDays,
    usage,
    cost,
    budgetUsd,
    overBudget: budgetUsd !== null && exceedsBudget(cost.totalUsd, 0, budgetUsd),
  };
}

/** The estimate as a preflight finding: information, or a warning when it passes the budget. */
export function xCostFinding(estimate: CampaignCostEstimate, prices: XPriceTable): Finding {
  const total = formatUsd(estimate.cost.totalUsd);
  const { expectedEntries: entries, winners, messages, collectingDays: days } = estimate;
  const budget = estimate.budgetUsd === null ? null : formatUsd(estimate.budgetUsd);
  const ja = [
    `X API費用の見込みは約 ${total} です（応募 ${entries} 件、当選 ${winners} 件、X経由のメッセージ ${messages} 通、受付 ${days} 日（UTC）で計算。Xの価格は ${prices.readOn} 時点）。`,
    estimate.entriesAssumed
      ? 'expectedEntries（想定応募数）が未設定のため、当選数を応募数として計算しました。設定すると見込みが正確になります。'
      : '',
    budget === null
      ? '予算（budget.usd）は未設定です。'
      : estimate.overBudget
        ? `見込みが予算 ${budget} を超えています。予算を超える送信の前に送信は止まり、対応を求めます。budget.usd を引き上げるか、応募条件やメッセージの経路を見直してください。`
        : `予算 ${budget} の範囲内です。`,
  ];
  const en = [
    `Estimated X API cost: about ${total} (${entries} entries, ${winners} winners, ${messages} messages through X, ${days} collecting UTC days; X prices as of ${prices.readOn}).`,
    estimate.entriesAssumed
      ? 'expectedEntries is not set, so the winners stand in for the entries; set it for a truer figure.'
      : '',
    budget === null
      ? 'No budget (budget.usd) is set.'
      : estimate.overBudget
        ? `The estimate is over the budget of ${budget}: sending will stop for a person before a send would pass it. Raise budget.usd, or change the entry rules or message channels.`
        : `Within the budget of ${budget}.`,
  ];
  return {
    code: estimate.overBudget ? 'x_cost_over_budget' : 'x_cost_estimate',
    severity: estimate.overBudget ? 'warning' : 'info',
    ja: ja.filter(Boolean).join(''),
    en: en.filter(Boolean).join(' '),
    ...(estimate.overBudget
      ? { path: 'budget.usd' }
      : estimate.entriesAssumed
        ? { path: 'expectedEntries' }
        : {}),
  };
}
