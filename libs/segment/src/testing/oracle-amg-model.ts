import type { BinaryMask } from '../rle/rle.types';
import { AMG_MASKS_PER_POINT, type AmgCropContext, type AmgModel, type MultimaskPrediction, type RgbImage } from '../amg/amg-model';

/**
 * A deterministic AmgModel backed by ground truth (a synthetic scene's exact instance masks):
 * a reference implementation for tests and benchmarks, not a learned model. For a point it finds
 * the chain of instances containing that pixel (sub-part ⊂ part ⊂ whole) and returns three logit
 * maps — finest, middle, whole, the way SAM orders subpart/part/whole — with `+logit` inside the
 * instance and `−logit` outside; shorter chains repeat (a plain object gives its mask three times).
 * A point on no instance gets the background (pixels in no whole) with `backgroundIou`.
 */
export interface OracleInstance {
  id: number;
  parentId: number | null;
  level: 'whole' | 'part' | 'subpart';
  /** Full-image row-major mask. */
  mask: BinaryMask;
}

export interface OracleOptions {
  /** Magnitude of the logits (default 8: far from the ±1 stability offsets, so stability is 1). */
  logit?: number;
  /** Predicted IoU per level of the returned mask (defaults whole 0.96, part 0.95, subpart 0.94). */
  iou?: Partial<Record<OracleInstance['level'], number>>;
  /** Predicted IoU of a background mask (default 0.5, below the 0.88 default threshold). */
  backgroundIou?: number;
  /**
   * Logit given to instance pixels that touch the instance's outside (4-neighbourhood), e.g. 0.5:
   * they then fall between the ±1 stability thresholds, lowering stability for thin or small masks.
   * Default: the same as the interior.
   */
  boundaryLogit?: number;
}

interface OracleHandle {
  context: AmgCropContext;
  planes: Map<number, Float32Array>;
}

const LEVEL_DEPTH = { whole: 0, part: 1, subpart: 2 } as const;
const BACKGROUND = -1;

export class OracleAmgModel implements AmgModel<OracleHandle> {
  readonly width: number;
  readonly height: number;
  private readonly deepest: Int32Array;
  private readonly byId = new Map<number, OracleInstance>();
  private readonly background: BinaryMask;
  private readonly logit: number;
  private readonly boundaryLogit: number;
  private buffer = new Float32Array(0);
  embedCalls = 0;
  decodeCalls = 0;

  constructor(
    private readonly instances: readonly OracleInstance[],
    width: number,
    height: number,
    private readonly options: OracleOptions = {},
  ) {
    this.width = width;
    this.height = height;
    this.logit = options.logit ?? 8;
    this.boundaryLogit = options.boundaryLogit ?? this.logit;
    this.deepest = new Int32Array(width * height).fill(BACKGROUND);
    const sorted = [...instances].sort((a, b) => LEVEL_DEPTH[a.level] - LEVEL_DEPTH[b.level]);
    for (const inst of sorted) {
      if (inst.mask.width !== width || inst.mask.height !== height) {
        throw new RangeError(`oracle instance ${inst.id} mask is ${inst.mask.height}x${inst.mask.width}, image is ${height}x${width}`);
      }
      this.byId.set(inst.id, inst);
      const d = inst.mask.data;
      for (let i = 0; i < d.length; i++) if (d[i] === 1) this.deepest[i] = inst.id;
    }
    const bg = new Uint8Array(width * height);
    for (let i = 0; i < bg.length; i++) bg[i] = this.deepest[i] === BACKGROUND ? 1 : 0;
    this.background = { height, width, data: bg };
  }

  async embedCrop(crop: RgbImage, context: AmgCropContext): Promise<OracleHandle> {
    const [x0, y0, x1, y1] = context.cropBox;
    if (crop.width !== x1 - x0 || crop.height !== y1 - y0) throw new RangeError('oracle: crop size does not match its crop box');
    if (context.imageWidth !== this.width || context.imageHeight !== this.height) throw new RangeError('oracle: image size differs from the scene');
    this.embedCalls++;
    return { context, planes: new Map() };
  }

  async predictMultimask(handle: OracleHandle, points: ReadonlyArray<readonly [number, number]>): Promise<MultimaskPrediction> {
    this.decodeCalls += points.length;
    const [x0, y0, x1, y1] = handle.context.cropBox;
    const cw = x1 - x0;
    const ch = y1 - y0;
    const plane = cw * ch;
    const size = points.length * AMG_MASKS_PER_POINT * plane;
    if (this.buffer.length < size) this.buffer = new Float32Array(size);
    const logits = this.buffer.subarray(0, size); // reused: the generator is done with it before the next call
    const iou = new Float32Array(points.length * AMG_MASKS_PER_POINT);
    points.forEach(([px, py], p) => {
      const ix = Math.min(this.width - 1, Math.max(0, Math.floor(px + x0)));
      const iy = Math.min(this.height - 1, Math.max(0, Math.floor(py + y0)));
      const chain = this.chainAt(ix, iy);
      const picks = chain.length === 0 ? [BACKGROUND, BACKGROUND, BACKGROUND] : [chain[0]!, chain[Math.min(1, chain.length - 1)]!, chain[chain.length - 1]!];
      picks.forEach((id, m) => {
        const k = p * AMG_MASKS_PER_POINT + m;
        logits.set(this.planeFor(handle, id), k * plane);
        iou[k] = id === BACKGROUND ? (this.options.backgroundIou ?? 0.5) : this.iouFor(this.byId.get(id)!.level);
      });
    });
    return { count: points.length, height: ch, width: cw, logits, iou };
  }

  release(handle: OracleHandle): void {
    handle.planes.clear();
  }

  /** Instance ids containing pixel (x, y), finest first. */
  chainAt(x: number, y: number): number[] {
    const chain: number[] = [];
    let id: number | null = this.deepest[y * this.width + x]!;
    while (id !== null && id !== BACKGROUND) {
      chain.push(id);
      id = this.byId.get(id)?.parentId ?? null;
    }
    return chain;
  }

  private iouFor(level: OracleInstance['level']): number {
    const defaults = { whole: 0.96, part: 0.95, subpart: 0.94 };
    return this.options.iou?.[level] ?? defaults[level];
  }

  private planeFor(handle: OracleHandle, id: number): Float32Array {
    const cached = handle.planes.get(id);
    if (cached) return cached;
    const mask = id === BACKGROUND ? this.background : this.byId.get(id)!.mask;
    const [x0, y0, x1, y1] = handle.context.cropBox;
    const cw = x1 - x0;
    const out = new Float32Array(cw * (y1 - y0)).fill(-this.logit);
    const W = this.width;
    const d = mask.data;
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) {
        const i = y * W + x;
        if (d[i] !== 1) continue;
        const edge = x === 0 || d[i - 1] !== 1 || x === W - 1 || d[i + 1] !== 1 || y === 0 || d[i - W] !== 1 || y === this.height - 1 || d[i + W] !== 1;
        out[(y - y0) * cw + (x - x0)] = edge ? this.boundaryLogit : this.logit;
      }
    }
    handle.planes.set(id, out);
    return out;
  }
}
