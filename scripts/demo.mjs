// npm run demo — the whole product on this machine: installs what is missing, finds PostgreSQL
// and Redis, migrates, seeds the demo project, builds and starts api + worker + web.
import { spawn } from 'node:child_process';
import { ensureNodeModules, log } from './lib/ensure.mjs';

try {
  ensureNodeModules();
} catch (error) {
  console.error(`\n✖ ${error.message}`);
  process.exit(1);
}
log('starting the demo…');
const child = spawn('node_modules/.bin/tsx', ['scripts/demo.ts', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NX_DAEMON: 'false' },
});
// Ctrl-C reaches the child through the terminal's process group; just mirror its exit.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
