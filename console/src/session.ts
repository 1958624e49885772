/**
 * Who is signed in. The API key is typed once on the sign-in page and sent only to
 * POST /v1/console/session; the browser keeps the HttpOnly session cookie the API sets, never the
 * key. The role decides which buttons exist (the API refuses anyway).
 */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { ApiFailure, apiError, setCsrfToken, type ApiError } from './api/client';

export type Role = 'viewer' | 'operator' | 'approver' | 'admin';
export type Action = 'read' | 'operate' | 'approve' | 'pause' | 'admin';

export interface Principal {
  id: string;
  name: string;
  role: Role;
}

export interface Session {
  principal: Principal;
  csrfToken: string;
  expiresAt: string;
}

/** The same matrix as the API's `roles` (api/plugins/auth.ts); admin may do everything. */
const allowed: Record<Action, readonly Role[]> = {
  read: ['viewer', 'operator', 'approver'],
  operate: ['operator'],
  approve: ['approver'],
  pause: ['operator', 'approver'],
  admin: [],
};

export function may(principal: Principal | undefined, action: Action): boolean {
  if (!principal) return false;
  return principal.role === 'admin' || allowed[action].includes(principal.role);
}

async function sessionRequest(method: 'GET' | 'POST' | 'DELETE', body?: unknown) {
  const response = await fetch('/v1/console/session', {
    method,
    credentials: 'same-origin',
    headers: {
      ...(body ? { 'content-type': 'application/json' } : {}),
      ...(method === 'DELETE' && currentCsrf ? { 'x-csrf-token': currentCsrf } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const payload: unknown =
    response.status === 204 ? undefined : await response.json().catch(() => undefined);
  return { response, payload };
}

let currentCsrf: string | null = null;

function adopt(session: Session | null): Session | null {
  currentCsrf = session?.csrfToken ?? null;
  setCsrfToken(currentCsrf);
  return session;
}

/** The cookie's session, or null when there is none (or it ended). */
export async function loadSession(): Promise<Session | null> {
  const { response, payload } = await sessionRequest('GET');
  if (response.status === 401) return adopt(null);
  if (!response.ok) throw new ApiFailure(apiError(payload, response));
  return adopt(payload as Session);
}

/** Signs in with an API key: the API answers with the session and sets its cookie. */
export async function signIn(apiKey: string): Promise<Session> {
  const { response, payload } = await sessionRequest('POST', { apiKey });
  if (!response.ok) throw new ApiFailure(apiError(payload, response));
  return adopt(payload as Session) as Session;
}

export async function signOut(): Promise<void> {
  await sessionRequest('DELETE').catch(() => undefined);
  adopt(null);
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
  const principal = session?.principal;
  return { principal, can: (action) => may(principal, action), setSession };
}

export type { ApiError };
