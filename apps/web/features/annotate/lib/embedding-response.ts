// Reads the API's embedding route: 202 while the worker computes it, then float16 bytes with the
// shape, dtype, checkpoint and image size in headers (or in the Content-Type of a presigned answer).
import { parseEmbeddingContentType } from '@dataengine/contracts';
import { float16ToFloat32, type BinaryMask } from '@dataengine/segment';

export interface FetchedEmbedding {
  data: Float32Array;
  dims: number[];
  imageWidth: number;
  imageHeight: number;
  checkpointId: string;
}

export type EmbeddingAnswer = { state: 'queued'; retryAfterMs: number } | { state: 'ready'; embedding: FetchedEmbedding };

export class EmbeddingFormatError extends Error {
  override readonly name = 'EmbeddingFormatError';
}

/** Poll delay when Retry-After is missing or odd, and its bounds. */
const DEFAULT_RETRY_MS = 500;
const MAX_RETRY_MS = 5_000;

export function retryAfterMs(header: string | null): number {
  const seconds = Number(header);
  if (!header || !Number.isFinite(seconds) || seconds < 0) return DEFAULT_RETRY_MS;
  // the API says whole seconds; ask a little sooner so a ready embedding is not waited on
  return Math.min(MAX_RETRY_MS, Math.max(250, (seconds * 1000) / 2));
}

/**
 * Parses a 200 answer's headers and bytes into a float32 embedding: the API's X-Embedding-*
 * headers, or, for an answer straight from object storage (the API redirected to a presigned
 * URL), the same description in its Content-Type.
 */
export function readEmbedding(headers: { get(name: string): string | null }, bytes: ArrayBuffer): FetchedEmbedding {
  const direct = headers.get('x-embedding-shape') === null ? parseEmbeddingContentType(headers.get('content-type')) : null;
  const dims = (direct ? direct.shape.join(',') : (headers.get('x-embedding-shape') ?? '')).split(',').map(Number);
  const dtype = direct ? direct.dtype : headers.get('x-embedding-dtype');
  const size = /^(\d+)x(\d+)$/.exec(direct ? `${direct.imageWidth}x${direct.imageHeight}` : (headers.get('x-image-size') ?? ''));
  const checkpointId = direct ? direct.checkpointId : headers.get('x-checkpoint-id');
  if (dims.length === 0 || dims.some((d) => !Number.isInteger(d) || d <= 0)) throw new EmbeddingFormatError(`bad X-Embedding-Shape "${headers.get('x-embedding-shape')}"`);
  if (!size || !checkpointId) throw new EmbeddingFormatError('the embedding answer lacks X-Image-Size or X-Checkpoint-Id');
  const count = dims.reduce((a, b) => a * b, 1);
  let data: Float32Array;
  if (dtype === 'float16') {
    if (bytes.byteLength !== count * 2) throw new EmbeddingFormatError(`expected ${count * 2} bytes of float16, got ${bytes.byteLength}`);
    data = float16ToFloat32(new Uint16Array(bytes));
  } else if (dtype === 'float32') {
    if (bytes.byteLength !== count * 4) throw new EmbeddingFormatError(`expected ${count * 4} bytes of float32, got ${bytes.byteLength}`);
    data = new Float32Array(bytes);
  } else {
    throw new EmbeddingFormatError(`unsupported embedding dtype "${dtype}"`);
  }
  return { data, dims, imageWidth: Number(size[1]), imageHeight: Number(size[2]), checkpointId };
}

/** A mask with no pixels at the image's size (for a tool with nothing prompted yet). */
export const emptyMask = (width: number, height: number): BinaryMask => ({ width, height, data: new Uint8Array(width * height) });
