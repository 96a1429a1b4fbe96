// A loopback TCP proxy in front of PostgreSQL (or any server): a process pointed at it can be cut
// off the way a restart or fail-over cuts it off (every socket reset, new connections refused),
// without touching the shared server that other test files use.
import { createServer, Socket, type AddressInfo, type Server } from 'node:net';

export interface TcpProxy {
  /** The loopback port the proxy listens on. */
  port: number;
  /** Local ports of the proxy's upstream sockets: `pg_stat_activity.client_port` of the proxied backends. */
  upstreamPorts(): number[];
  /** Resets every proxied connection and refuses new ones until `resume()` (a server that went away). */
  cut(): Promise<void>;
  /** Accepts connections again on the same port (the server is back). */
  resume(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<{ client: Socket; upstream: Socket }>();
  const onConnection = (client: Socket) => {
    const upstream = new Socket();
    const pair = { client, upstream };
    pairs.add(pair);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    upstream.connect(target.port, target.host, () => {
      client.pipe(upstream);
      upstream.pipe(client);
    });
  };
  const listen = (server: Server, port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });

  let server = createServer(onConnection);
  await listen(server, 0);
  const port = (server.address() as AddressInfo).port;
  const closeServer = () => new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));

  return {
    port,
    upstreamPorts: () => [...pairs].map((p) => p.upstream.localPort).filter((p): p is number => typeof p === 'number'),
    async cut() {
      const closed = closeServer();
      for (const pair of [...pairs]) {
        pair.client.resetAndDestroy();
        pair.upstream.destroy();
      }
      pairs.clear();
      await closed;
    },
    async resume() {
      if (server.listening) return;
      server = createServer(onConnection);
      await listen(server, port);
    },
    async close() {
      const closed = closeServer();
      for (const pair of pairs) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
      pairs.clear();
      await closed;
    },
  };
}
