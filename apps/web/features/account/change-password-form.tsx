'use client';
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { MIN_PASSWORD_LENGTH } from '@dataengine/contracts';
import { errorMessage } from '../../lib/api-error';
import { useTRPC } from '../../lib/trpc';

/** Current password, the new one twice; on success the other sessions of the account have ended. */
export function ChangePasswordForm() {
  const trpc = useTRPC();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const change = useMutation(
    trpc.auth.changePassword.mutationOptions({
      onSuccess: () => {
        setCurrent('');
        setNext('');
        setRepeat('');
      },
    }),
  );
  const mismatch = repeat.length > 0 && next !== repeat;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (next !== repeat) return;
    change.mutate({ currentPassword: current, newPassword: next });
  };
  return (
    <form className="panel account-panel account-form" onSubmit={submit} data-testid="change-password-form">
      <h2 className="panel-title">Change password</h2>
      <label className="field">
        <span>Current password</span>
        <input type="password" autoComplete="current-password" required value={current} onChange={(e) => setCurrent(e.target.value)} data-testid="current-password" />
      </label>
      <label className="field">
        <span>New password</span>
        <input type="password" autoComplete="new-password" required minLength={MIN_PASSWORD_LENGTH} value={next} onChange={(e) => setNext(e.target.value)} data-testid="new-password" />
        <small className="muted">At least {MIN_PASSWORD_LENGTH} characters.</small>
      </label>
      <label className="field">
        <span>New password again</span>
        <input type="password" autoComplete="new-password" required value={repeat} onChange={(e) => setRepeat(e.target.value)} data-testid="repeat-password" />
      </label>
      {mismatch && (
        <p className="inline-error" data-testid="password-mismatch">
          The two new passwords differ.
        </p>
      )}
      {change.isError && (
        <p className="notice notice-error" role="alert" data-testid="change-password-error">
          {errorMessage(change.error)}
        </p>
      )}
      {change.isSuccess && (
        <p className="notice notice-info" role="status" data-testid="change-password-done">
          Password changed.{' '}
          {change.data.otherSessionsEnded > 0
            ? `You were signed out everywhere else (${change.data.otherSessionsEnded} other session${change.data.otherSessionsEnded === 1 ? '' : 's'}).`
            : 'No other session was open.'}
        </p>
      )}
      <div>
        <button type="submit" className="button button-primary" disabled={change.isPending || mismatch} data-testid="change-password-submit">
          {change.isPending ? 'Changing…' : 'Change password'}
        </button>
      </div>
    </form>
  );
}
