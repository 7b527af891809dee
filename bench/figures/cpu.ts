/**
 * Figure 2, server CPU per relayed token: C replies of T tokens started together, the upstream
 * sending as fast as it can; the server process's CPU time (utime + stime from /proc) from just
 * before the first request to just after the last reply ended, divided by the tokens the clients
 * received. Request handling is included, amortised over the reply. A cohort still running after
 * a time limit is ended there (a relay that slow is counted on the tokens it delivered, which
 * charges it its setup over fewer tokens). The simulator's own CPU per token is reported
 * alongside (the cost of producing the stream, the same for every variant).
 */
import { setMaxListeners } from 'node:events';
import { streamReply } from '../lib/client';
import { sharedVariant, type Context } from '../lib/context';
import { cpuMicros, sleep } from '../lib/proc';
import { round } from '../lib/stats';
import { DIALECT_RELAYS, target, type VariantId } from '../lib/variants';

export interface CpuRow {
  variant: VariantId;
  concurrency: number;
  /** Tokens the clients received. */
  tokens: number;
  /** Replies that completed (the others were still running at the time limit). */
  completed: number;
  elapsedMs: number;
  serverCpuMs: number;
  usPerToken: number;
  upstreamUsPerToken: number;
}

export async function cpuFigure(ctx: Context): Promise<CpuRow[]> {
  const { concurrency, tokens, limitMs } = ctx.sizes.cpu;
  const prompt = `[[tokens:${tokens}]] [[delay:0]] cpu`;
  const rows: CpuRow[] = [];
  for (const id of DIALECT_RELAYS) {
    const server = await sharedVariant(ctx, id);
    const t = target(id, server.port, prompt);
    // Warm-up: JIT and connection pools, as a server that has been up for a while.
    await Promise.all(Array.from({ length: 10 }, () => streamReply(t, { timeoutMs: 60_000 })));
    for (const c of concurrency) {
      await sleep(500);
      const stop = new AbortController();
      setMaxListeners(0, stop.signal);
      const limit = setTimeout(() => stop.abort(), limitMs);
      const server0 = cpuMicros(server.pid);
      const sim0 = cpuMicros(ctx.simulator.pid);
      const started = performance.now();
      const results = await Promise.all(
        Array.from({ length: c }, () =>
          streamReply(t, { timeoutMs: limitMs + 10_000, signal: stop.signal }),
        ),
      );
      const elapsed = performance.now() - started;
      clearTimeout(limit);
      const serverUs = cpuMicros(server.pid) - server0;
      const simUs = cpuMicros(ctx.simulator.pid) - sim0;
      const failed = results.filter((r) => r.error !== 'aborted' && (!r.ok || r.tokens !== tokens));
      if (failed.length > 0) {
        throw new Error(
          `cpu: ${failed.length} of ${c} replies through ${id} failed (${failed[0]!.error}, ${failed[0]!.tokens}/${tokens} tokens)`,
        );
      }
      const count = results.reduce((a, r) => a + r.tokens, 0);
      if (count === 0) throw new Error(`cpu: no token went through ${id}`);
      const row: CpuRow = {
        variant: id,
        concurrency: c,
        tokens: count,
        completed: results.filter((r) => r.ok).length,
        elapsedMs: round(elapsed, 0),
        serverCpuMs: round(serverUs / 1000, 0),
        usPerToken: round(serverUs / count, 2),
        upstreamUsPerToken: round(simUs / count, 2),
      };
      rows.push(row);
      ctx.log(
        `  cpu ${id} ×${c}: ${row.usPerToken} µs/token (${count} tokens, ${row.completed}/${c} replies complete, ${round(elapsed / 1000, 1)} s)`,
      );
    }
  }
  return rows;
}
