/**
 * Figure 8, the scale-out path: this app with REDIS_URL, two instances (A and B) sharing one
 * real redis-server that the figure starts (127.0.0.1, no persistence), next to the in-memory
 * app in the same run. Three measurements:
 *
 * - **CPU per token on the owner**: figure 2's load (C replies of T tokens started together,
 *   one-request mode, the upstream as fast as it can) against a fresh in-memory app and against
 *   A, alternating, `rounds` times each; server CPU (utime + stime) ÷ tokens received, summed
 *   over the rounds. With Redis the owner also writes every event to a Redis Stream; redis-server's
 *   own CPU per token is reported beside it (not charged to the app), and the Redis commands per
 *   token that redis-server counted (INFO commandstats, reset before each cohort).
 * - **A follower on the other instance**: R replies created at once on A (two-step POST), each
 *   followed at once on A and on B (and by a second follower on A, the control: what two
 *   followers of the same instance differ by, the bench client's own noise). The upstream waits
 *   before its first token, so every follower is there before any token, and then paces its
 *   tokens, so that arrival times mean something. Per token, its arrival on B minus its arrival
 *   on A (the same token, on the bench's one clock); p50 / p99 / max over all tokens of all
 *   replies. A token that reached A before both followers had their response is left out (it
 *   was replayed, not relayed live); the row says how many were. A subscriber of the bench's own
 *   (PSUBSCRIBE on the app's notification channels) timestamps when A announced each token as
 *   written to Redis, which splits the delay into A's write and B's read and send. The host's
 *   CPU (busy, and busy outside the bench's processes) is recorded over the same time: on a
 *   shared host, other jobs' load lands in these tails.
 * - **Takeover**: with REPLY_LEASE_MS on both, a paced reply created on A and followed on B; A is
 *   killed (SIGKILL) after B received `killAfter` messages. The gap is from the last `message`
 *   B received from A's part (the last before the `notice`) to the first `message` after the
 *   `notice` (`continued`): how long followers go without text. The lease is part of it by design
 *   (B may only take over once it lapsed); the goal is on what comes after. The text B received
 *   must equal the answer a reply without the kill gives (the simulator continues the same
 *   answer), with consecutive event ids and one notice. `runs` times, A restarted between runs.
 *
 * Sizes: 50 replies (the issue's figure) in full and --quick; the takeover's reply lasts
 * 12 s in full (6 s in --quick), killed 2 s (1 s) in, and each run takes about the reply plus
 * the lease. The whole figure took about 70 s in full and 45 s in --quick here (2 cores), the
 * smoke run (5 replies, one takeover with a 1-second lease) under 10 s.
 */
import os from 'node:os';
import { longAnswer } from '../../lib/simulator/content';
import { readEvents, startTwoStep, streamReply, type SseEvent, type Target } from '../lib/client';
import type { Context, Running } from '../lib/context';
import { cpuMicros, hostCpuMicros, sleep, type Child } from '../lib/proc';
import { commandCalls, redisCommand, redisEnv, startRedis, watchNotifications } from '../lib/redis';
import { startNext } from '../lib/servers';
import { quantile, round } from '../lib/stats';
import { target } from '../lib/variants';

export interface ScaleCpuRow {
  /** The in-memory app, or instance A with Redis. */
  store: 'memory' | 'redis';
  concurrency: number;
  rounds: number;
  /** Tokens the clients received, all rounds. */
  tokens: number;
  serverCpuMs: number;
  usPerToken: number;
  /** Each round's µs per token (the spread). */
  roundsUsPerToken: number[];
  /** redis-server's CPU over the same cohorts ÷ tokens (with Redis only). */
  redisUsPerToken: number | null;
  /** Redis commands per token (INFO commandstats), the most frequent first (with Redis only). */
  redisCommandsPerToken: Record<string, number> | null;
  upstreamUsPerToken: number;
}

