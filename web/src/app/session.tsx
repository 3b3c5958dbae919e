import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, onSessionLost, setCsrfToken } from './api';
import { S } from './strings';
import type { Permissions, Session } from './types';

export interface MemberRef {
  id: string;
  name: string;
}

interface SessionState {
  /** undefined while the first check runs, null when signed out. */
  session: Session | null | undefined;
  /** Why the user is on the sign-in page (expired session, logout). */
  notice: string | null;
  login(email: string, password: string): Promise<void>;
  logout(): Promise<void>;
  /** SMO staff may narrow every data view to one member. */
  memberFilter: MemberRef | null;
  setMemberFilter(member: MemberRef | null): void;
}

const SessionContext = createContext<SessionState | null>(null);

async function loadSession(): Promise<Session | null> {
  try {
    return await api<Session>('/api/auth/session');
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

// Asked as soon as the bundle runs, while React renders its first frame.
let firstCheck: Promise<Session | null> | null = loadSession();
const FILTER_KEY = 'mutualis.memberFilter';

export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [notice, setNotice] = useState<string | null>(null);
  const [memberFilter, setFilter] = useState<MemberRef | null>(() => {
    try {
      return JSON.parse(sessionStorage.getItem(FILTER_KEY) ?? 'null') as MemberRef | null;
    } catch {
      return null;
    }
  });

  const { data: session } = useQuery({
    queryKey: ['session'],
    queryFn: () => {
      const check = firstCheck ?? loadSession();
      firstCheck = null;
      return check;
    },
    staleTime: Infinity,
    retry: 1,
  });

  useEffect(() => setCsrfToken(session?.csrfToken ?? null), [session]);

  const signOut = useCallback(
    (message: string | null) => {
      setNotice(message);
      setCsrfToken(null);
      sessionStorage.removeItem(FILTER_KEY);
      setFilter(null);
      queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== 'session' });
      queryClient.setQueryData(['session'], null);
    },
    [queryClient],
  );

  useEffect(() => {
    onSessionLost(() => {
      if (queryClient.getQueryData(['session'])) signOut(S.login.expired);
    });
    return () => onSessionLost(null);
  }, [queryClient, signOut]);

  // Without activity the session ends at expiresAt: ask the server then, since activity elsewhere may have prolonged it.
  useEffect(() => {
    if (!session?.expiresAt) return;
    const delay = Math.min(new Date(session.expiresAt).getTime() - Date.now() + 1000, 2 ** 31 - 1);
    const timer = setTimeout(() => void queryClient.invalidateQueries({ queryKey: ['session'] }), Math.max(delay, 1000));
    return () => clearTimeout(timer);
  }, [session?.expiresAt, queryClient]);

  const value = useMemo<SessionState>(
    () => ({
      session,
      notice,
      memberFilter,
      async login(email, password) {
        const next = await api<Session>('/api/auth/login', { method: 'POST', body: { email, password } });
        setCsrfToken(next.csrfToken);
        setNotice(null);
        queryClient.setQueryData(['session'], next);
      },
      async logout() {
        await api('/api/auth/logout', { method: 'POST' }).catch(() => undefined);
        signOut(S.login.loggedOut);
      },
      setMemberFilter(member) {
        if (member) sessionStorage.setItem(FILTER_KEY, JSON.stringify(member));
        else sessionStorage.removeItem(FILTER_KEY);
        setFilter(member);
      },
    }),
    [session, notice, memberFilter, queryClient, signOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useSession outside SessionProvider');
  return state;
}

/** The signed-in session; only for pages under the shell, which renders nothing without one. */
export function useCurrentSession(): Session {
  const { session } = useSession();
  if (!session) throw new Error('useCurrentSession without a session');
  return session;
}

export function allowed(permissions: Permissions, resource: keyof Permissions, action = 'read'): boolean {
  return permissions[resource]?.includes(action) ?? false;
}

/** The permission, or one of `roles`: roles that reach some of the data without a grant (a police officer, the requisitions naming them). */
export function mayReach(session: Session, resource: keyof Permissions, action = 'read', roles?: readonly string[]): boolean {
  return allowed(session.permissions, resource, action) || (roles?.includes(session.user.role) ?? false);
}

export function usePermission(resource: keyof Permissions, action = 'read'): boolean {
  return allowed(useCurrentSession().permissions, resource, action);
}

/** SMO staff act for the syndicate itself and may look at any one member. */
export const isSmoStaff = (session: Session) => session.member.kind === 'smo';

/** The member id that data views filter on, if any. */
export function useMemberScope(): string | undefined {
  return useSession().memberFilter?.id;
}
