/**
 * Figure 3, concurrent replies held: N replies opened at a steady rate and streaming at 20
 * tokens/s, each long enough that all N are open together for a few seconds ("the hold"). For
 * each relay and each N, on a fresh server process: replies that failed or were still streaming
 * long after they should have ended, the time to the first token while they were being opened,
 * the p99 gap between consecutive tokens during the hold, and the server's RSS growth with all
 * N open divided by N. A few direct replies (to the upstream itself) run alongside as the
 * control: "added" is the relay's p99 gap minus theirs, under the same load at the same moment.
 */
import { setMaxListeners } from 'node:events';
import { streamReply, type StreamResult, type Target } from '../lib/client';
import { startVariant, type Context } from '../lib/context';
import { cpuMicros, rssBytes, sleep } from '../lib/proc';
import { quantile, round, Samples } from '../lib/stats';
import { RELAYS, target, type VariantId } from '../lib/variants';

export interface SweepRow {
  variant: VariantId;
  open: number;
  errors: number;
  /** Why replies failed: 'too slow' (still streaming well past their duration), an error… */
  errorKinds: Record<string, number>;
  p99FirstTokenMs: number;
  p50GapMs: number;
  p99GapMs: number;
  addedP99Ms: number;
  /** p99 gap of the direct replies that ran alongside (the control). */
  directP99GapMs: number;
  /** RSS growth per open reply, KiB (not measured for direct: the simulator is shared). */
  rssPerReplyKiB: number | null;
  maxOpen: number;
  elapsedMs: number;
  /** CPU over the hold, % of one core: the server, the upstream simulator, the bench client. */
  holdCpuPct?: { server: number; upstream: number; client: number };
  /** Not run: the variant already failed at a lower count. */
  skipped?: boolean;
}

export async function sweepFigure(ctx: Context): Promise<SweepRow[]> {
  const { open, delayMs, holdMs, openPerSecond } = ctx.sizes.sweep;
  const rows: SweepRow[] = [];
  for (const id of RELAYS) {
    for (const n of open) {
      const server = await startVariant(ctx, id);
      try {
        // Warm-up: a few replies through every code path, then a quiet second.
        await Promise.all(
          Array.from({ length: 10 }, () =>
            streamReply(target(id, server.port, '[[tokens:50]] [[delay:0]] warm'), {
              timeoutMs: 30_000,
            }),
          ),
        );
        await sleep(1_000);
        // Each reply lasts the opening of all of them plus the hold.
        const rampMs = (1000 * n) / openPerSecond;
        const tokens = Math.ceil((rampMs + holdMs) / delayMs);
        const prompt = `[[tokens:${tokens}]] [[delay:${delayMs}]] sweep`;
        const control = target('direct', ctx.simulator.port, prompt);
        const row = await step(
          id,
          server.pid,
          ctx.simulator.pid,
          target(id, server.port, prompt),
          control,
          n,
          {
            tokens,
            rampMs,
            durationMs: tokens * delayMs,
          },
        );
        rows.push(row);
        ctx.log(
          `  sweep ${id} ${n} open: ${row.errors} errors ${JSON.stringify(row.errorKinds)}, ` +
            `first token p99 ${row.p99FirstTokenMs} ms, p99 gap ${row.p99GapMs} ms ` +
            `(direct ${row.directP99GapMs}), ${row.rssPerReplyKiB} KiB/reply, ${round(row.elapsedMs / 1000, 1)} s, ` +
            `CPU % server/upstream/client ${JSON.stringify(row.holdCpuPct)}`,
        );
        // Beyond the load where it already failed, a variant only fails more: skip the rest.
        if (row.errors > n / 10) {
          for (const m of open.filter((m) => m > n)) {
            rows.push({
              variant: id,
              open: m,
              errors: m,
              errorKinds: {},
              p99FirstTokenMs: NaN,
              p50GapMs: NaN,
              p99GapMs: NaN,
              addedP99Ms: NaN,
              directP99GapMs: NaN,
              rssPerReplyKiB: null,
              maxOpen: 0,
              elapsedMs: 0,
              skipped: true,
            });
            ctx.log(`  sweep ${id} ${m} open: skipped (failed at ${n})`);
          }
          break;
        }
      } finally {
        await server.stop();
      }
    }
  }
  return rows;
}

interface Run {
  results: StreamResult[];
  gaps: Samples;
  firstTokens: Samples;
}

