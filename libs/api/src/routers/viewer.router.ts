import { z } from 'zod';
import { imageTileWorkSchema, imageViewSchema, serialIdSchema } from '@dataengine/contracts';
import { imageTiles, viewImage } from '@dataengine/engine';
import { protectedProcedure, router } from '../trpc';

/** The image viewer and the grid tiles' work summary (everyone who may see the project). */
export const viewerRouter = router({
  image: protectedProcedure
    .input(z.object({ imageId: serialIdSchema }))
    .output(imageViewSchema)
    .query(({ ctx, input }) => viewImage(ctx.deps, ctx.actor, input)),
  tiles: protectedProcedure
    .input(z.object({ projectId: z.string().uuid(), imageIds: z.array(serialIdSchema).max(200) }))
    .output(z.array(imageTileWorkSchema))
    .query(({ ctx, input }) => imageTiles(ctx.deps, ctx.actor, input)),
});
