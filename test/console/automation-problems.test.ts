/**
 * The campaign overview names why automation is disarmed: every code the webhook check reports
 * has words in both languages, and an unknown code is shown as it is.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ArmedProblemCode } from '../../activities/x-access/types';
import { automationProblemLabel } from '../../console/src/pages/campaign/automation-problems';

describe('automationProblemLabel', () => {
  it('names every problem the webhook check reports in Japanese and English, never by its code', () => {
    const codes: Record<ArmedProblemCode, true> = {
      webhook_missing: true,
      webhook_invalid: true,
      not_subscribed: true,
    };
    for (const code of Object.keys(codes)) {
      const ja = automationProblemLabel(code, 'ja');
      const en = automationProblemLabel(code, 'en');
      assert.notEqual(ja, code);
      assert.notEqual(en, code);
      assert.notEqual(ja, en);
      assert.match(ja, /Webhook/);
      assert.match(en, /webhook/);
    }
  });

  it('shows a code it does not know as it is', () => {
    assert.equal(automationProblemLabel('something_new', 'ja'), 'something_new');
    assert.equal(automationProblemLabel('toString', 'en'), 'toString');
  });
});
