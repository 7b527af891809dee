/**
 * Figure 7, never-reading clients: clients that send their request and then never read a byte
 * (the socket is paused before it connects), on a long answer. What the server keeps for each of
 * them, in RSS after a full garbage collection, next to the size of the answer: a server that
 * writes bounded slices keeps about a slice or two per client whatever the answer's length; one
 * that hands the socket everything at once keeps a copy of the answer per client.
 *
 * This app: one reply of `tokens` tokens (POST /api/chat two-step, 201 + streamUrl), read once in
 * full (which checks that it completed and warms the replay path); then `clients` clients each
 * send `GET <streamUrl>` (the whole replay) and never read. The goal allows 2 × 64 KiB per client
 * (a slice in the follower's queue, one in Node's socket buffer) on top of what an idle follower
 * costs, measured in the same run: as many never-reading followers of a reply that sends nothing
 * after its first token.
 * Naive relay and AI SDK: no replay, so each client is its own POST of the same long answer, and
 * the upstream generates it once per client. Each variant runs on a fresh server started with
 * GC_NODE_ARGS; RSS is read after a full GC before the clients connect and once the server has
 * gone quiet (CPU idle for a second, every client sent something by it, the upstream done or
 * held back), or at the end of the window after the requests were sent. The kernel's share (the
 * server's send queues and the clients' receive queues, not in RSS) is reported beside it.
 *
 * Sizes, for about 2 minutes at most on 2 cores. The answer must be longer than what the kernel
 * takes per connection on loopback (about 3.8 MiB here: up to 4 MiB of send buffer and a little
 * receive buffer), or even a server that writes it all at once keeps nothing: 140,000 tokens is
 * 4.95 MiB as this app's events (4.4 MiB as the naive relay's). This app replays it to 1,000
 * clients (the figure; 200, the first report, in --quick) from one generation.
 * Today's follower joins and encodes the whole replay for each client, 55–110 ms of CPU each, so
 * not all 1,000 are answered within the 40 s window (30 s in --quick): the row says how many
 * were. The relays generate the answer once per client, about 5–8 s (naive) and 20 s (AI SDK,
 * some 8,000 tokens/s) each here: 1,000 × 140,000 tokens would take hours, and 2 clients would
 * already cost the AI SDK 40 s, so every variant runs a row of 1 client (in --quick too; a 30 s
 * window, 25 s in --quick) and the relays' 1,000 row says what it would take at the rate
 * measured. Against today's server the full figure took about 2 minutes (the 1,000 row runs to
 * its window), --quick 75–90 s. The smoke run checks the mechanics only: 5 clients of every
 * variant on 2,000 tokens, which the kernel takes whole (so the goal is not judged), without the
 * warm-up. At 1,000 clients the host's TCP memory passes its pressure level (tcp_mem) for as
 * long as the row lasts, after which the kernel takes less per connection: the report says how
 * much it held.
 */
import {
  openNeverReading,
  startTwoStep,
  streamReply,
  type NeverReading,
  type Target,
} from '../lib/client';
import { startVariant, type Context, type Running } from '../lib/context';
import {
  cpuMicros,
  fullGc,
  GC_NODE_ARGS,
  hostTcpMemory,
  kernelSendQueueBytes,
  receiveQueues,
  rssBytes,
  sleep,
} from '../lib/proc';
import { round } from '../lib/stats';
import { RELAYS, target, type VariantId } from '../lib/variants';

/** This app's write size once writes are sliced; the goal allows two per client. */
export const SLICE_BYTES = 64 << 10;
/** Well above the answer (about 37 bytes per token as events), so the reply is never cut. */
const REPLY_MAX_BYTES = 32 << 20;

export interface StalledRow {
  variant: VariantId;
  clients: number;
  /** Not run, and why (the relays at the count: generating would take too long). */
  skipped?: string;
  /** Clients the server had sent something to when memory was read. */
  answered: number;
  /** The server went quiet within the window (else it was read at the window's end). */
  settled: boolean;
  /** From the requests sent (all at once, the clients connected first) to the reading. */
  waitedMs: number;
  /** The answer as this variant sends it; estimated for the relays from a shorter one. */
  replyBytes: number;
  replyEstimated: boolean;
  /** RSS growth after a full GC: total, and per answered client. */
  rssGrowthMiB: number;
  rssPerClientKiB: number;
  /** Per answered client, before the GC (RSS once the server went quiet). */
  rssPerClientBeforeGcKiB: number;
  /** RSS per client ÷ the answer's size: about 1 when each client holds a whole copy. */
  ofReply: number;
  /** The kernel's share per client: the server's send queue plus the client's receive queue. */
  kernelPerClientKiB: number;
  /** This app: RSS per never-reading follower of a reply that sends nothing (after a GC). */
  idleFollowerKiB: number | null;
  /** The relays: tokens the upstream sent per client (all of them unless the relay held back). */
  upstreamTokensPerClient: number | null;
  /** TCP buffers of the whole host at the reading, and where the kernel's pressure starts. */
  hostTcpMiB: number;
  hostTcpPressureMiB: number;
}

