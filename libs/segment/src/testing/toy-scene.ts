import type { BinaryMask } from '../rle/rle.types';
import type { OracleInstance } from './oracle-amg-model';

/**
 * Tiny hand-built scenes for AMG unit tests (the richer `@dataengine/synth` scenes are used by the
 * cross-library suite in tests/segment — libs/segment cannot depend on synth, which depends on it).
 */
export type ToyShape =
  | { kind: 'rect'; x0: number; y0: number; x1: number; y1: number }
  | { kind: 'disc'; cx: number; cy: number; r: number };

export interface ToyInstanceSpec {
  id: number;
  parentId?: number | null;
  level?: OracleInstance['level'];
  /** Union of `add` minus `cut` (rectangles end exclusive). */
  add: ToyShape[];
  cut?: ToyShape[];
}

export function toyMask(width: number, height: number, add: readonly ToyShape[], cut: readonly ToyShape[] = []): BinaryMask {
  const data = new Uint8Array(width * height);
  const paint = (s: ToyShape, v: number): void => {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const inside =
          s.kind === 'rect' ? x >= s.x0 && x < s.x1 && y >= s.y0 && y < s.y1 : (x + 0.5 - s.cx) ** 2 + (y + 0.5 - s.cy) ** 2 <= s.r * s.r;
        if (inside) data[y * width + x] = v;
      }
    }
  };
  for (const s of add) paint(s, 1);
  for (const s of cut) paint(s, 0);
  return { height, width, data };
}

export function toyInstances(width: number, height: number, specs: readonly ToyInstanceSpec[]): OracleInstance[] {
  return specs.map((s) => ({
    id: s.id,
    parentId: s.parentId ?? null,
    level: s.level ?? 'whole',
    mask: toyMask(width, height, s.add, s.cut),
  }));
}
