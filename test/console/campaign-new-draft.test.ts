import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getAt, issuesUnder, setAt } from '../../console/src/pages/campaign-new/draft';
import {
  fillInstant,
  presetDraft,
  presetName,
  presets,
} from '../../console/src/pages/campaign-new/presets';
import {
  isoFromLocalInput,
  isoInZone,
  localInputValue,
} from '../../console/src/pages/campaign-new/zoned-time';
import { campaignConfigSchema } from '../../domain/campaign-config';

describe('new campaign form: the draft', () => {
  it('writes a path, creating objects and lists, without touching the old draft', () => {
    const before = { name: 'a', prizes: [{ id: 'p1' }] };
    const after = setAt(setAt(before, 'prizes.1.stock', 3), 'schedule.timezone', 'UTC');
    assert.deepEqual(after, {
      name: 'a',
      prizes: [{ id: 'p1' }, { stock: 3 }],
      schedule: { timezone: 'UTC' },
    });
    assert.deepEqual(before, { name: 'a', prizes: [{ id: 'p1' }] });
    assert.equal(getAt(after, 'prizes.1.stock'), 3);
    assert.equal(getAt(after, 'prizes.5.stock'), undefined);
  });

  it('removes a key or a list item when the value is undefined', () => {
    const draft = {
      compliance: { premiumKind: 'general', transactionValueYen: 1 },
      rules: [1, 2, 3],
    };
    assert.deepEqual(setAt(draft, 'compliance.transactionValueYen', undefined), {
      compliance: { premiumKind: 'general' },
      rules: [1, 2, 3],
    });
    assert.deepEqual(setAt(draft, 'rules.1', undefined).rules, [1, 3]);
  });

  it('finds the issues inside a path, not those of a path that merely starts alike', () => {
    const issue = (path: string) => ({ path, code: 'x', message: { ja: 'x', en: 'x' } });
    const issues = [issue('prizes.1'), issue('prizes.1.stock'), issue('prizes.10.stock')];
    assert.deepEqual(
      issuesUnder(issues, 'prizes.1').map((found) => found.path),
      ['prizes.1', 'prizes.1.stock'],
    );
  });
});

describe('new campaign form: times in the campaign timezone', () => {
  it('reads wall time typed in the zone as ISO with that zone’s offset, across DST', () => {
    assert.equal(isoFromLocalInput('2026-12-04T10:00', 'Asia/Tokyo'), '2026-12-04T10:00:00+09:00');
    assert.equal(
      isoFromLocalInput('2026-07-01T10:00', 'America/New_York'),
      '2026-07-01T10:00:00-04:00',
    );
    assert.equal(
      isoFromLocalInput('2026-12-01T10:00', 'America/New_York'),
      '2026-12-01T10:00:00-05:00',
    );
    assert.equal(isoFromLocalInput('', 'Asia/Tokyo'), undefined);
  });

  it('shows a stored instant as wall time in the zone, whatever offset it was written with', () => {
    assert.equal(localInputValue('2026-12-04T01:00:00Z', 'Asia/Tokyo'), '2026-12-04T10:00');
    assert.equal(localInputValue('2026-12-04T10:00:00+09:00', 'UTC'), '2026-12-04T01:00');
    assert.equal(localInputValue('now', 'Asia/Tokyo'), '');
    assert.equal(isoInZone(new Date('2026-12-04T01:00:00Z'), 'UTC'), '2026-12-04T01:00:00+00:00');
  });
});

describe('new campaign form: presets from examples/*.json', () => {
  const now = new Date('2026-12-03T08:59:30Z');

  it('fills `now` and `now+10m` in the campaign timezone, in whole minutes', () => {
    assert.equal(fillInstant('now', now, 'Asia/Tokyo'), '2026-12-03T18:00:00+09:00');
    assert.equal(fillInstant('now+10m', now, 'Asia/Tokyo'), '2026-12-03T18:10:00+09:00');
    assert.equal(
      fillInstant('2026-12-24T10:00:00+09:00', now, 'Asia/Tokyo'),
      '2026-12-24T10:00:00+09:00',
    );
  });

  it('offers every example, each a configuration the API accepts once a sender is chosen', () => {
    assert.deepEqual(presets.map((preset) => preset.id).sort(), [
      'drawn-reply-hashtag',
      'follow-repost',
      'follow-repost-claims',
      'instant-win',
    ]);
    for (const preset of presets) {
      const draft = presetDraft(preset, now, 'acct_mine');
      const parsed = campaignConfigSchema.safeParse(draft);
      assert.ok(parsed.success, `${preset.id}: ${JSON.stringify(parsed.error?.issues)}`);
      assert.equal(parsed.data.accountId, 'acct_mine');
      assert.equal(parsed.data.schedule.startAt, '2026-12-03T18:00:00+09:00');
      assert.notEqual(presetName(preset, 'ja'), presetName(preset, 'en'));
    }
    // Choosing a preset never changes the example itself.
    assert.equal((presets[0]?.config.schedule as { startAt: string }).startAt, 'now');
  });
});
