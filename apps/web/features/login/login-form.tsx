'use client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRouter, useSearchParams } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { errorMessage } from '../../lib/api-error';
import { safeNextPath } from '../../lib/session';
import { useTRPC } from '../../lib/trpc';

const REASONS: Record<string, string> = {
  expired: 'Your session has expired. Log in again to continue.',
};

export function LoginForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const params = useSearchParams();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const login = useMutation(
    trpc.auth.login.mutationOptions({
      onSuccess: () => {
        queryClient.clear();
        router.replace(safeNextPath(params.get('next')));
      },
    }),
  );
  const notice = REASONS[params.get('reason') ?? ''];

  const submit = (event: FormEvent) => {
    event.preventDefault();
    login.mutate({ email, password });
  };

  return (
    <form className="login-card" onSubmit={submit} data-testid="login-form">
      <h1 className="login-title">Data Engine</h1>
      <p className="muted">Log in to annotate, review and run the segmentation data engine.</p>
      {notice && (
        <p className="notice notice-info" data-testid="login-notice">
          {notice}
        </p>
      )}
      <label className="field">
        <span>E-mail</span>
        <input type="email" name="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} data-testid="login-email" />
      </label>
      <label className="field">
        <span>Password</span>
        <input type="password" name="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} data-testid="login-password" />
      </label>
      {login.isError && (
        <p className="notice notice-error" role="alert" data-testid="login-error">
          {errorMessage(login.error)}
        </p>
      )}
      <button type="submit" className="button button-primary" disabled={login.isPending || login.isSuccess} data-testid="login-submit">
        {login.isPending ? 'Logging in…' : 'Log in'}
      </button>
    </form>
  );
}
