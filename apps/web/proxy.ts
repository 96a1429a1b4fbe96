// Runs before every request (Next.js's proxy, on Node): adds the pages' Content-Security-Policy,
// built from this server's environment when it starts, not when the app was built — so one build
// serves any object-store address (S3_PUBLIC_ENDPOINT) and ops can move the store with a restart.
// The headers that never change stay in next.config.ts. Not for /api and /trpc: those answers come
// from the API (with its own policy), and Next copies the body of every request its proxy sees into
// memory, cut at 10 MB — uploads and imports must stream through untouched.
import { NextResponse } from 'next/server';
import { contentSecurityPolicy, objectStoreOrigin } from './server/content-security-policy';
import { serverEnv } from './server-env';

let policy: string | undefined;

function pagePolicy(): string {
  // eslint-disable-next-line no-restricted-properties -- NODE_ENV is inlined by Next ('development' under next dev)
  const dev = process.env.NODE_ENV === 'development';
  policy ??= contentSecurityPolicy({ dev, objectStoreOrigin: objectStoreOrigin(serverEnv()) });
  return policy;
}

export function proxy(): NextResponse {
  const response = NextResponse.next();
  response.headers.set('Content-Security-Policy', pagePolicy());
  return response;
}

export const config = {
  matcher: ['/((?!api/|trpc/).*)'],
};
