// Cross-site request forgery guard. The session is a cookie, and a browser attaches it to requests
// that other pages start: SameSite=Lax keeps it off cross-site POSTs, but not off those from the
// same site (another port of the same host, a sibling subdomain). So every state-changing request
// (any method but GET, HEAD and OPTIONS) must show that a page of this product sent it:
//
//   1. Origin is one of the configured origins (PUBLIC_ORIGIN, ALLOWED_ORIGINS)      → accepted
//   2. Sec-Fetch-Site is present: `same-origin` or `none` (typed/bookmarked)          → accepted
//                                 `same-site` or `cross-site`                          → refused
//   3. no Sec-Fetch-Site (plain-HTTP hosts other than localhost, older browsers), but
//      Origin is present: its host must be the host the request was sent to — Host,
//      or X-Forwarded-Host when a trusted proxy (the web app) forwarded it           → else refused
//                         `Origin: null` (sandboxed frames, data: URLs)                → refused
//   4. neither header                                                                  → accepted
//
// Rule 4: every browser in use sends Origin on a POST, PUT, PATCH or DELETE (Chromium, Firefox ≥ 70,
// Safari), and Sec-Fetch-Site besides on HTTPS and localhost; a request with neither comes from a
// program — the CLI, a script, another server — whose cookie, if any, was put there by its own
// author, so it cannot be forged. Refusing it would break those clients and stop no attack.
// Headers are not settable by a forging page (no-cors requests cannot carry X-Forwarded-Host or
// custom headers, and nothing here answers a CORS preflight), so the rules cannot be talked round.
// Safe methods are never state-changing here: tRPC answers queries on GET and refuses mutations
// on GET (405), and the binary routes only read on GET/HEAD.
import type { IncomingHttpHeaders } from 'node:http';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export type OriginVerdict = { allowed: true } | { allowed: false; reason: string };

export interface OriginFacts {
  method: string;
  headers: IncomingHttpHeaders;
  /** The host the client addressed: X-Forwarded-Host when a trusted proxy forwarded it, else Host. */
  requestHost: string | null;
  /** Configured origins, normalised (scheme://host[:port]). */
  allowedOrigins: readonly string[];
}

const single = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value)?.trim() || undefined;

const HOW_TO_FIX =
  'state-changing requests are accepted only from pages of this Data Engine installation; open the app at its own address, ' +
  'or (operators) add the page\'s origin to ALLOWED_ORIGINS';

export function checkSameOrigin(facts: OriginFacts): OriginVerdict {
  if (SAFE_METHODS.has(facts.method.toUpperCase())) return { allowed: true };
  const origin = single(facts.headers.origin);
  const fetchSite = single(facts.headers['sec-fetch-site'])?.toLowerCase();
  if (origin && facts.allowedOrigins.includes(origin.toLowerCase())) return { allowed: true };
  if (fetchSite) {
    if (fetchSite === 'same-origin' || fetchSite === 'none') return { allowed: true };
    return refuse(`this request came from a page of another ${fetchSite === 'same-site' ? 'origin on the same site' : 'site'}${origin ? ` (${origin})` : ''}`);
  }
  if (origin === undefined) return { allowed: true };
  if (origin === 'null') return refuse('this request came from a page without an origin (a sandboxed frame or a data: URL)');
  const originHost = hostOf(origin);
  if (originHost && facts.requestHost && originHost === facts.requestHost.toLowerCase()) return { allowed: true };
  return refuse(`this request came from a page of ${origin}, not of ${facts.requestHost ?? 'this server'}`);
}

function refuse(why: string): OriginVerdict {
  return { allowed: false, reason: `cross-origin request refused: ${why}; ${HOW_TO_FIX}` };
}

function hostOf(origin: string): string | null {
  try {
    return new URL(origin).host.toLowerCase();
  } catch {
    return null;
  }
}
