// Where the browser goes when it has no (or no longer a) session. Full-page navigation on
// purpose: it drops every cached query of the previous session.

let signedIn = false;

/** Called once auth.me succeeded, so a later 401 reads as "your session expired". */
export function markSignedIn(): void {
  signedIn = true;
}

const AFTER_LOGIN = '/projects';
/** Control characters (browsers drop tab/CR/LF inside URLs, so `/\t/evil` becomes `//evil`) and backslashes (`/\evil` is `//evil` to a browser). */
const UNSAFE_IN_PATH = /[\u0000-\u001f\u007f\\]/;

/**
 * Only paths of this origin are followed after login (no open redirect): one leading `/` followed
 * by something that is not a second `/`, no control characters or backslashes anywhere, and the
 * URL it resolves to must stay on this origin.
 */
export function safeNextPath(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || UNSAFE_IN_PATH.test(next)) return AFTER_LOGIN;
  const base = 'https://this.invalid';
  try {
    const resolved = new URL(next, base);
    if (resolved.origin !== base) return AFTER_LOGIN;
    return resolved.pathname + resolved.search + resolved.hash;
  } catch {
    return AFTER_LOGIN;
  }
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
