/** The frame of every signed-in page: navigation, language switch, who is signed in. */
import type { ComponentChildren } from 'preact';
import { useContext } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { LangContext, useT } from '../i18n';
import { signOut, useSession } from '../session';

const messages = {
  ja: {
    brand: 'Kuji 管理画面',
    campaigns: 'キャンペーン',
    approvals: '承認',
    stops: '対応待ち',
    accounts: '送信アカウント',
    signOut: 'サインアウト',
    role_viewer: '閲覧者',
    role_operator: '運用担当',
    role_approver: '承認者',
    role_admin: '管理者',
    language: 'Language',
  },
  en: {
    brand: 'Kuji console',
    campaigns: 'Campaigns',
    approvals: 'Approvals',
    stops: 'Stops',
    accounts: 'Sender accounts',
    signOut: 'Sign out',
    role_viewer: 'viewer',
    role_operator: 'operator',
    role_approver: 'approver',
    role_admin: 'admin',
    language: '言語',
  },
} as const;

const nav = [
  { href: '/console/campaigns', key: 'campaigns' },
  { href: '/console/approvals', key: 'approvals' },
  { href: '/console/stops', key: 'stops' },
  { href: '/console/accounts', key: 'accounts' },
] as const;

export function Layout({ children }: { children: ComponentChildren }) {
  const t = useT(messages);
  const { lang, setLang } = useContext(LangContext);
  const { principal, setSession } = useSession();
  const { path, route } = useLocation();
  return (
    <div class="shell">
      <header class="topbar">
        <a class="brand" href="/console/campaigns">
          {t('brand')}
        </a>
        <nav class="mainnav">
          {nav.map((item) => (
            <a
              key={item.href}
              href={item.href}
              class={path.startsWith(item.href) ? 'current' : undefined}
              data-nav={item.key}
            >
              {t(item.key)}
            </a>
          ))}
        </nav>
        <div class="topbar-end">
          <button
            type="button"
            class="lang-switch"
            data-action="language"
            aria-label={t('language')}
            onClick={() => setLang(lang === 'ja' ? 'en' : 'ja')}
          >
            {lang === 'ja' ? 'English' : '日本語'}
          </button>
          {principal && (
            <span class="who" data-role={principal.role}>
              {principal.name} <span class="muted">({t(`role_${principal.role}`)})</span>
            </span>
          )}
          <button
            type="button"
            class="button button-secondary"
            data-action="sign-out"
            onClick={() =>
              void signOut().then(() => {
                setSession(null);
                route('/console/signin');
              })
            }
          >
            {t('signOut')}
          </button>
        </div>
      </header>
      <main class="content">{children}</main>
    </div>
  );
}
