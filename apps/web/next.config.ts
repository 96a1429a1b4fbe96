import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { NextConfig } from 'next';
import { PHASE_DEVELOPMENT_SERVER } from 'next/constants';

// The monorepo root: Turbopack resolves (and output tracing follows) imports from libs/ only
// inside it. `next build apps/web` runs this file with apps/web as its directory.
const repoRoot = path.resolve(__dirname, '../..');

/**
 * Cross-origin isolation for every response: the annotator will run onnxruntime-web with threads
 * (SharedArrayBuffer), which needs COOP + COEP. `credentialless` rather than `require-corp` so
 * cross-origin resources without CORP headers still load (without credentials); same-origin
 * images (everything under /api, proxied) keep their cookie. See STACK-NOTES.md.
 */
const ISOLATION_HEADERS = [
  { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
  { key: 'Cross-Origin-Embedder-Policy', value: 'credentialless' },
];

/**
 * What pages of the app may do (Content-Security-Policy) and how they may be shown: never inside
 * another site's frame (clickjacking), no type sniffing, no URL leaking to other origins.
 * - scripts: the app's own, plus the inline ones Next.js writes into every page ('unsafe-inline':
 *   per-request nonces would make every page dynamic); 'wasm-unsafe-eval' lets onnxruntime-web
 *   compile its WebAssembly (the annotator's decoder), and `next dev` needs 'unsafe-eval'
 * - styles: own files and inline style attributes (React's style props); images: own, blob:, data:
 * - workers: the SAM decoder worker and onnxruntime's threads (same origin, blob:)
 * - connect: the same-origin proxy only (/trpc, /api, /ort); forms post only here; no plugins
 */
function securityHeaders(dev: boolean): { key: string; value: string }[] {
  const store = objectStoreOrigin();
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'${dev ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' blob: data:${store ? ` ${store}` : ''}`,
    "font-src 'self' data:",
    `connect-src 'self' blob: data:${store ? ` ${store}` : ''}${dev ? ' ws: wss:' : ''}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
  return [
    { key: 'Content-Security-Policy', value: csp },
    { key: 'X-Frame-Options', value: 'DENY' },
    { key: 'X-Content-Type-Options', value: 'nosniff' },
    { key: 'Referrer-Policy', value: 'same-origin' },
    { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=()' },
  ];
}

/**
 * With BLOB_STORE=s3 the API redirects image requests to presigned URLs of the object store, so
 * pages may load images from its origin: S3_PUBLIC_ENDPOINT (the address browsers reach), else
 * S3_ENDPOINT. Read when Next loads this config (build and start): set them for both.
 */
function objectStoreOrigin(): string | null {
  // eslint-disable-next-line no-restricted-properties -- Next reads its config before any app code runs
  const env = process.env;
  if (env['BLOB_STORE'] !== 's3') return null;
  // no endpoint: AWS S3 itself, virtual-hosted (bucket.s3.region.amazonaws.com)
  const aws = env['S3_BUCKET'] ? `https://${env['S3_BUCKET']}.s3.${env['S3_REGION'] || 'us-east-1'}.amazonaws.com` : null;
  const endpoint = env['S3_PUBLIC_ENDPOINT'] || env['S3_ENDPOINT'] || aws;
  if (!endpoint) return null;
  try {
    return new URL(endpoint).origin;
  } catch {
    return null;
  }
}

/**
 * onnxruntime-web 1.30 loads its wasm runtime at run time from `ort.env.wasm.wasmPaths` (the
 * annotator's worker sets '/ort/'), so the two files are served from public/ort/ (gitignored),
 * copied from the installed package whenever Next loads this config (dev, build, start).
 */
const ORT_RUNTIME_FILES = ['ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm'];
function copyOrtRuntime(): void {
  const from = path.join(repoRoot, 'node_modules/onnxruntime-web/dist');
  const to = path.join(__dirname, 'public/ort');
  mkdirSync(to, { recursive: true });
  for (const file of ORT_RUNTIME_FILES) copyFileSync(path.join(from, file), path.join(to, file));
}
copyOrtRuntime();

const nextConfig = (phase: string): NextConfig => ({
  reactStrictMode: true,
  poweredByHeader: false,
  turbopack: { root: repoRoot },
  outputFileTracingRoot: repoRoot,
  // Types are checked by `tsc -p apps/web/tsconfig.json` (nx target web:typecheck), not here: via
  // `import type { AppRouter }` the program spans every server library (engine → synth → segment),
  // so the build would re-check all of them (15–45 s on 2 cores) and fail on errors that cannot
  // affect this bundle. Run the typecheck target wherever the build runs in CI.
  typescript: { ignoreBuildErrors: true },
  async headers() {
    return [{ source: '/:path*', headers: [...ISOLATION_HEADERS, ...securityHeaders(phase === PHASE_DEVELOPMENT_SERVER)] }];
  },
});

export default nextConfig;
