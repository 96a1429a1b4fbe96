import { describe, expect, it } from 'vitest';
import { decodeDetectorOutput } from './index';

const S = 64;
const N = S * S;

function grid(cells: { i: number; j: number; logit: number; box: [number, number, number, number] }[]): { objectness: Float32Array; boxes: Float32Array } {
  const objectness = new Float32Array(N).fill(-10);
  const boxes = new Float32Array(4 * N);
  for (const c of cells) {
    const k = c.i * S + c.j;
    objectness[k] = c.logit;
    c.box.forEach((v, ch) => (boxes[ch * N + k] = v));
  }
  return { objectness, boxes };
}

describe('decodeDetectorOutput', () => {
  it('decodes trainer ltrb distances from cell centres and undoes the long-side resize', () => {
    // image 2250×1500 → 1024×683 (s = 0.4551…); cell (10, 20) centre (328, 168) in the 1024 frame
    const out = grid([{ i: 10, j: 20, logit: 2, box: [40, 20, 60, 30] }]);
    const [d] = decodeDetectorOutput(out, { width: 2250, height: 1500 });
    expect(d!.score).toBeCloseTo(1 / (1 + Math.exp(-2)), 6);
    const sx = 2250 / 1024;
    const sy = 1500 / 683;
    expect(d!.box[0]).toBeCloseTo(288 * sx, 3);
    expect(d!.box[1]).toBeCloseTo(148 * sy, 3);
    expect(d!.box[2]).toBeCloseTo(388 * sx, 3);
    expect(d!.box[3]).toBeCloseTo(198 * sy, 3);
  });

  it('supports cxcywh normalised boxes, thresholds with ≥, clips, and NMSes', () => {
    const logitHalf = 0; // sigmoid = 0.5 exactly
    const out = grid([
      { i: 5, j: 5, logit: 3, box: [0.1, 0.1, 0.1, 0.1] },
      { i: 5, j: 8, logit: 2, box: [0.1, 0.1, 0.1, 0.1] }, // same box, lower score → suppressed
      { i: 40, j: 40, logit: logitHalf, box: [0.99, 0.5, 0.1, 0.1] }, // clipped at the right edge
    ]);
    const dets = decodeDetectorOutput(out, { width: 1024, height: 1024 }, { boxFormat: 'cxcywh', scoreThreshold: 0.5 });
    expect(dets).toHaveLength(2);
    expect(dets[0]!.box.map((v) => Math.round(v * 1000) / 1000)).toEqual([51.2, 51.2, 153.6, 153.6]);
    expect(dets[1]!.box[2]).toBe(1024);
    expect(decodeDetectorOutput(out, { width: 1024, height: 1024 }, { boxFormat: 'cxcywh', scoreThreshold: 0.5000001 })).toHaveLength(1);
  });

  it('keeps only local maxima by default and validates shapes', () => {
    const out = grid([
      { i: 5, j: 5, logit: 3, box: [10, 10, 10, 10] },
      { i: 5, j: 6, logit: 2.5, box: [100, 100, 100, 100] }, // neighbour of a stronger peak
    ]);
    expect(decodeDetectorOutput(out, { width: 1024, height: 1024 })).toHaveLength(1);
    expect(decodeDetectorOutput(out, { width: 1024, height: 1024 }, { localMaxima: false })).toHaveLength(2);
    // probabilities and absolute xyxy corners (manifest score "probability", box_format "xyxy")
    const probs = grid([{ i: 1, j: 1, logit: 0.8, box: [10, 20, 110, 220] }]);
    expect(decodeDetectorOutput(probs, { width: 1024, height: 1024 }, { score: 'probability', boxFormat: 'xyxy' })).toEqual([
      { box: [10, 20, 110, 220], score: Math.fround(0.8) },
    ]);
    expect(() => decodeDetectorOutput({ objectness: new Float32Array(10), boxes: new Float32Array(40) }, { width: 1, height: 1 })).toThrow(/\[1,1,S,S\]/);
    expect(() => decodeDetectorOutput({ objectness: new Float32Array(N), boxes: new Float32Array(N) }, { width: 1, height: 1 })).toThrow(/\[1,4,64,64\]/);
  });
});
