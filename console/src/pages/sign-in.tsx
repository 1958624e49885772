/** Sign-in: the API key once; the API answers with a session cookie the browser keeps. */
import { useContext, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { ApiFailure, apiError, type ApiError } from '../api/client';
import { ErrorNote } from '../components/ErrorNote';
import { LangContext, useT } from '../i18n';
import { signIn, useSession } from '../session';

const messages = {
  ja: {
    title: 'Kuji 管理画面にサインイン',
    lead: 'API キーを一度だけ入力します。ブラウザにはキーではなく、12 時間有効なセッションだけが保存されます。',
    key: 'API キー',
    submit: 'サインイン',
    hint: 'ローカル環境では、`npm start` が表示した管理者キー（.data/admin-key）を使えます。',
  },
  en: {
    title: 'Sign in to the Kuji console',
    lead: 'Type your API key once. The browser keeps a 12-hour session, never the key.',
    key: 'API key',
    submit: 'Sign in',
    hint: 'Locally, use the admin key `npm start` printed (.data/admin-key).',
  },
} as const;

export default function SignInPage() {
  const t = useT(messages);
  const { lang, setLang } = useContext(LangContext);
  const { setSession } = useSession();
  const { path, route } = useLocation();
  const [key, setKey] = useState('');
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [pending, setPending] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setPending(true);
    setError(undefined);
    try {
      const session = await signIn(key.trim());
      setKey('');
      setSession(session);
      if (path === '/console/signin' || path === '/console' || path === '/console/') {
        route('/console/campaigns', true);
      }
    } catch (failure) {
      setError(failure instanceof ApiFailure ? failure.error : apiError(failure));
    } finally {
      setPending(false);
    }
  };
  return (
    <div class="signin" data-page="sign-in">
      <button
        type="button"
        class="lang-switch"
        data-action="language"
        onClick={() => setLang(lang === 'ja' ? 'en' : 'ja')}
      >
        {lang === 'ja' ? 'English' : '日本語'}
      </button>
      <form class="card signin-card" onSubmit={(event) => void submit(event)}>
        <h1>{t('title')}</h1>
        <p>{t('lead')}</p>
        <label>
          {t('key')}
          <input
            name="apiKey"
            type="password"
            autocomplete="current-password"
            required
            value={key}
            onInput={(event) => setKey(event.currentTarget.value)}
          />
        </label>
        <ErrorNote error={error} />
        <button
          type="submit"
          class="button button-primary"
          data-action="sign-in"
          disabled={pending}
        >
          {t('submit')}
        </button>
        <p class="muted small">{t('hint')}</p>
      </form>
    </div>
  );
}
