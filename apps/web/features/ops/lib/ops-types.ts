// The console's data as the API's router declares it (types only; nothing of the server is bundled).
import type { AppRouter } from '@dataengine/api';
import type { inferRouterOutputs } from '@trpc/server';

type Outputs = inferRouterOutputs<AppRouter>;
export type QueueHealthDto = Outputs['ops']['queues'][number];
export type RetrainScheduleDto = Outputs['ops']['retrainSchedules'][number];
