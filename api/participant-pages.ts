/**
 * The pages participants see (campaign page, personal result link, /verify): one escaping
 * template tag, one phone-first style sheet, Japanese first then English, private headers.
 * Nothing here runs a script: every action is a plain link or form.
 */
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';

/** Markup already escaped (or written here); anything else interpolated into `html` is escaped. */
export class SafeHtml {
  constructor(readonly value: string) {}
}

export type HtmlValue = SafeHtml | string | number | null | undefined | readonly SafeHtml[];

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

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
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
.card { background: #fff; border-radius: 16px; padding: 1.5rem 1.25rem; margin-bottom: 1rem;
  box-shadow: 0 1px 4px rgba(0, 0, 0, 0.08); overflow-wrap: anywhere; }
.campaign { margin: 0 0 0.75rem; color: #636366; font-size: 0.9rem; }
.badge { display: inline-block; margin: 0; padding: 0.15rem 0.8rem; border-radius: 999px;
  font-weight: 700; font-size: 0.9rem; background: #e5e5ea; color: #3a3a3c; }
.badge.won, .badge.claimed { background: #ffe9a8; color: #7a4a00; }
.badge.alternate, .badge.genuine { background: #dbe9ff; color: #0b4aa2; }
.badge.pending, .badge.open { background: #fff1d6; color: #8a5300; }
.badge.ineligible, .badge.missing, .badge.forfeited, .badge.not-genuine {
  background: #ffe1e0; color: #9b1c1c; }
h1 { font-size: 1.45rem; line-height: 1.4; margin: 0.75rem 0 0.5rem; }
h2 { font-size: 1.15rem; line-height: 1.4; margin: 0 0 0.5rem; }
p { margin: 0.5rem 0; }
ul { margin: 0.5rem 0; padding-left: 1.25rem; }
.facts { margin: 1.25rem 0; padding: 1rem; border-radius: 12px; background: #f7f7fa; }
.facts dt { font-size: 0.85rem; color: #636366; }
.facts dd { margin: 0 0 0.75rem; font-size: 1.1rem; font-weight: 700; }
.facts dd:last-child { margin-bottom: 0; }
.facts dd.small { font-size: 0.85rem; font-weight: 400;
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.code { display: block; padding: 0.6rem 0.75rem; border: 2px dashed #b58100; border-radius: 8px;
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 1.35rem;
  letter-spacing: 0.06em; text-align: center; user-select: all; -webkit-user-select: all; }
section[lang='en'] { margin-top: 1.5rem; padding-top: 1rem; border-top: 1px solid #e5e5ea;
  color: #3a3a3c; }
form { margin: 1rem 0 0; }
label { display: block; margin: 0.75rem 0 0.25rem; font-weight: 700; font-size: 0.95rem; }
input[type='text'], input[type='email'], input[type='tel'], textarea {
  display: block; width: 100%; padding: 0.7rem; border: 1px solid #c7c7cc; border-radius: 10px;
  font: inherit; font-size: 1rem; background: #fff; color: inherit; }
textarea { min-height: 5.5rem; }
.button, button { display: block; width: 100%; margin: 1rem 0 0; padding: 0.85rem 1rem;
  border: 0; border-radius: 12px; background: #1c1c1e; color: #fff; font: inherit;
  font-weight: 700; font-size: 1rem; text-align: center; text-decoration: none; cursor: pointer; }
button.secondary { background: #e5e5ea; color: #1c1c1e; }
.session { display: flex; align-items: center; gap: 0.75rem; margin: 0 0 1rem; padding: 0 0.25rem;
  font-size: 0.9rem; color: #3a3a3c; }
.session p { flex: 1; min-width: 0; margin: 0; line-height: 1.5; overflow-wrap: anywhere; }
.session form { flex: none; margin: 0; }
.session button { width: auto; margin: 0; padding: 0.45rem 0.9rem; font-size: 0.85rem;
  line-height: 1.35; }
.error { color: #b3261e; font-weight: 700; }
.notice { padding: 0.75rem 1rem; border-radius: 12px; background: #fff1d6; color: #5c3a00; }
pre { white-space: pre-wrap; word-break: break-all; padding: 0.75rem; border-radius: 8px;
  background: #f7f7fa; font-size: 0.8rem; }
footer { margin-top: 1rem; color: #8e8e93; font-size: 0.8rem; text-align: center; }
footer p { margin: 0.25rem 0; }
@media (prefers-color-scheme: dark) {
  body { background: #000; color: #f2f2f7; }
  .card { background: #1c1c1e; box-shadow: none; }
  .campaign, .facts dt, footer { color: #aeaeb2; }
  .session { color: #d1d1d6; }
  .facts, pre { background: #2c2c2e; }
  input[type='text'], input[type='email'], input[type='tel'], textarea {
    background: #2c2c2e; border-color: #48484a; }
  .button, button { background: #f2f2f7; color: #000; }
  button.secondary { background: #3a3a3c; color: #f2f2f7; }
  section[lang='en'] { color: #d1d1d6; border-top-color: #3a3a3c; }
}
`;

export interface Badge {
  kind: string;
  ja: string;
  en: string;
}

/** One card: an optional campaign name and badge, Japanese, optional facts, English. */
export interface Card {
  campaignName?: string | null;
  badge?: Badge | null;
  ja: SafeHtml;
  facts?: SafeHtml | null;
  en: SafeHtml;
  /** Below the English section: forms that serve both languages. */
  actions?: SafeHtml | null;
}

export function renderCard(card: Card): SafeHtml {
  const badge = card.badge
    ? html`<p class="badge ${card.badge.kind}">
        ${card.badge.ja} / <span lang="en">${card.badge.en}</span>
      </p>`
    : null;
  return html`<article class="card">
    ${card.campaignName ? html`<p class="campaign">${card.campaignName}</p>` : null} ${badge}
    <section lang="ja">${card.ja}</section>
    ${card.facts ?? null}
    <section lang="en">${card.en}</section>
    ${card.actions ?? null}
  </article>`;
}

export const personalFooter = html`<footer>
  <p>このページはあなた専用です。リンクを他の人と共有しないでください。</p>
  <p lang="en">This page is for you only: please do not share its link.</p>
</footer>`;

export function renderDocument(page: {
  title: string;
  cards: readonly SafeHtml[];
  footer?: SafeHtml | null;
}): string {
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
        <main>${page.cards} ${page.footer ?? null}</main>
      </body>
    </html> `.value;
}

/** A one-card page (the personal result page's shape). */
export function renderPage(page: Card & { title: string; footer: boolean }): string {
  return renderDocument({
    title: page.title,
    cards: [renderCard(page)],
    footer: page.footer ? personalFooter : null,
  });
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

/** Scripts never run; forms post only back here; no frame, no Referer, no index, no cache. */
export const participantPageCsp =
  "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

export function sendPage(reply: FastifyReply, status: number, body: string) {
  return reply
    .status(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('x-robots-tag', 'noindex')
    .header('referrer-policy', 'no-referrer')
    .header('content-security-policy', participantPageCsp)
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .send(body);
}

/** Form posts in `app`'s scope: `application/x-www-form-urlencoded`, ≤ 16 KiB, one value per name. */
export function acceptFormBodies(app: FastifyInstance): void {
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 16 * 1024 },
    (_request, body, done) => {
      const text = typeof body === 'string' ? body : body.toString('utf8');
      const form: Record<string, string> = {};
      for (const [name, value] of new URLSearchParams(text)) {
        if (!(name in form)) form[name] = value;
      }
      done(null, form);
    },
  );
}

/** A form post that could not be read (unstorable text, too large, wrong type): nothing changed. */
export function unreadableFormPage(): string {
  return renderPage({
    title: '送信できませんでした / Could not be sent',
    campaignName: null,
    badge: { kind: 'missing', ja: '送信できませんでした', en: 'Could not be sent' },
    ja: html`<h1>送信内容を処理できませんでした</h1>
      <p>
        使えない文字が含まれているか、内容が長すぎます。何も変更していません。前のページに戻って、もう一度お試しください。
      </p>`,
    en: html`<h2>What was sent could not be processed</h2>
      <p>
        It holds characters that cannot be used, or it is too long. Nothing was changed: go back and
        try again.
      </p>`,
    footer: false,
  });
}

/** The documented answers of a form post that could not be read. */
export const unreadableFormResponses = {
  400: z.string().describe('Unreadable form (unstorable text); nothing changed (text/html)'),
  413: z.string().describe('The form is larger than 16 KiB; nothing changed (text/html)'),
  415: z.string().describe('Not a form post; nothing changed (text/html)'),
};

/**
 * In `app`'s scope, a form post refused before its handler (400, 413, 415) answers an HTML page
 * in both languages instead of the API's JSON error; everything else goes to the API's handler.
 */
export function htmlErrorsForForms(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (request.method === 'POST' && [400, 413, 415].includes(status)) {
      return sendPage(reply, status, unreadableFormPage());
    }
    throw error;
  });
}

export function tooManySignInsPage(): string {
  return renderPage({
    title: 'しばらくお待ちください / Please wait',
    campaignName: null,
    badge: { kind: 'missing', ja: '少し待ってください', en: 'Please wait' },
    ja: html`<h1>サインインの回数が多すぎます</h1>
      <p>1分ほど待ってから、もう一度お試しください。</p>`,
    en: html`<h2>Too many sign-ins</h2>
      <p>Please wait a minute, then try again.</p>`,
    footer: false,
  });
}
