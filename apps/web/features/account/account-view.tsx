'use client';
import { useCurrentUser } from '../../components/session-gate';
import { ChangePasswordForm } from './change-password-form';

/** The signed-in user's own account: who they are, and their password. */
export function AccountView() {
  const user = useCurrentUser();
  return (
    <div className="account-page" data-testid="account-page">
      <div className="page-header">
        <h1>Account</h1>
      </div>
      <section className="panel account-panel">
        <h2 className="panel-title">Signed in as</h2>
        <p data-testid="account-identity">
          {user.name} · {user.email} · <span className="role-chip">{user.role}</span>
        </p>
      </section>
      <ChangePasswordForm />
    </div>
  );
}
