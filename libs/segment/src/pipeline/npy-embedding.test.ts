import { describe, expect, it } from 'vitest';
import { tensorFromNpy, tensorToNpy } from './npy-embedding';

describe('.npy embeddings (SAM-SPEC.md §2.3)', () => {
  it('a [1,256,64,64] float32 embedding is 128 header bytes + 4,194,304 data bytes = 4,194,432', () => {
    const data = Float32Array.from({ length: 256 * 64 * 64 }, (_, i) => Math.sin(i));
    const npy = tensorToNpy({ data, dims: [1, 256, 64, 64] });
    expect(npy.length).toBe(4_194_432);
    const header = new TextDecoder().decode(npy.subarray(10, 128));
    expect(header).toBe(`${"{'descr': '<f4', 'fortran_order': False, 'shape': (1, 256, 64, 64), }".padEnd(117, ' ')}\n`);
    expect(Array.from(npy.subarray(0, 10))).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 118, 0]);
    const back = tensorFromNpy(npy);
    expect(back.dims).toEqual([1, 256, 64, 64]);
    expect(back.data).toEqual(data);
  });

  it('rejects other dtypes and truncated data', () => {
    const npy = tensorToNpy({ data: new Float32Array(6), dims: [2, 3] });
    expect(tensorFromNpy(npy).dims).toEqual([2, 3]);
    expect(() => tensorFromNpy(npy.subarray(0, npy.length - 4))).toThrow(/needs 24/);
    const f8 = npy.slice();
    f8.set(new TextEncoder().encode("'<f8'"), 10 + "{'descr': ".length);
    expect(() => tensorFromNpy(f8)).toThrow(/float32/);
    expect(() => tensorFromNpy(new Uint8Array(20))).toThrow(/magic/);
  });
});
