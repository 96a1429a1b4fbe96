import { z } from 'zod';
import { bigSerialIdSchema, imageSchema, setAsideTaskSchema, taskSchema } from '@dataengine/contracts';
import { hasPreviousTask, listSetAsideTasks, peekNextTask, releaseTask, renewTaskLease, reopenLastSubmitted, requestNextTask, returnSetAsideTask, skipTask, submitTask } from '@dataengine/engine';
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
    .input(taskId.extend({ activeMs: z.number().int().min(0).max(24 * 3600 * 1000), /** the annotator said the image shows no objects (needed to submit one without masks) */ emptyConfirmed: z.boolean().optional() }))
    .output(taskSchema)
    .mutation(({ ctx, input }) => submitTask(ctx.deps, ctx.actor, input)),
  /** Gives the held image back with a reason; it never comes back to the same annotator. */
  skip: protectedProcedure
    .input(taskId.extend({ reason: z.string().trim().min(1, 'say why you skip the image').max(500) }))
    .output(z.object({ task: taskSchema, setAside: z.boolean() }))
    .mutation(({ ctx, input }) => skipTask(ctx.deps, ctx.actor, input)),
  /** Re-opens the image the caller submitted last (while not reviewed); null when there is none. */
  previous: protectedProcedure
    .input(z.object({ projectId: z.string().uuid() }))
    .output(taskSchema.nullable())
    .mutation(({ ctx, input }) => reopenLastSubmitted(ctx.deps, ctx.actor, input)),
  /** The project's managers: images set aside after annotators skipped them, with the reasons. */
  setAside: protectedProcedure
    .input(z.object({ projectId: z.string().uuid() }))
    .output(z.array(setAsideTaskSchema))
    .query(({ ctx, input }) => listSetAsideTasks(ctx.deps, ctx.actor, input)),
  /** The project's managers: a set-aside image back in the queue (not for those who skipped it). */
  returnSetAside: protectedProcedure.input(taskId).output(taskSchema).mutation(({ ctx, input }) => returnSetAsideTask(ctx.deps, ctx.actor, input)),
  hasPrevious: protectedProcedure
    .input(z.object({ projectId: z.string().uuid() }))
    .output(z.object({ available: z.boolean() }))
    .query(async ({ ctx, input }) => ({ available: await hasPreviousTask(ctx.deps, ctx.actor, input) })),
  release: protectedProcedure
    .input(taskId)
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await releaseTask(ctx.deps, ctx.actor, input);
      return { ok: true as const };
    }),
});