interface SimRecord {
  tag?: string;
  tokensSent: number;
  startedAt: number;
  endedAt?: number;
}

async function upstreamRecords(ctx: Context, tag: string): Promise<SimRecord[]> {
  const res = await fetch(`http://127.0.0.1:${ctx.simulator.port}/_stats`, {
    signal: AbortSignal.timeout(10_000),
  });
  const { requests } = (await res.json()) as { requests: SimRecord[] };
  return requests.filter((r) => r.tag === tag);
}

const sumTokens = (records: SimRecord[]) => records.reduce((a, r) => a + r.tokensSent, 0);

/** `GET <streamUrl>` from the start: the whole reply, replayed. */
function replayTarget(port: number, streamUrl: string): Target {
  return {
    ...target('app', port, ''),
    method: 'GET',
    path: streamUrl,
    body: '',
  };
}

/**
 * Connects `n` never-reading clients, 50 at a time (a burst of 1,000 overflows the accept queue),
 * then sends all their requests at once: a server busy answering the first would be slow to
 * accept the rest, so the window would start at a different point for each server.
 */
async function openAll(
  t: Target,
  n: number,
): Promise<{ clients: NeverReading[]; ports: number[] }> {
  const clients: NeverReading[] = [];
  const ports: number[] = [];
  try {
    for (let i = 0; i < n; i += 50) {
      const batch = Array.from({ length: Math.min(50, n - i) }, () => openNeverReading(t, 10_000));
      clients.push(...batch);
      ports.push(...(await Promise.all(batch.map((c) => c.connected))));
    }
  } catch (error) {
    for (const c of clients) c.close();
    throw error;
  }
  for (const c of clients) c.send();
  return { clients, ports };
}

interface PhaseResult {
  answered: number;
  settled: boolean;
  waitedMs: number;
  /** Per answered client, bytes. */
  rssPerClient: number;
  rssPerClientBeforeGc: number;
  rssGrowth: number;
  kernelPerClient: number;
  hostTcp: { bytes: number; pressureBytes: number };
}

/**
 * RSS before (after a GC), `n` never-reading clients of `t`, then RSS once the server is quiet
 * (and after a GC). `upstreamSettled`, when given, must also hold (the upstream stopped sending).
 */
async function phase(
  server: Running,
  t: Target,
  n: number,
  windowMs: number,
  upstreamSettled?: () => Promise<boolean>,
): Promise<PhaseResult> {
  await fullGc(server.pid);
  const baseline = rssBytes(server.pid);
  const { clients, ports } = await openAll(t, n);
  try {
    const sentAt = performance.now();
    const cpu: { at: number; us: number }[] = [];
    let answered = 0;
    let settled = false;
    while (performance.now() - sentAt < windowMs) {
      await sleep(250);
      const now = performance.now();
      cpu.push({ at: now, us: cpuMicros(server.pid) });
      const queues = receiveQueues(server.port);
      answered = ports.filter((p) => (queues.get(p) ?? 0) > 0).length;
      // Quiet: under 5 % of a core over the last second.
      const ago = cpu.findLast((s) => now - s.at >= 1_000);
      const idle = ago !== undefined && cpu.at(-1)!.us - ago.us <= 50_000;
      if (answered === n && idle && (!upstreamSettled || (await upstreamSettled()))) {
        settled = true;
        break;
      }
    }
    const waitedMs = performance.now() - sentAt;
    const beforeGc = rssBytes(server.pid);
    const answeredBeforeGc = answered;
    await fullGc(server.pid);
    const after = rssBytes(server.pid);
    // A server still busy answers more during the GC: count again.
    const queues = receiveQueues(server.port);
    answered = ports.filter((p) => (queues.get(p) ?? 0) > 0).length;
    const received = ports.reduce((a, p) => a + (queues.get(p) ?? 0), 0);
    const kernel = kernelSendQueueBytes(server.port) + received;
    // Per client the server answered (the others cost it nothing yet).
    const per = Math.max(answered, 1);
    return {
      answered,
      settled,
      waitedMs,
      rssPerClient: (after - baseline) / per,
      rssPerClientBeforeGc: (beforeGc - baseline) / Math.max(answeredBeforeGc, 1),
      rssGrowth: after - baseline,
      kernelPerClient: kernel / per,
      hostTcp: hostTcpMemory(),
    };
  } finally {
    for (const c of clients) c.close();
    // Let the server see the disconnects and let go of what it held for them.
    const until = performance.now() + 5_000;
    let last = cpuMicros(server.pid);
    while (performance.now() < until) {
      await sleep(500);
      const now = cpuMicros(server.pid);
      if (now - last <= 25_000) break;
      last = now;
    }
  }
}

