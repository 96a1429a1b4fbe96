/**
 * Greedy box NMS with torchvision semantics (SAM-SPEC.md §3.2, S11): candidates by descending
 * score; a box is suppressed when its IoU with an already kept box is **>** the threshold; box
 * area `(x1 − x0)·(y1 − y0)` with no +1 (a one-pixel-wide mask has zero area); the IoU is a
 * float32 quotient (torchvision's CPU kernel computes in the boxes' float dtype) compared with the
 * double threshold; 0/0 is NaN and never suppresses. Returns kept indices in decreasing score
 * order. Ties among equal scores keep input order (a stable sort; torchvision does not promise
 * one, SAM-SPEC.md §3.2).
 */
export function boxNms(boxes: ArrayLike<number>, scores: ArrayLike<number>, iouThreshold: number): number[] {
  const n = scores.length;
  if (boxes.length !== 4 * n) throw new RangeError(`boxNms: ${boxes.length / 4} boxes but ${n} scores`);
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => {
    const d = scores[b]! - scores[a]!;
    return d !== 0 && !Number.isNaN(d) ? d : a - b;
  });
  const area = new Float64Array(n);
  for (let i = 0; i < n; i++) area[i] = Math.fround((boxes[4 * i + 2]! - boxes[4 * i]!) * (boxes[4 * i + 3]! - boxes[4 * i + 1]!));
  const suppressed = new Uint8Array(n);
  const keep: number[] = [];
  for (let oi = 0; oi < n; oi++) {
    const i = order[oi]!;
    if (suppressed[i] === 1) continue;
    keep.push(i);
    const ix0 = boxes[4 * i]!;
    const iy0 = boxes[4 * i + 1]!;
    const ix1 = boxes[4 * i + 2]!;
    const iy1 = boxes[4 * i + 3]!;
    for (let oj = oi + 1; oj < n; oj++) {
      const j = order[oj]!;
      if (suppressed[j] === 1) continue;
      const w = Math.max(0, Math.min(ix1, boxes[4 * j + 2]!) - Math.max(ix0, boxes[4 * j]!));
      const h = Math.max(0, Math.min(iy1, boxes[4 * j + 3]!) - Math.max(iy0, boxes[4 * j + 1]!));
      const inter = Math.fround(w * h);
      const iou = Math.fround(inter / Math.fround(area[i]! + area[j]! - inter));
      if (iou > iouThreshold) suppressed[j] = 1;
    }
  }
  return keep;
}

/** IoU of two XYXY boxes, no +1 on widths (COCO / torchvision); 0 when the union is empty. */
export function boxIouXyxy(a: readonly number[], b: readonly number[]): number {
  const w = Math.max(0, Math.min(a[2]!, b[2]!) - Math.max(a[0]!, b[0]!));
  const h = Math.max(0, Math.min(a[3]!, b[3]!) - Math.max(a[1]!, b[1]!));
  const inter = w * h;
  const union = (a[2]! - a[0]!) * (a[3]! - a[1]!) + (b[2]! - b[0]!) * (b[3]! - b[1]!) - inter;
  return union > 0 ? inter / union : 0;
}
