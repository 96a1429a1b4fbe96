import type { Instance, InstanceLevel } from './scene.types';

/** A drawn node, flattened in draw (DFS) order, so a parent's index is below its children's. */
export interface DrawnNode {
  kind: string;
  level: InstanceLevel;
  /** Index of the parent node, or −1 for a top-level object. */
  parent: number;
}

const MAX_DEPTH = 4;

/**
 * Turns the per-pixel owner labels into instances. A node's mask is the union of its own
 * visible pixels and those of all its descendants (visible = not painted over later). Nodes
 * below `minArea` are dropped, and so is a child whose mask equals its nearest kept ancestor's
 * (nothing to disambiguate). Children of a dropped node are re-attached to the nearest kept
 * ancestor (keeping their own level); the dropped node's pixels still count for its ancestors.
 */
export function extractInstances(
  labels: Int32Array,
  nodes: readonly DrawnNode[],
  width: number,
  height: number,
  minArea: number,
): Instance[] {
  const n = nodes.length;
  const area = new Float64Array(n);
  const x0 = new Int32Array(n).fill(width);
  const y0 = new Int32Array(n).fill(height);
  const x1 = new Int32Array(n).fill(-1);
  const y1 = new Int32Array(n).fill(-1);
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i++) {
      const l = labels[i]!;
      if (l < 0) continue;
      area[l]!++;
      if (x < x0[l]!) x0[l] = x;
      if (x > x1[l]!) x1[l] = x;
      if (y < y0[l]!) y0[l] = y;
      y1[l] = y;
    }
  }
  // Children come after parents, so a reverse sweep accumulates whole subtrees.
  for (let k = n - 1; k >= 0; k--) {
    const p = nodes[k]!.parent;
    if (p < 0) continue;
    area[p]! += area[k]!;
    if (x0[k]! < x0[p]!) x0[p] = x0[k]!;
    if (y0[k]! < y0[p]!) y0[p] = y0[k]!;
    if (x1[k]! > x1[p]!) x1[p] = x1[k]!;
    if (y1[k]! > y1[p]!) y1[p] = y1[k]!;
  }

  // nearestKept[k]: k itself if kept, else its nearest kept ancestor (−1 if none).
  const nearestKept = new Int32Array(n).fill(-1);
  const instanceOf = new Int32Array(n).fill(-1);
  const instances: Instance[] = [];
  for (let k = 0; k < n; k++) {
    const node = nodes[k]!;
    const ancestor = node.parent < 0 ? -1 : nearestKept[node.parent]!;
    const kept = area[k]! >= minArea && (ancestor < 0 || area[k]! < area[ancestor]!);
    nearestKept[k] = kept ? k : ancestor;
    if (!kept) continue;
    instanceOf[k] = instances.length;
    instances.push({
      id: instances.length + 1,
      kind: node.kind,
      parentId: ancestor < 0 ? null : instanceOf[ancestor]! + 1,
      level: node.level,
      mask: { height, width, data: new Uint8Array(width * height) },
      bbox: [x0[k]!, y0[k]!, x1[k]! - x0[k]!, y1[k]! - y0[k]!],
      area: area[k]!,
    });
  }

  // For each label, the instances its pixels belong to (itself and kept ancestors).
  const chains = new Int32Array(n * MAX_DEPTH);
  const chainLength = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    let c = 0;
    for (let a = nearestKept[k]!; a >= 0; a = nodes[a]!.parent < 0 ? -1 : nearestKept[nodes[a]!.parent]!) {
      if (c === MAX_DEPTH) throw new Error(`scene hierarchy deeper than ${MAX_DEPTH} levels`);
      chains[k * MAX_DEPTH + c++] = instanceOf[a]!;
    }
    chainLength[k] = c;
  }
  const masks = instances.map((inst) => inst.mask.data);
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    if (l < 0) continue;
    for (let c = 0, e = chainLength[l]!; c < e; c++) masks[chains[l * MAX_DEPTH + c]!]![i] = 1;
  }
  return instances;
}