export interface ScaleFollow {
  replies: number;
  tokensPerReply: number;
  delayMs: number;
  /** Tokens compared (arrival on B against arrival on A). */
  samples: number;
  /** Tokens left out: they had reached A before both followers had their response. */
  excluded: number;
  addedP50Ms: number;
  addedP99Ms: number;
  addedMaxMs: number;
  /** A second follower on A against the first: the noise of the measurement itself. */
  controlP50Ms: number;
  controlP99Ms: number;
  /**
   * Where the added delay goes, seen by a subscriber of the bench's own: from the token's
   * arrival on A to A's notification that it is written to Redis (the owner's write), and from
   * that notification to its arrival on B (B's read and send).
   */
  ownerWriteP50Ms: number;
  ownerWriteP99Ms: number;
  otherReadP50Ms: number;
  otherReadP99Ms: number;
  /** CPU while the replies ran (A: generating, writing to Redis, 2 followers each; B: 1). */
  ownerCpuMs: number;
  otherCpuMs: number;
  redisCpuMs: number;
  elapsedMs: number;
  /** The host while the replies ran: CPU busy, and busy outside the bench's processes (% of all cores). */
  hostBusyPct: number;
  hostOtherPct: number;
  cores: number;
}

export interface TakeoverRun {
  run: number;
  /** Messages B had received when A was killed. */
  killedAfter: number;
  /** Last message from A's part → first message after the notice, on B. */
  gapMs: number;
  /** The gap minus the lease period. */
  afterLeaseMs: number;
  /** The kill → the notice on B. */
  killToNoticeMs: number;
  /** The notice → the first message after it. */
  noticeToTextMs: number;
  /** The text on B equals the answer of a reply without the kill. */
  whole: boolean;
  /** Event ids 1, 2, 3… with no gap or repeat, one `continued` notice, `close` with `stop`. */
  consistent: boolean;
  events: number;
  /** Upstream requests for the reply (2: the first and the continuation). */
  upstreamRequests: number;
  /** Tokens the upstream sent beyond the answer's length (generated for A, lost with it). */
  regeneratedTokens: number;
  error?: string;
}

export interface ScaleTakeover {
  leaseMs: number;
  tokens: number;
  delayMs: number;
  runs: TakeoverRun[];
  worstGapMs: number;
  medianGapMs: number;
  worstAfterLeaseMs: number;
  medianAfterLeaseMs: number;
  /** Runs whose text on B was whole and consistent. */
  wholeRuns: number;
}

export interface ScaleResult {
  /** The host's 1-minute load average when the figure started (other jobs' share shows here). */
  loadAverage: number;
  cpu: ScaleCpuRow[];
  /** Owner's CPU per token with Redis ÷ in memory. */
  cpuRatio: number;
  follow: ScaleFollow;
  takeover: ScaleTakeover;
}

// ---- processes -------------------------------------------------------------------------------

/** An instance of this app, started like every variant (`startNext` on the copied build). */
async function startApp(ctx: Context, name: string, env: Record<string, string>): Promise<Running> {
  // A short shutdown grace: stopping it after the figure is not measured.
  const server = await startNext(
    name,
    ctx.appDir,
    ctx.simulator,
    ctx.workDir,
    { SHUTDOWN_GRACE_MS: '1000', ...env },
    '/api/models',
  );
  return {
    id: 'app',
    port: server.port,
    pid: server.pid,
    url: server.url,
    stop: () => server.stop(),
  };
}

function followTarget(port: number, streamUrl: string): Target {
  return { ...target('app', port, ''), method: 'GET', path: streamUrl, body: '' };
}

// ---- CPU per token ---------------------------------------------------------------------------

interface Cohort {
  tokens: number;
  serverUs: number;
  redisUs: number;
  simUs: number;
  commands: Map<string, number>;
}

async function cohort(ctx: Context, server: Running, redis: Child): Promise<Cohort> {
  const { concurrency, tokens } = ctx.sizes.scale.cpu;
  const t = target('app', server.port, `[[tokens:${tokens}]] [[delay:0]] cpu`);
  const server0 = cpuMicros(server.pid);
  const redis0 = cpuMicros(redis.pid);
  const sim0 = cpuMicros(ctx.simulator.pid);
  await redisCommand(redis.port, ['CONFIG', 'RESETSTAT']);
  const results = await Promise.all(
    Array.from({ length: concurrency }, () => streamReply(t, { timeoutMs: 60_000 })),
  );
  const out = {
    tokens: results.reduce((a, r) => a + r.tokens, 0),
    serverUs: cpuMicros(server.pid) - server0,
    redisUs: cpuMicros(redis.pid) - redis0,
    simUs: cpuMicros(ctx.simulator.pid) - sim0,
    commands: await commandCalls(redis.port),
  };
  const failed = results.filter((r) => !r.ok || r.tokens !== tokens);
  if (failed.length > 0) {
    throw new Error(
      `scale: ${failed.length} of ${concurrency} replies failed (${failed[0]!.error}, ${failed[0]!.tokens}/${tokens} tokens)`,
    );
  }
  return out;
}

