// RLE encode / decode / IoU-on-runs on a 1500×2250 (SA-1B sized) mask, beside naive dense versions
// in the same run. Run: npx tsx bench/rle.bench.ts   (prints medians; not a test)
import { type BinaryMask, type UncompressedRle, decodeRle, encodeMask, rleIou } from '@dataengine/segment';
import { denseCounts } from '@dataengine/segment/testing';

const H = 1500;
const W = 2250;
const REPS = 21;

function ellipseMask(cx: number, cy: number, rx: number, ry: number, holes = 0): BinaryMask {
  const data = new Uint8Array(H * W);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const dx = (x - cx) / rx;
      const dy = (y - cy) / ry;
      let on = dx * dx + dy * dy <= 1;
      if (on && holes > 0 && Math.sin(x / 37) * Math.cos(y / 23) > 0.9) on = false; // small holes: more runs
      if (on) data[y * W + x] = 1;
    }
  }
  return { height: H, width: W, data };
}

/** Naive dense encoder: visit every pixel in column-major order. */
const naiveEncode = (m: BinaryMask): UncompressedRle => ({ size: [m.height, m.width], counts: denseCounts(m) });

function naiveDecode(r: UncompressedRle): BinaryMask {
  const [h, w] = r.size;
  const data = new Uint8Array(h * w);
  let pos = 0;
  r.counts.forEach((c, j) => {
    for (let k = 0; k < c; k++, pos++) {
      const x = Math.floor(pos / h);
      data[(pos - x * h) * w + x] = j & 1;
    }
  });
  return { height: h, width: w, data };
}

function denseIou(a: BinaryMask, b: BinaryMask): number {
  let i = 0;
  let u = 0;
  for (let k = 0; k < a.data.length; k++) {
    i += a.data[k]! & b.data[k]!;
    u += a.data[k]! | b.data[k]!;
  }
  return u === 0 ? 0 : i / u;
}

function median(f: () => unknown, reps = REPS): number {
  const t: number[] = [];
  for (let r = 0; r < reps; r++) {
    const s = performance.now();
    f();
    t.push(performance.now() - s);
  }
  return t.sort((p, q) => p - q)[reps >> 1]!;
}

const a = ellipseMask(1100, 700, 900, 600, 1);
const b = ellipseMask(1200, 760, 800, 560);
const ra = encodeMask(a);
const rb = encodeMask(b);
const mpx = (H * W) / 1e6;
const row = (name: string, ms: number): string => `${name.padEnd(40)} ${ms.toFixed(3).padStart(9)} ms  ${(mpx / (ms / 1000)).toFixed(0).padStart(7)} Mpx/s`;

console.log(`RLE benchmark: ${H}x${W} masks (${ra.counts.length} and ${rb.counts.length} runs), median of ${REPS}`);
console.log(row('encodeMask (library)', median(() => encodeMask(a))));
console.log(row('encode, naive dense', median(() => naiveEncode(a), 7)));
console.log(row('decodeRle (library)', median(() => decodeRle(ra))));
console.log(row('decode, naive dense', median(() => naiveDecode(ra), 7)));
console.log(row('rleIou on runs (no decoding)', median(() => rleIou(ra, rb))));
console.log(row('IoU, dense (masks already decoded)', median(() => denseIou(a, b), 7)));
console.log(row('IoU, dense incl. decoding both', median(() => denseIou(decodeRle(ra), decodeRle(rb)), 7)));
console.log(`check: rleIou ${rleIou(ra, rb).toFixed(6)} = dense ${denseIou(a, b).toFixed(6)}`);
