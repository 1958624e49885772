import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { campaignConfigSchema, exampleCampaignConfig } from '../../domain/campaign-config';
import { unregisteredTestAccountsFinding } from '../../domain/test-accounts';

describe('testAccounts of a campaign', () => {
  const ids = (n: number) => Array.from({ length: n }, (_, i) => `17900000000000010${10 + i}`);

  it('takes at most 5 test accounts', () => {
    const base = exampleCampaignConfig(new Date());
    assert.equal(campaignConfigSchema.safeParse({ ...base, testAccounts: ids(5) }).success, true);
    const six = campaignConfigSchema.safeParse({ ...base, testAccounts: ids(6) });
    assert.equal(six.success, false);
    assert.deepEqual(six.error?.issues[0]?.path, ['testAccounts']);
  });

  it('finds nothing when every test account is registered', () => {
    assert.equal(
      unregisteredTestAccountsFinding(['1', '2'], new Set(['1', '2', '3']), {
        id: 'brand',
        handle: 'brand',
      }),
      undefined,
    );
  });

  it('blocks on the unregistered ones, naming each once, in both languages', () => {
    const finding = unregisteredTestAccountsFinding(['1', '2', '3', '2'], new Set(['1']), {
      id: 'brand',
      handle: 'kuji_brand',
    });
    assert.equal(finding?.code, 'test_account_unregistered');
    assert.equal(finding?.severity, 'blocking');
    assert.equal(finding?.path, 'testAccounts');
    assert.match(
      finding?.en ?? '',
      /Test accounts 2, 3 are not registered for sender account @kuji_brand/,
    );
    assert.match(finding?.en ?? '', /POST \/v1\/accounts\/brand\/test-accounts/);
    assert.match(
      finding?.ja ?? '',
      /テストアカウント 2, 3 は送信アカウント @kuji_brand に登録されていません/,
    );
  });
});
