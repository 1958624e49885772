import { useT } from '../i18n';

const messages = {
  ja: { loading: '読み込み中…', empty: 'まだありません' },
  en: { loading: 'Loading…', empty: 'Nothing yet' },
} as const;

export function Loading() {
  const t = useT(messages);
  return (
    <p class="loading" aria-busy="true">
      {t('loading')}
    </p>
  );
}

/** An empty list, with a sentence saying what would appear here. */
export function Empty({ children }: { children?: preact.ComponentChildren }) {
  const t = useT(messages);
  return <p class="empty">{children ?? t('empty')}</p>;
}
