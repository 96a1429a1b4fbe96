import { describe, expect, it } from 'vitest';
import { decoderCropSize, upscaleLowResLogits } from '@dataengine/segment';
import { displayFrame, fullResolutionMask, maskToLowResLogits, MASK_PROMPT_LOGIT, resampleMask, toDisplayPoint } from './display-frame';

describe('display frame', () => {
  it('is the image itself up to a long side of 1024, else the model frame (same point transform and crop)', () => {
    expect(displayFrame(480, 360)).toEqual({ width: 480, height: 360, sx: 1, sy: 1, exact: true, x0: 0, y0: 0 });
    const f = displayFrame(6000, 4000);
    expect([f.width, f.height, f.exact]).toEqual([1024, 683, false]);
    expect(decoderCropSize(f.height, f.width)).toEqual(decoderCropSize(4000, 6000)); // the graph crops the same region
    expect(toDisplayPoint(f, 3000, 2000)).toEqual([512, 341.5]);
  });

  it('makes the full-resolution mask from the low-res logits as the decoder graph does (§1.5)', () => {
    const low = new Float32Array(256 * 256).fill(-5);
    for (let v = 50; v < 100; v++) for (let u = 60; u < 120; u++) low[v * 256 + u] = 5;
    const mask = fullResolutionMask(low, 256, 3000, 2000);
    const logits = upscaleLowResLogits(low, 256, 2000, 3000);
    expect(mask.width * mask.height).toBe(logits.length);
    let agree = 0;
    for (let i = 0; i < logits.length; i++) agree += Number(mask.data[i] === (logits[i]! > 0 ? 1 : 0));
    expect(agree).toBe(logits.length);
    expect(mask.data[Math.round(75 * 4 / (1024 / 3000)) * 3000 + Math.round(90 * 4 / (1024 / 3000))]).toBe(1);
  });

  it('turns a saved mask into mask_input logits in the padded frame, and resamples masks', () => {
    const width = 400;
    const height = 200; // frame 1024×512: the lower half of the 256² grid is padding
    const data = new Uint8Array(width * height);
    for (let y = 50; y < 150; y++) for (let x = 100; x < 300; x++) data[y * width + x] = 1;
    const logits = maskToLowResLogits({ width, height, data }, width, height, 256);
    expect(logits[64 * 256 + 128]).toBe(MASK_PROMPT_LOGIT); // centre of the object (200, 100) → frame (512, 256)
    expect(logits[10 * 256 + 10]).toBe(-MASK_PROMPT_LOGIT); // background
    expect(logits[200 * 256 + 128]).toBe(-MASK_PROMPT_LOGIT); // padding
    const small = resampleMask({ width, height, data }, 100, 50);
    expect(small.data[25 * 100 + 50]).toBe(1);
    expect(small.data[5 * 100 + 5]).toBe(0);
  });
});
