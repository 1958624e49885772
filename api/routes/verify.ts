/**
 * `/verify`: anyone checks whether a message about a Kuji campaign is genuine (Japanese, then
 * English). Rate-limited per address so it cannot be used to enumerate who took part; "unknown
 * handle" and "wrong code" read the same.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  acceptFormBodies,
  htmlErrorsForForms,
  type Card,
  html,
  renderCard,
  renderDocument,
  sendPage,
  unreadableFormResponses,
} from '../participant-pages';
import { pageRateLimit } from '../page-rate-limit';
import { verifyParticipantMessage, type VerifyResult } from '../verify-message';

/** Checks per address per minute. */
export const VERIFY_CHECKS_PER_MINUTE = 10;

const htmlPage = z.string().describe('text/html; charset=utf-8');
const verifyBodySchema = z.object({
  handle: z.string().max(100).default(''),
  code: z.string().max(100).optional(),
  message: z.string().max(10_000).optional(),
});
type VerifyInput = z.infer<typeof verifyBodySchema>;

const outcomeWords: Record<string, { ja: string; en: string }> = {
  won: { ja: '当選', en: 'won' },
  alternate: { ja: '補欠', en: 'alternate' },
  lost: { ja: '落選', en: 'not selected' },
  pending: { ja: '抽選前', en: 'not drawn yet' },
  ineligible: { ja: '対象外', en: 'not eligible' },
};

const neverAsks: Card = {
  ja: html`<h2>本物のお知らせが求めないもの</h2>
    <ul>
      <li>クレジットカード番号・銀行口座の情報</li>
      <li>パスワードや認証コード</li>
      <li>送料・手数料などの支払い</li>
      <li>外部サイトへのログインやアプリのインストール</li>
    </ul>`,
  en: html`<h2>What a genuine message never asks for</h2>
    <ul>
      <li>Card numbers or bank details</li>
      <li>Passwords or login codes</li>
      <li>Any payment, shipping charge or fee</li>
      <li>Signing in to another site or installing an app</li>
    </ul>`,
};

function formCard(input: Partial<VerifyInput>): Card {
  return {
    ja: html`<h1>メッセージの確認</h1>
      <p>
        Kujiのキャンペーンから届いた当選などのお知らせが本物か確認できます。あなたのXのユーザー名と、届いたメッセージの全文を入力してください。確認コード（KJ-XXXX-XXXX）だけでは、そのコードが誰の結果のものかまでしか確かめられません。
      </p>`,
    en: html`<h2>Check a message</h2>
      <p>
        Check whether a message about a Kuji campaign is genuine: enter your X username and paste
        the whole message. A verification code (KJ-XXXX-XXXX) alone only tells whose result it
        belongs to.
      </p>`,
    actions: html`<form method="post" action="/verify">
      <label for="handle">Xのユーザー名 / <span lang="en">X username</span></label>
      <input id="handle" type="text" name="handle" value="${input.handle ?? ''}" required />
      <label for="message"
        >届いたメッセージの全文 / <span lang="en">The whole message as received</span></label
      >
      <textarea id="message" name="message">${input.message ?? ''}</textarea>
      <label for="code"
        >確認コードのみ（任意。メッセージの確認にはなりません） /
        <span lang="en">Verification code only (optional; does not check a message)</span></label
      >
      <input id="code" type="text" name="code" value="${input.code ?? ''}" />
      <button type="submit">確認する / <span lang="en">Check</span></button>
    </form>`,
  };
}

function resultCard(result: VerifyResult): Card {
  if (result.genuine && result.checked === 'code') return codeOnlyCard(result);
  if (result.genuine) {
    const outcome = outcomeWords[result.outcome] ?? { ja: result.outcome, en: result.outcome };
    return {
      badge: { kind: 'genuine', ja: '本物です', en: 'Genuine' },
      ja: html`<h1>本物のお知らせです</h1>
        <p>
          キャンペーン「${result.campaignName}」からの、あなたの結果（${outcome.ja}）のお知らせです。
        </p>`,
      en: html`<h2>This message is genuine</h2>
        <p>It is your result (${outcome.en}) from the campaign “${result.campaignName}”.</p>`,
    };
  }
  // One answer for an unknown handle, a wrong code and an altered text: no oracle. Each language's
  // sentences are joined here, not across the markup's line breaks (they would show as a space).
  const noCode = result.reason === 'no_code';
  const ja =
    (noCode
      ? '確認コードが見つかりませんでした。'
      : 'ユーザー名・確認コード・メッセージの組み合わせが、Kujiが送ったものと一致しません。') +
    '偽のメッセージの可能性があります。リンクを開いたり、情報を入力したりしないでください。';
  const en =
    (noCode
      ? 'No verification code was found.'
      : 'The username, code and message do not match anything Kuji sent.') +
    ' It may be fake: do not open its links or enter any details.';
  return {
    badge: { kind: 'not-genuine', ja: '確認できません', en: 'Not confirmed' },
    ja: html`<h1>本物のお知らせと確認できませんでした</h1>
      <p>${ja}</p>`,
    en: html`<h2>This message could not be confirmed</h2>
      <p>${en}</p>`,
  };
}

