import { z } from 'zod';
import {
  checkpointAuditSchema,
  getQueueHealth,
  listCheckpointEvents,
  listRetrainSchedules,
  queueHealthSchema,
  retrainScheduleSchema,
  retryFailedJobs,
  retryResultSchema,
} from '@dataengine/engine';
import { createQueueInspector, type QueueInspector } from '@dataengine/queue';
import type { ApiDeps } from '../api-deps';
import { policyProcedure, router } from '../trpc';

// One inspector per API process (its BullMQ Queue objects share the producer connection).
const inspectors = new WeakMap<ApiDeps['redis'], QueueInspector>();
function inspectorFor(deps: ApiDeps): QueueInspector {
  let inspector = inspectors.get(deps.redis);
  if (!inspector) inspectors.set(deps.redis, (inspector = createQueueInspector({ connection: deps.redis, prefix: deps.queuePrefix })));
  return inspector;
}

const opsProcedure = policyProcedure('ops.view');

/** The ops console's reads and actions besides runs.* and checkpoints.* (ops and admins only). */
export const opsRouter = router({
  queues: opsProcedure.output(z.array(queueHealthSchema)).query(({ ctx }) => getQueueHealth(ctx.deps, ctx.actor, inspectorFor(ctx.deps))),
  retryFailed: opsProcedure
    .input(z.object({ queue: z.string().min(1).max(100) }))
    .output(retryResultSchema)
    .mutation(({ ctx, input }) => retryFailedJobs(ctx.deps, ctx.actor, inspectorFor(ctx.deps), input)),
  checkpointEvents: policyProcedure('checkpoints.manage')
    .input(z.object({ limit: z.number().int().min(1).max(200).default(30), checkpointId: z.string().uuid().optional() }))
    .output(z.array(checkpointAuditSchema))
    .query(({ ctx, input }) => listCheckpointEvents(ctx.deps, ctx.actor, input)),
  retrainSchedules: opsProcedure.output(z.array(retrainScheduleSchema)).query(({ ctx }) => listRetrainSchedules(ctx.deps, ctx.actor)),
});
