/** What every figure gets: the mode's sizes, the servers, and a way to start a variant. */
import path from 'node:path';
import type { NextServer, Simulator } from './servers';
import { startNext } from './servers';
import type { VariantId } from './variants';

export type Mode = 'full' | 'quick' | 'smoke';

export interface Sizes {
  ttft: { replies: number; tokens: number };
  cpu: {
    concurrency: number[];
    tokens: number;
    /** A cohort still running after this long is ended (slow variants). */
    limitMs: number;
  };
  sweep: {
    open: number[];
    delayMs: number;
    /** How long all replies are open together (each lasts the opening of all plus this). */
    holdMs: number;
    /** Replies opened per second (each costs the server a request and an upstream call). */
    openPerSecond: number;
  };
  backpressure: {
    clients: number;
    tokens: number;
    windowMs: number;
    replyMaxBytes: number;
    /**
     * A reply read at full speed before the baseline, so that the heap has grown already (it must
     * fit in REPLY_MAX_BYTES: about 45 bytes per token as frames).
     */
    warmTokens: number;
  };
  stalled: {
    /** Never-reading clients of one finished reply of this app (the figure). */
    clients: number;
    /**
     * The row every relay runs: a relay has no replay, so each of its clients is a reply of its
     * own to generate, and generating is what limits the count.
     */
    peerClients: number;
    /** The answer's length (≈ 37 bytes per token as this app's events). */
    tokens: number;
    /** The longest wait, after the requests were sent, for the server to go quiet. */
    windowMs: number;
    /** The same for the relays, whose wait is the upstream generating the answer per client. */
    relayWindowMs: number;
    /** Never-reading clients of a short reply first, so that first-use costs are not measured. */
    warmClients: number;
  };
  render: { tokens: number; delayMs: number };
  scale: {
    /** Figure 2's load on the owner, in memory and with Redis, alternating, `rounds` times. */
    cpu: { concurrency: number; tokens: number; rounds: number };
    /**
     * Replies created at once on one instance, each followed there and on the other; the
     * upstream waits `firstByteMs` before answering, so that every follower is there first.
     */
    follow: { replies: number; tokens: number; delayMs: number; firstByteMs: number };
    /** The owner killed after `killAfter` messages of a paced reply, `runs` times. */
    takeover: {
      runs: number;
      tokens: number;
      delayMs: number;
      leaseMs: number;
      killAfter: number;
    };
  };
}

