import { z } from 'zod';
import { imageFilterSchema, runSchema, selectionCountSchema, startRunInputSchema } from '@dataengine/contracts';
import { beginUploadBatch, cancelRun, countImageSelection, getRun, listRuns, startReingestRun, startRun } from '@dataengine/engine';
import { protectedProcedure, router } from '../trpc';

export const runsRouter = router({
  list: protectedProcedure
    .input(z.object({ projectId: z.string().uuid().optional(), limit: z.number().int().min(1).max(200).default(50) }))
    .output(z.array(runSchema))
    .query(({ ctx, input }) => listRuns(ctx.deps, ctx.actor, input)),
  get: protectedProcedure.input(z.object({ runId: z.string().uuid() })).output(runSchema).query(({ ctx, input }) => getRun(ctx.deps, ctx.actor, input.runId)),
  beginUpload: protectedProcedure
    .input(z.object({ projectId: z.string().uuid(), files: z.number().int().min(1).max(100_000) }))
    .output(runSchema)
    .mutation(({ ctx, input }) => beginUploadBatch(ctx.deps, ctx.actor, input)),
  /** ops and admins (the policy's runs.reingest, checked by the use case in the project) */
  reingest: protectedProcedure
    .input(z.object({ projectId: z.string().uuid(), all: z.boolean().default(false) }))
    .output(runSchema)
    .mutation(({ ctx, input }) => startReingestRun(ctx.deps, ctx.actor, input)),
  /**
   * prefill, autogen, retrain, evaluate, export (import starts from its upload route). startRun
   * asks the access policy per kind (runStartAction): export for the project's managers and
   * ops/admin, the rest ops/admin.
   */
  start: protectedProcedure
    .input(startRunInputSchema)
    .output(runSchema)
    .mutation(({ ctx, input }) => startRun(ctx.deps, ctx.actor, input)),
  /** How many images a run form's filter selects now (shown before starting). */
  countSelection: protectedProcedure
    .input(z.object({ projectId: z.string().uuid(), selection: imageFilterSchema }))
    .output(selectionCountSchema)
    .query(({ ctx, input }) => countImageSelection(ctx.deps, ctx.actor, input)),
  /** cancelRun asks the access policy per kind (runCancelAction): exports and imports for the project's managers too, the rest ops/admin. */
  cancel: protectedProcedure
    .input(z.object({ runId: z.string().uuid(), reason: z.string().max(500).optional() }))
    .output(runSchema)
    .mutation(({ ctx, input }) => cancelRun(ctx.deps, ctx.actor, input)),
});
