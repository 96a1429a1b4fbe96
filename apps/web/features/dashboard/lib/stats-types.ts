// The dashboard's data as the API's router declares it (types only; nothing of the server is bundled).
import type { AppRouter } from '@dataengine/api';
import type { inferRouterOutputs } from '@trpc/server';

export type ProjectStats = inferRouterOutputs<AppRouter>['stats']['project'];
