import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  dailyCapOf,
  effectiveDailyCap,
  remainingToday,
  resolveDailyCap,
  xAccountDmLimitPerDay,
} from '../../domain/quota';

describe('remainingToday', () => {
  it('is the cap minus what was used', () => {
    assert.equal(remainingToday({ cap: 100, used: 0 }), 100);
    assert.equal(remainingToday({ cap: 100, used: 37 }), 63);
    assert.equal(remainingToday({ cap: 100, used: 100 }), 0);
  });

  it('never goes below zero when usage overshot the cap', () => {
    assert.equal(remainingToday({ cap: 100, used: 130 }), 0);
  });

  it('rejects negative or fractional counts', () => {
    assert.throws(() => remainingToday({ cap: -1, used: 0 }), RangeError);
    assert.throws(() => remainingToday({ cap: 10, used: 1.5 }), RangeError);
  });
});

describe('effectiveDailyCap', () => {
  it('uses the configured cap when X allows it', () => {
    assert.equal(effectiveDailyCap({ configuredCap: 100 }), 100);
    assert.equal(effectiveDailyCap({ configuredCap: 100, xUserDayLimit: 1_440 }), 100);
  });

  it('never exceeds the account-level limit of about 500 a day', () => {
    assert.equal(effectiveDailyCap({ configuredCap: 2_000 }), xAccountDmLimitPerDay);
    assert.equal(effectiveDailyCap({ configuredCap: 2_000, xUserDayLimit: 1_440 }), 500);
  });

  it('follows a lower limit reported by X in the 24-hour header', () => {
    assert.equal(effectiveDailyCap({ configuredCap: 300, xUserDayLimit: 250 }), 250);
    assert.equal(effectiveDailyCap({ configuredCap: 300, xUserDayLimit: 0 }), 0);
  });

  it('treats an unusable header value as unknown', () => {
    assert.equal(effectiveDailyCap({ configuredCap: 300, xUserDayLimit: NaN }), 300);
    assert.equal(effectiveDailyCap({ configuredCap: 300, xUserDayLimit: -5 }), 300);
  });

  it('rejects an invalid configured cap', () => {
    assert.throws(() => effectiveDailyCap({ configuredCap: -1 }), RangeError);
    assert.throws(() => effectiveDailyCap({ configuredCap: 10.5 }), RangeError);
  });
});

describe('resolveDailyCap', () => {
  it('says which limit applies, in Japanese and English', () => {
    assert.equal(resolveDailyCap({ configuredCap: 100 }).limitedBy, 'configured');

    const byAccount = resolveDailyCap({ configuredCap: 800 });
    assert.equal(byAccount.limitedBy, 'x_account_daily');
    assert.match(byAccount.ja, /800件/);
    assert.match(byAccount.en, /about 500/);

    const byHeader = resolveDailyCap({ configuredCap: 300, xUserDayLimit: 120 });
    assert.deepEqual([byHeader.cap, byHeader.limitedBy], [120, 'x_user_24h']);
    assert.match(byHeader.ja, /24時間/);
    assert.match(byHeader.en, /120 per 24 hours/);
  });
});

describe('dailyCapOf', () => {
  it("is the configured cap under X's ceilings", () => {
    assert.equal(dailyCapOf({ dmDailyCap: 100 }), 100);
    assert.equal(dailyCapOf({ dmDailyCap: 100, xDmDayLimit: null }), 100);
    assert.equal(dailyCapOf({ dmDailyCap: 1_440 }), xAccountDmLimitPerDay);
  });

  it('follows the DM limit X last reported when it is lower than the configured cap', () => {
    assert.equal(dailyCapOf({ dmDailyCap: 100, xDmDayLimit: 40 }), 40);
    assert.equal(dailyCapOf({ dmDailyCap: 100, xDmDayLimit: 1_440 }), 100);
  });

  it("never goes above what the day's ledger already holds", () => {
    assert.equal(dailyCapOf({ dmDailyCap: 100 }, { cap: 60 }), 60);
    assert.equal(dailyCapOf({ dmDailyCap: 100, xDmDayLimit: 40 }, { cap: 60 }), 40);
    assert.equal(dailyCapOf({ dmDailyCap: 100 }, null), 100);
  });
});
