/**
 * The small pages a person sees when X sends them back to Kuji after the consent screen:
 * Japanese first, then English, with what happened and what to do next.
 */
import { escapeHtml } from './participant-pages';
import type { LinkOutcome } from './x-linking';

interface Words {
  ja: string;
  en: string;
}

function layout(title: Words, lines: Words[], link?: { href: string; label: Words }): string {
  const paragraphs = lines
    .map(
      (line) => `<p lang="ja">${escapeHtml(line.ja)}</p>\n<p lang="en">${escapeHtml(line.en)}</p>`,
    )
    .join('\n');
  const back = link
    ? `<p><a id="back" href="${escapeHtml(link.href)}">${escapeHtml(link.label.ja)} / ${escapeHtml(link.label.en)}</a></p>`
    : '';
  return `<!doctype html>
<html lang="ja"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${escapeHtml(title.ja)} / ${escapeHtml(title.en)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;line-height:1.6}</style>
</head><body>
<h1>${escapeHtml(title.ja)}<br><small>${escapeHtml(title.en)}</small></h1>
${paragraphs}
${back}
</body></html>`;
}

const tryAgain: Words = {
  ja: '管理画面（または POST /v1/accounts/:id/connect）から、もう一度連携をやり直してください。',
  en: 'Start the link again from the console (or POST /v1/accounts/:id/connect).',
};

/** The page for a callback outcome, and its HTTP status. */
export function linkOutcomePage(
  outcome: LinkOutcome,
  consoleUrl: string,
): { status: 200 | 403 | 409 | 410 | 422 | 502; html: string } {
  const back = { href: consoleUrl, label: { ja: 'Kujiに戻る', en: 'Back to Kuji' } };
  switch (outcome.status) {
    case 'linked':
      return {
        status: 200,
        html: layout(
          { ja: 'Xアカウントを連携しました', en: 'X account connected' },
          [
            {
              ja: `送信アカウント「${outcome.accountId}」を @${outcome.handle} として連携しました。`,
              en: `Sender account '${outcome.accountId}' is connected as @${outcome.handle}.`,
            },
            ...(outcome.relinked
              ? [
                  {
                    ja: '停止中のキャンペーンがある場合は、アカウントの送信を再開してください。',
                    en: 'If campaigns were halted, resume the account’s sending now.',
                  },
                ]
              : []),
          ],
          back,
        ),
      };
    case 'denied':
      return {
        status: 403,
        html: layout(
          { ja: '連携がキャンセルされました', en: 'Connection cancelled' },
          [
            {
              ja: 'Xの画面でアクセスが許可されなかったため、何も保存していません。',
              en: 'Access was not granted on X, so nothing was stored.',
            },
            tryAgain,
          ],
          back,
        ),
      };
    case 'state_used':
    case 'state_expired':
    case 'state_unknown':
    case 'bad_request':
      return {
        // A link that was spent or ran out is gone; one Kuji never issued cannot be processed.
        status: outcome.status === 'state_used' || outcome.status === 'state_expired' ? 410 : 422,
        html: layout(
          { ja: 'この連携リンクは使えません', en: 'This connection link cannot be used' },
          [
            {
              ja: {
                state_used: 'このリンクはすでに使われています（連携リンクは一度だけ有効です）。',
                state_expired: 'このリンクは有効期限（10分）が切れています。',
                state_unknown: 'このリンクはKujiが発行したものではありません。',
                bad_request: 'Xからの応答に必要な値（state と code）がありません。',
              }[outcome.status],
              en: {
                state_used: 'This link was already used (a connection link works once).',
                state_expired: 'This link expired (links last 10 minutes).',
                state_unknown: 'Kuji did not issue this link.',
                bad_request: 'X’s answer lacks the values Kuji needs (state and code).',
              }[outcome.status],
            },
            { ja: '何も保存していません。', en: 'Nothing was stored.' },
            tryAgain,
          ],
          back,
        ),
      };
    case 'exchange_failed':
      return {
        status: 502,
        html: layout(
          { ja: 'Xでの認証に失敗しました', en: 'X did not complete the connection' },
          [
            {
              ja: `Xが認可コードの交換を拒否しました（${outcome.code}）。何も保存していません。`,
              en: `X refused to exchange the authorization code (${outcome.code}). Nothing was stored.`,
            },
            tryAgain,
          ],
          back,
        ),
      };
    case 'wrong_user':
      return {
        status: 409,
        html: layout(
          { ja: '別のXアカウントでログインしています', en: 'Signed in as a different X account' },
          [
            {
              ja: `送信アカウント「${outcome.accountId}」にはキャンペーンがあるため、同じ @${outcome.expectedHandle} で再連携する必要がありますが、@${outcome.signedInHandle} でログインしていました。何も保存していません。`,
              en: `Sender account '${outcome.accountId}' has campaigns, so it must be re-linked as the same @${outcome.expectedHandle}; you signed in as @${outcome.signedInHandle}. Nothing was stored.`,
            },
            {
              ja: `Xで @${outcome.expectedHandle} にログインし直してから、もう一度連携してください。`,
              en: `Sign in to X as @${outcome.expectedHandle}, then start the link again.`,
            },
          ],
          back,
        ),
      };
    case 'handle_taken':
      return {
        status: 409,
        html: layout(
          {
            ja: 'このXアカウントは別の送信アカウントです',
            en: 'This X account belongs to another sender',
          },
          [
            {
              ja: `@${outcome.handle} はKujiの別の送信アカウントに登録されています。何も保存していません。`,
              en: `@${outcome.handle} is registered to another Kuji sender account. Nothing was stored.`,
            },
          ],
          back,
        ),
      };
  }
}
