import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { closeAllBundles, openBundle } from './open-bundle';

// The built-in model (trainer output, models/default) through the same pipeline, once it exists.
const DEFAULT_DIR = fileURLToPath(new URL('../../../../models/default/', import.meta.url));
const present = existsSync(`${DEFAULT_DIR}manifest.json`);

afterAll(() => closeAllBundles());

describe.skipIf(!present)('models/default bundle', () => {
  it('validates against the contract and segments a bright square from one click', async () => {
    const { predictor, manifest } = await openBundle(DEFAULT_DIR, { intraOpNumThreads: 2 });
    expect(manifest.embedding_shape).toEqual([256, 64, 64]);
    const W = 256;
    const H = 192;
    const data = new Uint8Array(W * H * 3).fill(30);
    for (let y = 60; y < 140; y++) for (let x = 80; x < 180; x++) data.fill(230, (y * W + x) * 3, (y * W + x) * 3 + 3);
    const embedding = await predictor.embedImage({ width: W, height: H, channels: 3, data });
    const { masks } = await predictor.decode(embedding, { points: [{ x: 130, y: 100, label: 1 }] }, { multimask: true });
    expect(masks.map((m) => m.channel)).toEqual([1, 2, 3]);
    for (const m of masks) {
      expect(m.predictedIou).toBeGreaterThan(-1);
      expect(m.stabilityScore).toBeGreaterThanOrEqual(0);
    }
    // the best candidate covers the clicked pixel
    const best = masks.reduce((a, b) => (b.predictedIou > a.predictedIou ? b : a));
    expect(best.mask.data[100 * W + 130]).toBe(1);
  });
});
