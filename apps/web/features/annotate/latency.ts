// Click → mask-on-screen latency as performance marks/measures, readable by the browser tests and
// the benchmark (`performance.getEntriesByName(CLICK_TO_MASK)`).
export const CLICK_TO_MASK = 'annotate:click-to-mask';
const PROMPT_MARK = 'annotate:prompt';

let waiting = false;

/** At the user's click / box / undo: the clock starts. */
export function markPrompt(): void {
  performance.mark(PROMPT_MARK);
  waiting = true;
}

/**
 * Where a click's time goes, each measured from the click like CLICK_TO_MASK: the decoder's masks
 * reach the page, the mask's overlay is ready, the frame that draws it starts.
 */
export const CLICK_STAGES = ['annotate:click-decoded', 'annotate:click-overlay', 'annotate:click-frame'] as const;
export type ClickStage = (typeof CLICK_STAGES)[number];

export function markClickStage(stage: ClickStage): void {
  if (waiting) performance.measure(stage, PROMPT_MARK);
}

/** After a frame with the decoder's new mask was drawn. */
export function markMaskDrawn(): void {
  if (!waiting) return;
  waiting = false;
  performance.measure(CLICK_TO_MASK, PROMPT_MARK);
}

/** The worker round trip alone (decode + post-processing + transfer), for splitting the latency. */
export const DECODE = 'annotate:decode';

export function timeDecode<T>(work: Promise<T>): Promise<T> {
  const start = performance.now();
  return work.then((result) => {
    performance.measure(DECODE, { start, end: performance.now() });
    return result;
  });
}

/** Opening an image: embedding fetch + parse + hand-over to the worker + first decode (no prefetch hit). */
export const EMBEDDING_LOAD = 'annotate:embedding-load';
/** Its parts: the HTTP fetch with the float16 → float32 parse, and the hand-over (with the decoder's per-image prelude). */
export const EMBEDDING_FETCH = 'annotate:embedding-fetch';
export const EMBEDDING_HANDOVER = 'annotate:embedding-handover';

/** The pointer rested and the decode of a click there started early; the click then used it. */
export const AIM = 'annotate:aim';
export const AIMED_HIT = 'annotate:aimed-hit';

/** The focus view: the zoomed-in region cut from the image, embedded in the worker (encoder + prelude). */
export const FOCUS_EMBED = 'annotate:focus-embed';
