import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkPremiumCompliance,
  type ComplianceInput,
  type PrizeForCompliance,
} from '../../domain/compliance';

const prize = (
  valueYen: number,
  stock = 1,
  id = 'p1',
  name = 'ギフトカード',
): PrizeForCompliance => ({
  id,
  name,
  valueYen,
  stock,
});

/** Expected sales large enough that the total cap does not interfere with per-prize checks. */
const ampleSales = 1_000_000_000;

function codes(input: ComplianceInput): string[] {
  return checkPremiumCompliance(input).findings.map((finding) => finding.code);
}

describe('checkPremiumCompliance: 一般懸賞 (general)', () => {
  const general = (transactionValueYen: number, valueYen: number): ComplianceInput => ({
    premiumKind: 'general',
    transactionValueYen,
    expectedSalesYen: ampleSales,
    prizes: [prize(valueYen)],
  });

  it('allows 20 × the transaction value under 5,000円 and blocks one yen more (4,999円)', () => {
    assert.deepEqual(checkPremiumCompliance(general(4_999, 99_980)), { ok: true, findings: [] });
    const over = checkPremiumCompliance(general(4_999, 99_981));
    assert.equal(over.ok, false);
    assert.deepEqual(over.findings[0], {
      ...over.findings[0],
      code: 'prize_value_over_cap',
      severity: 'blocking',
      prizeId: 'p1',
      limitYen: 99_980,
      actualYen: 99_981,
    });
  });

  it('blocks 100,000円 when the transaction is 4,999円', () => {
    assert.deepEqual(codes(general(4_999, 100_000)), ['prize_value_over_cap']);
  });

  it('allows 100,000円 from a 5,000円 transaction and blocks 100,001円', () => {
    assert.equal(checkPremiumCompliance(general(5_000, 100_000)).ok, true);
    const over = checkPremiumCompliance(general(5_000, 100_001));
    assert.equal(over.ok, false);
    assert.equal(over.findings[0]?.limitYen, 100_000);
  });

  it('keeps the 100,000円 cap for expensive transactions', () => {
    assert.deepEqual(codes(general(50_000, 100_001)), ['prize_value_over_cap']);
  });

  it('names the prize, its value, the cap and the law in both languages', () => {
    const [finding] = checkPremiumCompliance({
      ...general(5_000, 120_000),
      prizes: [prize(120_000, 1, 'camera', 'ミラーレスカメラ')],
    }).findings;
    assert.match(finding?.ja ?? '', /ミラーレスカメラ/);
    assert.match(finding?.ja ?? '', /120,000円/);
    assert.match(finding?.ja ?? '', /一般懸賞の景品の最高額は取引価額5,000円以上.*100,000円です/);
    assert.match(finding?.ja ?? '', /景品表示法/);
    assert.match(finding?.en ?? '', /ミラーレスカメラ/);
    assert.match(finding?.en ?? '', /¥120,000/);
    assert.match(finding?.en ?? '', /¥100,000/);
    assert.match(finding?.en ?? '', /Premiums and Misleading Representations/);
  });

  it('allows a prize total of exactly 2% of expected sales and blocks one yen more', () => {
    const atCap: ComplianceInput = {
      premiumKind: 'general',
      transactionValueYen: 5_000,
      expectedSalesYen: 1_000_000,
      prizes: [prize(2_000, 5, 'a'), prize(10_000, 1, 'b')],
    };
    assert.deepEqual(checkPremiumCompliance(atCap), { ok: true, findings: [] });
    const over = checkPremiumCompliance({ ...atCap, prizes: [...atCap.prizes, prize(1, 1, 'c')] });
    assert.equal(over.ok, false);
    assert.deepEqual(over.findings[0], {
      ...over.findings[0],
      code: 'total_value_over_cap',
      limitYen: 20_000,
      actualYen: 20_001,
    });
    assert.match(over.findings[0]?.ja ?? '', /2%/);
  });

  it('compares the total exactly when 2% of sales is not a whole number of yen', () => {
    const input = (expectedSalesYen: number): ComplianceInput => ({
      premiumKind: 'general',
      transactionValueYen: 5_000,
      expectedSalesYen,
      prizes: [prize(20_001)],
    });
    assert.equal(checkPremiumCompliance(input(1_000_050)).ok, true); // 2% = 20,001
    assert.equal(checkPremiumCompliance(input(1_000_049)).ok, false); // 2% = 20,000.98
  });

  it('blocks when the transaction value or the expected sales are missing', () => {
    assert.deepEqual(codes({ premiumKind: 'general', prizes: [prize(1_000)] }), [
      'transaction_value_required',
      'expected_sales_required',
    ]);
    assert.deepEqual(
      codes({
        premiumKind: 'general',
        transactionValueYen: 0,
        expectedSalesYen: ampleSales,
        prizes: [],
      }),
      ['transaction_value_required'],
    );
    const result = checkPremiumCompliance({
      premiumKind: 'general',
      transactionValueYen: 3_000,
      prizes: [],
    });
    assert.equal(result.ok, false);
    assert.equal(result.findings[0]?.severity, 'blocking');
  });
});

