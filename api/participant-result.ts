/**
 * A participant's own result as a card: pending, won (prize; the claim form, or claimed with the
 * code), alternate, lost, not eligible with the reasons, or no entry. Japanese, then English.
 */
import type { ParticipantResult } from '../db/repositories/results';
import type { ClaimField, ClaimIssue } from '../domain/claims';
import { type Card, html, type SafeHtml } from './participant-pages';

/** What the page needs of a claim (db/repositories/claims.ts ClaimView fits). */
export interface ClaimForPage {
  state: 'open' | 'claimed' | 'forfeited';
  deadlineAt: Date;
  claimedAt: Date | null;
  /** Set when this claim is an alternate's, promoted after a winner missed the deadline. */
  promotedAt?: Date | null;
  replacesXUserId?: string | null;
}

/** The claim form's context: where it posts and what proves the participant and the request. */
export interface ClaimFormContext {
  fields: readonly ClaimField[];
  action: string;
  /** Hidden fields: the CSRF token, and the result link's user and token when on a link. */
  hidden: Record<string, string>;
  /** What they typed and what was wrong, after a refused submission. */
  values: Record<string, string>;
  issues: readonly ClaimIssue[];
}

export interface ResultContext {
  result: ParticipantResult | undefined;
  /** Present when claims are on and this participant has a claim row. */
  claim: ClaimForPage | undefined;
  /** The claim form, when the claim is open and claiming is available. */
  form: ClaimFormContext | undefined;
  formatDate: (date: Date) => { ja: string; en: string };
}

const fieldInputs: Record<
  ClaimField,
  { ja: string; en: string; type: 'text' | 'email' | 'tel' | 'textarea'; autocomplete: string }
> = {
  name: { ja: 'お名前', en: 'Name', type: 'text', autocomplete: 'name' },
  email: { ja: 'メールアドレス', en: 'Email address', type: 'email', autocomplete: 'email' },
  postalAddress: {
    ja: '送付先住所（郵便番号から）',
    en: 'Postal address (with postcode)',
    type: 'textarea',
    autocomplete: 'street-address',
  },
  phone: { ja: '電話番号', en: 'Phone number', type: 'tel', autocomplete: 'tel' },
};

function claimForm(form: ClaimFormContext): SafeHtml {
  const hidden = Object.entries(form.hidden).map(
    ([name, value]) => html`<input type="hidden" name="${name}" value="${value}" />`,
  );
  const errors =
    form.issues.length > 0
      ? html`<div class="notice" role="alert">
          <p class="error">入力内容を確認してください / Please check your answers</p>
          <ul>
            ${form.issues.map((issue) => html`<li>${issue.ja}<br /><span lang="en">${issue.en}</span></li>`)}
          </ul>
        </div>`
      : null;
  const inputs = form.fields.map((field) => {
    const input = fieldInputs[field];
    const value = form.values[field] ?? '';
    const id = `claim-${field}`;
    const control =
      input.type === 'textarea'
        ? html`<textarea id="${id}" name="${field}" autocomplete="${input.autocomplete}" required>
${value}</textarea>`
        : html`<input
            id="${id}"
            type="${input.type}"
            name="${field}"
            value="${value}"
            autocomplete="${input.autocomplete}"
            required
          />`;
    return html`<label for="${id}">${input.ja} / <span lang="en">${input.en}</span></label>
      ${control}`;
  });
  return html`<form method="post" action="${form.action}">
    ${errors} ${hidden} ${inputs}
    <button type="submit">賞品を受け取る / <span lang="en">Claim my prize</span></button>
  </form>`;
}

function reasonList(items: readonly string[]): SafeHtml | null {
  if (items.length === 0) return null;
  return html`<ul>
    ${items.map((item) => html`<li>${item}</li>`)}
  </ul>`;
}

/** The result card and the page title's words. */
export function resultCard(context: ResultContext): {
  title: { ja: string; en: string };
  card: Card;
} {
  const { result } = context;
  if (!result) {
    return {
      title: { ja: '応募が見つかりません', en: 'No entry found' },
      card: {
        badge: { kind: 'missing', ja: '応募なし', en: 'No entry' },
        ja: html`<h1>応募が見つかりません</h1>
          <p>
            このキャンペーンへのあなたの応募は見つかりませんでした。応募が反映されるまで、少し時間がかかることがあります。
          </p>`,
        en: html`<h2>No entry found</h2>
          <p>
            We found no entry of yours in this campaign. A new entry can take a little while to
            appear.
          </p>`,
      },
    };
  }
  switch (result.outcome) {
    case 'won':
      return wonCard(context, result);
    case 'lost':
      return {
        title: { ja: '抽選結果', en: 'Result' },
        card: {
          badge: { kind: 'lost', ja: '落選', en: 'Not selected' },
          ja: html`<h1>残念ながら、今回は落選となりました</h1>
            <p>ご応募いただき、ありがとうございました。</p>`,
          en: html`<h2>Sorry, you did not win this time</h2>
            <p>Thank you for taking part.</p>`,
        },
      };
    case 'alternate':
      return {
        title: { ja: '補欠当選', en: 'Alternate' },
        card: {
          badge: { kind: 'alternate', ja: '補欠', en: 'Alternate' },
          ja: html`<h1>補欠当選です</h1>
            <p>
              当選者が期限までに賞品を受け取らなかった場合、繰り上げ当選となることがあります。その際はあらためてお知らせします。
            </p>`,
          en: html`<h2>You are an alternate</h2>
            <p>
              If a winner does not claim their prize in time, you may move up. We will let you know
              if you do.
            </p>`,
        },
      };
    case 'pending':
      return {
        title: { ja: '抽選前', en: 'Not drawn yet' },
        card: {
          badge: { kind: 'pending', ja: '抽選前', en: 'Not drawn yet' },
          ja: html`<h1>抽選はまだ行われていません</h1>
            <p>ご応募を受け付けました。抽選後、このページで結果をお知らせします。</p>`,
          en: html`<h2>The draw has not taken place yet</h2>
            <p>
              Your entry has been received. After the draw, your result will appear on this page.
            </p>`,
        },
      };
    case 'ineligible':
      return {
        title: { ja: '応募条件を満たしていません', en: 'Not eligible' },
        card: {
          badge: { kind: 'ineligible', ja: '対象外', en: 'Not eligible' },
          ja: html`<h1>応募条件を満たしていません</h1>
            <p>
              ${result.reasons.length > 0 ? '次の理由により、抽選の対象外となっています。' : '抽選の対象外となっています。'}
            </p>
            ${reasonList(result.reasons.map((reason) => reason.ja))}`,
          en: html`<h2>Your entry does not meet the conditions</h2>
            <p>
              ${result.reasons.length > 0 ? 'It is not included in the draw for these reasons:' : 'It is not included in the draw.'}
            </p>
            ${reasonList(result.reasons.map((reason) => reason.en))}`,
        },
      };
  }
}

