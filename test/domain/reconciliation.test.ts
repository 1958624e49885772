import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type FunnelCounts, reconcileFunnel } from '../../domain/reconciliation';

const balanced: FunnelCounts = {
  events: 12,
  processedEvents: 12,
  unprocessedEvents: 0,
  participants: 10,
  won: 2,
  lost: 3,
  alternates: 1,
  pending: 1,
  ineligibleOutcome: 3,
  unjudged: 0,
  ineligibleWithoutReason: 0,
};

describe('reconcileFunnel', () => {
  it('accounts for every participant: winners + losers + ineligible + held', () => {
    const result = reconcileFunnel(balanced);
    assert.deepEqual(
      {
        winners: result.winners,
        losers: result.losers,
        ineligible: result.ineligible,
        held: result.held,
      },
      { winners: 2, losers: 3, ineligible: 3, held: 2 },
    );
    assert.equal(result.reconciled, true);
    assert.deepEqual(result.problems, []);
  });

  it('names each way a report fails to add up, in Japanese and English', () => {
    const result = reconcileFunnel({
      ...balanced,
      processedEvents: 10,
      unprocessedEvents: 2,
      participants: 11,
      unjudged: 1,
      ineligibleWithoutReason: 1,
    });
    assert.equal(result.reconciled, false);
    assert.deepEqual(
      result.problems.map((p) => [p.code, p.count]),
      [
        ['events_unprocessed', 2],
        ['participants_unjudged', 1],
        ['ineligible_without_reason', 1],
        ['outcomes_do_not_add_up', 1],
      ],
    );
    for (const problem of result.problems) assert.ok(problem.ja && problem.en);
  });
});
