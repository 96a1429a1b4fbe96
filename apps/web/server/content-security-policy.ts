// The pages' Content-Security-Policy, sent per request by proxy.ts from the server's run-time
// environment (server-env.ts), so the object store's address can change without a rebuild.
// Pure (unit-tested in content-security-policy.test.ts).

/**
 * What pages of the app may do:
 * - scripts: the app's own, plus the inline ones Next.js writes into every page ('unsafe-inline':
 *   per-request nonces would make every page dynamic); 'wasm-unsafe-eval' lets onnxruntime-web
 *   compile its WebAssembly (the annotator's decoder), and `next dev` needs 'unsafe-eval'
 * - styles: own files and inline style attributes (React's style props); images: own, blob:, data:
 * - workers: the SAM decoder worker and onnxruntime's threads (same origin, blob:)
 * - connect: the same-origin proxy (/trpc, /api, /ort); forms post only here; no plugins
 * - with BLOB_STORE=s3, images and fetches also from the object store's origin: the API answers
 *   image, thumbnail and embedding requests with a redirect to a presigned URL there
 */
export function contentSecurityPolicy(options: { dev: boolean; objectStoreOrigin: string | null }): string {
  const store = options.objectStoreOrigin ? ` ${options.objectStoreOrigin}` : '';
  return [
    "default-src 'self'",
    `script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'${options.dev ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' blob: data:${store}`,
    "font-src 'self' data:",
    `connect-src 'self' blob: data:${store}${options.dev ? ' ws: wss:' : ''}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export interface ObjectStoreSettings {
  BLOB_STORE: 'local' | 's3';
  S3_PUBLIC_ENDPOINT?: string;
  S3_ENDPOINT?: string;
  S3_BUCKET?: string;
  S3_REGION: string;
}

/**
 * The origin browsers load presigned URLs from: S3_PUBLIC_ENDPOINT (the address browsers reach),
 * else S3_ENDPOINT, else AWS S3's virtual-hosted bucket address; null with the local store.
 */
export function objectStoreOrigin(settings: ObjectStoreSettings): string | null {
  if (settings.BLOB_STORE !== 's3') return null;
  const aws = settings.S3_BUCKET ? `https://${settings.S3_BUCKET}.s3.${settings.S3_REGION}.amazonaws.com` : null;
  const endpoint = settings.S3_PUBLIC_ENDPOINT ?? settings.S3_ENDPOINT ?? aws;
  return endpoint ? new URL(endpoint).origin : null;
}
