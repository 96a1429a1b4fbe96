import { z } from 'zod';
import { heldOutSetSchema, imageSchema, pageInputSchema, pageSchema, registerFromStoreInputSchema, registerOptionsSchema, runSchema, serialIdSchema, splitSchema, valShareSchema } from '@dataengine/contracts';
import { getHeldOutSet, getImage, getRegisterOptions, listImages, registerFromStore, setImageSplit, setValShare } from '@dataengine/engine';
import { protectedProcedure, router } from '../trpc';

const projectId = z.object({ projectId: z.string().uuid() });

export const imagesRouter = router({
  list: protectedProcedure
    .input(pageInputSchema.extend({ projectId: z.string().uuid() }))
    .output(pageSchema(imageSchema))
    .query(({ ctx, input }) => listImages(ctx.deps, ctx.actor, input)),
  get: protectedProcedure
    .input(z.object({ imageId: serialIdSchema }))
    .output(imageSchema)
    .query(({ ctx, input }) => getImage(ctx.deps, ctx.actor, input.imageId)),
  /** The project's held-out (val) set: counts, the share of `auto` uploads, what evaluate would score. */
  heldOut: protectedProcedure.input(projectId).output(heldOutSetSchema).query(({ ctx, input }) => getHeldOutSet(ctx.deps, ctx.actor, input)),
  /** Moves images to train or val (the project's managers). */
  setSplit: protectedProcedure
    .input(projectId.extend({ imageIds: z.array(serialIdSchema).min(1).max(10_000), split: splitSchema }))
    .output(z.object({ updated: z.number().int(), split: splitSchema }))
    .mutation(({ ctx, input }) => setImageSplit(ctx.deps, ctx.actor, input)),
  /** The share of `auto` uploads held out from now on (the project's managers). */
  setValShare: protectedProcedure
    .input(projectId.extend({ valShare: valShareSchema }))
    .output(heldOutSetSchema)
    .mutation(({ ctx, input }) => setValShare(ctx.deps, ctx.actor, input)),
  /**
   * Registers images already in object storage in place (the project's managers): every image
   * object under a prefix, or up to MAX_REGISTER_KEYS keys. Answers the ingest run that lists them.
   */
  /** Whether this installation can register in place, and from where (the form's hints; the project's managers). */
  registerOptions: protectedProcedure.input(projectId).output(registerOptionsSchema).query(({ ctx, input }) => getRegisterOptions(ctx.deps, ctx.actor, input)),
  registerFromStore: protectedProcedure
    .input(registerFromStoreInputSchema)
    .output(runSchema)
    .mutation(({ ctx, input }) => registerFromStore(ctx.deps, ctx.actor, input)),
});
