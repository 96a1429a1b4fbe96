import { describe, expect, it } from 'vitest';
import { AppError } from '@dataengine/contracts';
import { compressRle, encodeMask, rleToString } from '@dataengine/segment';
import { measureSegmentation } from './masks';

const image = { width: 2250, height: 1500 };

function refusal(run: () => unknown): { error: AppError; ms: number } {
  const t0 = performance.now();
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return { error, ms: performance.now() - t0 };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('measureSegmentation bounds', () => {
  // a valid mask padded with 40M empty runs: 40 MB of '0's after the first values
  const data = new Uint8Array(image.width * image.height);
  data.fill(1, 1000, 5000);
  const { counts } = encodeMask({ ...image, data });
  const head = rleToString(counts.slice(0, 2));
  const paddedCounts = head + '0'.repeat(40_000_000) + rleToString(counts).slice(head.length);

  it('refuses a 40M-run padded RLE by its length, in milliseconds', () => {
    const { error, ms } = refusal(() => measureSegmentation({ size: [image.height, image.width], counts: paddedCounts }, image, 2 * 1024 * 1024));
    expect(error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(ms).toBeLessThan(50);
  });

  it('refuses it by what the image can hold even when the byte limit is raised', () => {
    const { error, ms } = refusal(() => measureSegmentation({ size: [image.height, image.width], counts: paddedCounts }, image, 100_000_000));
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.message).toMatch(/longer than any mask of a 2250×1500 image can be/);
    expect(ms).toBeLessThan(50);
  });

  it('stores an ordinary mask as the canonical string', () => {
    const rle = compressRle(encodeMask({ ...image, data }));
    expect(measureSegmentation(rle, image).rleCounts).toBe(rle.counts);
  });
});
