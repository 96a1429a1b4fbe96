#!/usr/bin/env node
// `npx dataengine …`: runs the TypeScript CLI (apps/cli/src/main.ts) with tsx, resolving the
// @dataengine/* path aliases from the repository's tsconfig whatever the caller's directory.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const entry = fileURLToPath(new URL('../apps/cli/src/main.ts', import.meta.url));
const result = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), entry, ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, TSX_TSCONFIG_PATH: `${root}tsconfig.json`, ONNXRUNTIME_NODE_INSTALL: 'skip' },
});
if (result.error) {
  console.error(`dataengine: cannot start node (${result.error.message})`);
  process.exit(1);
}
process.exit(result.status ?? (result.signal ? 128 + 1 : 1));
