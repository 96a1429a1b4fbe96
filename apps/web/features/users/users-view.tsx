'use client';
// The administrator's Users page: every account with its role, state and last activity; add an
// account, change a role, set a new password (a forgotten one), disable or enable. Passwords are
// generated here and shown once; the user changes theirs on the Account page. The API refuses
// every call here to anyone but an administrator; the page shows that refusal.
import { userRoleSchema, type AccountDto, type UserRole } from '@dataengine/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { QueryError } from '../../components/error-notice';
import { useCurrentUser } from '../../components/session-gate';
import { errorMessage } from '../../lib/api-error';
import { useTRPC } from '../../lib/trpc';
import { generatePassword } from './generate-password';

const ROLES = userRoleSchema.options;

/** Day and minute are enough here (the audit has the rest): "06 Dec 2026, 11:07". */
const formatDay = (iso: string) => new Date(iso).toLocaleString('en-GB', { year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit' });

const ROLE_HELP: Record<UserRole, string> = {
  admin: 'everything, accounts included',
  ops: 'runs the engine: runs, queues, checkpoints; reads every project',
  manager: 'creates projects and manages the ones they belong to',
  annotator: 'annotates in the projects they are a member of',
};

/** A password shown once, after an account was created or a password set. */
interface Issued {
  email: string;
  password: string;
  what: 'created' | 'reset';
}

export function UsersView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useCurrentUser();
  const accounts = useQuery(trpc.users.accounts.queryOptions());
  const refresh = () => void queryClient.invalidateQueries(trpc.users.accounts.queryFilter());
  const [issued, setIssued] = useState<Issued | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [filter, setFilter] = useState('');
  const [confirmDisable, setConfirmDisable] = useState<string | null>(null);

  const setRole = useMutation(trpc.users.setRole.mutationOptions({ onSettled: refresh, onSuccess: (u) => setStatus(`${u.name} (${u.email}) is now ${u.role}.`) }));
  const setDisabled = useMutation(
    trpc.users.setDisabled.mutationOptions({
      onSettled: refresh,
      onSuccess: (u) => {
        setConfirmDisable(null);
        setStatus(u.disabled ? `${u.email} is disabled; ${u.sessionsEnded} open session${u.sessionsEnded === 1 ? '' : 's'} ended.` : `${u.email} may sign in again.`);
      },
    }),
  );
  const reset = useMutation(trpc.users.resetPassword.mutationOptions({ onSettled: refresh }));
  const rowError = setRole.error ?? setDisabled.error ?? reset.error;

  const resetPassword = (account: AccountDto) => {
    setStatus(null);
    const password = generatePassword();
    reset.mutate({ email: account.email, password }, { onSuccess: () => setIssued({ email: account.email, password, what: 'reset' }) });
  };

  const needle = filter.trim().toLowerCase();
  const shown = (accounts.data ?? []).filter((a) => !needle || a.email.includes(needle) || a.name.toLowerCase().includes(needle) || a.role === needle);
  const enabled = accounts.data?.filter((a) => !a.disabled).length ?? 0;

  return (
    <div className="users-page" data-testid="users-page">
      <div className="page-header">
        <h1>Users</h1>
        {accounts.data && (
          <span className="muted" data-testid="users-count">
            {accounts.data.length} account{accounts.data.length === 1 ? '' : 's'}, {enabled} enabled
          </span>
        )}
      </div>
      {accounts.isError && <QueryError error={accounts.error} what="the accounts" />}
      {accounts.isPending && <p className="muted">Loading…</p>}
      {accounts.data && (
        <>
          <AddUserForm onCreated={(email, password) => { setStatus(null); setIssued({ email, password, what: 'created' }); refresh(); }} />
          {issued && (
            <div className="notice notice-info password-once" role="status" data-testid="issued-password">
              <p>
                {issued.what === 'created' ? `Account ${issued.email} created.` : `New password set for ${issued.email}; their sessions ended and a sign-in lock, if any, is lifted.`} Its password is shown
                only now — give it to them; they change it on their Account page:
              </p>
              <p>
                <code data-testid="issued-password-value">{issued.password}</code>{' '}
                <button type="button" className="button button-quiet" onClick={() => void navigator.clipboard?.writeText(issued.password)}>
                  Copy
                </button>{' '}
                <button type="button" className="button button-quiet" onClick={() => setIssued(null)} data-testid="issued-password-dismiss">
                  Done
                </button>
              </p>
            </div>
          )}
          {status && (
            <p className="notice notice-info" role="status" data-testid="users-status">
              {status}
            </p>
          )}
          {rowError && (
            <p className="inline-error" role="alert" data-testid="users-error">
              {errorMessage(rowError)}
            </p>
          )}
          <section className="panel" aria-labelledby="accounts-title">
            <div className="users-toolbar">
              <h2 id="accounts-title" className="panel-title">
                Accounts
              </h2>
              <input type="search" placeholder="Filter by name, e-mail or role" value={filter} onChange={(e) => setFilter(e.target.value)} aria-label="Filter accounts" data-testid="users-filter" />
            </div>
            <div className="table-wrap">
              <table className="table table-compact users-table" data-testid="users-table">
                <thead>
                  <tr>
                    <th>Name</th>
                    <th>E-mail</th>
                    <th>Role</th>
                    <th>State</th>
                    <th>Created</th>
                    <th>Last active</th>
                    <th aria-label="Actions" />
                  </tr>
                </thead>
                <tbody>
                  {shown.map((a) => {
                    const self = a.id === me.id;
                    return (
                      <tr key={a.id} data-testid="user-row" data-email={a.email} className={a.disabled ? 'row-muted' : undefined}>
                        <td className="nowrap">{a.name}{self && <span className="muted"> (you)</span>}</td>
                        <td className="user-email">{a.email}</td>
                        <td>
                          <select
                            value={a.role}
                            disabled={self || setRole.isPending}
                            title={self ? 'another administrator changes your role' : ROLE_HELP[a.role]}
                            onChange={(e) => { setStatus(null); setRole.mutate({ email: a.email, role: e.target.value as UserRole }); }}
                            aria-label={`Role of ${a.email}`}
                            data-testid="user-role-select"
                          >
                            {ROLES.map((r) => (
                              <option key={r} value={r}>
                                {r}
                              </option>
                            ))}
                          </select>
                        </td>
                        <td>
                          <span className={`badge ${a.disabled ? 'badge-cancelled' : 'badge-ready'}`} data-testid="user-state">
                            {a.disabled ? 'disabled' : 'enabled'}
                          </span>
                        </td>
                        <td className="nowrap">{formatDay(a.createdAt)}</td>
                        <td className="nowrap">{a.lastActiveAt ? formatDay(a.lastActiveAt) : <span className="muted">never</span>}</td>
                        <td className="row-actions">
                          {confirmDisable === a.email ? (
                            <>
                              <span>Sign them out everywhere and refuse sign-in?</span>{' '}
                              <button type="button" className="button button-danger" onClick={() => setDisabled.mutate({ email: a.email, disabled: true })} disabled={setDisabled.isPending} data-testid="user-disable-confirm">
                                Disable
                              </button>{' '}
                              <button type="button" className="button button-quiet" onClick={() => setConfirmDisable(null)}>
                                Cancel
                              </button>
                            </>
                          ) : (
                            <>
                              <button type="button" className="button button-quiet" onClick={() => resetPassword(a)} disabled={reset.isPending} data-testid="user-reset-password">
                                New password
                              </button>{' '}
                              {a.disabled ? (
                                <button type="button" className="button button-quiet" onClick={() => { setStatus(null); setDisabled.mutate({ email: a.email, disabled: false }); }} disabled={setDisabled.isPending} data-testid="user-enable">
                                  Enable
                                </button>
                              ) : (
                                !self && (
                                  <button type="button" className="button button-quiet" onClick={() => { setStatus(null); setConfirmDisable(a.email); }} data-testid="user-disable">
                                    Disable
                                  </button>
                                )
                              )}
                            </>
                          )}
                        </td>
                      </tr>
                    );
                  })}
                  {shown.length === 0 && (
                    <tr>
                      <td colSpan={7} className="muted">
                        No account matches “{filter}”.
                      </td>
                    </tr>
                  )}
                </tbody>
              </table>
            </div>
          </section>
        </>
      )}
    </div>
  );
}

function AddUserForm({ onCreated }: { onCreated: (email: string, password: string) => void }) {
  const trpc = useTRPC();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<UserRole>('annotator');
  const create = useMutation(trpc.users.create.mutationOptions());
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const password = generatePassword();
    create.mutate(
      { email: email.trim(), name: name.trim(), role, password },
      {
        onSuccess: (user) => {
          setEmail('');
          setName('');
          onCreated(user.email, password);
        },
      },
    );
  };
  return (
    <form className="panel add-user-form" onSubmit={submit} data-testid="add-user-form">
      <h2 className="panel-title">Add a user</h2>
      <div className="add-user-fields">
        <label className="field">
          <span>E-mail</span>
          <input type="email" required maxLength={320} value={email} onChange={(e) => setEmail(e.target.value)} data-testid="add-user-email" />
        </label>
        <label className="field">
          <span>Name</span>
          <input required maxLength={120} value={name} onChange={(e) => setName(e.target.value)} data-testid="add-user-name" />
        </label>
        <label className="field">
          <span>Role</span>
          <select value={role} onChange={(e) => setRole(e.target.value as UserRole)} data-testid="add-user-role">
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="button button-primary" disabled={create.isPending} data-testid="add-user-submit">
          {create.isPending ? 'Adding…' : 'Add user'}
        </button>
      </div>
      <p className="small muted">
        {role}: {ROLE_HELP[role]}. A password is generated and shown once. Add them to projects from each project&apos;s member list.
      </p>
      {create.isError && (
        <p className="inline-error" role="alert" data-testid="add-user-error">
          {errorMessage(create.error)}
        </p>
      )}
    </form>
  );
}
