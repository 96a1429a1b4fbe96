import { z } from 'zod';
import { checkpointSchema } from '@dataengine/contracts';
import { activeCheckpointFor, listCheckpoints, promoteByOps, rollbackCheckpoint, toCheckpointDtos } from '@dataengine/engine';
import { policyProcedure, protectedProcedure, router } from '../trpc';

export const checkpointsRouter = router({
  active: protectedProcedure
    .input(z.object({ projectId: z.string().uuid() }))
    .output(checkpointSchema.nullable())
    .query(({ ctx, input }) => activeCheckpointFor(ctx.deps, ctx.actor, input)),
  list: policyProcedure('checkpoints.manage').output(z.array(checkpointSchema)).query(({ ctx }) => listCheckpoints(ctx.deps, ctx.actor)),
  /**
   * Promotes within the checkpoint's scope. A checkpoint the promotion gate did not pass (refused,
   * not evaluated, or evaluated against another active checkpoint) needs `overrideGate: true` and a
   * `reason`; without them the answer is CONFLICT saying why.
   */
  promote: policyProcedure('checkpoints.manage')
    .input(z.object({ checkpointId: z.string().uuid(), reason: z.string().max(500).default(''), overrideGate: z.boolean().default(false) }))
    .output(checkpointSchema)
    .mutation(async ({ ctx, input }) => (await toCheckpointDtos(ctx.deps, [await promoteByOps(ctx.deps, ctx.actor, input)]))[0]!),
  /** Re-activates the previous checkpoint of one scope: a project's own (projectId) or the global one (null). */
  rollback: policyProcedure('checkpoints.manage')
    .input(z.object({ reason: z.string().trim().min(1).max(500), projectId: z.string().uuid().nullable().default(null) }))
    .output(checkpointSchema)
    .mutation(async ({ ctx, input }) => (await toCheckpointDtos(ctx.deps, [await rollbackCheckpoint(ctx.deps, ctx.actor, input)]))[0]!),
});
