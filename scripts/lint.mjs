// ESLint needs nx's project graph (for @nx/enforce-module-boundaries); compute it first.
import { spawnSync } from 'node:child_process';

const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' };
const graph = spawnSync('npx', ['nx', 'show', 'projects'], { env, encoding: 'utf8' });
if (graph.status !== 0) {
  console.error(graph.stdout, graph.stderr);
  process.exit(graph.status ?? 1);
}
const lint = spawnSync('npx', ['eslint', '--max-warnings=0', ...process.argv.slice(2), '.'], { env, stdio: 'inherit' });
process.exit(lint.status ?? 1);
