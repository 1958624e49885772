import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { EntryOutcome } from '../../db/database';
import {
  findParticipantResult,
  findResultPageCampaign,
  type ParticipantResult,
} from '../../db/repositories/results';
import { verifyResultLinkToken } from '../../domain/result-links';

/** Markup already escaped (or written here); anything else interpolated into `html` is escaped. */
class SafeHtml {
  constructor(readonly value: string) {}
}

type HtmlValue = SafeHtml | string | number | null | undefined | readonly SafeHtml[];

const htmlEscapes: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => htmlEscapes[char] ?? char);
}

function htmlValue(value: HtmlValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return escapeHtml(value);
  if (typeof value === 'number') return String(value);
  if (value instanceof SafeHtml) return value.value;
  return value.map((item) => item.value).join('');
}

function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  return new SafeHtml(
    strings.reduce(
      (out, chunk, i) => out + chunk + (i < values.length ? htmlValue(values[i]) : ''),
      '',
    ),
  );
}

const styles = `
:root { color-scheme: light dark; }
* { box-sizing: border-box; }
body {
  margin: 0; background: #f2f2f5; color: #1c1c1e; line-height: 1.7;
  font-family: system-ui, -apple-system, 'Hiragino Sans', 'Hiragino Kaku Gothic ProN',
    'Noto Sans JP', 'Yu Gothic', Meiryo, sans-serif;
  -webkit-text-size-adjust: 100%; text-size-adjust: 100%;
}
main { max-width: 34rem; margin: 0 auto; padding: 1.25rem 1rem 2.5rem; }
.card { background: #fff; border-radius: 16px; padding: 1.5rem 1.25rem;
  box-shadow: 0 1px 4px rgba(0, 0, 0, 0.08); overflow-wrap: anywhere; }
.campaign { margin: 0 0 0.75rem; color: #636366; font-size: 0.9rem; }
.badge { display: inline-block; margin: 0; padding: 0.15rem 0.8rem; border-radius: 999px;
  font-weight: 700; font-size: 0.9rem; background: #e5e5ea; color: #3a3a3c; }
.badge.won { background: #ffe9a8; color: #7a4a00; }
.badge.alternate { background: #dbe9ff; color: #0b4aa2; }
.badge.pending { background: #fff1d6; color: #8a5300; }
.badge.ineligible, .badge.missing { background: #ffe1e0; color: #9b1c1c; }
h1 { font-size: 1.45rem; line-height: 1.4; margin: 0.75rem 0 0.5rem; }
h2 { font-size: 1.15rem; line-height: 1.4; margin: 0 0 0.5rem; }
p { margin: 0.5rem 0; }
ul { margin: 0.5rem 0; padding-left: 1.25rem; }
.facts { margin: 1.25rem 0; padding: 1rem; border-radius: 12px; background: #f7f7fa; }
.facts dt { font-size: 0.85rem; color: #636366; }
.facts dd { margin: 0 0 0.75rem; font-size: 1.1rem; font-weight: 700; }
.facts dd:last-child { margin-bottom: 0; }
.code { display: block; padding: 0.6rem 0.75rem; border: 2px dashed #b58100; border-radius: 8px;
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 1.35rem;
  letter-spacing: 0.06em; text-align: center; user-select: all; -webkit-user-select: all; }
section[lang='en'] { margin-top: 1.5rem; padding-top: 1rem; border-top: 1px solid #e5e5ea;
  color: #3a3a3c; }
footer { margin-top: 1rem; color: #8e8e93; font-size: 0.8rem; text-align: center; }
footer p { margin: 0.25rem 0; }
@media (prefers-color-scheme: dark) {
  body { background: #000; color: #f2f2f7; }
  .card { background: #1c1c1e; box-shadow: none; }
  .campaign, .facts dt, footer { color: #aeaeb2; }
  .facts { background: #2c2c2e; }
  section[lang='en'] { color: #d1d1d6; border-top-color: #3a3a3c; }
}
`;

interface Page {
  title: string;
  campaignName: string | null;
  badge: { kind: EntryOutcome | 'missing'; ja: string; en: string } | null;
  ja: SafeHtml;
  facts: SafeHtml | null;
  en: SafeHtml;
  footer: boolean;
}

function renderPage(page: Page): string {
  const badge = page.badge
    ? html`<p class="badge ${page.badge.kind}">
        ${page.badge.ja} / <span lang="en">${page.badge.en}</span>
      </p>`
    : null;
  return html`<!doctype html>
    <html lang="ja">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex, nofollow" />
        <meta name="referrer" content="no-referrer" />
        <title>${page.title}</title>
        <style>
          ${new SafeHtml(styles)}
        </style>
      </head>
      <body>
        <main>
          <article class="card">
            ${page.campaignName === null ? null : html`<p class="campaign">${page.campaignName}</p>`}
            ${badge}
            <section lang="ja">${page.ja}</section>
            ${page.facts}
            <section lang="en">${page.en}</section>
          </article>
          ${
            page.footer
              ? html`<footer>
                  <p>このページはあなた専用です。リンクを他の人と共有しないでください。</p>
                  <p lang="en">This page is for you only: please do not share its link.</p>
                </footer>`
              : null
          }
        </main>
      </body>
    </html> `.value;
}

/** One page for a bad token, an unknown campaign and a campaign without a seed: no oracle. */
export function notFoundPage(): string {
  return renderPage({
    title: 'ページが見つかりません / Page not found',
    campaignName: null,
    badge: null,
    ja: html`<h1>ページが見つかりません</h1>
      <p>
        リンクが正しくありません。届いたメッセージのリンクを、途中で切らずにそのまま開いてください。
      </p>`,
    facts: null,
    en: html`<h2>Page not found</h2>
      <p>
        This link is not valid. Open the link exactly as it arrived in your message, without cutting
        it short.
      </p>`,
    footer: false,
  });
}