async function cpuPart(
  ctx: Context,
  memory: Running,
  owner: Running,
  redis: Child,
): Promise<ScaleCpuRow[]> {
  const { concurrency, tokens, rounds } = ctx.sizes.scale.cpu;
  const servers = [
    { store: 'memory' as const, server: memory, cohorts: [] as Cohort[] },
    { store: 'redis' as const, server: owner, cohorts: [] as Cohort[] },
  ];
  // Warm-up, as figure 2: JIT, connection pools (and the Redis connection's buffers).
  for (const { server } of servers) {
    const t = target('app', server.port, `[[tokens:${tokens}]] [[delay:0]] warm`);
    const warm = await Promise.all(
      Array.from({ length: 10 }, () => streamReply(t, { timeoutMs: 60_000 })),
    );
    if (warm.some((r) => !r.ok)) throw new Error('scale: a warm-up reply failed');
  }
  for (let round_ = 0; round_ < rounds; round_++) {
    // Alternate which goes first, so that neither always follows an idle pause.
    const order = round_ % 2 === 0 ? servers : [...servers].reverse();
    for (const s of order) {
      await sleep(500);
      const c = await cohort(ctx, s.server, redis);
      s.cohorts.push(c);
      ctx.log(
        `  scale cpu ${s.store} ×${concurrency} round ${round_ + 1}: ${round(c.serverUs / c.tokens, 2)} µs/token` +
          (s.store === 'redis' ? ` (+ redis-server ${round(c.redisUs / c.tokens, 2)})` : ''),
      );
    }
  }
  return servers.map(({ store, cohorts }) => {
    const sum = (f: (c: Cohort) => number) => cohorts.reduce((a, c) => a + f(c), 0);
    const count = sum((c) => c.tokens);
    return {
      store,
      concurrency,
      rounds,
      tokens: count,
      serverCpuMs: round(sum((c) => c.serverUs) / 1000, 0),
      usPerToken: round(sum((c) => c.serverUs) / count, 2),
      roundsUsPerToken: cohorts.map((c) => round(c.serverUs / c.tokens, 2)),
      redisUsPerToken: store === 'redis' ? round(sum((c) => c.redisUs) / count, 2) : null,
      redisCommandsPerToken: store === 'redis' ? commandsPerToken(cohorts, count) : null,
      upstreamUsPerToken: round(sum((c) => c.simUs) / count, 2),
    };
  });
}

/** Calls per token of each command (those over 0.005), most frequent first; `all` the total. */
function commandsPerToken(cohorts: Cohort[], tokens: number): Record<string, number> {
  const calls = new Map<string, number>();
  for (const c of cohorts) for (const [k, v] of c.commands) calls.set(k, (calls.get(k) ?? 0) + v);
  const total = [...calls.values()].reduce((a, v) => a + v, 0);
  const out: Record<string, number> = { all: round(total / tokens, 2) };
  for (const [k, v] of [...calls].sort((a, b) => b[1] - a[1])) {
    if (v / tokens >= 0.005) out[k] = round(v / tokens, 2);
  }
  return out;
}

// ---- a follower on the other instance --------------------------------------------------------

interface Followed {
  arrivals: number[];
  headersAt: number;
}

async function follow(port: number, streamUrl: string, tokens: number): Promise<Followed> {
  const arrivals: number[] = [];
  const r = await streamReply(followTarget(port, streamUrl), {
    timeoutMs: 120_000,
    onTokens: (n, at) => {
      for (let i = 0; i < n; i++) arrivals.push(at);
    },
  });
  if (!r.ok || r.tokens !== tokens || r.headersAt === undefined) {
    throw new Error(
      `scale: following ${streamUrl} on port ${port} failed (${r.error ?? 'ok'}, ${r.tokens}/${tokens} tokens)`,
    );
  }
  return { arrivals, headersAt: r.headersAt };
}

