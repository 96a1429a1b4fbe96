import { assertAmgImage } from './amg-image';
import type { AmgModel, RgbImage } from './amg-model';
import { type AmgOptions, type AmgPresetName, resolveAmgOptions } from './amg-options';
import { crossCropNms, postprocessSmallRegions } from './amg-postprocess';
import { type AmgCandidate, type AmgRunStats, emptyRunStats, processCrop } from './amg-process-crop';
import { type AmgRecord, candidateToRecord } from './amg-records';
import { buildAllLayerPointGrids, generateCropBoxes } from './crop-boxes';

/**
 * Bound on the logits one decoder call may return (not an upstream parameter): a batch of
 * `pointsPerBatch` points at crop resolution is split into smaller calls when
 * `points × 3 × cropH × cropW × 4 bytes` would exceed it, so memory stays bounded on large images.
 * Results are identical (batching only affects speed and memory, SAM-SPEC.md §3.1).
 */
export const AMG_DEFAULT_MAX_LOGITS_BYTES_PER_CALL = 256 * 1024 * 1024;

export interface AmgRuntimeOptions {
  maxLogitsBytesPerCall?: number;
}

export interface AmgRunOptions {
  signal?: AbortSignal;
  /** Called after each crop with its index and the number of crops. */
  onCrop?: (done: number, total: number) => void;
}

export interface AmgResult {
  records: AmgRecord[];
  stats: AmgRunStats & { totalMs: number; crops: number };
}

/**
 * SamAutomaticMaskGenerator (SAM-SPEC.md §3): crops → point grids → batched decoding → per-batch
 * filters (pred IoU `>`, stability `≥`, crop edge) → within-crop NMS → cross-crop NMS →
 * optional small-region removal → records. Every kept mask is held only as a full-size RLE; the
 * only dense buffers are one crop-sized logit batch and one crop-sized binary mask.
 */
export class SamAutomaticMaskGenerator {
  readonly options: AmgOptions;
  private readonly maxLogitsBytesPerCall: number;

  constructor(
    private readonly model: AmgModel,
    options: Partial<AmgOptions> = {},
    preset: AmgPresetName = 'sam-default',
    runtime: AmgRuntimeOptions = {},
  ) {
    this.options = resolveAmgOptions(options, preset);
    this.maxLogitsBytesPerCall = runtime.maxLogitsBytesPerCall ?? AMG_DEFAULT_MAX_LOGITS_BYTES_PER_CALL;
  }

  /** Records in upstream order (the NMS order, §3.5). */
  async generate(image: RgbImage, run: AmgRunOptions = {}): Promise<AmgRecord[]> {
    return (await this.generateWithStats(image, run)).records;
  }

  async generateWithStats(image: RgbImage, run: AmgRunOptions = {}): Promise<AmgResult> {
    const start = performance.now();
    const stats = emptyRunStats();
    const candidates = await this.generateMasks(image, stats, run);
    const records = candidates.map((c) => candidateToRecord(c, this.options.outputMode));
    const { boxes } = generateCropBoxes(image.height, image.width, this.options.cropNLayers, this.options.cropOverlapRatio);
    return { records, stats: { ...stats, totalMs: performance.now() - start, crops: boxes.length } };
  }

  /** `_generate_masks` plus `postprocess_small_regions`, in the internal candidate form. */
  async generateMasks(image: RgbImage, stats: AmgRunStats = emptyRunStats(), run: AmgRunOptions = {}): Promise<AmgCandidate[]> {
    assertAmgImage(image);
    const o = this.options;
    const { boxes, layers } = generateCropBoxes(image.height, image.width, o.cropNLayers, o.cropOverlapRatio);
    const grids = o.pointGrids ?? buildAllLayerPointGrids(o.pointsPerSide!, o.cropNLayers, o.cropNPointsDownscaleFactor);
    let all: AmgCandidate[] = [];
    for (let i = 0; i < boxes.length; i++) {
      const fromCrop = await processCrop({
        model: this.model,
        image,
        cropBox: boxes[i]!,
        layer: layers[i]!,
        grid: grids[layers[i]!]!,
        options: o,
        maxLogitsBytesPerCall: this.maxLogitsBytesPerCall,
        stats,
        ...(run.signal ? { signal: run.signal } : {}),
      });
      all = all.concat(fromCrop);
      run.onCrop?.(i + 1, boxes.length);
    }
    if (boxes.length > 1) {
      const before = all.length;
      all = crossCropNms(all, o.cropNmsThresh);
      stats.dropped.cropNms += before - all.length;
    }
    if (o.minMaskRegionArea > 0) {
      const before = all.length;
      all = postprocessSmallRegions(all, o.minMaskRegionArea, Math.max(o.boxNmsThresh, o.cropNmsThresh));
      stats.dropped.smallRegions += before - all.length;
    }
    return all;
  }
}
