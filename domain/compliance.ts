/**
 * 景品表示法 (Act against Unjustifiable Premiums and Misleading Representations) prize-value check,
 * run at preflight; a blocking finding stops launch until resolved or acknowledged (DESIGN.md §1).
 *
 * Caps, from shared/X-API.md:
 * - 一般懸賞 (general sweepstakes, a purchase or visit is a condition): per prize 20 × the
 *   transaction value when it is under 5,000円, else 100,000円; all prizes together ≤ 2% of
 *   the expected sales of the sweepstakes period. 「懸賞による景品類の提供に関する事項の制限」
 *   (昭和52年公正取引委員会告示第3号, 懸賞制限告示).
 * - 共同懸賞 (joint sweepstakes, e.g. a shopping street): per prize 300,000円, total ≤ 3% of
 *   expected sales (same notice).
 * - 総付景品 (all-comers premiums): 200円 when the transaction is under 1,000円, else 20% of
 *   the transaction value; no total cap. 「一般消費者に対する景品類の提供に関する事項の制限」
 *   (昭和52年公正取引委員会告示第5号, 総付制限告示).
 * - オープン懸賞 (no purchase required; typical follow/repost campaigns): no cap.
 * Comparisons are exact in whole yen: a prize at exactly the cap is allowed.
 */

import type { PremiumKind } from './campaign-config';

export interface PrizeForCompliance {
  id: string;
  name: string;
  /** Market value of one prize, tax included, in yen. */
  valueYen: number;
  stock: number;
}

export interface ComplianceInput {
  premiumKind: PremiumKind;
  /** Price of the purchase (or visit) the premium is tied to; needed for general and all-comers. */
  transactionValueYen?: number;
  /** Expected sales over the campaign period; needed for the general and joint total caps. */
  expectedSalesYen?: number;
  prizes: readonly PrizeForCompliance[];
}

export type ComplianceFindingCode =
  | 'transaction_value_required'
  | 'expected_sales_required'
  | 'invalid_prize'
  | 'prize_value_over_cap'
  | 'total_value_over_cap'
  | 'open_with_transaction_value';

export interface ComplianceFinding {
  code: ComplianceFindingCode;
  severity: 'blocking' | 'warning';
  prizeId?: string;
  limitYen?: number;
  actualYen?: number;
  ja: string;
  en: string;
}

export interface ComplianceResult {
  ok: boolean;
  findings: ComplianceFinding[];
}

const premiumsAct = '景品表示法';
const premiumsActEn = 'the Act against Unjustifiable Premiums and Misleading Representations';

const kindNames: Record<PremiumKind, { ja: string; en: string }> = {
  open: { ja: 'オープン懸賞', en: 'open sweepstakes' },
  general: { ja: '一般懸賞', en: 'general sweepstakes (一般懸賞)' },
  joint: { ja: '共同懸賞', en: 'joint sweepstakes (共同懸賞)' },
  all_comers: { ja: '総付景品', en: 'all-comers premium (総付景品)' },
};

const notices: Record<PremiumKind, { ja: string; en: string }> = {
  open: { ja: premiumsAct, en: premiumsActEn },
  general: { ja: `${premiumsAct}・懸賞制限告示`, en: `${premiumsActEn} (sweepstakes notice)` },
  joint: { ja: `${premiumsAct}・懸賞制限告示`, en: `${premiumsActEn} (sweepstakes notice)` },
  all_comers: { ja: `${premiumsAct}・総付制限告示`, en: `${premiumsActEn} (all-comers notice)` },
};

function yen(amount: number): string {
  return `${String(amount).replace(/\B(?=(\d{3})+(?!\d))/g, ',')}円`;
}

function yenEn(amount: number): string {
  return `¥${String(amount).replace(/\B(?=(\d{3})+(?!\d))/g, ',')}`;
}

