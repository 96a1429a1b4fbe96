import { describe, expect, it } from 'vitest';
import { preprocessImage } from './preprocess-image';
import { SAM_PIXEL_MEAN, SAM_PIXEL_STD } from './sam-constants';

describe('preprocessImage (SAM-SPEC.md §2.1)', () => {
  const W = 300;
  const H = 200;
  // left half one colour, right half another: checks channel order, normalisation and padding
  const data = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data.set(x < W / 2 ? [255, 0, 128] : [0, 64, 255], (y * W + x) * 3);
  const { tensor, geometry } = preprocessImage({ width: W, height: H, channels: 3, data });
  const S = 1024;
  const at = (c: number, y: number, x: number): number => tensor.data[c * S * S + y * S + x]!;
  const norm = (v: number, c: number): number => Math.fround((v - SAM_PIXEL_MEAN[c]!) / SAM_PIXEL_STD[c]!);

  it('produces [1, 3, 1024, 1024] for a 300×200 image resized to 1024×683', () => {
    expect(tensor.dims).toEqual([1, 3, S, S]);
    expect([geometry.resizedWidth, geometry.resizedHeight]).toEqual([1024, 683]);
  });

  it('normalises RGB planes with (x − mean) / std on the 0–255 scale', () => {
    expect(at(0, 10, 10)).toBe(norm(255, 0));
    expect(at(1, 10, 10)).toBe(norm(0, 1));
    expect(at(2, 10, 10)).toBe(norm(128, 2));
    expect(at(0, 600, 1000)).toBe(norm(0, 0));
    expect(at(2, 600, 1000)).toBe(norm(255, 2));
  });

  it('pads right and bottom with 0 AFTER normalisation (0 = the mean colour)', () => {
    for (let c = 0; c < 3; c++) {
      expect(at(c, 683, 0)).toBe(0);
      expect(at(c, 1023, 1023)).toBe(0);
      expect(at(c, 682, 0)).not.toBe(0);
    }
  });

  it('uses the manifest mean/std and image size', () => {
    const out = preprocessImage({ width: 4, height: 2, channels: 3, data: new Uint8Array(24).fill(100) }, { imageSize: 8, pixelMean: [100, 50, 0], pixelStd: [1, 2, 4] });
    expect(out.tensor.dims).toEqual([1, 3, 8, 8]);
    expect([out.tensor.data[0], out.tensor.data[64], out.tensor.data[128]]).toEqual([0, 25, 25]);
    expect(out.tensor.data[4 * 8]).toBe(0); // row 4 is padding (4×2 → 8×4)
  });

  it('rejects inconsistent image buffers', () => {
    expect(() => preprocessImage({ width: 4, height: 2, channels: 3, data: new Uint8Array(10) })).toThrow(/expected 4×2×3 = 24/);
  });
});
