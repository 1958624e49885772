import type { ApiError } from '../api/client';
import { useT } from '../i18n';

const messages = {
  ja: { title: 'エラー', code: 'コード' },
  en: { title: 'Error', code: 'Code' },
} as const;

/** An API error as a person reads it: the API's message and its stable code. */
export function ErrorNote({ error }: { error: ApiError | undefined | null }) {
  const t = useT(messages);
  if (!error) return null;
  const details = Array.isArray(error.details)
    ? (error.details as { path?: string; message?: string }[])
    : [];
  return (
    <div class="error-note" role="alert" data-error-code={error.code}>
      <strong>{t('title')}</strong> {error.message}{' '}
      <span class="muted">
        ({t('code')}: <code>{error.code}</code>)
      </span>
      {details.length > 0 && (
        <ul>
          {details.map((detail, index) => (
            <li key={index}>
              {detail.path && <code>{detail.path}</code>} {detail.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
