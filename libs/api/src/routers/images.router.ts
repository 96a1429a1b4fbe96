import { z } from 'zod';
import { imageSchema, pageInputSchema, pageSchema } from '@dataengine/contracts';
import { getImage, listImages } from '@dataengine/engine';
import { protectedProcedure, router } from '../trpc';

export const imagesRouter = router({
  list: protectedProcedure
    .input(pageInputSchema.extend({ projectId: z.string().uuid() }))
    .output(pageSchema(imageSchema))
    .query(({ ctx, input }) => listImages(ctx.deps, ctx.actor, input)),
  get: protectedProcedure
    .input(z.object({ imageId: z.number().int().positive() }))
    .output(imageSchema)
    .query(({ ctx, input }) => getImage(ctx.deps, ctx.actor, input.imageId)),
});
