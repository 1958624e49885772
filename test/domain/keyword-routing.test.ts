import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keywordOverlapFindings, keywordsCollide } from '../../domain/keyword-routing';

const period = (startAt: string, endAt: string) => ({ startAt, endAt, claimDeadlineHours: 72 });
const keywordCampaign = (
  keyword: string,
  schedule = period('2026-12-01T00:00:00Z', '2026-12-10T00:00:00Z'),
) => ({
  entryRules: { all: [{ type: 'dm_keyword' as const, keyword }] },
  schedule,
});

describe('keywordsCollide', () => {
  it('reads keywords one DM can match both of as colliding, whatever the width or case', () => {
    assert.equal(keywordsCollide('参加', '参加します'), true);
    assert.equal(keywordsCollide('ＣＡＭＰ', 'camp2026'), true);
    assert.equal(keywordsCollide('参加', '応募'), false);
  });
});

describe('keywordOverlapFindings', () => {
  it('blocks on another campaign whose keyword collides in an overlapping period, naming it', () => {
    const findings = keywordOverlapFindings(keywordCampaign('参加'), [
      { id: 'winter', name: '冬のキャンペーン', config: keywordCampaign('参加する') },
      { id: 'other', name: 'Other', config: keywordCampaign('応募') },
      {
        id: 'spring',
        name: 'Spring',
        config: keywordCampaign('参加', period('2026-12-11T00:00:00Z', '2026-12-20T00:00:00Z')),
      },
    ]);
    assert.deepEqual(
      findings.map((f) => [f.code, f.severity]),
      [['dm_keyword_overlap', 'blocking']],
    );
    assert.match(findings[0]?.en ?? '', /winter/);
    assert.match(findings[0]?.ja ?? '', /冬のキャンペーン/);
  });

  it('finds nothing for a campaign without a DM keyword', () => {
    const config = { entryRules: { all: [] }, schedule: keywordCampaign('x').schedule };
    assert.deepEqual(
      keywordOverlapFindings(config, [{ id: 'a', name: 'A', config: keywordCampaign('参加') }]),
      [],
    );
  });
});
