/**
 * A redis-server of the bench's own, for the scale-out figure and profile: 127.0.0.1, a free
 * port, no persistence (its working directory is the run's, removed at the end). Stopped with
 * the other children (`killAll`) if the run ends early.
 */
import net from 'node:net';
import path from 'node:path';
import { freePort, sleep, startProcess, tail, type Child } from './proc';

/**
 * Sends one RESP command on a connection of its own; resolves with the answer's first line
 * (`+PONG`, `-ERR …`, `:1`) or, for a bulk string (`INFO`), its content.
 */
export function redisCommand(port: number, args: string[], timeoutMs = 2_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    const finish = (error: Error | undefined, value = '') => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(value);
    };
    const timer = setTimeout(() => finish(new Error('redis: no answer')), timeoutMs);
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      const end = buffer.indexOf('\r\n');
      if (end === -1) return;
      const line = buffer.toString('latin1', 0, end);
      if (!line.startsWith('$')) return finish(undefined, line);
      const size = Number(line.slice(1));
      if (size < 0) return finish(undefined, '');
      if (buffer.length >= end + 2 + size) {
        finish(undefined, buffer.toString('utf8', end + 2, end + 2 + size));
      }
    });
    socket.once('error', (error) => finish(error));
    const body = args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('');
    socket.write(`*${args.length}\r\n${body}`);
  });
}

/** Calls per command since the last `CONFIG RESETSTAT` (INFO commandstats), by command name. */
export async function commandCalls(port: number): Promise<Map<string, number>> {
  const info = await redisCommand(port, ['INFO', 'commandstats']);
  const out = new Map<string, number>();
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) out.set(m[1]!, Number(m[2]));
  return out;
}

/**
 * A subscriber of the bench's own (PSUBSCRIBE `pattern`) that timestamps every message: the
 * notifications this app publishes when it wrote events of a reply (`<prefix>n:<id>`, the last
 * event id written), seen from outside the app.
 */
export function watchNotifications(port: number, pattern: string) {
  const seen = new Map<string, { lastId: number; at: number }[]>();
  const socket = net.connect({ port, host: '127.0.0.1' });
  socket.on('error', () => {});
  socket.setNoDelay(true);
  const ready = new Promise<void>((resolve) => {
    socket.once('data', () => resolve());
  });
  socket.write(`*2\r\n$10\r\nPSUBSCRIBE\r\n$${Buffer.byteLength(pattern)}\r\n${pattern}\r\n`);
  // *4 $8 pmessage $… pattern $… channel $… message
  const message =
    /\*4\r\n\$8\r\npmessage\r\n\$\d+\r\n[^\r]*\r\n\$\d+\r\n([^\r]*)\r\n\$\d+\r\n([^\r]*)\r\n/g;
  let carry = '';
  socket.on('data', (chunk: Buffer) => {
    const at = performance.now();
    const text = carry + chunk.toString('latin1');
    message.lastIndex = 0;
    let consumed = 0;
    for (let m = message.exec(text); m; m = message.exec(text)) {
      const id = m[1]!.slice(m[1]!.lastIndexOf(':') + 1);
      let list = seen.get(id);
      if (!list) seen.set(id, (list = []));
      list.push({ lastId: Number(m[2]), at });
      consumed = message.lastIndex;
    }
    carry = text.slice(consumed);
  });
  return {
    ready: Promise.race([ready, sleep(2_000)]),
    /** When event `eventId` of reply `id` was first announced as written (undefined: never). */
    writtenAt(id: string, eventId: number): number | undefined {
      return seen.get(id)?.find((n) => n.lastId >= eventId)?.at;
    },
    close: () => socket.destroy(),
  };
}

/** Starts redis-server (`REDIS_SERVER_PATH`, default `redis-server` on the PATH). */
export async function startRedis(workDir: string): Promise<Child> {
  const port = await freePort();
  const logFile = path.join(workDir, 'redis.log');
  const child = startProcess(
    'redis',
    process.env.REDIS_SERVER_PATH ?? 'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      workDir,
    ],
    { port, logFile, env: { PATH: process.env.PATH, NODE_ENV: 'production' } },
  );
  let spawnError: Error | undefined;
  child.proc.once('error', (error) => (spawnError = error));
  const deadline = performance.now() + 10_000;
  while (performance.now() < deadline) {
    if (spawnError) throw new Error(`redis-server did not start (${spawnError.message})`);
    if (child.proc.exitCode !== null) break;
    if ((await redisCommand(port, ['PING']).catch(() => '')) === '+PONG') return child;
    await sleep(100);
  }
  await child.stop();
  throw new Error(`redis-server did not answer on port ${port}:\n${tail(logFile)}`);
}

/** What an instance of this app needs to share `redis` (a prefix of the run's own). */
export function redisEnv(redis: Child, leaseMs?: number): Record<string, string> {
  return {
    REDIS_URL: `redis://127.0.0.1:${redis.port}`,
    REDIS_PREFIX: `bench${redis.port}:`,
    ...(leaseMs === undefined ? {} : { REPLY_LEASE_MS: String(leaseMs) }),
  };
}