function reasonList(items: readonly string[]): SafeHtml | null {
  if (items.length === 0) return null;
  return html`<ul>
    ${items.map((item) => html`<li>${item}</li>`)}
  </ul>`;
}

/** The participant's result in Japanese, then English; `result` undefined means no entry. */
export function resultPage(campaignName: string, result: ParticipantResult | undefined): string {
  const base = { campaignName, facts: null, footer: true };
  const title = (ja: string, en: string) => `${ja} / ${en} — ${campaignName}`;
  if (!result) {
    return renderPage({
      ...base,
      title: title('応募が見つかりません', 'No entry found'),
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
    });
  }
  switch (result.outcome) {
    case 'won': {
      const prize = result.prizeName ?? result.prizeId;
      const code = result.prizeCode;
      return renderPage({
        ...base,
        title: title('当選', 'You won'),
        badge: { kind: 'won', ja: '当選', en: 'Won' },
        ja: html`<h1>当選おめでとうございます！</h1>
          <p>
            ${
              code
                ? 'あなたの賞品とコードは下記のとおりです。コードは他の人に教えないでください。'
                : 'あなたの賞品は下記のとおりです。受け取り方法は、キャンペーンのご案内をご確認ください。'
            }
          </p>`,
        facts: html`<dl class="facts">
          ${
            prize
              ? html`<dt>賞品 / <span lang="en">Prize</span></dt>
                  <dd>${prize}</dd>`
              : null
          }${
            code
              ? html`<dt>コード / <span lang="en">Code</span></dt>
                  <dd><code class="code">${code}</code></dd>`
              : null
          }
        </dl>`,
        en: html`<h2>Congratulations, you won!</h2>
          <p>
            ${
              code
                ? 'Your prize and code are shown above. Keep the code to yourself.'
                : 'Your prize is shown above. See the campaign announcement for how to receive it.'
            }
          </p>`,
      });
    }
    case 'lost':
      return renderPage({
        ...base,
        title: title('抽選結果', 'Result'),
        badge: { kind: 'lost', ja: '落選', en: 'Not selected' },
        ja: html`<h1>残念ながら、今回は落選となりました</h1>
          <p>ご応募いただき、ありがとうございました。</p>`,
        en: html`<h2>Sorry, you did not win this time</h2>
          <p>Thank you for taking part.</p>`,
      });
    case 'alternate':
      return renderPage({
        ...base,
        title: title('補欠当選', 'Alternate'),
        badge: { kind: 'alternate', ja: '補欠', en: 'Alternate' },
        ja: html`<h1>補欠当選です</h1>
          <p>
            当選者が期限までに賞品を受け取らなかった場合、繰り上げ当選となることがあります。その際はあらためてお知らせします。
          </p>`,
        en: html`<h2>You are an alternate</h2>
          <p>
            If a winner does not claim their prize in time, you may move up. We will let you know if
            you do.
          </p>`,
      });
    case 'pending':
      return renderPage({
        ...base,
        title: title('抽選前', 'Not drawn yet'),
        badge: { kind: 'pending', ja: '抽選前', en: 'Not drawn yet' },
        ja: html`<h1>抽選はまだ行われていません</h1>
          <p>ご応募を受け付けました。抽選後、このページで結果をお知らせします。</p>`,
        en: html`<h2>The draw has not taken place yet</h2>
          <p>
            Your entry has been received. After the draw, your result will appear on this page.
          </p>`,
      });
    case 'ineligible':
      return renderPage({
        ...base,
        title: title('応募条件を満たしていません', 'Not eligible'),
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
      });
  }
}

/** Personal and private: never cached, indexed, leaked in a Referer, or able to run anything. */
function sendPage(reply: FastifyReply, status: 200 | 404, body: string) {
  return reply
    .status(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('x-robots-tag', 'noindex')
    .header('referrer-policy', 'no-referrer')
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .send(body);
}

const resultParamsSchema = z.object({
  campaignId: z.string().describe('The campaign id'),
  xUserId: z.string().describe("The participant's X user id"),
  token: z.string().describe('HMAC of the user id keyed by the campaign secret seed'),
});

export default function resultRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/r/:campaignId/:xUserId/:token',
    {
      schema: {
        summary:
          "A participant's result page (HTML, Japanese then English), opened from the personal " +
          'link in their DM or reply. No API key: the token in the link is the credential. A bad ' +
          'token, an unknown campaign and a campaign without a secret seed all answer the same 404 page',
        tags: ['participants'],
        security: [],
        params: resultParamsSchema,
        produces: ['text/html'],
        response: {
          200: z.string().describe('text/html; charset=utf-8'),
          404: z.string().describe('text/html; charset=utf-8'),
        },
      },
    },
    async (request, reply) => {
      const { campaignId, xUserId, token } = request.params;
      const campaign = await findResultPageCampaign(app.db, campaignId);
      if (!campaign?.secretSeed || !verifyResultLinkToken(campaign.secretSeed, xUserId, token)) {
        return sendPage(reply, 404, notFoundPage());
      }
      const result = await findParticipantResult(app.db, campaign.id, xUserId);
      return sendPage(reply, 200, resultPage(campaign.name, result));
    },
  );

  // A link cut short before its token gets the participant's page, not the API's JSON 404.
  r.get('/r/:campaignId/:xUserId', { schema: { hide: true } }, async (_request, reply) =>
    sendPage(reply, 404, notFoundPage()),
  );
}
