import type { BboxXywh, BinaryMask } from '@dataengine/segment';

export { denseArea as maskArea, denseBboxSam as maskBboxSam } from '@dataengine/segment/testing';

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

/** FNV-1a (32-bit) over a scene's pixels and every instance's metadata and mask: a compact fingerprint. */
export function sceneFingerprint(scene: {
  rgb: Uint8Array;
  instances: readonly { id: number; kind: string; parentId: number | null; level: string; bbox: readonly number[]; area: number; mask: BinaryMask }[];
}): string {
  let h = 0x811c9dc5;
  const eat = (bytes: ArrayLike<number>): void => {
    for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  };
  const text = (s: string): void => eat(Array.from(s, (c) => c.charCodeAt(0) & 255));
  eat(scene.rgb);
  for (const i of scene.instances) {
    text(JSON.stringify([i.id, i.kind, i.parentId, i.level, i.bbox, i.area]));
    eat(i.mask.data);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}