async function followPart(
  ctx: Context,
  owner: Running,
  other: Running,
  redis: Child,
  prefix: string,
): Promise<ScaleFollow> {
  const { replies, tokens, delayMs, firstByteMs } = ctx.sizes.scale.follow;
  // Warm-up: the mirror path on B (subscribe, fetch, follow) and the two-step path on A.
  for (let i = 0; i < 3; i++) {
    const url = await startTwoStep(owner.port, `[[tokens:20]] [[delay:5]] warm`);
    await Promise.all([follow(owner.port, url, 20), follow(other.port, url, 20)]);
  }
  await sleep(500);
  const prompt = `[[tokens:${tokens}]] [[delay:${delayMs}]] [[first-byte:${firstByteMs}]] follow`;
  const notifications = watchNotifications(redis.port, `${prefix}n:*`);
  await notifications.ready;
  const cpu0 = [owner.pid, other.pid, redis.pid, ctx.simulator.pid].map(cpuMicros);
  const self0 = process.cpuUsage();
  const host0 = hostCpuMicros();
  const started = performance.now();
  let runs;
  try {
    runs = await Promise.all(
      Array.from({ length: replies }, async () => {
        const url = await startTwoStep(owner.port, prompt);
        const [a, b, control] = await Promise.all([
          follow(owner.port, url, tokens),
          follow(other.port, url, tokens),
          follow(owner.port, url, tokens),
        ]);
        return { id: url.split('/')[3]!, a, b, control };
      }),
    );
  } finally {
    notifications.close();
  }
  const elapsed = performance.now() - started;
  const [ownerUs, otherUs, redisUs, simUs] = [
    owner.pid,
    other.pid,
    redis.pid,
    ctx.simulator.pid,
  ].map((pid, i) => cpuMicros(pid) - cpu0[i]!);
  const self = process.cpuUsage(self0);
  const host1 = hostCpuMicros();
  const hostBusy = host1.busy - host0.busy;
  const hostTotal = host1.total - host0.total;
  const ours = ownerUs! + otherUs! + redisUs! + simUs! + self.user + self.system;
  const added: number[] = [];
  const control: number[] = [];
  const ownerWrite: number[] = [];
  const otherRead: number[] = [];
  let excluded = 0;
  for (const r of runs) {
    const live = Math.max(r.a.headersAt, r.b.headersAt, r.control.headersAt);
    for (let i = 0; i < tokens; i++) {
      if (r.a.arrivals[i]! < live) {
        excluded++;
        continue;
      }
      added.push(r.b.arrivals[i]! - r.a.arrivals[i]!);
      control.push(r.control.arrivals[i]! - r.a.arrivals[i]!);
      // Event 1 is `meta`; token i is event i + 2.
      const written = notifications.writtenAt(r.id, i + 2);
      if (written !== undefined) {
        ownerWrite.push(written - r.a.arrivals[i]!);
        otherRead.push(r.b.arrivals[i]! - written);
      }
    }
  }
  if (added.length === 0) throw new Error('scale: no token was relayed live to both followers');
  return {
    replies,
    tokensPerReply: tokens,
    delayMs,
    samples: added.length,
    excluded,
    addedP50Ms: round(quantile(added, 0.5), 3),
    addedP99Ms: round(quantile(added, 0.99), 3),
    addedMaxMs: round(Math.max(...added), 3),
    controlP50Ms: round(quantile(control, 0.5), 3),
    controlP99Ms: round(quantile(control, 0.99), 3),
    ownerWriteP50Ms: round(quantile(ownerWrite, 0.5), 3),
    ownerWriteP99Ms: round(quantile(ownerWrite, 0.99), 3),
    otherReadP50Ms: round(quantile(otherRead, 0.5), 3),
    otherReadP99Ms: round(quantile(otherRead, 0.99), 3),
    ownerCpuMs: round(ownerUs! / 1000, 0),
    otherCpuMs: round(otherUs! / 1000, 0),
    redisCpuMs: round(redisUs! / 1000, 0),
    elapsedMs: round(elapsed, 0),
    hostBusyPct: round((100 * hostBusy) / hostTotal, 0),
    hostOtherPct: round((100 * Math.max(hostBusy - ours, 0)) / hostTotal, 0),
    cores: os.cpus().length,
  };
}

