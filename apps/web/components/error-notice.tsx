import type { ReactNode } from 'react';
import { errorMessage, isForbidden } from '../lib/api-error';

export function ErrorNotice({ title, children, testId = 'error' }: { title: string; children: ReactNode; testId?: string }) {
  return (
    <div className="notice notice-error" role="alert" data-testid={testId}>
      <strong>{title}</strong>
      <div>{children}</div>
    </div>
  );
}

/** A failed query: 403s get their own, explicit "not allowed" wording. */
export function QueryError({ error, what }: { error: unknown; what: string }) {
  if (isForbidden(error)) {
    return (
      <ErrorNotice title="You are not allowed to see this" testId="forbidden">
        {errorMessage(error)}
      </ErrorNotice>
    );
  }
  return <ErrorNotice title={`Could not load ${what}`}>{errorMessage(error)}</ErrorNotice>;
}
