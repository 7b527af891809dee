/**
 * A TCP proxy that tests can cut: every connection through it is forwarded to `target`, and
 * `dropAll()` destroys the open ones at once, as a flaky network or a restarting proxy would.
 */
import net from 'node:net';

export interface TcpProxy {
  port: number;
  url: string;
  /** Destroys every open connection; returns how many there were. */
  dropAll(): number;
  /** Destroys each open connection with probability `p`; returns how many. */
  dropSome(p: number): number;
  connections(): number;
  close(): Promise<void>;
}

export async function startTcpProxy(
  targetPort: number,
  targetHost = '127.0.0.1',
): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  const clients = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, targetHost);
    clients.add(client);
    client.on('close', () => clients.delete(client));
    const pair = [client, upstream];
    for (const s of pair) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => {
        sockets.delete(s);
        for (const other of pair) other.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    dropAll() {
      const n = sockets.size / 2;
      for (const s of sockets) s.destroy();
      return n;
    },
    dropSome(p) {
      let n = 0;
      for (const c of [...clients]) {
        if (Math.random() < p) {
          c.destroy();
          n++;
        }
      }
      return n;
    },
    connections: () => sockets.size / 2,
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
