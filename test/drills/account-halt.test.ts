/** The account-halt drill's verdicts: sends while halted, and the stops the halts left. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  acceptedAfterRefusal,
  haltStopFailures,
  sendsWhileHalted,
} from '../../drills/account-halt-judge';

describe('sendsWhileHalted', () => {
  const halt = { haltedAtMs: 1_000, resumedAtMs: 10_000, graceMs: 500 };

  it('keeps only sends after the halt (past the grace) and before the resume', () => {
    const sends = [900, 1_400, 1_600, 9_999, 10_000, 12_000].map((atMs) => ({ atMs, status: 201 }));
    assert.deepEqual(
      sendsWhileHalted(sends, halt).map((s) => s.atMs),
      [1_600, 9_999],
    );
  });

  it('counts a refused send too: asking X while halted is the fault', () => {
    assert.equal(sendsWhileHalted([{ atMs: 2_000, status: 401 }], halt).length, 1);
  });
});

describe('haltStopFailures', () => {
  const stop = (campaignId: string, id: string, status = 'resolved', resolution = 'resume') => ({
    campaignId,
    id,
    kind: 'sender_halted',
    status,
    resolution,
  });

  it('passes two halts resumed on both campaigns', () => {
    const stops = [stop('a', '1'), stop('b', '2'), stop('a', '3'), stop('b', '4')];
    assert.deepEqual(haltStopFailures(['a', 'b'], stops, 2), []);
  });

  it('names a campaign without its stop, and a stop left open or cancelled', () => {
    const stops = [
      stop('a', '1'),
      stop('a', '3', 'open', ''),
      stop('b', '2', 'resolved', 'cancel'),
      { ...stop('b', '9'), kind: 'send_error' },
    ];
    const failures = haltStopFailures(['a', 'b'], stops, 2);
    assert.equal(failures.length, 3, failures.join('\n'));
    assert.match(failures.join('\n'), /campaign b has 1 sender_halted stop/);
    assert.match(failures.join('\n'), /stop 3 of a is open/);
    assert.match(failures.join('\n'), /stop 2 of b is resolved\/cancel/);
  });
});

describe('acceptedAfterRefusal', () => {
  it('counts DMs X accepted after the halting answer and before the resume', () => {
    const sends = [
      { seq: 1, atMs: 100, status: 201 },
      { seq: 2, atMs: 200, status: 403, fault: 'automated' },
      { seq: 3, atMs: 210, status: 201 },
      { seq: 4, atMs: 220, status: 403 },
      { seq: 5, atMs: 9_000, status: 201 },
    ];
    assert.equal(acceptedAfterRefusal(sends, 'automated', 5_000), 1);
    assert.equal(acceptedAfterRefusal(sends, 'revoked', 5_000), 0);
  });
});
