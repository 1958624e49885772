/**
 * The report page's price source (console/src/pages/report/cost.tsx): a link only for an http(s)
 * address; `KUJI_X_PRICES` or other words stay words, never a link relative to the console.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { priceSourceHref } from '../../console/src/pages/report/price-source';

describe('priceSourceHref', () => {
  it('links http(s) addresses only', () => {
    assert.equal(
      priceSourceHref('https://docs.x.com/x-api/getting-started/pricing'),
      'https://docs.x.com/x-api/getting-started/pricing',
    );
    assert.equal(priceSourceHref('http://prices.example/x'), 'http://prices.example/x');
    for (const words of ['KUJI_X_PRICES', 'X developer console', '/pricing', 'javascript:alert(1)'])
      assert.equal(priceSourceHref(words), null, words);
  });
});
