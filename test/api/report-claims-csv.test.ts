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

  it('lists how results were told, by channel', () => {
    const csv = reportCsv(
      campaign,
      storedReportSchema.parse({
        generatedAt: '2026-12-10T00:00:00.000Z',
        deliveries: { sent: 0, skipped: 3 },
        channels: { dm: 0, reply: 0, result_page: 3 },
      }),
    );
    const rows = csv.split('\r\n').filter((line) => line.startsWith('delivery_channel,'));
    assert.deepEqual(rows, [
      'delivery_channel,dm,0,',
      'delivery_channel,reply,0,',
      'delivery_channel,result_page,3,',
    ]);
  });
});
