// The focus view's rules (focusSegmenter) through the real pipeline on the contract bundle, whose
// decoder draws a disc of radius R·max(W,H)/1024 around the first click (SAM-SPEC.md §8): in a
// region the disc is that much smaller in image pixels, so where a mask was made is visible in it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sliceImage } from '../amg/amg-image';
import { focusSegmenter } from '../metrics/predictor-interactive-segmenter';
import { maskArea } from '../metrics/mask-iou';
import type { FocusRegion } from '../pipeline/focus-region';
import type { ImageEmbedding } from '../pipeline/prompt.types';
import { writeContractBundle } from '../testing/index';
import { closeAllBundles, openBundle, type OpenBundle } from './open-bundle';

const W = 640;
const H = 480;
const image = { width: W, height: H, channels: 3 as const, data: new Uint8Array(W * H * 3).fill(120) };
const region: FocusRegion = { x0: 240, y0: 180, width: 160, height: 120 };
/** The best single-click candidate: the radius-40 disc of the 1024 frame. */
const disc = (long: number) => Math.PI * ((40 * long) / 1024) ** 2;

let root: string;
let open: OpenBundle;
let whole: ImageEmbedding;
let regional: ImageEmbedding;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'focus-segmenter-'));
  open = await openBundle(await writeContractBundle(join(root, 'bundle')), { intraOpNumThreads: 1 });
  whole = await open.predictor.embedImage(image);
  regional = await open.predictor.embedImage(sliceImage(image, [region.x0, region.y0, region.x0 + region.width, region.y0 + region.height]));
});
afterAll(async () => {
  await closeAllBundles();
  await rm(root, { recursive: true, force: true });
});

const click = (x: number, y: number) => ({ x, y, positive: true });

describe('focusSegmenter (the tool focus view)', () => {
  it('decodes a small object in the region and pastes the mask back at the click', async () => {
    const s = focusSegmenter(open.predictor, whole, region, regional);
    const out = await s.predict([click(320, 240)], null);
    expect(s.onWholeImage()).toBe(false);
    expect(Math.abs(maskArea(out.mask) - disc(160)) / disc(160)).toBeLessThan(0.15);
    expect([out.mask.width, out.mask.height]).toEqual([W, H]);
    expect(out.mask.data[240 * W + 320]).toBe(1);
    expect(out.mask.data[240 * W + 340]).toBe(0);
  });

  it('keeps the whole image for an object too large for the focus view, a click outside the region, or a mask at its edge', async () => {
    const large = focusSegmenter(open.predictor, whole, region, regional, { maxFrameArea: 4000 }); // the whole-image disc covers ~5000 px of the frame
    const l = await large.predict([click(320, 240)], null);
    expect(large.onWholeImage()).toBe(true);
    expect(Math.abs(maskArea(l.mask) - disc(W)) / disc(W)).toBeLessThan(0.05);

    const outside = focusSegmenter(open.predictor, whole, region, regional);
    const o = await outside.predict([click(100, 100)], null);
    expect(outside.onWholeImage()).toBe(true);
    expect(Math.abs(maskArea(o.mask) - disc(W)) / disc(W)).toBeLessThan(0.05);

    const edge = focusSegmenter(open.predictor, whole, region, regional);
    const e = await edge.predict([click(region.x0 + region.width - 2, 240)], null);
    expect(edge.onWholeImage()).toBe(true);
    expect(Math.abs(maskArea(e.mask) - disc(W)) / disc(W)).toBeLessThan(0.05);
  });

  it('a later click outside the region moves the session to the whole image', async () => {
    const s = focusSegmenter(open.predictor, whole, region, regional);
    const first = await s.predict([click(320, 240)], null);
    expect(s.onWholeImage()).toBe(false);
    await s.predict([click(320, 240), { x: 500, y: 240, positive: false }], first.lowRes);
    expect(s.onWholeImage()).toBe(true);
  });
});