function isWholeYen(value: number | undefined): value is number {
  return value !== undefined && Number.isSafeInteger(value) && value > 0;
}

interface PerPrizeCap {
  limitYen: number;
  ja: string;
  en: string;
}

/** The per-prize cap and how to state it, or undefined when the kind has none. */
function perPrizeCap(kind: PremiumKind, transactionValueYen: number): PerPrizeCap | undefined {
  switch (kind) {
    case 'open':
      return undefined;
    case 'general':
      return transactionValueYen < 5_000
        ? {
            limitYen: transactionValueYen * 20,
            ja: `取引価額5,000円未満（${yen(transactionValueYen)}）の場合、取引価額の20倍の${yen(transactionValueYen * 20)}`,
            en: `20 × the transaction value (${yenEn(transactionValueYen)}, under ¥5,000) = ${yenEn(transactionValueYen * 20)}`,
          }
        : {
            limitYen: 100_000,
            ja: `取引価額5,000円以上（${yen(transactionValueYen)}）の場合100,000円`,
            en: `¥100,000 when the transaction value (${yenEn(transactionValueYen)}) is ¥5,000 or more`,
          };
    case 'joint':
      return {
        limitYen: 300_000,
        ja: '取引価額にかかわらず300,000円',
        en: '¥300,000 regardless of the transaction value',
      };
    case 'all_comers':
      return transactionValueYen < 1_000
        ? {
            limitYen: 200,
            ja: `取引価額1,000円未満（${yen(transactionValueYen)}）の場合200円`,
            en: `¥200 when the transaction value (${yenEn(transactionValueYen)}) is under ¥1,000`,
          }
        : {
            limitYen: Math.floor(transactionValueYen / 5),
            ja: `取引価額1,000円以上の場合、取引価額（${yen(transactionValueYen)}）の10分の2の${yen(Math.floor(transactionValueYen / 5))}`,
            en: `20% of the transaction value (${yenEn(transactionValueYen)}) = ${yenEn(Math.floor(transactionValueYen / 5))}`,
          };
  }
}

/** Total-value cap as a share of expected sales, in percent. */
const totalCapPercent: Partial<Record<PremiumKind, number>> = { general: 2, joint: 3 };

function prizeProblem(prize: PrizeForCompliance): ComplianceFinding | undefined {
  if (Number.isSafeInteger(prize.valueYen) && prize.valueYen >= 0) {
    if (Number.isSafeInteger(prize.stock) && prize.stock >= 0) return undefined;
  }
  return {
    code: 'invalid_prize',
    severity: 'blocking',
    prizeId: prize.id,
    ja: `景品「${prize.name}」の価額（${prize.valueYen}）または在庫数（${prize.stock}）が0以上の整数ではないため、上限を確認できません。`,
    en: `Prize "${prize.name}" has a value (${prize.valueYen}) or stock (${prize.stock}) that is not a whole number ≥ 0, so its caps cannot be checked.`,
  };
}

function prizesOverCap(
  prizes: readonly PrizeForCompliance[],
  cap: PerPrizeCap,
  kind: PremiumKind,
): ComplianceFinding[] {
  const kindName = kindNames[kind];
  const notice = notices[kind];
  return prizes
    .filter((prize) => prize.valueYen > cap.limitYen)
    .map((prize): ComplianceFinding => ({
      code: 'prize_value_over_cap',
      severity: 'blocking',
      prizeId: prize.id,
      limitYen: cap.limitYen,
      actualYen: prize.valueYen,
      ja: `景品「${prize.name}」の価額${yen(prize.valueYen)}は上限を超えています。${kindName.ja}の景品の最高額は${cap.ja}です（${notice.ja}）。`,
      en: `Prize "${prize.name}" is worth ${yenEn(prize.valueYen)}, over the cap. The most a ${kindName.en} prize may be worth is ${cap.en} (${notice.en}).`,
    }));
}

