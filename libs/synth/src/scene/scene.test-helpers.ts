import type { BboxXywh, BinaryMask } from '@dataengine/segment';

export function maskArea(mask: BinaryMask): number {
  let a = 0;
  for (const v of mask.data) a += v;
  return a;
}

export function maskBboxSam(mask: BinaryMask): BboxXywh {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < mask.height; y++) {
    for (let x = 0; x < mask.width; x++) {
      if (mask.data[y * mask.width + x] !== 1) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      y1 = y;
    }
  }
  return x1 < 0 ? [0, 0, 0, 0] : [x0, y0, x1 - x0, y1 - y0];
}

/** True when the mask has a background pixel that 4-connected background cannot reach from outside the bbox. */
export function hasEnclosedHole(mask: BinaryMask, bbox: BboxXywh): boolean {
  const [bx, by, bw1, bh1] = bbox;
  const w = bw1 + 3; // one pixel of margin each side
  const h = bh1 + 3;
  const seen = new Uint8Array(w * h);
  const inside = (x: number, y: number): boolean => {
    const ix = bx + x - 1;
    const iy = by + y - 1;
    if (ix < 0 || iy < 0 || ix >= mask.width || iy >= mask.height) return false;
    return mask.data[iy * mask.width + ix] === 1;
  };
  const stack = [0];
  seen[0] = 1;
  while (stack.length > 0) {
    const i = stack.pop()!;
    const x = i % w;
    const y = (i - x) / w;
    for (const [nx, ny] of [
      [x + 1, y],
      [x - 1, y],
      [x, y + 1],
      [x, y - 1],
    ] as const) {
      if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
      const j = ny * w + nx;
      if (seen[j] === 1 || inside(nx, ny)) continue;
      seen[j] = 1;
      stack.push(j);
    }
  }
  for (let y = 1; y < h - 1; y++) for (let x = 1; x < w - 1; x++) if (seen[y * w + x] === 0 && !inside(x, y)) return true;
  return false;
}
