// The browser's query cache: any 401, from any query or mutation, ends the session view.
import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { isUnauthenticated, shouldRetry } from './api-error';
import { redirectToLogin } from './session';

function onApiError(error: unknown): void {
  if (isUnauthenticated(error)) redirectToLogin();
}

export function createQueryClient(): QueryClient {
  return new QueryClient({
    queryCache: new QueryCache({ onError: onApiError }),
    mutationCache: new MutationCache({ onError: onApiError }),
    defaultOptions: {
      queries: { retry: shouldRetry, staleTime: 5_000, refetchOnWindowFocus: false },
      mutations: { retry: false },
    },
  });
}
