// The mask on screen, as the draft keeps it: every candidate's mask as COCO RLE (display frame) with
// its scores, and which one is chosen. A reload shows these exact pixels — the prompts are not
// decoded again (a refinement decoded from its points alone gives another mask). The chosen
// candidate's low-res logits are kept only for large images, whose saved mask is upscaled from them
// (for a focus view's mask, with its region: they are in the region's frame).
import { compressRle, decodeRle, encodeMask, type BinaryMask } from '@dataengine/segment';
import { z } from 'zod';
import type { FocusRegion } from '@dataengine/segment';

export const draftCandidateSchema = z.object({
  counts: z.string(),
  size: z.tuple([z.number().int().positive(), z.number().int().positive()]),
  predictedIou: z.number(),
  stabilityScore: z.number(),
  channel: z.number().int(),
  area: z.number().int().min(0),
});

export const draftMaskSchema = z.object({
  candidates: z.array(draftCandidateSchema).min(1).max(4),
  /** the chosen candidate's low-res logits (float32, base64), large images only */
  lowRes: z.string().optional(),
  /** the focus region `lowRes` is in, when the chosen mask was made in the focus view */
  focusRegion: z.object({ x0: z.number().int().min(0), y0: z.number().int().min(0), width: z.number().int().positive(), height: z.number().int().positive() }).optional(),
});
export type DraftMask = z.infer<typeof draftMaskSchema>;

/** One of the decoder's candidates as the tool holds it (the shape use-mask-prediction decodes). */
export interface ScreenCandidate {
  channel: number;
  mask: BinaryMask;
  area: number;
  predictedIou: number;
  stabilityScore: number;
  /** the prompt the next click refines from: logits in the frame of the embedding it was decoded on */
  lowResLogits: Float32Array;
  /**
   * made in a focus view: the region, the mask as decoded there (`mask` is it pasted into the
   * image's frame; absent after a reload) and its logits in the region's frame (what the saved
   * mask of a large image is made from)
   */
  focus?: { region: FocusRegion; mask?: BinaryMask; lowResLogits: Float32Array };
}

function toBase64(values: Float32Array): string {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

function fromBase64(text: string): Float32Array {
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return new Float32Array(bytes.buffer, 0, bytes.length >>> 2);
}

/**
 * The candidates on screen → the draft's form (`keepLowRes`: large images; not for a focus view's
 * mask, whose logits are in the region's frame: a reload refines from its mask instead).
 */
export function encodeDraftMask(candidates: readonly ScreenCandidate[], chosen: number, keepLowRes: boolean): DraftMask {
  const shown = candidates[chosen] ?? candidates[0];
  if (keepLowRes && shown?.focus) {
    return { ...encodeDraftMask(candidates, chosen, false), lowRes: toBase64(shown.focus.lowResLogits), focusRegion: { ...shown.focus.region } };
  }
  return {
    candidates: candidates.map((c) => {
      const rle = compressRle(encodeMask(c.mask));
      return { counts: rle.counts, size: [rle.size[0], rle.size[1]], predictedIou: c.predictedIou, stabilityScore: c.stabilityScore, channel: c.channel, area: c.area };
    }),
    ...(keepLowRes && shown ? { lowRes: toBase64(shown.lowResLogits) } : {}),
  };
}

/**
 * The draft's candidates back as screen candidates. A candidate without stored logits gets its mask
 * as a mask prompt (`toLogits`), what the next click refines from; so does a focus view's mask,
 * whose stored logits (in its region's frame) make its saved full-size mask.
 */
export function decodeDraftMask(draft: DraftMask, chosen: number, toLogits: (mask: BinaryMask) => Float32Array): ScreenCandidate[] {
  return draft.candidates.map((c, i) => {
    const mask = decodeRle({ size: c.size, counts: c.counts });
    const scores = { channel: c.channel, mask, area: c.area, predictedIou: c.predictedIou, stabilityScore: c.stabilityScore };
    if (i !== chosen || !draft.lowRes) return { ...scores, lowResLogits: toLogits(mask) };
    if (draft.focusRegion) return { ...scores, lowResLogits: toLogits(mask), focus: { region: draft.focusRegion, lowResLogits: fromBase64(draft.lowRes) } };
    return { ...scores, lowResLogits: fromBase64(draft.lowRes) };
  });
}
