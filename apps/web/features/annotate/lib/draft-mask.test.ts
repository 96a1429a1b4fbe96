import { describe, expect, it } from 'vitest';
import { decodeDraftMask, draftMaskSchema, encodeDraftMask, type ScreenCandidate } from './draft-mask';

function candidate(width: number, height: number, fill: (x: number, y: number) => boolean, iou: number, channel: number): ScreenCandidate {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = fill(x, y) ? 1 : 0;
  const logits = Float32Array.from({ length: 16 }, (_, i) => i * 0.37 - 3.1);
  return { channel, mask: { width, height, data }, area: data.reduce((s, v) => s + v, 0), predictedIou: iou, stabilityScore: 0.9, lowResLogits: logits };
}

describe('the draft keeps the masks on screen', () => {
  const shown = [candidate(37, 23, (x, y) => (x - 15) ** 2 + (y - 11) ** 2 < 60 || (x > 30 && y < 4), 0.91, 2), candidate(37, 23, (x) => x > 5, 0.7, 1)];

  it('gives back every candidate pixel for pixel, with its scores, through JSON', () => {
    const stored = draftMaskSchema.parse(JSON.parse(JSON.stringify(encodeDraftMask(shown, 0, false))));
    const back = decodeDraftMask(stored, 0, () => new Float32Array(16).fill(-10));
    expect(back.map((c) => Array.from(c.mask.data))).toEqual(shown.map((c) => Array.from(c.mask.data)));
    expect(back.map((c) => [c.area, c.predictedIou, c.stabilityScore, c.channel])).toEqual(shown.map((c) => [c.area, c.predictedIou, c.stabilityScore, c.channel]));
    // without stored logits the mask becomes the prompt the next click refines from
    expect(Array.from(back[0]!.lowResLogits)).toEqual(new Array(16).fill(-10));
  });

  it('keeps the chosen candidate\'s low-res logits exactly when asked (large images)', () => {
    const stored = draftMaskSchema.parse(JSON.parse(JSON.stringify(encodeDraftMask(shown, 1, true))));
    const back = decodeDraftMask(stored, 1, () => new Float32Array(16));
    expect(Array.from(back[1]!.lowResLogits)).toEqual(Array.from(shown[1]!.lowResLogits));
  });

  it("keeps a focus view's mask of a large image with its region's logits, and refines from its mask after a reload", () => {
    const region = { x0: 3000, y0: 1000, width: 800, height: 600 };
    const inRegion = Float32Array.from({ length: 16 }, (_, i) => i - 8);
    const focused = [{ ...shown[0]!, lowResLogits: inRegion, focus: { region, mask: shown[0]!.mask, lowResLogits: inRegion } }, shown[1]!];
    const stored = draftMaskSchema.parse(JSON.parse(JSON.stringify(encodeDraftMask(focused, 0, true))));
    expect(stored.focusRegion).toEqual(region);
    const back = decodeDraftMask(stored, 0, () => new Float32Array(16).fill(-10));
    expect(back[0]!.focus?.region).toEqual(region);
    expect(Array.from(back[0]!.focus!.lowResLogits)).toEqual(Array.from(inRegion)); // the saved mask is made from these
    expect(Array.from(back[0]!.lowResLogits)).toEqual(new Array(16).fill(-10)); // the next click (on the whole image) refines from the mask
    // small images keep no logits at all
    expect(draftMaskSchema.parse(JSON.parse(JSON.stringify(encodeDraftMask(focused, 0, false)))).focusRegion).toBeUndefined();
  });
});
