// Builds apps/web when it has no production build, or when its sources (or the contracts it
// imports) changed since the last one, so the browser tests never run a stale build.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { ensureWebBuild, REPO_ROOT } from '@dataengine/testing';

const WEB_DIR = path.join(REPO_ROOT, 'apps/web');
/** Inputs of the web bundle; e2e/ is not bundled, .next/ is the output. */
const SOURCE_DIRS = [
  ...['app', 'components', 'features', 'lib', 'server', 'styles'].map((d) => path.join(WEB_DIR, d)),
  ...['libs/contracts/src', 'libs/segment/src'].map((d) => path.join(REPO_ROOT, d)),
];
const SOURCE_FILES = ['next.config.ts', 'proxy.ts', 'instrumentation.ts', 'server-env.ts', 'tsconfig.json'].map((f) => path.join(WEB_DIR, f));

async function newestMtime(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  let newest = 0;
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    newest = Math.max(newest, (await stat(path.join(entry.parentPath, entry.name))).mtimeMs);
  }
  return newest;
}

async function webBuildIsStale(): Promise<boolean> {
  const built = await stat(path.join(WEB_DIR, '.next/BUILD_ID')).catch(() => null);
  if (!built) return true;
  const files = await Promise.all(SOURCE_FILES.map(async (f) => (await stat(f).catch(() => null))?.mtimeMs ?? 0));
  const dirs = await Promise.all(SOURCE_DIRS.map(newestMtime));
  return Math.max(...files, ...dirs) > built.mtimeMs;
}

export async function ensureFreshWebBuild(): Promise<void> {
  const stale = await webBuildIsStale();
  await ensureWebBuild({ force: stale });
}
