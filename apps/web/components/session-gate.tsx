'use client';
// Renders its children only for a signed-in user and provides that user to them. Without a
// session, auth.me answers 401 and the query cache sends the browser to /login?next=….
import type { UserDto } from '@dataengine/contracts';
import { useQuery } from '@tanstack/react-query';
import { createContext, useContext, useEffect, type ReactNode } from 'react';
import { errorMessage, isUnauthenticated } from '../lib/api-error';
import { markSignedIn } from '../lib/session';
import { useTRPC } from '../lib/trpc';
import { ErrorNotice } from './error-notice';

const CurrentUser = createContext<UserDto | null>(null);

export function useCurrentUser(): UserDto {
  const user = useContext(CurrentUser);
  if (!user) throw new Error('useCurrentUser() outside <SessionGate>');
  return user;
}

export function SessionGate({ children }: { children: ReactNode }) {
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.me.queryOptions(undefined, { staleTime: 60_000 }));
  useEffect(() => {
    if (me.data) markSignedIn();
  }, [me.data]);

  if (me.data) return <CurrentUser.Provider value={me.data}>{children}</CurrentUser.Provider>;
  if (me.isError && !isUnauthenticated(me.error)) {
    return (
      <main className="page">
        <ErrorNotice title="Could not load your session">{errorMessage(me.error)}</ErrorNotice>
      </main>
    );
  }
  return (
    <main className="page page-loading" aria-busy="true" data-testid="session-loading">
      Loading…
    </main>
  );
}
