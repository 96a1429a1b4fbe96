import type { ReactNode } from 'react';
import { SessionGate } from '../../components/session-gate';
import { TopBar } from '../../components/top-bar';

export default function AuthenticatedLayout({ children }: { children: ReactNode }) {
  return (
    <SessionGate>
      <TopBar />
      <main className="page">{children}</main>
    </SessionGate>
  );
}
