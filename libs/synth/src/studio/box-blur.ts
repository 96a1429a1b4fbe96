/**
 * In-place separable box blur of an interleaved `channels`-per-pixel float image, `passes` times
 * (two passes ≈ a triangle filter, three ≈ a Gaussian). Edges repeat the border pixel.
 */
export function boxBlur(data: Float32Array, w: number, h: number, channels: number, radius: number, passes = 2): void {
  const r = Math.round(radius);
  if (r <= 0 || w === 0 || h === 0) return;
  const line = new Float32Array(w);
  const copy = new Float32Array(data.length);
  const sums = new Float64Array(w * channels);
  for (let pass = 0; pass < passes; pass++) {
    for (let y = 0; y < h; y++) {
      for (let c = 0; c < channels; c++) blurRow(data, y * w * channels + c, channels, w, r, line);
    }
    blurColumns(data, copy, sums, w * channels, h, r);
  }
}

/** Running-sum box filter along one row (stride `stride`), clamped at both ends. */
function blurRow(data: Float32Array, start: number, stride: number, n: number, r: number, line: Float32Array): void {
  for (let i = 0, o = start; i < n; i++, o += stride) line[i] = data[o]!;
  const last = n - 1;
  const first = line[0]!;
  const end = line[last]!;
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += i < 0 ? first : i > last ? end : line[i]!;
  const norm = 1 / (2 * r + 1);
  for (let i = 0, o = start; i < n; i++, o += stride) {
    data[o] = sum * norm;
    const add = i + r + 1;
    const sub = i - r;
    sum += (add > last ? end : line[add]!) - (sub < 0 ? first : line[sub]!);
  }
}

/** The same filter down every column at once, row by row (cache-friendly): `rowLength` floats per row. */
function blurColumns(data: Float32Array, copy: Float32Array, sums: Float64Array, rowLength: number, h: number, r: number): void {
  copy.set(data);
  const last = h - 1;
  const norm = 1 / (2 * r + 1);
  sums.fill(0);
  for (let i = -r; i <= r; i++) {
    const o = (i < 0 ? 0 : i > last ? last : i) * rowLength;
    for (let x = 0; x < rowLength; x++) sums[x] = sums[x]! + copy[o + x]!;
  }
  for (let y = 0; y < h; y++) {
    const o = y * rowLength;
    const add = (y + r + 1 > last ? last : y + r + 1) * rowLength;
    const sub = (y - r < 0 ? 0 : y - r) * rowLength;
    for (let x = 0; x < rowLength; x++) {
      data[o + x] = sums[x]! * norm;
      sums[x] = sums[x]! + copy[add + x]! - copy[sub + x]!;
    }
  }
}

/** In-place [1 2 1] / 4 blur in x and y of an interleaved RGB float image (a mild lens softness). */
export function softenRgb(data: Float32Array, w: number, h: number): void {
  const row = new Float32Array(w * 3);
  for (let y = 0; y < h; y++) {
    const o = y * w * 3;
    row.set(data.subarray(o, o + w * 3));
    for (let x = 0; x < w; x++) {
      const l = x > 0 ? x - 1 : x;
      const r = x < w - 1 ? x + 1 : x;
      for (let c = 0; c < 3; c++) data[o + x * 3 + c] = (row[l * 3 + c]! + 2 * row[x * 3 + c]! + row[r * 3 + c]!) / 4;
    }
  }
  let prev = new Float32Array(w * 3);
  let cur = new Float32Array(w * 3);
  prev.set(data.subarray(0, w * 3));
  for (let y = 0; y < h; y++) {
    const o = y * w * 3;
    cur.set(data.subarray(o, o + w * 3));
    const next = y < h - 1 ? o + w * 3 : o;
    for (let i = 0; i < w * 3; i++) data[o + i] = (prev[i]! + 2 * cur[i]! + data[next + i]!) / 4;
    [prev, cur] = [cur, prev];
  }
}
