// The embedding's description carried in its Content-Type, for answers that come straight from
// object storage (a presigned GET cannot add X-Embedding-* headers, but it can set the type, and
// Content-Type is readable cross-origin without CORS exposure).

export interface EmbeddingDescription {
  dtype: string;
  shape: number[];
  checkpointId: string;
  imageWidth: number;
  imageHeight: number;
}

/** `application/octet-stream; dtype=float16; shape="1,256,64,64"; checkpoint=<id>; image=640x480` */
export function embeddingContentType(d: EmbeddingDescription): string {
  return `application/octet-stream; dtype=${d.dtype}; shape="${d.shape.join(',')}"; checkpoint=${d.checkpointId}; image=${d.imageWidth}x${d.imageHeight}`;
}

/** The description in such a Content-Type, or null when it carries none. */
export function parseEmbeddingContentType(value: string | null): EmbeddingDescription | null {
  if (!value) return null;
  const params = new Map<string, string>();
  for (const part of value.split(';').slice(1)) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    params.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1'));
  }
  const size = /^(\d+)x(\d+)$/.exec(params.get('image') ?? '');
  const dtype = params.get('dtype');
  const checkpointId = params.get('checkpoint');
  const shape = (params.get('shape') ?? '').split(',').map(Number);
  if (!dtype || !checkpointId || !size || shape.some((n) => !Number.isInteger(n) || n <= 0)) return null;
  return { dtype, shape, checkpointId, imageWidth: Number(size[1]), imageHeight: Number(size[2]) };
}