const KiB = (bytes: number) => round(bytes / 1024, 1);

/** The short reply of the warm-ups. */
const WARM_TOKENS = 5_000;

function row(
  variant: VariantId,
  clients: number,
  p: PhaseResult,
  reply: { bytes: number; estimated: boolean },
  extra: { idleFollowerKiB: number | null; upstreamTokensPerClient: number | null },
): StalledRow {
  return {
    variant,
    clients,
    answered: p.answered,
    settled: p.settled,
    waitedMs: round(p.waitedMs, 0),
    replyBytes: Math.round(reply.bytes),
    replyEstimated: reply.estimated,
    rssGrowthMiB: round(p.rssGrowth / 2 ** 20, 1),
    rssPerClientKiB: KiB(p.rssPerClient),
    rssPerClientBeforeGcKiB: KiB(p.rssPerClientBeforeGc),
    ofReply: round(p.rssPerClient / reply.bytes, 2),
    kernelPerClientKiB: KiB(p.kernelPerClient),
    ...extra,
    hostTcpMiB: round(p.hostTcp.bytes / 2 ** 20, 0),
    hostTcpPressureMiB: round(p.hostTcp.pressureBytes / 2 ** 20, 0),
  };
}

function logRow(ctx: Context, r: StalledRow): void {
  ctx.log(
    `  stalled ${r.variant} ×${r.clients}: +${r.rssPerClientKiB} KiB RSS per client after GC ` +
      `(${r.rssPerClientBeforeGcKiB} before; ${r.ofReply} × the ${KiB(r.replyBytes)} KiB answer), ` +
      `kernel ${r.kernelPerClientKiB} KiB each, ${r.answered}/${r.clients} answered, ` +
      `${r.settled ? 'quiet' : 'NOT quiet'} after ${round(r.waitedMs / 1000, 1)} s` +
      (r.idleFollowerKiB !== null ? `, idle follower ${r.idleFollowerKiB} KiB` : '') +
      (r.upstreamTokensPerClient !== null
        ? `, upstream ${r.upstreamTokensPerClient} tokens each`
        : '') +
      `, host TCP ${r.hostTcpMiB} MiB (pressure at ${r.hostTcpPressureMiB})`,
  );
}

/** This app: one long reply, replayed to never-reading clients at each count. */
async function appRows(ctx: Context, counts: number[]): Promise<StalledRow[]> {
  const { tokens, windowMs, warmClients } = ctx.sizes.stalled;
  const server = await startVariant(
    ctx,
    'app',
    // A short shutdown grace: stopping it after the rows is not measured.
    { REPLY_MAX_BYTES: String(REPLY_MAX_BYTES), SHUTDOWN_GRACE_MS: '1000' },
    GC_NODE_ARGS,
  );
  const rows: StalledRow[] = [];
  try {
    const streamUrl = await startTwoStep(server.port, `[[tokens:${tokens}]] [[delay:0]] long`);
    const replay = replayTarget(server.port, streamUrl);
    // Read once in full: the reply completed (not cut at REPLY_MAX_BYTES), and its size.
    const full = await streamReply(replay, { timeoutMs: 120_000 });
    if (!full.ok || full.tokens !== tokens) {
      throw new Error(`stalled: the app's reply failed (${full.error}, ${full.tokens}/${tokens})`);
    }
    // The never-reading path once, on a short reply: what runs for the first time (code
    // compiled, pools grown) is not charged to the first row (a few MiB, much per client at 2).
    const warmTokens = Math.min(tokens, WARM_TOKENS);
    const warmUrl = await startTwoStep(server.port, `[[tokens:${warmTokens}]] [[delay:0]] warm`);
    const warm = await streamReply(replayTarget(server.port, warmUrl), { timeoutMs: 60_000 });
    if (!warm.ok) throw new Error(`stalled: the app's warm-up reply failed (${warm.error})`);
    if (warmClients > 0)
      await phase(server, replayTarget(server.port, warmUrl), warmClients, windowMs);
    // The smaller count first, next to the relays' (whose servers have only read one reply),
    // then what an idle follower costs, then the count.
    const [max, ...smaller] = [...counts].sort((a, b) => b - a);
    let idleFollowerKiB: number | null = null;
    const measure = async (n: number) => {
      const p = await phase(server, replay, n, windowMs);
      const r = row(
        'app',
        n,
        p,
        { bytes: full.bytes, estimated: false },
        { idleFollowerKiB: n === max ? idleFollowerKiB : null, upstreamTokensPerClient: null },
      );
      rows.push(r);
      logRow(ctx, r);
    };
    for (const n of smaller) await measure(n);
    // What a follower costs when there is nothing to send: a reply silent after one token.
    const silentUrl = await startTwoStep(server.port, '[[hang:1]] [[delay:0]] silent');
    const idle = await phase(server, replayTarget(server.port, silentUrl), max!, windowMs);
    idleFollowerKiB = KiB(idle.rssPerClient);
    // Stop it, or shutting the server down waits for it.
    await fetch(`http://127.0.0.1:${server.port}${silentUrl.replace(/\/stream$/, '')}`, {
      method: 'DELETE',
      signal: AbortSignal.timeout(10_000),
    }).then((res) => res.arrayBuffer());
    ctx.log(`  stalled app: idle follower ${idleFollowerKiB} KiB (×${max})`);
    await measure(max!);
  } finally {
    await server.stop();
  }
  return rows;
}

