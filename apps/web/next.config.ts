import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { NextConfig } from 'next';

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
 * How pages may be shown: never inside another site's frame (clickjacking), no type sniffing, no
 * URL leaking to other origins. The Content-Security-Policy is not here: proxy.ts sends it per
 * request, because it names the object store's origin, which is run-time configuration.
 */
const SECURITY_HEADERS = [
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Referrer-Policy', value: 'same-origin' },
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=()' },
];

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

const nextConfig = (): NextConfig => ({
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
    return [{ source: '/:path*', headers: [...ISOLATION_HEADERS, ...SECURITY_HEADERS] }];
  },
});

export default nextConfig;
