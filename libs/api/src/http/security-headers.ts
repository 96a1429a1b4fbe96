// Response headers every API answer carries. The API serves JSON and bytes, never a page: nothing
// it returns may be framed, sniffed into another type, run as a document with scripts, or leak
// the URL it came from. (The web app sets its own page policy in apps/web/next.config.ts.)
import type { ServerResponse } from 'node:http';

export const API_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

export function setSecurityHeaders(res: ServerResponse): void {
  for (const [name, value] of Object.entries(API_SECURITY_HEADERS)) res.setHeader(name, value);
}
