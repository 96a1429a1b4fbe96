// Where the browser goes when it has no (or no longer a) session. Full-page navigation on
// purpose: it drops every cached query of the previous session.

let signedIn = false;

/** Called once auth.me succeeded, so a later 401 reads as "your session expired". */
export function markSignedIn(): void {
  signedIn = true;
}

/** Only same-site paths are followed after login (no open redirects to other origins). */
export function safeNextPath(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/projects';
  return next;
}

export function loginHref(next: string, reason?: 'expired'): string {
  const params = new URLSearchParams({ next });
  if (reason) params.set('reason', reason);
  return `/login?${params.toString()}`;
}

export function redirectToLogin(): void {
  if (typeof window === 'undefined' || window.location.pathname === '/login') return;
  const next = window.location.pathname + window.location.search;
  window.location.replace(loginHref(next, signedIn ? 'expired' : undefined));
}