describe('checkPremiumCompliance: 共同懸賞 (joint)', () => {
  it('allows 300,000円 per prize and blocks 300,001円, whatever the transaction', () => {
    const joint = (valueYen: number): ComplianceInput => ({
      premiumKind: 'joint',
      expectedSalesYen: ampleSales,
      prizes: [prize(valueYen)],
    });
    assert.equal(checkPremiumCompliance(joint(300_000)).ok, true);
    const over = checkPremiumCompliance(joint(300_001));
    assert.equal(over.findings[0]?.limitYen, 300_000);
    assert.equal(over.ok, false);
  });

  it('allows a total of exactly 3% of expected sales and blocks more', () => {
    const joint = (stock: number): ComplianceInput => ({
      premiumKind: 'joint',
      expectedSalesYen: 10_000_000,
      prizes: [prize(30_000, stock)],
    });
    assert.equal(checkPremiumCompliance(joint(10)).ok, true);
    assert.deepEqual(codes(joint(11)), ['total_value_over_cap']);
    assert.equal(checkPremiumCompliance(joint(11)).findings[0]?.limitYen, 300_000);
  });

  it('needs expected sales', () => {
    assert.deepEqual(codes({ premiumKind: 'joint', prizes: [prize(1_000)] }), [
      'expected_sales_required',
    ]);
  });
});

describe('checkPremiumCompliance: 総付景品 (all-comers)', () => {
  const allComers = (transactionValueYen: number, valueYen: number): ComplianceInput => ({
    premiumKind: 'all_comers',
    transactionValueYen,
    prizes: [prize(valueYen)],
  });

  it('allows 200円 under a 1,000円 transaction (999円) and blocks 201円', () => {
    assert.deepEqual(checkPremiumCompliance(allComers(999, 200)), { ok: true, findings: [] });
    assert.equal(checkPremiumCompliance(allComers(999, 201)).findings[0]?.limitYen, 200);
  });

  it('allows 20% of a 1,000円 transaction and blocks one yen more', () => {
    assert.equal(checkPremiumCompliance(allComers(1_000, 200)).ok, true);
    assert.equal(checkPremiumCompliance(allComers(1_000, 201)).ok, false);
  });

  it('scales with the transaction value at 20%', () => {
    assert.equal(checkPremiumCompliance(allComers(15_000, 3_000)).ok, true);
    const over = checkPremiumCompliance(allComers(15_000, 3_001));
    assert.equal(over.findings[0]?.limitYen, 3_000);
    assert.match(over.findings[0]?.ja ?? '', /総付景品/);
  });

  it('has no total cap and needs no expected sales, but needs the transaction value', () => {
    assert.equal(
      checkPremiumCompliance({
        premiumKind: 'all_comers',
        transactionValueYen: 1_000,
        prizes: [prize(200, 1_000_000)],
      }).ok,
      true,
    );
    assert.deepEqual(codes({ premiumKind: 'all_comers', prizes: [prize(100)] }), [
      'transaction_value_required',
    ]);
  });
});

describe('checkPremiumCompliance: オープン懸賞 (open)', () => {
  it('has no cap on prize value or total', () => {
    assert.deepEqual(
      checkPremiumCompliance({ premiumKind: 'open', prizes: [prize(10_000_000, 100)] }),
      { ok: true, findings: [] },
    );
  });

  it('warns, without blocking, when a transaction value suggests a purchase is required', () => {
    const result = checkPremiumCompliance({
      premiumKind: 'open',
      transactionValueYen: 3_000,
      prizes: [prize(500_000)],
    });
    assert.equal(result.ok, true);
    assert.deepEqual(
      result.findings.map((finding) => [finding.code, finding.severity]),
      [['open_with_transaction_value', 'warning']],
    );
    assert.match(result.findings[0]?.ja ?? '', /一般懸賞/);
  });
});

describe('checkPremiumCompliance: prize data', () => {
  it('blocks prizes whose value or stock is not a whole number ≥ 0', () => {
    const result = checkPremiumCompliance({
      premiumKind: 'open',
      prizes: [
        prize(-1, 1, 'negative'),
        prize(100.5, 1, 'fraction'),
        prize(100, NaN, 'nostock'),
        prize(100, 2, 'fine'),
      ],
    });
    assert.equal(result.ok, false);
    assert.deepEqual(
      result.findings.map((finding) => [finding.code, finding.prizeId]),
      [
        ['invalid_prize', 'negative'],
        ['invalid_prize', 'fraction'],
        ['invalid_prize', 'nostock'],
      ],
    );
  });

  it('reports every prize over the cap, not just the first', () => {
    const result = checkPremiumCompliance({
      premiumKind: 'general',
      transactionValueYen: 5_000,
      expectedSalesYen: ampleSales,
      prizes: [prize(150_000, 1, 'a'), prize(90_000, 1, 'b'), prize(100_001, 1, 'c')],
    });
    assert.deepEqual(
      result.findings.map((finding) => finding.prizeId),
      ['a', 'c'],
    );
  });
});
