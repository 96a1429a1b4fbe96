import { z } from 'zod';
import { bigSerialIdSchema, imageSchema, taskSchema } from '@dataengine/contracts';
import { peekNextTask, releaseTask, renewTaskLease, requestNextTask, submitTask } from '@dataengine/engine';
import { protectedProcedure, router } from '../trpc';

const taskId = z.object({ taskId: bigSerialIdSchema });

export const tasksRouter = router({
  next: protectedProcedure
    .input(z.object({ projectId: z.string().uuid() }))
    .output(taskSchema.nullable())
    .mutation(({ ctx, input }) => requestNextTask(ctx.deps, ctx.actor, input)),
  /** Read-only: the image the next "Next image" will most likely get (for prefetching; holds nothing). */
  peekNext: protectedProcedure
    .input(z.object({ projectId: z.string().uuid() }))
    .output(imageSchema.nullable())
    .query(({ ctx, input }) => peekNextTask(ctx.deps, ctx.actor, input)),
  renew: protectedProcedure.input(taskId).output(taskSchema).mutation(({ ctx, input }) => renewTaskLease(ctx.deps, ctx.actor, input)),
  submit: protectedProcedure
    .input(taskId.extend({ activeMs: z.number().int().min(0).max(24 * 3600 * 1000) }))
    .output(taskSchema)
    .mutation(({ ctx, input }) => submitTask(ctx.deps, ctx.actor, input)),
  release: protectedProcedure
    .input(taskId)
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await releaseTask(ctx.deps, ctx.actor, input);
      return { ok: true as const };
    }),
});
