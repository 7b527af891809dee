/**
 * Child processes of the bench and what the OS says about them: CPU time from
 * /proc/<pid>/stat (utime + stime of the process and its descendants) and resident memory from
 * /proc/<pid>/status (VmRSS).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, readdirSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on every Linux build in use). */
const USER_HZ = 100;

function statFields(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may contain spaces.
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** Pids of `pid` and all its descendants. */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(Number(entry));
    if (!fields) continue;
    const ppid = Number(fields[1]);
    const list = children.get(ppid) ?? [];
    list.push(Number(entry));
    children.set(ppid, list);
  }
  const out: number[] = [];
  const walk = (p: number) => {
    out.push(p);
    for (const c of children.get(p) ?? []) walk(c);
  };
  walk(pid);
  return out;
}

/** CPU time (user + system) used so far by `pid` and its descendants, in microseconds. */
export function cpuMicros(pid: number): number {
  let ticks = 0;
  for (const p of processTree(pid)) {
    const fields = statFields(p);
    // After the command: state(0) ppid(1) … utime(11) stime(12).
    if (fields) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return (ticks * 1e6) / USER_HZ;
}

/**
 * CPU time of the whole host so far (/proc/stat), in microseconds summed over its cores: busy
 * (user, nice, system, irq, softirq, steal) and in total (busy plus idle and iowait).
 */
export function hostCpuMicros(): { busy: number; total: number } {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const busy = user! + nice! + system! + irq! + softirq! + (steal ?? 0);
    return {
      busy: (busy * 1e6) / USER_HZ,
      total: ((busy + idle! + iowait!) * 1e6) / USER_HZ,
    };
  } catch {
    return { busy: NaN, total: NaN };
  }
}

/** Resident set size of `pid` and its descendants, in bytes. */
export function rssBytes(pid: number): number {
  let kb = 0;
  for (const p of processTree(pid)) {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      if (m) kb += Number(m[1]);
    } catch {
      // gone
    }
  }
  return kb * 1024;
}

/**
 * Bytes queued in the kernel's send buffers of TCP connections whose local port is `port`
 * (the tx_queue column of /proc/net/tcp): what a server has written that its clients did not read.
 */
export function kernelSendQueueBytes(port: number): number {
  let total = 0;
  for (const row of tcpRows()) if (row.localPort === port) total += row.txQueue;
  return total;
}

/**
 * Bytes received and not yet read, per local port, of the TCP connections to `remotePort` (the
 * rx_queue column of /proc/net/tcp): what a client that never reads has been sent so far.
 */
export function receiveQueues(remotePort: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const row of tcpRows())
    if (row.remotePort === remotePort) out.set(row.localPort, row.rxQueue);
  return out;
}

/** The TCP connections of this machine (IPv4 and IPv6), as /proc/net/tcp lists them. */
function* tcpRows(): Generator<{
  localPort: number;
  remotePort: number;
  txQueue: number;
  rxQueue: number;
}> {
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 5) continue;
      const [tx, rx] = cols[4]!.split(':');
      yield {
        localPort: parseInt(cols[1]!.split(':')[1]!, 16),
        remotePort: parseInt(cols[2]!.split(':')[1]!, 16),
        txQueue: parseInt(tx!, 16),
        rxQueue: parseInt(rx!, 16),
      };
    }
  }
}

/**
 * Memory that TCP buffers take on the whole host (/proc/net/sockstat), and the level at which
 * the kernel starts to hold every socket's buffers back (the second value of tcp_mem), in bytes.
 */
export function hostTcpMemory(): { bytes: number; pressureBytes: number } {
  const page = 4096;
  try {
    const mem = /TCP:.* mem (\d+)/.exec(readFileSync('/proc/net/sockstat', 'utf8'))?.[1];
    const limits = readFileSync('/proc/sys/net/ipv4/tcp_mem', 'utf8').trim().split(/\s+/);
    return { bytes: Number(mem ?? 0) * page, pressureBytes: Number(limits[1] ?? 0) * page };
  } catch {
    return { bytes: 0, pressureBytes: 0 };
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Node flags for a server whose memory is measured: `fullGc(pid)` then makes it collect its
 * garbage (bench/lib/gc-on-signal.mjs, a SIGUSR2 handler), so that RSS shows what it keeps.
 */
export const GC_NODE_ARGS = [
  '--expose-gc',
  '--import',
  new URL('./gc-on-signal.mjs', import.meta.url).href,
];

/**
 * Asks a server started with GC_NODE_ARGS for a full garbage collection, then waits (at most 3 s)
 * until its RSS stops moving: buffers are freed on a background thread just after.
 */
export async function fullGc(pid: number): Promise<void> {
  process.kill(pid, 'SIGUSR2');
  await sleep(300);
  const deadline = performance.now() + 3_000;
  let last = rssBytes(pid);
  while (performance.now() < deadline) {
    await sleep(200);
    const now = rssBytes(pid);
    if (Math.abs(now - last) < 1 << 20) return;
    last = now;
  }
}

/** A free loopback port (the tests' helper). */
export { freePort } from '../../e2e/support/ports';

/** Runs a script's `main`: exit 0 when it resolves; print the error, stop children, exit 1. */
export function runScript(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      killAll();
      process.exit(1);
    },
  );
}

export interface Child {
  name: string;
  proc: ChildProcess;
  pid: number;
  port: number;
  logFile: string;
  stop(): Promise<void>;
}

const running = new Set<Child>();

/** Spawns a long-running process whose output goes to `logFile`. */
export function startProcess(
  name: string,
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; port: number; logFile: string },
): Child {
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const proc = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout!.pipe(log);
  proc.stderr!.pipe(log);
  const child: Child = {
    name,
    proc,
    pid: proc.pid!,
    port: options.port,
    logFile: options.logFile,
    async stop() {
      running.delete(child);
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise<void>((r) => proc.once('exit', () => r()));
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
  running.add(child);
  return child;
}

/** Kills whatever the bench started and did not stop yet (on exit, error or Ctrl-C). */
export function killAll(): void {
  for (const child of running) {
    if (child.proc.exitCode === null && child.proc.signalCode === null) child.proc.kill('SIGKILL');
  }
  running.clear();
}

/** The last lines of a log file, for error messages. */
export function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
