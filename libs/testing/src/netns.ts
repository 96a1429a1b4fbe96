// A process in a network namespace of its own (`unshare -rn`: no root needed where user
// namespaces are allowed), as if on another host: inside, only loopback exists, and the few TCP
// services it may use (PostgreSQL, Redis, S3) are reached through Unix sockets bridged to the
// real ones. Anything else on this machine's network — another worker, a port it would share by
// accident — is out of its reach. Used by the two-host test; where namespaces are not allowed, the
// caller falls back to plain processes.
import { spawnSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import path from 'node:path';
import { REPO_ROOT } from './stack';

export interface NetnsBridge {
  /** host:port as the process outside reaches the service */
  host: string;
  port: number;
  /** Unix socket path the bridge listens on (inside: the same port on 127.0.0.1 forwards to it). */
  socket: string;
}

/** Whether this machine lets an unprivileged process make a network namespace and bring up its loopback. */
export function networkNamespacesAvailable(): boolean {
  const probe = spawnSync('unshare', ['-rn', 'ip', 'link', 'set', 'lo', 'up'], { stdio: 'ignore', timeout: 5_000 });
  return probe.status === 0;
}

const pipeBoth = (a: Socket, b: Socket) => {
  const drop = () => {
    a.destroy();
    b.destroy();
  };
  a.on('error', drop).on('close', drop);
  b.on('error', drop).on('close', drop);
  a.pipe(b);
  b.pipe(a);
};

/** Outside the namespace: one Unix socket per service, forwarding to its TCP address. */
export async function startNetnsBridges(dir: string, services: { name: string; host: string; port: number }[]): Promise<{ bridges: NetnsBridge[]; close(): Promise<void> }> {
  const servers: Server[] = [];
  const bridges: NetnsBridge[] = [];
  for (const service of services) {
    const socket = path.join(dir, `${service.name}.sock`);
    await rm(socket, { force: true });
    const server = createServer((client) => pipeBoth(client, createConnection(service.port, service.host)));
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(socket, () => resolve()));
    servers.push(server);
    bridges.push({ host: service.host, port: service.port, socket });
  }
  return {
    bridges,
    close: async () => {
      await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    },
  };
}

/** The command line that runs `command` in a namespace of its own, with `bridges` reachable on loopback. */
export function inNetworkNamespace(bridges: NetnsBridge[], command: string[]): { command: string; args: string[]; env: Record<string, string> } {
  return {
    command: 'unshare',
    args: ['-rn', process.execPath, '--import', 'tsx', path.join(REPO_ROOT, 'libs/testing/src/netns-main.ts'), ...command],
    env: { NETNS_BRIDGES: JSON.stringify(bridges.map((b) => ({ port: b.port, socket: b.socket }))) },
  };
}
