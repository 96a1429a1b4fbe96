import { z } from 'zod';
import { checkpointSchema } from '@dataengine/contracts';
import { activeCheckpointFor, listCheckpoints, promoteCheckpoint, rollbackCheckpoint, toCheckpointDto } from '@dataengine/engine';
import { protectedProcedure, roleProcedure, router } from '../trpc';

export const checkpointsRouter = router({
  active: protectedProcedure
    .input(z.object({ projectId: z.string().uuid() }))
    .output(checkpointSchema.nullable())
    .query(({ ctx, input }) => activeCheckpointFor(ctx.deps, ctx.actor, input)),
  list: roleProcedure(['ops', 'admin']).output(z.array(checkpointSchema)).query(({ ctx }) => listCheckpoints(ctx.deps, ctx.actor)),
  promote: roleProcedure(['ops', 'admin'])
    .input(z.object({ checkpointId: z.string().uuid(), reason: z.string().max(500).default('') }))
    .output(checkpointSchema)
    .mutation(async ({ ctx, input }) => toCheckpointDto(await promoteCheckpoint(ctx.deps, ctx.actor, input))),
  rollback: roleProcedure(['ops', 'admin'])
    .input(z.object({ reason: z.string().min(1).max(500) }))
    .output(checkpointSchema)
    .mutation(async ({ ctx, input }) => toCheckpointDto(await rollbackCheckpoint(ctx.deps, ctx.actor, input))),
});
