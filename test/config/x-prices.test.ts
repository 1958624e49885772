import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultXPrices, loadXPrices } from '../../config/x-prices';

describe('loadXPrices', () => {
  it("uses X's published prices, dated, when KUJI_X_PRICES is unset or empty", () => {
    assert.deepEqual(loadXPrices({}), defaultXPrices);
    assert.deepEqual(loadXPrices({ KUJI_X_PRICES: ' ' }), defaultXPrices);
    assert.equal(defaultXPrices.readOn, '2026-12-03');
    assert.equal(defaultXPrices.usdPerUnit.dm_create, 0.015);
    assert.equal(defaultXPrices.usdPerUnit.post_create_url, 0.2);
  });

  it('overrides the kinds named and keeps the others, with the date given', () => {
    const prices = loadXPrices({
      KUJI_X_PRICES: JSON.stringify({ usdPerUnit: { dm_create: 0.02 }, readOn: '2027-01-15' }),
    });
    assert.equal(prices.usdPerUnit.dm_create, 0.02);
    assert.equal(prices.usdPerUnit.post_read, 0.005);
    assert.equal(prices.readOn, '2027-01-15');
    assert.equal(prices.source, 'KUJI_X_PRICES');
    const sourced = loadXPrices({
      KUJI_X_PRICES: JSON.stringify({
        usdPerUnit: { dm_create: 0.02 },
        readOn: '2027-01-15',
        source: 'https://docs.x.com/x-api/getting-started/pricing',
      }),
    });
    assert.equal(sourced.source, 'https://docs.x.com/x-api/getting-started/pricing');
  });

  it('refuses bad JSON, unknown kinds, negative prices and undated prices, naming the variable', () => {
    const bad = [
      'not json',
      JSON.stringify({ usdPerUnit: { dm_send: 0.02 }, readOn: '2027-01-15' }),
      JSON.stringify({ usdPerUnit: { dm_create: -1 }, readOn: '2027-01-15' }),
      JSON.stringify({ usdPerUnit: { dm_create: 0.02 } }),
      JSON.stringify({ usdPerUnit: {}, readOn: '2027-01-15' }),
      JSON.stringify({ currency: 'JPY' }),
      // A source is shown as a link: an http(s) address only.
      JSON.stringify({
        usdPerUnit: { dm_create: 0.02 },
        readOn: '2027-01-15',
        source: 'X console',
      }),
      JSON.stringify({ readOn: '2027-01-15', source: 'javascript:alert(1)' }),
      JSON.stringify({ readOn: '2027-01-15', source: '/pricing' }),
    ];
    for (const value of bad) {
      assert.throws(() => loadXPrices({ KUJI_X_PRICES: value }), /KUJI_X_PRICES/, value);
    }
  });
});
