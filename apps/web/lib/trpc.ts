'use client';
// Typed tRPC hooks for the browser. Only the router's *type* comes from @dataengine/api: no
// server code can reach the bundle through this import.
import type { AppRouter } from '@dataengine/api';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import { createTRPCContext } from '@trpc/tanstack-react-query';
import { TRPC_MAX_BATCH_SIZE } from '@dataengine/contracts';

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

/** Same-origin: /trpc is forwarded to the API by app/trpc/[trpc]/route.ts. */
export function createApiClient() {
  return createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: '/trpc', maxItems: TRPC_MAX_BATCH_SIZE })] });
}
