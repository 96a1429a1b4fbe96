/** BullMQ priorities of embed jobs (lower runs first): what an annotator waits for comes first. */
export const EMBED_PRIORITY = {
  /** the image an annotator has open and is waiting on */
  waiting: 1,
  /** the next images of an annotator's queue (prefetch) */
  upcoming: 5,
  /** everything else, computed ahead of need */
  backfill: 50,
} as const;

/** How many upcoming images of a queue are embedded ahead of the annotator. */
export const EMBED_PREFETCH = 2;