export const SIZES: Record<Mode, Sizes> = {
  full: {
    ttft: { replies: 200, tokens: 8 },
    cpu: { concurrency: [50, 500], tokens: 2000, limitMs: 25_000 },
    sweep: { open: [200, 500, 1000, 2000], delayMs: 50, holdMs: 3_000, openPerSecond: 200 },
    backpressure: {
      clients: 2,
      tokens: 1_000_000,
      windowMs: 12_000,
      replyMaxBytes: 1 << 20,
      warmTokens: 20_000,
    },
    stalled: {
      clients: 1000,
      peerClients: 1,
      tokens: 140_000,
      windowMs: 40_000,
      relayWindowMs: 30_000,
      warmClients: 5,
    },
    render: { tokens: 20000, delayMs: 5 },
    scale: {
      cpu: { concurrency: 50, tokens: 2000, rounds: 3 },
      follow: { replies: 50, tokens: 200, delayMs: 20, firstByteMs: 1_000 },
      takeover: { runs: 3, tokens: 600, delayMs: 20, leaseMs: 2_000, killAfter: 100 },
    },
  },
  quick: {
    ttft: { replies: 50, tokens: 8 },
    cpu: { concurrency: [50, 200], tokens: 1000, limitMs: 8_000 },
    sweep: { open: [300], delayMs: 50, holdMs: 3_000, openPerSecond: 200 },
    backpressure: {
      clients: 1,
      tokens: 1_000_000,
      windowMs: 3_000,
      replyMaxBytes: 1 << 20,
      warmTokens: 10_000,
    },
    stalled: {
      clients: 200,
      peerClients: 1,
      tokens: 140_000,
      windowMs: 30_000,
      relayWindowMs: 25_000,
      warmClients: 5,
    },
    render: { tokens: 1500, delayMs: 5 },
    scale: {
      cpu: { concurrency: 50, tokens: 1000, rounds: 2 },
      follow: { replies: 50, tokens: 100, delayMs: 20, firstByteMs: 1_000 },
      takeover: { runs: 3, tokens: 300, delayMs: 20, leaseMs: 2_000, killAfter: 50 },
    },
  },
  smoke: {
    ttft: { replies: 10, tokens: 8 },
    cpu: { concurrency: [5, 20], tokens: 200, limitMs: 5_000 },
    sweep: { open: [20], delayMs: 50, holdMs: 2_000, openPerSecond: 200 },
    backpressure: {
      clients: 1,
      tokens: 20_000,
      windowMs: 1_000,
      replyMaxBytes: 64 << 10,
      warmTokens: 1_000,
    },
    stalled: {
      clients: 5,
      peerClients: 5,
      tokens: 2_000,
      windowMs: 10_000,
      relayWindowMs: 10_000,
      warmClients: 0,
    },
    render: { tokens: 200, delayMs: 5 },
    scale: {
      cpu: { concurrency: 5, tokens: 200, rounds: 1 },
      follow: { replies: 5, tokens: 30, delayMs: 20, firstByteMs: 300 },
      takeover: { runs: 1, tokens: 100, delayMs: 10, leaseMs: 1_000, killAfter: 20 },
    },
  },
};

export interface Running {
  id: VariantId;
  port: number;
  /** The process to measure (the simulator itself for `direct`). */
  pid: number;
  url: string;
  stop(): Promise<void>;
}

export interface Context {
  mode: Mode;
  sizes: Sizes;
  workDir: string;
  simulator: Simulator;
  appDir: string;
  peerDir: string;
  log(message: string): void;
  /** Servers shared by the figures that measure CPU time or latency, not memory. */
  shared: Map<VariantId, Promise<Running>>;
}

/**
 * A running server for the variant, shared with other figures (started on first use, stopped at
 * the end of the run). Figures that measure memory start their own with `startVariant`.
 */
export function sharedVariant(ctx: Context, id: VariantId): Promise<Running> {
  let running = ctx.shared.get(id);
  if (!running) {
    running = startVariant(ctx, id);
    ctx.shared.set(id, running);
  }
  return running;
}

export async function stopShared(ctx: Context): Promise<void> {
  for (const running of ctx.shared.values()) await (await running.catch(() => null))?.stop();
  ctx.shared.clear();
}

/** Starts a fresh server for a variant (`direct` is the simulator, which keeps running). */
export async function startVariant(
  ctx: Context,
  id: VariantId,
  extraEnv: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<Running> {
  if (id === 'direct') {
    return {
      id,
      port: ctx.simulator.port,
      pid: ctx.simulator.pid,
      url: `http://127.0.0.1:${ctx.simulator.port}`,
      stop: async () => {},
    };
  }
  let server: NextServer;
  if (id === 'app' || id === 'app-responses') {
    server = await startNext(
      id,
      ctx.appDir,
      ctx.simulator,
      ctx.workDir,
      id === 'app-responses' ? { OPENAI_API: 'responses', ...extraEnv } : extraEnv,
      '/api/models',
      nodeArgs,
    );
  } else {
    server = await startNext(id, ctx.peerDir, ctx.simulator, ctx.workDir, extraEnv, '/', nodeArgs);
  }
  return { id, port: server.port, pid: server.pid, url: server.url, stop: () => server.stop() };
}

export const logPath = (ctx: Context, name: string) => path.join(ctx.workDir, name);
