// Review: the project's QA queue (which submitted images a manager looks at, and their verdict),
// the image viewer every role that may see a project uses, and the project's review and time
// settings. Shared by the API's schemas and the web UI.
import { z } from 'zod';
import { imageSchema, maskSchema, provenanceSchema, stageSchema, taskStatusSchema } from './domain';
import { bigSerialIdSchema, serialIdSchema } from './ids';

export const reviewStatusSchema = z.enum(['pending', 'accepted', 'rejected']);
export type ReviewStatus = z.infer<typeof reviewStatusSchema>;

/** Why an image entered review. */
export const reviewSourceSchema = z.enum(['sampled', 'stage', 'resubmitted', 'autogen']);
export type ReviewSource = z.infer<typeof reviewSourceSchema>;

export const REVIEW_SOURCE_LABELS: Record<ReviewSource, string> = {
  sampled: 'QA sample',
  stage: 'every image of this stage',
  resubmitted: 'resubmitted after a rejection',
  autogen: 'automatic masks (autogen run)',
};

/** The default share of submitted stage-1 images a project reviews. */
export const DEFAULT_REVIEW_SAMPLE_RATE = 0.1;
export const REVIEW_REASON_MAX = 1000;
/** Masks one acceptance may reject individually. */
export const MAX_REJECTED_MASKS = 5_000;

const person = z.object({ id: z.string().uuid(), name: z.string() }).nullable();

export const reviewSchema = z.object({
  id: z.string(),
  projectId: z.string().uuid(),
  imageId: z.number().int(),
  fileName: z.string(),
  thumbUrl: z.string().nullable(),
  stage: stageSchema,
  source: reviewSourceSchema,
  status: reviewStatusSchema,
  /** the annotator whose submission this is; null for machine output */
  submittedBy: person,
  reviewer: person,
  /** the rejection's reason (shown to the annotator) */
  reason: z.string().nullable(),
  runId: z.string().uuid().nullable(),
  masksAccepted: z.number().int(),
  masksRejected: z.number().int(),
  createdAt: z.string(),
  decidedAt: z.string().nullable(),
});
export type ReviewDto = z.infer<typeof reviewSchema>;

export const reviewQueueInputSchema = z.object({
  projectId: z.string().uuid(),
  status: z.enum(['pending', 'decided']).default('pending'),
  /** the last review id of the previous page */
  cursor: bigSerialIdSchema.nullish(),
  limit: z.number().int().min(1).max(200).default(50),
});

export const reviewQueueSchema = z.object({
  items: z.array(reviewSchema),
  nextCursor: z.string().nullable(),
  pending: z.number().int(),
});

const reasonSchema = z
  .string()
  .trim()
  .min(3, 'say what is wrong (at least 3 characters): the annotator reads it')
  .max(REVIEW_REASON_MAX, `a reason has at most ${REVIEW_REASON_MAX} characters`);

export const decideReviewInputSchema = z.discriminatedUnion('decision', [
  z.object({
    reviewId: bigSerialIdSchema,
    decision: z.literal('accept'),
    /** masks the reviewer rejects one by one (they are deleted); every other mask is accepted */
    rejectMaskIds: z.array(bigSerialIdSchema).max(MAX_REJECTED_MASKS).default([]),
  }),
  z.object({ reviewId: bigSerialIdSchema, decision: z.literal('reject'), reason: reasonSchema }),
]);
export type DecideReviewInput = z.input<typeof decideReviewInputSchema>;

export const reviewSettingsSchema = z.object({
  projectId: z.string().uuid(),
  /** share of submitted stage-1 images reviewed, 0–1 */
  reviewSampleRate: z.number().min(0).max(1),
  /** every stage-2/3 image and every autogen output is reviewed (off: sampled like stage 1) */
  reviewLaterStages: z.boolean(),
  /** the project's own cap of an idle gap (null: the installation's) */
  idleCapSeconds: z.number().int().nullable(),
  /** the installation's default (IDLE_GAP_CAP_SECONDS) */
  idleCapDefaultSeconds: z.number().int(),
  /** what the annotator tool counts with */
  effectiveIdleCapSeconds: z.number().int(),
});
export type ReviewSettingsDto = z.infer<typeof reviewSettingsSchema>;

export const IDLE_CAP_MAX_SECONDS = 3_600;

export const setReviewSettingsInputSchema = z.object({
  projectId: z.string().uuid(),
  reviewSampleRate: z.number().min(0, 'the sample rate is a share between 0 and 1').max(1, 'the sample rate is a share between 0 and 1').optional(),
  reviewLaterStages: z.boolean().optional(),
  idleCapSeconds: z.number().int().min(1).max(IDLE_CAP_MAX_SECONDS).nullable().optional(),
});

/** Where a mask came from, as the viewer tells it (an import keeps the provenance its file gave). */
export const maskOriginSchema = z.enum(['manual', 'prefill', 'auto', 'imported']);
export type MaskOrigin = z.infer<typeof maskOriginSchema>;

export const viewerMaskSchema = maskSchema.extend({
  origin: maskOriginSchema,
  authorName: z.string().nullable(),
  checkpointName: z.string().nullable(),
  reviewVerdict: z.enum(['accepted', 'rejected']).nullable(),
});
export type ViewerMaskDto = z.infer<typeof viewerMaskSchema>;

export const imageViewSchema = z.object({
  image: imageSchema,
  project: z.object({ id: z.string().uuid(), name: z.string(), stage: stageSchema }),
  masks: z.array(viewerMaskSchema),
  /** masks of the image beyond those listed (the viewer lists at most VIEWER_MAX_MASKS) */
  masksOmitted: z.number().int(),
  tasks: z.array(
    z.object({ stage: stageSchema, status: taskStatusSchema, annotator: z.string().nullable(), submittedAt: z.string().nullable(), activeMs: z.number().int(), returnedTo: z.string().nullable() }),
  ),
  reviews: z.array(reviewSchema),
  /** neighbours in the project grid's order (by id) */
  prevImageId: serialIdSchema.nullable(),
  nextImageId: serialIdSchema.nullable(),
  position: z.number().int(),
  total: z.number().int(),
});
export type ImageViewDto = z.infer<typeof imageViewSchema>;

export const VIEWER_MAX_MASKS = 5_000;

/** What a grid tile shows about an image's work. */
export const imageTileWorkSchema = z.object({
  imageId: z.number().int(),
  /** the latest stage with a task (null: none yet) */
  stage: stageSchema.nullable(),
  taskStatus: taskStatusSchema.nullable(),
  review: reviewStatusSchema.nullable(),
  masks: z.number().int(),
  byProvenance: z.record(provenanceSchema, z.number().int()),
});
export type ImageTileWorkDto = z.infer<typeof imageTileWorkSchema>;

/** What the dashboard's accept rate means (shown beside the numbers). */
export const ACCEPT_RATE_DEFINITION =
  'Of the pre-filled and automatic masks a checkpoint made, the share kept as the model made them: a mask is kept when a reviewer accepted it, ' +
  'or when an annotator submitted its image after it was made without deleting it or changing its pixels. It is not kept when it was deleted, ' +
  'its pixels were changed, or a reviewer rejected it. Masks whose image nobody has submitted or reviewed yet are pending and left out of the rate.';

export const IDLE_CAP_RULE = (seconds: number) =>
  `Active time is the time between an annotator's actions; a pause longer than ${seconds} s counts as ${seconds} s (capped, not dropped).`;
