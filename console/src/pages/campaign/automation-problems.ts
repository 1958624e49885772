/**
 * Why X is not delivering a campaign's events, in words: the codes the webhook check reports
 * (activities/x-access/types.ts ArmedProblemCode). The full reason and remedy, with the URL and
 * handle, come with the `disarmed` stop; this names the problem where only its code is known.
 */
import type { Lang } from '../../i18n';

const problems: Record<string, { ja: string; en: string }> = {
  webhook_missing: {
    ja: 'X に Kuji の Webhook が登録されていません',
    en: 'X has no webhook registered for Kuji',
  },
  webhook_invalid: {
    ja: 'Webhook が X の CRC チェックに失敗し、無効になっています',
    en: 'X marked the webhook invalid after a failed CRC check',
  },
  not_subscribed: {
    ja: '送信アカウントが Webhook に登録（サブスクライブ）されていません',
    en: 'The sender account is not subscribed to the webhook',
  },
};

/** The problem's label in the reader's language; an unknown code is shown as it is. */
export function automationProblemLabel(code: string, lang: Lang): string {
  return Object.prototype.hasOwnProperty.call(problems, code) ? problems[code]![lang] : code;
}
