// Runs inside `unshare -rn` (see netns.ts): brings up loopback, listens on 127.0.0.1:<port> for
// each bridged service (forwarding to its Unix socket), then runs the command line it was given,
// passing SIGTERM/SIGINT on and exiting with the command's status.
import { spawn, spawnSync } from 'node:child_process';
import { createConnection, createServer } from 'node:net';

const bridges = JSON.parse(process.env['NETNS_BRIDGES'] ?? '[]') as { port: number; socket: string }[];
const [command, ...args] = process.argv.slice(2);
if (!command) throw new Error('usage: netns-main <command> [args…]');

const up = spawnSync('ip', ['link', 'set', 'lo', 'up'], { stdio: 'inherit' });
if (up.status !== 0) throw new Error('could not bring up loopback in the network namespace');

for (const bridge of bridges) {
  const server = createServer((client) => {
    const upstream = createConnection(bridge.socket);
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(bridge.port, '127.0.0.1', () => resolve()));
  server.unref();
}

const child = spawn(command, args, { stdio: 'inherit' });
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
