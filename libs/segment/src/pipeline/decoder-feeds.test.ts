import { describe, expect, it } from 'vitest';
import { buildDecoderFeeds } from './decoder-feeds';
import { resizeLongestSide } from './resize-geometry';
import { PromptError } from './segment-errors';

const embedding = { data: new Float32Array(4), dims: [1, 256, 64, 64] };
const truck = resizeLongestSide(1200, 1800);

describe('buildDecoderFeeds (SAM-SPEC.md §1.2, §2.2)', () => {
  it('one click: transformed coords + padding point (0,0)/−1, all float32', () => {
    const { feeds, numPoints } = buildDecoderFeeds(embedding, { points: [{ x: 500, y: 375, label: 1 }] }, truck);
    expect(numPoints).toBe(2);
    expect(feeds.point_coords.dims).toEqual([1, 2, 2]);
    expect(feeds.point_coords.data).toBeInstanceOf(Float32Array);
    expect(Array.from(feeds.point_coords.data)).toEqual([Math.fround(500 * (1024 / 1800)), 213.4375, 0, 0]);
    expect(Array.from(feeds.point_labels.data)).toEqual([1, -1]);
    expect(feeds.point_labels.dims).toEqual([1, 2]);
    expect(Array.from(feeds.orig_im_size.data)).toEqual([1200, 1800]);
    expect(feeds.orig_im_size.dims).toEqual([2]);
    expect(Array.from(feeds.has_mask_input.data)).toEqual([0]);
    expect(feeds.mask_input.dims).toEqual([1, 1, 256, 256]);
    expect(feeds.mask_input.data.every((v) => v === 0)).toBe(true);
    expect(feeds.image_embeddings).toBe(embedding);
  });

  it('box alone: two corners labelled 2 and 3, NO padding point', () => {
    const { feeds, numPoints } = buildDecoderFeeds(embedding, { box: [90, 180, 900, 1200] }, truck);
    expect(numPoints).toBe(2);
    expect(Array.from(feeds.point_labels.data)).toEqual([2, 3]);
    const s = 1024 / 1800;
    const sy = 683 / 1200;
    expect(Array.from(feeds.point_coords.data)).toEqual([90 * s, 180 * sy, 900 * s, 1200 * sy].map(Math.fround));
  });

  it('clicks first, then the box corners; negative clicks keep label 0', () => {
    const { feeds, numPoints } = buildDecoderFeeds(
      embedding,
      { points: [{ x: 10, y: 20, label: 1 }, { x: 30, y: 40, label: 0 }], box: [0, 0, 1800, 1200] },
      truck,
    );
    expect(numPoints).toBe(4);
    expect(Array.from(feeds.point_labels.data)).toEqual([1, 0, 2, 3]);
    expect(Array.from(feeds.point_coords.data.subarray(4))).toEqual([0, 0, 1024, 683]);
  });

  it('two clicks: padding appended (n = 3)', () => {
    const { feeds, numPoints } = buildDecoderFeeds(embedding, { points: [{ x: 1, y: 1, label: 1 }, { x: 2, y: 2, label: 1 }] }, truck);
    expect(numPoints).toBe(3);
    expect(Array.from(feeds.point_labels.data)).toEqual([1, 1, -1]);
  });

  it('feeds the previous low-res mask unchanged with has_mask_input = 1', () => {
    const previous = new Float32Array(256 * 256).fill(-3.5);
    const { feeds } = buildDecoderFeeds(embedding, { points: [{ x: 1, y: 1, label: 1 }], maskInput: previous }, truck);
    expect(feeds.mask_input.data).toBe(previous);
    expect(Array.from(feeds.has_mask_input.data)).toEqual([1]);
  });

  it('rejects bad labels, points outside the image, malformed boxes and empty prompts', () => {
    const bad = (prompt: Parameters<typeof buildDecoderFeeds>[1]) => () => buildDecoderFeeds(embedding, prompt, truck);
    expect(bad({ points: [{ x: 1, y: 1, label: 4 }] })).toThrow(/label 4 is not one of -1/);
    expect(bad({ points: [{ x: 1, y: 1, label: 0.5 }] })).toThrow(PromptError);
    expect(bad({ points: [{ x: 1801, y: 1, label: 1 }] })).toThrow('point 0 (1801, 1) is outside the 1800×1200 image');
    expect(bad({ points: [{ x: -1, y: 1, label: 1 }] })).toThrow(/outside/);
    expect(bad({ points: [{ x: Number.NaN, y: 1, label: 1 }] })).toThrow(/finite/);
    expect(bad({ box: [10, 10, 5, 20] })).toThrow(/malformed: need x0 ≤ x1/);
    expect(bad({ box: [10, 10, 20, 1300] })).toThrow(/outside the 1800×1200 image/);
    expect(bad({ box: [1, 2, 3] as unknown as [number, number, number, number] })).toThrow(/4 finite numbers/);
    expect(bad({})).toThrow(/at least one point or a box/);
    expect(bad({ points: [{ x: 1, y: 1, label: 1 }], maskInput: new Float32Array(10) })).toThrow(/256×256/);
  });
});
