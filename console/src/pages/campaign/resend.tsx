/**
 * Resend the selected failed deliveries in one press (POST /v1/campaigns/{id}/deliveries/resend).
 * The API is idempotent: a second press sends nothing more, and its answer says so per delivery.
 */
import { api, must } from '../../api/client';
import { ActionButton } from '../../components/ActionButton';
import { formatNumber } from '../../format';
import { useLang, useT } from '../../i18n';
import type { ResendAnswer } from './types';

const messages = {
  ja: {
    selected: '{count} 件選択中',
    selectHint:
      '再送する失敗した配信をチェックしてください（何度押しても 1 人に 1 通だけ送ります）。',
    resend: '選択した配信を再送',
    answer: '再送キューに追加: {queued} 件 / 送信しなかった: {skipped} 件',
    already_pending: '再送待ち',
    already_sent: '送信済み',
    not_failed: '失敗していない',
    not_found: '見つからない',
    queued: '再送キューに追加',
  },
  en: {
    selected: '{count} selected',
    selectHint: 'Tick the failed deliveries to resend (pressing again never sends twice).',
    resend: 'Resend selected',
    answer: 'Queued again: {queued} · not sent again: {skipped}',
    already_pending: 'already pending',
    already_sent: 'already sent',
    not_failed: 'not failed',
    not_found: 'not found',
    queued: 'queued',
  },
} as const;

export function ResendBar({
  id,
  selected,
  answer,
  onAnswer,
}: {
  id: string;
  selected: string[];
  answer: ResendAnswer | null;
  onAnswer: (answer: ResendAnswer) => void;
}) {
  const t = useT(messages);
  const lang = useLang();
  const skipped = answer ? answer.results.filter((r) => r.outcome !== 'queued') : [];
  const byOutcome = new Map<string, number>();
  for (const result of skipped) {
    byOutcome.set(result.outcome, (byOutcome.get(result.outcome) ?? 0) + 1);
  }
  return (
    <div class="resend-bar" data-section="resend">
      <span class="muted">
        {selected.length > 0
          ? t('selected', { count: formatNumber(selected.length, lang) })
          : t('selectHint')}
      </span>
      <ActionButton
        action="resend"
        disabled={selected.length === 0}
        run={async () =>
          must(
            await api.POST('/v1/campaigns/{id}/deliveries/resend', {
              params: { path: { id } },
              body: { deliveryIds: selected },
            }),
          )
        }
        onDone={(result) => onAnswer(result as ResendAnswer)}
      >
        {t('resend')}
      </ActionButton>
      {answer && (
        <p
          class="notice resend-answer"
          role="status"
          data-resend-queued={answer.queued}
          data-resend-skipped={skipped.length}
        >
          {t('answer', {
            queued: formatNumber(answer.queued, lang),
            skipped: formatNumber(skipped.length, lang),
          })}
          {byOutcome.size > 0 && (
            <span class="muted">
              {' '}
              (
              {[...byOutcome]
                .map(
                  ([outcome, count]) => `${t(outcome as keyof (typeof messages)['ja'])} ${count}`,
                )
                .join(', ')}
              )
            </span>
          )}
        </p>
      )}
    </div>
  );
}