/** Opens `n` replies over `rampMs`, recording gaps between tokens; `onLive` sees open counts. */
function openMany(
  t: Target,
  n: number,
  rampMs: number,
  o: {
    durationMs: number;
    signal: AbortSignal;
    /** Gaps are recorded between these two performance.now() times (the hold). */
    window: [number, number];
    onLive?: (delta: number) => void;
  },
): Promise<Run> {
  const gaps = new Samples();
  const firstTokens = new Samples();
  return Promise.all(
    Array.from({ length: n }, async (_, i): Promise<StreamResult> => {
      await sleep((i * rampMs) / n);
      let last: number | undefined;
      const res = await streamReply(t, {
        timeoutMs: o.durationMs * 4 + 60_000,
        signal: o.signal,
        onTokens(count, at) {
          if (last === undefined) o.onLive?.(1);
          if (at >= o.window[0] && at <= o.window[1]) {
            if (last !== undefined) gaps.push(at - last);
            for (let k = 1; k < count; k++) gaps.push(0);
          }
          last = at;
        },
      });
      if (last !== undefined) o.onLive?.(-1);
      if (res.firstTokenAt !== undefined) firstTokens.push(res.firstTokenAt - res.startedAt);
      return res;
    }),
  ).then((results) => ({ results, gaps, firstTokens }));
}

async function step(
  id: VariantId,
  pid: number,
  simulatorPid: number,
  t: Target,
  control: Target,
  n: number,
  o: { tokens: number; rampMs: number; durationMs: number },
): Promise<SweepRow> {
  const baseline = rssBytes(pid);
  let live = 0;
  let maxOpen = 0;
  let peak = { open: 0, rss: 0 };
  const sampler = setInterval(() => {
    if (live >= peak.open && live > 0) peak = { open: live, rss: rssBytes(pid) };
  }, 250);
  const { rampMs } = o;
  // A reply still streaming at twice its duration (after everyone was let in) counts as failed.
  const stop = new AbortController();
  setMaxListeners(0, stop.signal);
  const cap = setTimeout(() => stop.abort(), rampMs + o.durationMs * 2 + 3_000);
  const started = performance.now();
  // The hold: from the last reply's first token (give it a second) to the first reply's end.
  const window: [number, number] = [started + rampMs + 1_000, started + o.durationMs];
  // CPU of the server, the upstream simulator and this client process over the hold.
  let cpuAt: { server: number; upstream: number; client: number; at: number } | undefined;
  let holdCpu: { server: number; upstream: number; client: number } | undefined;
  const sample = () => ({
    server: cpuMicros(pid),
    upstream: cpuMicros(simulatorPid),
    client: process.cpuUsage().user + process.cpuUsage().system,
    at: performance.now(),
  });
  const holdStart = setTimeout(() => (cpuAt = sample()), window[0] - started);
  const holdEnd = setTimeout(
    () => {
      if (!cpuAt) return;
      const now = sample();
      const wallUs = (now.at - cpuAt.at) * 1000;
      holdCpu = {
        server: round((100 * (now.server - cpuAt.server)) / wallUs, 0),
        upstream: round((100 * (now.upstream - cpuAt.upstream)) / wallUs, 0),
        client: round((100 * (now.client - cpuAt.client)) / wallUs, 0),
      };
    },
    Math.max(0, window[1] - started),
  );
  const [run, direct] = await Promise.all([
    openMany(t, n, rampMs, {
      durationMs: o.durationMs,
      signal: stop.signal,
      window,
      onLive(delta) {
        live += delta;
        maxOpen = Math.max(maxOpen, live);
      },
    }),
    openMany(control, Math.max(10, Math.round(n / 20)), rampMs, {
      durationMs: o.durationMs,
      signal: stop.signal,
      window,
    }),
  ]);
  clearInterval(sampler);
  clearTimeout(cap);
  clearTimeout(holdStart);
  clearTimeout(holdEnd);
  const elapsed = performance.now() - started;
  const failed = run.results.filter((r) => !r.ok || r.tokens !== o.tokens);
  const errorKinds: Record<string, number> = {};
  for (const r of failed) {
    const kind = r.error === 'aborted' ? 'too slow' : (r.error ?? `${r.tokens} tokens`);
    errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
  }
  if (run.gaps.length === 0 || direct.gaps.length === 0) {
    throw new Error(`sweep: no token arrived through ${id} (${run.results[0]?.error})`);
  }
  const p99 = quantile(run.gaps.values(), 0.99);
  const directP99 = quantile(direct.gaps.values(), 0.99);
  return {
    variant: id,
    open: n,
    errors: failed.length,
    errorKinds,
    p99FirstTokenMs: round(quantile(run.firstTokens.values(), 0.99), 0),
    p50GapMs: round(quantile(run.gaps.values(), 0.5), 1),
    p99GapMs: round(p99, 1),
    addedP99Ms: round(p99 - directP99, 1),
    directP99GapMs: round(directP99, 1),
    rssPerReplyKiB: peak.open > 0 ? round((peak.rss - baseline) / peak.open / 1024, 1) : null,
    maxOpen,
    elapsedMs: round(elapsed, 0),
    holdCpuPct: holdCpu,
  };
}
