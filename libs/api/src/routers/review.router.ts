import { z } from 'zod';
import { bigSerialIdSchema, decideReviewInputSchema, reviewQueueInputSchema, reviewQueueSchema, reviewSchema, reviewSettingsSchema, setReviewSettingsInputSchema } from '@dataengine/contracts';
import { decideReview, getReview, getReviewSettings, listReviewQueue, setReviewSettings } from '@dataengine/engine';
import { protectedProcedure, router } from '../trpc';

const projectId = z.object({ projectId: z.string().uuid() });

/** The review queue (the project's managers and admins: the policy's `review`; checked by the use cases). */
export const reviewRouter = router({
  queue: protectedProcedure.input(reviewQueueInputSchema).output(reviewQueueSchema).query(({ ctx, input }) => listReviewQueue(ctx.deps, ctx.actor, input)),
  get: protectedProcedure
    .input(z.object({ reviewId: bigSerialIdSchema }))
    .output(reviewSchema)
    .query(({ ctx, input }) => getReview(ctx.deps, ctx.actor, input)),
  /** Accept the image's masks (optionally rejecting some one by one), or reject the image with a reason. */
  decide: protectedProcedure.input(decideReviewInputSchema).output(reviewSchema).mutation(({ ctx, input }) => decideReview(ctx.deps, ctx.actor, input)),
  /** QA sample rate, full review of stage 2/3, the idle-gap cap: read by everyone who sees the project. */
  settings: protectedProcedure.input(projectId).output(reviewSettingsSchema).query(({ ctx, input }) => getReviewSettings(ctx.deps, ctx.actor, input)),
  setSettings: protectedProcedure.input(setReviewSettingsInputSchema).output(reviewSettingsSchema).mutation(({ ctx, input }) => setReviewSettings(ctx.deps, ctx.actor, input)),
});