/** Checks every prize and the prize total against the legal caps for the declared kind. */
export function checkPremiumCompliance(input: ComplianceInput): ComplianceResult {
  const kind = input.premiumKind;
  const kindName = kindNames[kind];
  const notice = notices[kind];
  const findings: ComplianceFinding[] = [];

  const invalidPrizes = input.prizes.map(prizeProblem).filter((finding) => finding !== undefined);
  findings.push(...invalidPrizes);
  const prizes = input.prizes.filter((prize) => prizeProblem(prize) === undefined);

  if (kind === 'open' && input.transactionValueYen !== undefined && input.transactionValueYen > 0) {
    findings.push({
      code: 'open_with_transaction_value',
      severity: 'warning',
      actualYen: input.transactionValueYen,
      ja: `オープン懸賞として申告されていますが、取引価額（${yen(input.transactionValueYen)}）が入力されています。購入や来店を応募条件とする場合はオープン懸賞ではなく一般懸賞（${premiumsAct}の上限あり）に当たります。`,
      en: `Declared as an open sweepstakes, yet a transaction value (${yenEn(input.transactionValueYen)}) is given. If entering requires a purchase or visit, it is a general sweepstakes with caps under ${premiumsActEn}.`,
    });
  }

  const needsTransactionValue = kind === 'general' || kind === 'all_comers';
  const transactionValueYen = input.transactionValueYen;
  if (needsTransactionValue && !isWholeYen(transactionValueYen)) {
    findings.push({
      code: 'transaction_value_required',
      severity: 'blocking',
      ja: `${kindName.ja}では景品の上限額が取引価額で決まるため、取引価額（1円以上の整数）の入力が必要です（${notice.ja}）。購入等を条件としない場合はオープン懸賞を選んでください。`,
      en: `A ${kindName.en} caps prizes by the transaction value, so a transaction value (a whole number of yen ≥ 1) is required (${notice.en}). If no purchase is required, declare an open sweepstakes.`,
    });
  } else {
    const cap = perPrizeCap(kind, transactionValueYen ?? 0);
    if (cap) findings.push(...prizesOverCap(prizes, cap, kind));
  }

  const percent = totalCapPercent[kind];
  if (percent !== undefined) {
    const expectedSalesYen = input.expectedSalesYen;
    if (!isWholeYen(expectedSalesYen)) {
      findings.push({
        code: 'expected_sales_required',
        severity: 'blocking',
        ja: `${kindName.ja}の景品総額は懸賞に係る売上予定総額の${percent}%以内に制限されるため、売上予定総額（1円以上の整数）の入力が必要です（${notice.ja}）。`,
        en: `A ${kindName.en} limits the prize total to ${percent}% of expected sales, so expected sales (a whole number of yen ≥ 1) are required (${notice.en}).`,
      });
    } else {
      // floor keeps the comparison exact: a whole-yen total ≤ x% of sales iff it ≤ floor(x%).
      const limitYen = Math.floor((expectedSalesYen * percent) / 100);
      const totalYen = prizes.reduce((sum, prize) => sum + prize.valueYen * prize.stock, 0);
      if (totalYen > limitYen) {
        findings.push({
          code: 'total_value_over_cap',
          severity: 'blocking',
          limitYen,
          actualYen: totalYen,
          ja: `景品総額${yen(totalYen)}（価額×在庫数の合計）が上限を超えています。${kindName.ja}の景品総額は売上予定総額${yen(expectedSalesYen)}の${percent}%、${yen(limitYen)}までです（${notice.ja}）。`,
          en: `The prize total of ${yenEn(totalYen)} (value × stock, summed) is over the cap. A ${kindName.en} may give prizes worth at most ${percent}% of expected sales of ${yenEn(expectedSalesYen)}, i.e. ${yenEn(limitYen)} (${notice.en}).`,
        });
      }
    }
  }

  return { ok: findings.every((finding) => finding.severity !== 'blocking'), findings };
}
