/** The console's entry: language, session, and the page for the URL under /console. */
// First: the pages' own styles come after the global ones and win where they differ.
import './styles.css';
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { LocationProvider, Route, Router, useLocation } from 'preact-iso';
import { onSignedOut } from './api/client';
import { Layout } from './components/Layout';
import { Loading } from './components/Loading';
import { initialLang, LangContext, storeLang, type Lang } from './i18n';
import AccountsPage from './pages/accounts/index';
import ApprovalDetailPage from './pages/approvals/detail';
import ApprovalsPage from './pages/approvals/index';
import CampaignPage from './pages/campaign/index';
import NewCampaignPage from './pages/campaign-new/index';
import CampaignsPage from './pages/campaigns';
import ReportPage from './pages/report/index';
import SignInPage from './pages/sign-in';
import StopsPage from './pages/stops/index';
import { loadSession, SessionContext, type Session } from './session';

function SignedIn() {
  const { route, path } = useLocation();
  useEffect(() => {
    if (path === '/console' || path === '/console/') route('/console/campaigns', true);
  }, [path]);
  return (
    <Layout>
      <Router>
        <Route path="/console/campaigns" component={CampaignsPage} />
        <Route path="/console/campaigns/new" component={NewCampaignPage} />
        <Route path="/console/campaigns/:id/report" component={ReportPage} />
        <Route path="/console/campaigns/:id" component={CampaignPage} />
        <Route path="/console/approvals" component={ApprovalsPage} />
        <Route path="/console/approvals/:id" component={ApprovalDetailPage} />
        <Route path="/console/stops" component={StopsPage} />
        <Route path="/console/accounts" component={AccountsPage} />
        <Route default component={CampaignsPage} />
      </Router>
    </Layout>
  );
}

function App() {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const setLang = (next: Lang) => {
    storeLang(next);
    setLangState(next);
  };
  useEffect(() => {
    storeLang(lang);
    loadSession()
      .then(setSession)
      .catch(() => setSession(null));
    return onSignedOut(() => setSession(null));
  }, []);
  return (
    <LangContext.Provider value={{ lang, setLang }}>
      <SessionContext.Provider value={{ session: session ?? null, setSession }}>
        <LocationProvider scope="/console">
          {session === undefined ? <Loading /> : session ? <SignedIn /> : <SignInPage />}
        </LocationProvider>
      </SessionContext.Provider>
    </LangContext.Provider>
  );
}

const root = document.getElementById('app');
if (root) render(<App />, root);
