// A TCP proxy in front of a real dependency, for fault tests: it passes bytes through, refuses
// connections (the dependency is down), or swallows them (a blackhole: connections accepted and
// never answered, the failure that only timeouts catch).
import { connect, createServer, type Socket } from 'node:net';

export type ProxyMode = 'pass' | 'refuse' | 'blackhole';

export interface TcpProxy {
  port: number;
  /** `http://127.0.0.1:<port>` style address for URLs. */
  address: string;
  setMode(mode: ProxyMode): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  let mode: ProxyMode = 'pass';
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    if (mode === 'refuse') return client.destroy();
    if (mode === 'blackhole') return client.resume();
    const upstream = connect(targetPort, targetHost);
    sockets.add(upstream);
    upstream.on('close', () => { sockets.delete(upstream); client.destroy(); });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('proxy: no port');
  return {
    port: address.port,
    address: `127.0.0.1:${address.port}`,
    setMode(next) {
      const before = mode;
      mode = next;
      // Connections already open go the same way: dropped, or left hanging. When a blackhole ends,
      // the connections it swallowed are reset, as after a real partition: new ones pass.
      if (next === 'refuse' || (before === 'blackhole' && next === 'pass')) {
        for (const s of sockets) s.destroy();
      } else if (next === 'blackhole') {
        for (const s of sockets) {
          s.unpipe();
          s.pause();
        }
      }
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