// ---- takeover --------------------------------------------------------------------------------

interface SimRecord {
  tag?: string;
  tokensSent: number;
  continuation: boolean;
}

async function upstreamRecords(ctx: Context, tag: string): Promise<SimRecord[]> {
  const res = await fetch(`http://127.0.0.1:${ctx.simulator.port}/_stats`, {
    signal: AbortSignal.timeout(10_000),
  });
  const { requests } = (await res.json()) as { requests: SimRecord[] };
  return requests.filter((r) => r.tag === tag);
}

const contentOf = (e: SseEvent) => (JSON.parse(e.data) as { content: string }).content;

/** One takeover: a reply on `owner` followed on `other`, the owner killed midway. */
async function takeoverRun(
  ctx: Context,
  run: number,
  owner: Running,
  other: Running,
): Promise<TakeoverRun> {
  const { tokens, delayMs, leaseMs, killAfter } = ctx.sizes.scale.takeover;
  const tag = `scale-takeover-${run}-${Date.now()}`;
  const streamUrl = await startTwoStep(
    owner.port,
    `[[tokens:${tokens}]] [[delay:${delayMs}]] [[tag:${tag}]] takeover`,
  );
  let messages = 0;
  let reached!: () => void;
  const enough = new Promise<void>((r) => (reached = r));
  // The whole reply, the lease and a margin for a slow takeover.
  const boundMs = tokens * delayMs + leaseMs + 30_000;
  const reading = readEvents(`http://127.0.0.1:${other.port}${streamUrl}`, {
    timeoutMs: boundMs,
    onEvent: (e) => {
      if (e.event === 'message' && ++messages === killAfter) reached();
    },
  });
  const early = await Promise.race([enough.then(() => undefined), reading]);
  if (early) {
    throw new Error(
      `scale: the follower on the other instance ended before ${killAfter} messages (${early.ended}, ${early.error ?? ''})`,
    );
  }
  const killedAt = performance.now();
  process.kill(owner.pid, 'SIGKILL');
  const killedAfter = messages;
  const result = await reading;
  await owner.stop(); // reaps it

  const events = result.events;
  const failed = (error: string): TakeoverRun => ({
    run,
    killedAfter,
    gapMs: NaN,
    afterLeaseMs: NaN,
    killToNoticeMs: NaN,
    noticeToTextMs: NaN,
    whole: false,
    consistent: false,
    events: events.length,
    upstreamRequests: 0,
    regeneratedTokens: 0,
    error,
  });
  const noticeAt = events.findIndex((e) => e.event === 'notice');
  const notice = events[noticeAt];
  if (!notice)
    return failed(`no notice (${result.ended}${result.error ? `: ${result.error}` : ''})`);
  const before = events.slice(0, noticeAt).findLast((e) => e.event === 'message');
  const after = events.slice(noticeAt + 1).find((e) => e.event === 'message');
  if (!before || !after) return failed('no message on one side of the notice');
  const text = events
    .filter((e) => e.event === 'message')
    .map(contentOf)
    .join('');
  const expected = longAnswer(tokens).join('');
  const notices = events.filter((e) => e.event === 'notice');
  const last = events.at(-1);
  const consistent =
    events.every((e, i) => e.id === i + 1) &&
    notices.length === 1 &&
    (JSON.parse(notice.data) as { code?: string }).code === 'continued' &&
    last?.event === 'close' &&
    (JSON.parse(last.data) as { finishReason?: string }).finishReason === 'stop';
  const records = await upstreamRecords(ctx, tag);
  const gap = after.at - before.at;
  return {
    run,
    killedAfter,
    gapMs: round(gap, 0),
    afterLeaseMs: round(gap - leaseMs, 0),
    killToNoticeMs: round(notice.at - killedAt, 0),
    noticeToTextMs: round(after.at - notice.at, 0),
    whole: text === expected,
    consistent,
    events: events.length,
    upstreamRequests: records.length,
    regeneratedTokens: records.reduce((a, r) => a + r.tokensSent, 0) - tokens,
    ...(text === expected
      ? {}
      : { error: `text differs (${text.length} of ${expected.length} characters)` }),
  };
}

