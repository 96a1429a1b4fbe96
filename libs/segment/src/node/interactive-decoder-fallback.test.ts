import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PredictorAmgModel } from '../amg/predictor-amg-model';
import { SamAutomaticMaskGenerator } from '../amg/sam-automatic-mask-generator';
import type { RgbImage } from '../pipeline/image-resize';
import { SamPredictor } from '../pipeline/sam-predictor';
import { writeContractBundle } from '../testing/index';
import { closeAllBundles, openBundle } from './open-bundle';

// A contract-valid decoder from which the interactive decoder cannot be derived (no output reads
// image_embeddings): every Node caller falls back to the contract decoder and says so once.
const W = 160;
const H = 120;
const image: RgbImage = { width: W, height: H, channels: 3, data: new Uint8Array(W * H * 3).fill(120) };
const FALLBACK_LINE =
  'segment: the interactive decoder could not be derived from decoder.onnx: the decoder has no "image_embeddings" input; using the contract decoder (decoder.onnx run as-is, slower)';

let root: string;
let bundleDir: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'segment-fallback-'));
  bundleDir = await writeContractBundle(join(root, 'bundle'), 'decoder-ignores-embedding');
});
afterAll(async () => {
  await closeAllBundles();
  await rm(root, { recursive: true, force: true });
});

describe('SamPredictor on a decoder the interactive graphs cannot be derived from', () => {
  it('decode falls back to the contract decoder without warmUp, logging one line', async () => {
    const lines: string[] = [];
    const { predictor, backend } = await openBundle(bundleDir, { intraOpNumThreads: 1, log: (line) => lines.push(line) });
    const embedding = await predictor.embedImage(image);
    const click = { points: [{ x: 80, y: 60, label: 1 as const }] };
    const first = await predictor.decode(embedding, click);
    // the contract disc of channel 2 (the §1.4 choice): radius 40 S-frame px = 40 / (1024 / 160) = 6.25 px
    const [mask] = first.masks;
    expect(mask!.channel).toBe(2);
    expect(mask!.mask.data[60 * W + 80]).toBe(1);
    expect(mask!.mask.data[60 * W + 90]).toBe(0);
    expect(mask!.area).toBeGreaterThan(100);
    // exactly what a predictor told to use the contract decoder returns
    const contract = await new SamPredictor(backend, predictor.config, { interactive: false }).decode(embedding, click);
    expect(Buffer.from(mask!.mask.data).equals(Buffer.from(contract.masks[0]!.mask.data))).toBe(true);
    expect(predictor.usesInteractiveDecoder).toBe(false);
    expect(predictor.interactiveProblem).toBe('the interactive decoder could not be derived from decoder.onnx: the decoder has no "image_embeddings" input');
    // more decodes (a mask prompt, multimask, another image) do not repeat the line
    await predictor.decode(embedding, { points: [{ x: 20, y: 20, label: 1 }], maskInput: mask!.lowResLogits });
    expect((await predictor.decode(await predictor.embedImage(image), { points: [{ x: 40, y: 40, label: 1 }] }, { multimask: true })).masks).toHaveLength(3);
    expect(lines).toEqual([FALLBACK_LINE]);
  });

  it('automatic mask generation (the autogen path) falls back on its first crop, logging one line', async () => {
    const lines: string[] = [];
    const { backend, predictor: opened } = await openBundle(bundleDir, { intraOpNumThreads: 1 });
    const predictor = new SamPredictor(backend, opened.config, { log: (line) => lines.push(line) });
    // the contract discs are soft: the default stability threshold would drop them (SAM-SPEC.md §8)
    const generator = new SamAutomaticMaskGenerator(new PredictorAmgModel(predictor), { pointsPerSide: 4, stabilityScoreThresh: 0.5 });
    const records = await generator.generate(image);
    expect(records.length).toBeGreaterThan(0);
    expect(lines).toEqual([FALLBACK_LINE]);
  });

  it('warmUp (the browser worker path) falls back the same way', async () => {
    const lines: string[] = [];
    const { backend, predictor: opened } = await openBundle(bundleDir, { intraOpNumThreads: 1 });
    const predictor = new SamPredictor(backend, opened.config, { log: (line) => lines.push(line) });
    await predictor.warmUp();
    const { masks } = await predictor.decode(await predictor.embedImage(image), { points: [{ x: 80, y: 60, label: 1 }] });
    expect(masks[0]!.mask.data[60 * W + 80]).toBe(1);
    expect(lines).toEqual([FALLBACK_LINE]);
  });
});
