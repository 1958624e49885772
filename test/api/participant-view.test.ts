/**
 * The participant view as HTML, without a server: a promoted alternate's result, who is signed
 * in and the sign-out form, the draw card's words and command, and Japanese text that reads
 * without stray spaces (a line break in the markup next to an interpolation shows as one).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClaimForPage } from '../../api/participant-result';
import {
  type DrawFacts,
  participantView,
  type ParticipantViewInput,
  type Viewer,
} from '../../api/participant-view';
import { verifyPage } from '../../api/routes/verify';
import type { ParticipantResult } from '../../db/repositories/results';
import { exampleCampaignConfig } from '../../domain/campaign-config';

const USER = '1790000000000000101';
const deadline = new Date('2026-12-09T14:47:00Z');
const won: ParticipantResult = {
  outcome: 'won',
  prizeId: 'gift',
  prizeName: '冬のギフトセット',
  prizeCode: null,
  reasons: [],
};
const openClaim: ClaimForPage = { state: 'open', deadlineAt: deadline, claimedAt: null };
const promotedClaim: ClaimForPage = {
  ...openClaim,
  promotedAt: new Date('2026-12-08T14:47:00Z'),
  replacesXUserId: '1790000000000000102',
};
const draw: DrawFacts = {
  seed: 'a1b2c3d4e5f60718',
  digest: 'f4496f3e'.repeat(8),
  entryCount: 4,
  publicBaseUrl: 'https://kuji.example',
};

function participant(overrides: Partial<Extract<Viewer, { kind: 'participant' }>> = {}): Viewer {
  return {
    kind: 'participant',
    via: 'session',
    xUserId: USER,
    result: won,
    claim: openClaim,
    claimForm: undefined,
    verificationCode: 'KJ-71V8-J6P6',
    username: 'winter_fan',
    signOut: { action: '/c/winter/signout', csrf: 'csrf-token' },
    ...overrides,
  };
}

function page(viewer: Viewer, more: Partial<ParticipantViewInput> = {}): string {
  return participantView({
    campaign: {
      id: 'winter',
      name: '冬のフォロー＆リポストキャンペーン',
      config: exampleCampaignConfig(new Date('2026-12-03T00:00:00Z')),
    },
    draw,
    viewer,
    notice: null,
    ...more,
  });
}

/** The visible text, block elements kept apart by "|" so only inline whitespace remains. */
function visible(html: string): string {
  return html
    .replace(/<style>[\s\S]*?<\/style>/g, '')
    .replace(/<\/?(h1|h2|p|li|ul|dl|dt|dd|div|section|article|form|label|pre|br)\b[^>]*>/g, '|')
    .replace(/<[^>]+>/g, '')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

/** Each Japanese section's text with its English spans left out. */
function japaneseSections(html: string): string[] {
  return [...html.matchAll(/<section lang="ja">([\s\S]*?)<\/section>/g)].map((match) =>
    visible((match[1] ?? '').replace(/<span lang="en">[\s\S]*?<\/span>/g, '')),
  );
}

const cjk = '[\\u3000-\\u303f\\u3040-\\u30ff\\u4e00-\\u9fff\\uff00-\\uffef]';
const strayJapaneseSpace = new RegExp(`${cjk}[ \\t\\n]+${cjk}`, 'u');

describe('participant view', () => {
  it('tells a promoted alternate they moved up from the alternates, and a drawn winner plainly that they won', () => {
    for (const claim of [
      promotedClaim,
      { ...promotedClaim, state: 'claimed' as const, claimedAt: deadline },
    ]) {
      const html = page(participant({ claim }));
      assert.match(html, /<h1>繰り上げ当選おめでとうございます！<\/h1>/);
      assert.match(html, /You moved up from the alternates and won/);
      assert.match(html, /<title>繰り上げ当選 \/ You moved up and won/);
    }
    // Either field marks a promotion (findClaim gives both).
    assert.match(
      page(participant({ claim: { ...openClaim, replacesXUserId: '17900' } })),
      /繰り上げ当選/,
    );
    const plain = page(participant());
    assert.match(plain, /<h1>当選おめでとうございます！<\/h1>/);
    assert.doesNotMatch(plain, /繰り上げ|moved up/);
  });

  it('says which X account is signed in, beside the sign-out form, spaced like the cards', () => {
    const html = page(participant());
    const bar = /<div class="session">([\s\S]*?)<\/div>/.exec(html)?.[1] ?? '';
    assert.match(visible(bar), /@winter_fan でサインイン中\|Signed in as @winter_fan/);
    assert.match(bar, /<form method="post" action="\/c\/winter\/signout">/);
    assert.match(bar, /name="csrf" value="csrf-token"/);
    // The bar comes first, and keeps the cards' 1rem from what follows.
    assert.ok(html.indexOf('class="session"') < html.indexOf('<article class="card">'));
    assert.match(html, /\.session \{[^}]*margin: 0 0 1rem;/);
    assert.match(html, /\.card \{[^}]*margin-bottom: 1rem;/);

    const unknown = visible(page(participant({ username: null })));
    assert.match(
      unknown,
      new RegExp(`Xでサインイン中（ユーザーID ${USER}）\\|Signed in with X \\(user id ${USER}\\)`),
    );
    // A personal link is not a sign-in: no bar, no sign-out.
    const link = page(participant({ via: 'link', username: null, signOut: null }));
    assert.doesNotMatch(link, /class="session"|サインイン中|Sign out/);
  });

  it('labels the draw pool as the entries in the draw, and gives a command that downloads the script', () => {
    const text = visible(page({ kind: 'anonymous', signInUrl: '/c/winter/signin' }));
    assert.match(text, /抽選対象の応募 \/ Entries in the draw\|\s*\|4\|/);
    assert.doesNotMatch(text, /応募数/);
    assert.ok(
      text.includes(
        'curl -O https://kuji.example/c/verify-draw.mjs && node verify-draw.mjs ' +
          'https://kuji.example/c/winter/draw.json https://kuji.example/c/winter/entries.txt',
      ),
      text,
    );
    assert.match(
      page({ kind: 'anonymous', signInUrl: null }),
      /href="\/c\/verify-draw\.mjs" download/,
    );
  });

  it('writes Japanese without stray spaces between words, on every result and on /verify', () => {
    const results: Array<[ParticipantResult | undefined, ClaimForPage | undefined]> = [
      [won, openClaim],
      [won, promotedClaim],
      [won, { ...openClaim, state: 'claimed', claimedAt: deadline }],
      [won, { ...openClaim, state: 'forfeited' }],
      [{ ...won, prizeCode: 'GIFT-0001' }, undefined],
      [{ ...won, outcome: 'lost', prizeId: null, prizeName: null }, undefined],
      [{ ...won, outcome: 'alternate', prizeId: null, prizeName: null }, undefined],
      [{ ...won, outcome: 'pending', prizeId: null, prizeName: null }, undefined],
      [
        {
          ...won,
          outcome: 'ineligible',
          reasons: [{ code: 'not_following', ja: 'フォローしていません', en: 'Not following' }],
        },
        undefined,
      ],
      [undefined, undefined],
    ];
    const pages = [
      page({ kind: 'anonymous', signInUrl: '/c/winter/signin' }, { notice: 'signed_out' }),
      page({ kind: 'anonymous', signInUrl: null }, { notice: 'expired' }),
      ...results.map(([result, claim]) =>
        page(participant({ result, claim }), { notice: 'claimed' }),
      ),
      verifyPage({}, null),
      verifyPage({ handle: 'alice' }, { genuine: false, reason: 'code_unknown' }),
      verifyPage({ handle: 'alice' }, { genuine: false, reason: 'no_code' }),
      verifyPage(
        { handle: 'alice' },
        {
          genuine: true,
          campaignId: 'winter',
          campaignName: '冬のキャンペーン',
          username: 'alice',
          outcome: 'won',
          checked: 'message',
          channel: 'dm',
        },
      ),
      verifyPage(
        { handle: 'alice' },
        {
          genuine: true,
          campaignId: 'winter',
          campaignName: '冬のキャンペーン',
          username: 'alice',
          outcome: 'won',
          checked: 'code',
          channel: 'dm',
        },
      ),
    ];
    for (const html of pages) {
      const sections = japaneseSections(html);
      assert.ok(sections.length > 0);
      for (const text of sections) {
        const stray = strayJapaneseSpace.exec(text);
        assert.equal(stray, null, `a space inside Japanese text: “${stray?.[0]}” in ${text}`);
      }
    }
    // The sentences of a not-confirmed answer follow one another directly.
    assert.ok(
      verifyPage({}, { genuine: false, reason: 'code_unknown' }).includes(
        '一致しません。偽のメッセージの可能性があります。',
      ),
    );
  });
});
