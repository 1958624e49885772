import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reportCsv } from '../../api/routes/reports';
import { storedReportSchema } from '../../api/schemas/reports';

const campaign = { id: 'cmp_claims_csv', name: 'claims' };

function claimRows(report: unknown): string[] {
  const csv = reportCsv(campaign, storedReportSchema.parse(report));
  return csv
    .split('\r\n')
    .filter((line) => line.startsWith('claims,'))
    .map((line) => line.slice('claims,'.length));
}

describe('report.csv claims', () => {
  it('lists the claim counts of a campaign with claims', () => {
    const report = {
      generatedAt: '2026-12-10T00:00:00.000Z',
      claims: { claimed: 1, forfeited: 3, promoted: 2, open: 0 },
    };
    assert.deepEqual(claimRows(report), ['claimed,1,', 'forfeited,3,', 'promoted,2,', 'open,0,']);
  });

  it('has no claims rows without claims', () => {
    assert.deepEqual(claimRows({ generatedAt: '2026-12-10T00:00:00.000Z', claims: null }), []);
    assert.deepEqual(claimRows({ generatedAt: '2026-12-10T00:00:00.000Z' }), []);
  });
});