/** A relay: `n` never-reading clients, each its own request for the long answer. */
async function relayRow(
  ctx: Context,
  id: VariantId,
  n: number,
): Promise<{ row: StalledRow; tokensPerSecond: number }> {
  const { tokens, relayWindowMs, warmClients } = ctx.sizes.stalled;
  const server = await startVariant(ctx, id, {}, GC_NODE_ARGS);
  try {
    // Warm-up, and the size of a token on this relay's wire (the answer's content repeats);
    // then the never-reading path once (see appRows).
    const warmTokens = Math.min(tokens, WARM_TOKENS);
    const warmTarget = target(id, server.port, `[[tokens:${warmTokens}]] [[delay:0]] warm`);
    const warm = await streamReply(warmTarget, { timeoutMs: 60_000 });
    if (!warm.ok || warm.tokens !== warmTokens) {
      throw new Error(`stalled: warm-up through ${id} failed (${warm.error})`);
    }
    if (warmClients > 0) await phase(server, warmTarget, warmClients, relayWindowMs);
    const tag = `stalled-${id}-${n}-${Date.now()}`;
    const prompt = `[[tokens:${tokens}]] [[delay:0]] [[tag:${tag}]] long`;
    let sent = -1;
    const p = await phase(server, target(id, server.port, prompt), n, relayWindowMs, async () => {
      // The upstream is done, or held back: nothing more arrived since the last look.
      const now = sumTokens(await upstreamRecords(ctx, tag));
      const same = now === sent;
      sent = now;
      return same;
    });
    const records = await upstreamRecords(ctx, tag);
    const upstream = sumTokens(records);
    const start = Math.min(...records.map((r) => r.startedAt));
    const end = Math.max(...records.map((r) => r.endedAt ?? Date.now()));
    const r = row(
      id,
      n,
      p,
      { bytes: (warm.bytes / warmTokens) * tokens, estimated: true },
      { idleFollowerKiB: null, upstreamTokensPerClient: Math.round(upstream / n) },
    );
    logRow(ctx, r);
    return { row: r, tokensPerSecond: upstream / Math.max((end - start) / 1000, 0.001) };
  } finally {
    await server.stop();
  }
}

export async function stalledFigure(ctx: Context): Promise<StalledRow[]> {
  const { clients, peerClients, tokens } = ctx.sizes.stalled;
  const counts = [...new Set([clients, peerClients])];
  const rows: StalledRow[] = [];
  if (RELAYS.includes('app')) rows.push(...(await appRows(ctx, counts)));
  for (const id of RELAYS.filter((v) => v !== 'app')) {
    const { row: r, tokensPerSecond } = await relayRow(ctx, id, peerClients);
    rows.push(r);
    if (clients !== peerClients) {
      const minutes = (clients * tokens) / tokensPerSecond / 60;
      rows.push({
        variant: id,
        clients,
        skipped:
          `not run: ${clients} × ${tokens} tokens to generate, about ${Math.round(minutes)} min ` +
          `at the ${Math.round(tokensPerSecond)} tokens/s measured with ${peerClients}`,
        answered: 0,
        settled: false,
        waitedMs: NaN,
        replyBytes: r.replyBytes,
        replyEstimated: true,
        rssGrowthMiB: NaN,
        rssPerClientKiB: NaN,
        rssPerClientBeforeGcKiB: NaN,
        ofReply: NaN,
        kernelPerClientKiB: NaN,
        idleFollowerKiB: null,
        upstreamTokensPerClient: null,
        hostTcpMiB: NaN,
        hostTcpPressureMiB: NaN,
      });
    }
  }
  // The count first, then the row every variant ran.
  const order = (r: StalledRow) => [r.clients === clients ? 0 : 1, RELAYS.indexOf(r.variant)];
  return rows.sort((a, b) => {
    const [a1, a2] = order(a);
    const [b1, b2] = order(b);
    return a1! - b1! || a2! - b2!;
  });
}
