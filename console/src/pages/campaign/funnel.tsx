/** The funnel from the workflow's live counts: entries → eligible → won → sent, and failed. */
import { formatNumber } from '../../format';
import { useLang, useT } from '../../i18n';
import type { LiveState } from './types';

const messages = {
  ja: {
    title: 'ファネル',
    entries: '応募',
    eligible: '条件を満たした応募',
    won: '当選',
    sent: '送信済み',
    failed: '送信失敗',
    none: 'ワークフローがまだ数を返していません。',
    ofEntries: '応募の {pct}%',
  },
  en: {
    title: 'Funnel',
    entries: 'Entries',
    eligible: 'Eligible',
    won: 'Won',
    sent: 'Sent',
    failed: 'Failed',
    none: 'The workflow has reported no counts yet.',
    ofEntries: '{pct}% of entries',
  },
} as const;

export function Funnel({ counts }: { counts: LiveState['counts'] | undefined }) {
  const t = useT(messages);
  const lang = useLang();
  if (!counts) {
    return (
      <>
        <h2>{t('title')}</h2>
        <p class="muted">{t('none')}</p>
      </>
    );
  }
  const top = Math.max(counts.entryEvents, 1);
  const steps = [
    { key: 'entries', value: counts.entryEvents, tone: 'info' },
    { key: 'eligible', value: counts.eligible, tone: 'info' },
    { key: 'won', value: counts.won, tone: 'ok' },
    { key: 'sent', value: counts.sent, tone: 'ok' },
    { key: 'failed', value: counts.failed, tone: 'danger' },
  ] as const;
  return (
    <div class="funnel" data-funnel>
      <h2>{t('title')}</h2>
      {steps.map((step) => {
        const pct = Math.round((step.value / top) * 1000) / 10;
        return (
          <div class="funnel-step" key={step.key} data-step={step.key}>
            <div class="funnel-label">{t(step.key)}</div>
            <div class="funnel-track" title={t('ofEntries', { pct })}>
              <div
                class={`funnel-bar funnel-${step.tone}`}
                style={{ width: `${Math.min(100, (step.value / top) * 100)}%` }}
              />
            </div>
            <div class="funnel-value num" data-value={step.value}>
              {formatNumber(step.value, lang)}
            </div>
          </div>
        );
      })}
    </div>
  );
}
