import { z } from 'zod';
import { createLabelInputSchema, deleteLabelInputSchema, labelSchema, reorderLabelsInputSchema, updateLabelInputSchema } from '@dataengine/contracts';
import { createLabel, deleteLabel, listLabels, reorderLabels, updateLabel } from '@dataengine/engine';
import { protectedProcedure, router } from '../trpc';

/** A project's label set: read by everyone who sees the project, changed by its managers (labels.manage). */
export const labelsRouter = router({
  list: protectedProcedure
    .input(z.object({ projectId: z.string().uuid(), withCounts: z.boolean().optional() }))
    .output(z.array(labelSchema))
    .query(({ ctx, input }) => listLabels(ctx.deps, ctx.actor, input)),
  create: protectedProcedure.input(createLabelInputSchema).output(labelSchema).mutation(({ ctx, input }) => createLabel(ctx.deps, ctx.actor, input)),
  update: protectedProcedure.input(updateLabelInputSchema).output(labelSchema).mutation(({ ctx, input }) => updateLabel(ctx.deps, ctx.actor, input)),
  reorder: protectedProcedure.input(reorderLabelsInputSchema).output(z.array(labelSchema)).mutation(({ ctx, input }) => reorderLabels(ctx.deps, ctx.actor, input)),
  /** Refused (409, with the count) while masks carry the label, unless `masksTo` says where they go. */
  delete: protectedProcedure
    .input(deleteLabelInputSchema)
    .output(z.object({ masks: z.number().int(), movedTo: z.string().uuid().nullable() }))
    .mutation(({ ctx, input }) => deleteLabel(ctx.deps, ctx.actor, input)),
});
