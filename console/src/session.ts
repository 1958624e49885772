/**
 * Who is signed in. The API key is typed once on the sign-in page and sent only to
 * POST /v1/console/session; the browser keeps the HttpOnly session cookie the API sets, never the
 * key. What the person may do comes from GET /v1/me (the API's own role matrix), and decides
 * which buttons exist: the API refuses anyway.
 */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { api, must, setCsrfToken, type paths } from './api/client';

type MeBody = paths['/v1/me']['get']['responses'][200]['content']['application/json'];
export type Principal = MeBody['principal'];
export type Role = Principal['role'];
export type Action = keyof MeBody['can'];

export interface Session {
  principal: Principal;
  can: MeBody['can'];
  expiresAt: string;
}

async function withPermissions(csrfToken: string, expiresAt: string): Promise<Session> {
  setCsrfToken(csrfToken);
  const me = must(await api.GET('/v1/me'));
  return { principal: me.principal, can: me.can, expiresAt };
}

/** The cookie's session, or null when there is none (or it ended). */
export async function loadSession(): Promise<Session | null> {
  const result = await api.GET('/v1/console/session');
  if (result.response.status === 401) {
    setCsrfToken(null);
    return null;
  }
  const session = must(result);
  return withPermissions(session.csrfToken, session.expiresAt);
}

/** Signs in with an API key: the API answers with the session and sets its cookie. */
export async function signIn(apiKey: string): Promise<Session> {
  const session = must(await api.POST('/v1/console/session', { body: { apiKey } }));
  return withPermissions(session.csrfToken, session.expiresAt);
}

export async function signOut(): Promise<void> {
  await api.DELETE('/v1/console/session').catch(() => undefined);
  setCsrfToken(null);
}

export const SessionContext = createContext<{
  session: Session | null;
  setSession: (session: Session | null) => void;
}>({ session: null, setSession: () => undefined });

/** The signed-in person and what they may do. */
export function useSession(): {
  principal: Principal | undefined;
  can: (action: Action) => boolean;
  setSession: (session: Session | null) => void;
} {
  const { session, setSession } = useContext(SessionContext);
  return {
    principal: session?.principal,
    can: (action) => session?.can[action] ?? false,
    setSession,
  };
}