// ---- the figure ------------------------------------------------------------------------------

export async function scaleFigure(ctx: Context): Promise<ScaleResult> {
  const { takeover } = ctx.sizes.scale;
  const loadAverage = round(os.loadavg()[0]!, 2);
  const redis = await startRedis(ctx.workDir);
  const started: Running[] = [];
  try {
    const shared = redisEnv(redis, takeover.leaseMs);
    const startA = async (n: number) => {
      const a = await startApp(ctx, `scale-a${n}`, shared);
      started.push(a);
      return a;
    };
    let a = await startA(1);
    const b = await startApp(ctx, 'scale-b', shared);
    started.push(b);
    const memory = await startApp(ctx, 'scale-memory', {});
    started.push(memory);

    const cpu = await cpuPart(ctx, memory, a, redis);
    await memory.stop();
    const [mem, red] = cpu;
    const cpuRatio = round(red!.usPerToken / mem!.usPerToken, 2);
    ctx.log(
      `  scale cpu: ${red!.usPerToken} µs/token with Redis (+ ${red!.redisUsPerToken} in redis-server) vs ${mem!.usPerToken} in memory: ${cpuRatio}×; ` +
        `Redis commands per token ${JSON.stringify(red!.redisCommandsPerToken)}`,
    );

    const followed = await followPart(ctx, a, b, redis, shared.REDIS_PREFIX!);
    ctx.log(
      `  scale follow ×${followed.replies}: other instance added p50 ${followed.addedP50Ms} ms, p99 ${followed.addedP99Ms} ms, max ${followed.addedMaxMs} ms ` +
        `(owner's write p50 ${followed.ownerWriteP50Ms}, p99 ${followed.ownerWriteP99Ms}; other's read p50 ${followed.otherReadP50Ms}, p99 ${followed.otherReadP99Ms}; ` +
        `control on the owner p50 ${followed.controlP50Ms}, p99 ${followed.controlP99Ms}; ${followed.samples} tokens, ${followed.excluded} left out; ` +
        `host ${followed.hostBusyPct} % busy, ${followed.hostOtherPct} % outside the bench)`,
    );

    const runs: TakeoverRun[] = [];
    for (let i = 1; i <= takeover.runs; i++) {
      if (i > 1) a = await startA(i);
      const r = await takeoverRun(ctx, i, a, b);
      runs.push(r);
      ctx.log(
        `  scale takeover ${i}: gap ${r.gapMs} ms (lease ${r.afterLeaseMs < 0 ? '−' : '+'} ${Math.abs(r.afterLeaseMs)}; kill → notice ${r.killToNoticeMs}, notice → text ${r.noticeToTextMs}), ` +
          `text ${r.whole ? 'whole' : 'NOT whole'}, ${r.consistent ? 'ids and events consistent' : 'events NOT consistent'}, ` +
          `${r.upstreamRequests} upstream requests, ${r.regeneratedTokens} tokens generated twice` +
          (r.error ? ` — ${r.error}` : ''),
      );
    }
    const gaps = runs.map((r) => r.gapMs);
    const worst = Math.max(...gaps);
    const median = quantile(gaps, 0.5);
    return {
      loadAverage,
      cpu,
      cpuRatio,
      follow: followed,
      takeover: {
        leaseMs: takeover.leaseMs,
        tokens: takeover.tokens,
        delayMs: takeover.delayMs,
        runs,
        worstGapMs: round(worst, 0),
        medianGapMs: round(median, 0),
        worstAfterLeaseMs: round(worst - takeover.leaseMs, 0),
        medianAfterLeaseMs: round(median - takeover.leaseMs, 0),
        wholeRuns: runs.filter((r) => r.whole && r.consistent).length,
      },
    };
  } finally {
    for (const s of started) await s.stop();
    await redis.stop();
  }
}