function wonCard(
  context: ResultContext,
  result: ParticipantResult,
): { title: { ja: string; en: string }; card: Card } {
  const { claim } = context;
  const prize = result.prizeName ?? result.prizeId;
  // An alternate was told they were one: a promotion says so rather than a plain "you won".
  const promoted = Boolean(claim && (claim.promotedAt || claim.replacesXUserId));
  const title = promoted
    ? { ja: '繰り上げ当選', en: 'You moved up and won' }
    : { ja: '当選', en: 'You won' };
  const heading = promoted
    ? {
        ja: '繰り上げ当選おめでとうございます！',
        en: 'You moved up from the alternates and won!',
      }
    : { ja: '当選おめでとうございます！', en: 'Congratulations, you won!' };
  const wonJa = promoted ? '繰り上げ当選' : '当選';
  const wonEn = promoted ? 'Moved up and won' : 'Won';
  const prizeFact = prize
    ? html`<dt>賞品 / <span lang="en">Prize</span></dt>
        <dd>${prize}</dd>`
    : null;
  if (claim?.state === 'forfeited') {
    return {
      title,
      card: {
        badge: { kind: 'forfeited', ja: '受け取り期限切れ', en: 'Claim deadline passed' },
        ja: html`<h1>受け取りの期限が過ぎました</h1>
          <p>期限までに受け取りの手続きがなかったため、賞品は補欠の方に繰り上がりました。</p>`,
        facts: prizeFact ? html`<dl class="facts">${prizeFact}</dl>` : null,
        en: html`<h2>The claim deadline has passed</h2>
          <p>The prize was not claimed in time, so it has gone to an alternate.</p>`,
      },
    };
  }
  if (claim?.state === 'open') {
    const deadline = context.formatDate(claim.deadlineAt);
    return {
      title,
      card: {
        badge: {
          kind: 'open',
          ja: `${wonJa}・受け取り手続き待ち`,
          en: `${wonEn}: claim your prize`,
        },
        ja: html`<h1>${heading.ja}</h1>
          <p>
            賞品を受け取るには、<strong>${deadline.ja}</strong>までに下のフォームから手続きしてください。期限を過ぎると、賞品は補欠の方に繰り上がります。
          </p>`,
        facts: html`<dl class="facts">
          ${prizeFact}
          <dt>受け取り期限 / <span lang="en">Claim by</span></dt>
          <dd>${deadline.ja}<br /><span lang="en">${deadline.en}</span></dd>
        </dl>`,
        en: html`<h2>${heading.en}</h2>
          <p>
            To receive your prize, claim it with the form below by
            <strong>${deadline.en}</strong>. After that, it goes to an alternate.
          </p>`,
        actions: context.form
          ? claimForm(context.form)
          : html`<p class="notice">
              現在、受け取り手続きを利用できません。 /
              <span lang="en">Claiming is not available at the moment.</span>
            </p>`,
      },
    };
  }
  // Claimed, or a campaign without claims: the result is final and the code is theirs.
  const code = result.prizeCode;
  const claimedAt = claim?.claimedAt ? context.formatDate(claim.claimedAt) : null;
  return {
    title,
    card: {
      badge: claim
        ? { kind: 'claimed', ja: `${wonJa}・受け取り済み`, en: `${wonEn}: claimed` }
        : { kind: 'won', ja: '当選', en: 'Won' },
      ja: html`<h1>${heading.ja}</h1>
        <p>
          ${
            code
              ? 'あなたの賞品とコードは下記のとおりです。コードは他の人に教えないでください。'
              : claim
                ? '受け取りの手続きを受け付けました。賞品の発送をお待ちください。'
                : 'あなたの賞品は下記のとおりです。受け取り方法は、キャンペーンのご案内をご確認ください。'
          }
        </p>`,
      facts: html`<dl class="facts">
        ${prizeFact}${
          code
            ? html`<dt>コード / <span lang="en">Code</span></dt>
                <dd><code class="code">${code}</code></dd>`
            : null
        }${
          claimedAt
            ? html`<dt>受け取り手続き / <span lang="en">Claimed</span></dt>
                <dd>${claimedAt.ja}<br /><span lang="en">${claimedAt.en}</span></dd>`
            : null
        }
      </dl>`,
      en: html`<h2>${heading.en}</h2>
        <p>
          ${
            code
              ? 'Your prize and code are shown above. Keep the code to yourself.'
              : claim
                ? 'Your claim has been received. Your prize will be sent to you.'
                : 'Your prize is shown above. See the campaign announcement for how to receive it.'
          }
        </p>`,
    },
  };
}
