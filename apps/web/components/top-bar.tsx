'use client';
import { useMutation } from '@tanstack/react-query';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { canManageUsers, canOpenOpsConsole, canSeeRuns, mayHaveDashboards } from '../lib/permissions';
import { useTRPC } from '../lib/trpc';
import { useCurrentUser } from './session-gate';

function NavLink({ href, label, testId }: { href: string; label: string; testId: string }) {
  const pathname = usePathname();
  const active = pathname === href || pathname.startsWith(`${href}/`);
  return (
    <Link href={href} className={active ? 'nav-link nav-link-active' : 'nav-link'} data-testid={testId}>
      {label}
    </Link>
  );
}

export function TopBar() {
  const user = useCurrentUser();
  const trpc = useTRPC();
  const logout = useMutation(
    trpc.auth.logout.mutationOptions({
      // a full navigation drops every cached query of this session
      onSettled: () => window.location.replace('/login'),
    }),
  );
  return (
    <header className="top-bar" data-testid="top-bar">
      <Link href="/projects" className="brand">
        Data Engine
      </Link>
      <nav className="nav">
        <NavLink href="/projects" label="Projects" testId="nav-projects" />
        {mayHaveDashboards(user) && <NavLink href="/dashboard" label="Dashboard" testId="nav-dashboard" />}
        {canSeeRuns(user) && <NavLink href="/runs" label="Runs" testId="nav-runs" />}
        {canOpenOpsConsole(user) && <NavLink href="/ops" label="Ops console" testId="nav-ops" />}
        {canManageUsers(user) && <NavLink href="/users" label="Users" testId="nav-users" />}
      </nav>
      <div className="user-box">
        <Link href="/account" className="user-name user-link" title="Your account: change your password" data-testid="user-name">
          {user.name}
        </Link>
        <span className="role-chip" data-testid="user-role">
          {user.role}
        </span>
        <button type="button" className="button button-quiet" onClick={() => logout.mutate()} disabled={logout.isPending} data-testid="logout">
          Log out
        </button>
      </div>
    </header>
  );
}
