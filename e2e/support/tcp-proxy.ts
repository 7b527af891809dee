/**
 * A TCP proxy that tests can cut: every connection through it is forwarded to `target`, and
 * `dropAll()` destroys the open ones at once, as a flaky network or a restarting proxy would.
 * `freeze()` makes open connections go silent instead, as a phone that slept or an expired NAT
 * entry does: they stay open, and nothing passes either way any more.
 */
import net from 'node:net';

export interface TcpProxy {
  port: number;
  url: string;
  /** Destroys every open connection; returns how many there were. */
  dropAll(): number;
  /** Destroys each open connection with probability `p`; returns how many. */
  dropSome(p: number): number;
  /**
   * Freezes the open connections whose latest request line matches `request` (all without it):
   * they stay open and pass nothing more, either way. New connections work. Returns how many.
   */
  freeze(request?: RegExp): number;
  connections(): number;
  close(): Promise<void>;
}

/** The start of an HTTP/1.1 request, as the first bytes of a client's write. */
const REQUEST_LINE = /^(GET|HEAD|POST|PUT|DELETE|PATCH|OPTIONS) \S+ HTTP\/1\.1/;

export async function startTcpProxy(
  targetPort: number,
  targetHost = '127.0.0.1',
): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  /** Each client connection, with the latest request line it sent and how to freeze it. */
  const clients = new Map<net.Socket, { request: string; freeze: () => void }>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, targetHost);
    const entry = {
      request: '',
      freeze() {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      },
    };
    clients.set(client, entry);
    client.on('close', () => clients.delete(client));
    client.on('data', (chunk: Buffer) => {
      const line = REQUEST_LINE.exec(chunk.subarray(0, 200).toString('latin1'));
      if (line) entry.request = line[0];
    });
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
      for (const c of [...clients.keys()]) {
        if (Math.random() < p) {
          c.destroy();
          n++;
        }
      }
      return n;
    },
    freeze(request) {
      let n = 0;
      for (const [client, entry] of clients) {
        if (request && !request.test(entry.request)) continue;
        entry.freeze();
        clients.delete(client); // frozen for good: not counted, not frozen twice
        n++;
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
