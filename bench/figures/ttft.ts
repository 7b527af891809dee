/**
 * Figure 1, added time to first token: the time from sending the request to the first token
 * (this app: the first `message` event; direct: the first content chunk), interleaved across the
 * variants reply by reply so that they share the machine's noise, then p50/p99 minus direct's.
 */
import { streamReply } from '../lib/client';
import { sharedVariant, type Context, type Running } from '../lib/context';
import { quantile, round } from '../lib/stats';
import { DIALECT_RELAYS, target, VARIANTS, type VariantId } from '../lib/variants';

export interface TtftRow {
  variant: VariantId;
  p50Ms: number;
  p99Ms: number;
  addedP50Ms: number;
  addedP99Ms: number;
  replies: number;
}

export async function ttftFigure(ctx: Context): Promise<TtftRow[]> {
  const { replies, tokens } = ctx.sizes.ttft;
  const prompt = `[[tokens:${tokens}]] [[delay:0]] first token`;
  const running: Running[] = [];
  for (const v of VARIANTS) {
    if (v.id === 'app-responses' && !DIALECT_RELAYS.includes(v.id)) continue;
    running.push(await sharedVariant(ctx, v.id));
  }
  const once = async (r: Running) => {
    const res = await streamReply(target(r.id, r.port, prompt), { timeoutMs: 15_000 });
    if (!res.ok || res.tokens !== tokens || res.firstTokenAt === undefined) {
      throw new Error(
        `ttft: ${r.id} reply failed (${res.error ?? 'ok'}, ${res.tokens}/${tokens} tokens)`,
      );
    }
    return res.firstTokenAt - res.startedAt;
  };
  // Warm up every route and JIT before timing.
  for (let i = 0; i < 10; i++) for (const r of running) await once(r);
  const samples = new Map<VariantId, number[]>(running.map((r) => [r.id, []]));
  for (let i = 0; i < replies; i++) {
    // Rotate the order so that no variant always goes first after an idle gap.
    for (let j = 0; j < running.length; j++) {
      const r = running[(i + j) % running.length]!;
      samples.get(r.id)!.push(await once(r));
    }
  }
  const direct = samples.get('direct')!;
  const d50 = quantile(direct, 0.5);
  const d99 = quantile(direct, 0.99);
  return running.map((r) => {
    const s = samples.get(r.id)!;
    const p50 = quantile(s, 0.5);
    const p99 = quantile(s, 0.99);
    return {
      variant: r.id,
      p50Ms: round(p50, 3),
      p99Ms: round(p99, 3),
      addedP50Ms: round(p50 - d50, 3),
      addedP99Ms: round(p99 - d99, 3),
      replies: s.length,
    };
  });
}
