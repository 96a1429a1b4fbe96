import { describe, expect, it } from 'vitest';
import { embeddingContentType } from '@dataengine/contracts';
import { float32ToFloat16 } from '@dataengine/segment';
import { readEmbedding, retryAfterMs } from './embedding-response';

const headers = (h: Record<string, string>) => new Headers(h);

describe('embedding answer', () => {
  it('decodes float16 bytes with the shape and image size from the headers', () => {
    const values = Float32Array.from([0.5, -2, 1024, 0]);
    const bits = float32ToFloat16(values);
    const e = readEmbedding(headers({ 'x-embedding-shape': '1,1,2,2', 'x-embedding-dtype': 'float16', 'x-image-size': '480x360', 'x-checkpoint-id': 'c1' }), bits.buffer as ArrayBuffer);
    expect(Array.from(e.data)).toEqual([0.5, -2, 1024, 0]);
    expect(e).toMatchObject({ dims: [1, 1, 2, 2], imageWidth: 480, imageHeight: 360, checkpointId: 'c1' });
  });

  it('reads the description from the Content-Type of an answer straight from object storage', () => {
    const bits = float32ToFloat16(Float32Array.from([1, 2, 3, 4]));
    const type = embeddingContentType({ dtype: 'float16', shape: [1, 1, 2, 2], checkpointId: '0f8fad5b-d9cb-469f-a165-70867728950e', imageWidth: 640, imageHeight: 480 });
    const e = readEmbedding(headers({ 'content-type': type }), bits.buffer as ArrayBuffer);
    expect(Array.from(e.data)).toEqual([1, 2, 3, 4]);
    expect(e).toMatchObject({ dims: [1, 1, 2, 2], imageWidth: 640, imageHeight: 480, checkpointId: '0f8fad5b-d9cb-469f-a165-70867728950e' });
    expect(() => readEmbedding(headers({ 'content-type': 'application/octet-stream' }), bits.buffer as ArrayBuffer)).toThrow(/bad X-Embedding-Shape/);
  });

  it('refuses a truncated body and unknown dtypes with a clear message', () => {
    const h = { 'x-embedding-shape': '1,256,64,64', 'x-image-size': '10x10', 'x-checkpoint-id': 'c' };
    expect(() => readEmbedding(headers({ ...h, 'x-embedding-dtype': 'float16' }), new ArrayBuffer(10))).toThrow(/expected 2097152 bytes of float16, got 10/);
    expect(() => readEmbedding(headers({ ...h, 'x-embedding-dtype': 'int8' }), new ArrayBuffer(10))).toThrow(/unsupported embedding dtype/);
  });

  it('polls a little sooner than Retry-After, within bounds', () => {
    expect(retryAfterMs('1')).toBe(500);
    expect(retryAfterMs(null)).toBe(500);
    expect(retryAfterMs('60')).toBe(5_000);
  });
});
