import { z } from 'zod';
import { bigSerialIdSchema, compressedRleSchema, positiveInt32Schema, serialIdSchema, maskSchema, saveMaskInputSchema } from '@dataengine/contracts';
import { deleteMask, listMasks, saveMask, setMaskLabel, updateMask } from '@dataengine/engine';
import { protectedProcedure, router } from '../trpc';

const maskRef = z.object({ maskId: bigSerialIdSchema, version: positiveInt32Schema });

export const masksRouter = router({
  list: protectedProcedure
    .input(z.object({ imageId: serialIdSchema }))
    .output(z.array(maskSchema))
    .query(({ ctx, input }) => listMasks(ctx.deps, ctx.actor, input)),
  save: protectedProcedure.input(saveMaskInputSchema).output(maskSchema).mutation(({ ctx, input }) => saveMask(ctx.deps, ctx.actor, input)),
  update: protectedProcedure
    .input(
      maskRef.extend({
        segmentation: compressedRleSchema,
        activeMs: z.number().int().min(0).max(24 * 3600 * 1000),
        clicks: z.number().int().min(0).max(100_000),
        pointCoords: z.array(z.tuple([z.number(), z.number()])).max(1000).optional(),
        /** omitted: the label stays; null: unlabelled; else a label of the mask's project */
        labelId: z.string().uuid().nullish(),
      }),
    )
    .output(maskSchema)
    .mutation(({ ctx, input }) => updateMask(ctx.deps, ctx.actor, input)),
  /** Sets or clears the label alone (the version stays: a label is not a change of the pixels). */
  setLabel: protectedProcedure
    .input(z.object({ maskId: bigSerialIdSchema, labelId: z.string().uuid().nullable() }))
    .output(maskSchema)
    .mutation(({ ctx, input }) => setMaskLabel(ctx.deps, ctx.actor, input)),
  delete: protectedProcedure
    .input(maskRef)
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await deleteMask(ctx.deps, ctx.actor, input);
      return { ok: true as const };
    }),
});