/**
 * Only a code was checked: it is this person's code in that campaign, nothing more. Win codes are
 * public in win replies, so a scammer can quote a real one: never call a message genuine here.
 */
function codeOnlyCard(result: Extract<VerifyResult, { genuine: true }>): Card {
  const outcome = outcomeWords[result.outcome] ?? { ja: result.outcome, en: result.outcome };
  const handle = `@${result.username}`;
  const ja =
    `このコードは、キャンペーン「${result.campaignName}」での ${handle} さんの結果（${outcome.ja}）のものです。` +
    '確認したのはコードだけで、特定のメッセージが本物であることの証明にはなりません（コードは当選のリプライなどで公開され、偽のメッセージに書き写せます）。' +
    '受け取ったメッセージを確かめるには、メッセージ全文を貼り付けて確認してください。';
  const en =
    `This code belongs to ${handle}’s result (${outcome.en}) in the campaign “${result.campaignName}”. ` +
    'Only the code was checked: that does not prove any particular message is genuine (codes ' +
    'are public in win replies and can be copied into a fake message). To check a message you ' +
    'received, paste the whole message.';
  return {
    badge: { kind: 'open', ja: 'コードのみ確認', en: 'Code only' },
    ja: html`<h1>確認コードは ${handle} さんの結果のものです</h1>
      <p>${ja}</p>`,
    en: html`<h2>This code belongs to ${handle}’s result</h2>
      <p>${en}</p>`,
  };
}

export function verifyPage(
  input: Partial<VerifyInput>,
  result: VerifyResult | null,
  notice?: Card,
) {
  const cards = [
    ...(notice ? [renderCard(notice)] : []),
    ...(result ? [renderCard(resultCard(result))] : []),
    renderCard(formCard(input)),
    renderCard(neverAsks),
  ];
  return renderDocument({ title: 'メッセージの確認 / Check a message', cards });
}

const tooMany: Card = {
  badge: { kind: 'missing', ja: '少し待ってください', en: 'Please wait' },
  ja: html`<h1>確認の回数が多すぎます</h1>
    <p>1分ほど待ってから、もう一度お試しください。</p>`,
  en: html`<h2>Too many checks</h2>
    <p>Please wait a minute, then try again.</p>`,
};

export default function verifyRoutes(app: FastifyInstance) {
  acceptFormBodies(app);
  htmlErrorsForForms(app);
  const limited = pageRateLimit(
    app,
    {
      name: 'verify',
      perMinute: VERIFY_CHECKS_PER_MINUTE,
      page: () => verifyPage({}, null, tooMany),
    },
    sendPage,
  );
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/verify',
    {
      schema: {
        summary:
          'The verification page (HTML, Japanese then English): a form to check a message ' +
          'about a Kuji campaign, and what a genuine message never asks for',
        tags: ['participants'],
        security: [],
        produces: ['text/html'],
        response: { 200: htmlPage },
      },
    },
    async (_request, reply) => sendPage(reply, 200, verifyPage({}, null)),
  );

  r.post(
    '/verify',
    {
      schema: {
        summary:
          `Checks a message (form post: handle, code and/or message). At most ${VERIFY_CHECKS_PER_MINUTE} ` +
          'checks a minute per address (429 page past it). An unknown handle, a wrong code and an ' +
          'altered text all answer the same "not confirmed"',
        tags: ['participants'],
        security: [],
        body: verifyBodySchema,
        produces: ['text/html'],
        response: { 200: htmlPage, ...unreadableFormResponses, 429: htmlPage },
      },
      // After validation: a malformed check is refused (400) without using up the limit.
      preHandler: limited,
    },
    async (request, reply) => {
      const input = request.body;
      const result = await verifyParticipantMessage(app.db, {
        handle: input.handle,
        ...(input.code !== undefined ? { code: input.code } : {}),
        ...(input.message !== undefined ? { message: input.message } : {}),
      });
      if (!result.genuine) request.log.info({ reason: result.reason }, 'verify: not genuine');
      return sendPage(reply, 200, verifyPage(input, result));
    },
  );
}
