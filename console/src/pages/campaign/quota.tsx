/** The sender account's DM quota today (shared by all its campaigns) and when the next opens. */
import { formatDateTime, formatDay, formatNumber } from '../../format';
import { type Lang, useT } from '../../i18n';
import type { Quota } from './types';

const messages = {
  ja: {
    title: '今日の DM 送信枠',
    used: '{used} / {cap} 通使用（残り {remaining}）',
    shared: '送信アカウントの全キャンペーン合計（{zone}）',
    next: '今日の枠は上限です。次の枠: {at}',
  },
  en: {
    title: 'Today’s DM quota',
    used: '{used} of {cap} used ({remaining} left)',
    shared: 'All the sender account’s campaigns together ({zone})',
    next: 'Today is full. Next window: {at}',
  },
} as const;

export function QuotaCard({ quota, lang }: { quota: Quota; lang: Lang }) {
  const t = useT(messages);
  const share = quota.cap > 0 ? Math.min(100, (quota.used / quota.cap) * 100) : 100;
  return (
    <div class="card quota" data-section="quota" data-remaining={quota.remaining}>
      <div class="quota-head">
        <strong>{t('title')}</strong> <span class="muted">{formatDay(quota.dayKey, lang)}</span>
      </div>
      <div class="quota-track">
        <div
          class={`quota-bar${quota.remaining === 0 ? ' quota-full' : ''}`}
          style={{ width: `${share}%` }}
        />
      </div>
      <div>
        {t('used', {
          used: formatNumber(quota.used, lang),
          cap: formatNumber(quota.cap, lang),
          remaining: formatNumber(quota.remaining, lang),
        })}
      </div>
      <div class="muted small">{t('shared', { zone: quota.timezone })}</div>
      {quota.nextWindowAt && (
        <div class="warn-text">
          {t('next', { at: formatDateTime(quota.nextWindowAt, quota.timezone, lang) })}
        </div>
      )}
    </div>
  );
}
