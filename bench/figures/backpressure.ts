/**
 * Figure 4, backpressure: clients that open a reply and then stop reading, on replies far
 * longer than what the kernel buffers. On loopback the kernel takes about 4 MiB per connection
 * (the server's send buffer) before a server sees any backpressure, so a meaningful test needs
 * answers of many MiB per client; generating those takes the upstream and the relay seconds per
 * client, which is why this figure uses a few clients on very long answers rather than 100 on
 * short ones (100 clients × 4 MiB would take minutes to generate on this machine).
 * For a fixed window (or until the upstream stops sending), the server's RSS growth per stalled
 * client, next to what the kernel holds and how much of the answer the upstream has sent.
 * This app runs with REPLY_MAX_BYTES set low (the configured per-reply buffer, its replay log):
 * its memory must stay under it; a relay without backpressure queues whatever the upstream sends.
 */
import { openStalled, streamReply } from '../lib/client';
import { startVariant, type Context } from '../lib/context';
import { kernelSendQueueBytes, rssBytes, sleep } from '../lib/proc';
import { round } from '../lib/stats';
import { RELAYS, target, type VariantId } from '../lib/variants';

export interface BackpressureRow {
  variant: VariantId;
  clients: number;
  windowMs: number;
  /** Tokens the upstream sent per client during the window. */
  upstreamTokensPerClient: number;
  rssGrowthMiB: number;
  rssPerClientMiB: number;
  kernelPerClientMiB: number;
  /** RSS growth per client over the last second of the window, MiB/s (≈ 0 when bounded). */
  stillGrowingMiBPerS: number;
  replyMaxBytes: number | null;
}

interface SimRecord {
  tag?: string;
  tokensSent: number;
  endedAt?: number;
}

async function upstreamTokens(ctx: Context, tag: string): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${ctx.simulator.port}/_stats`);
  const { requests } = (await res.json()) as { requests: SimRecord[] };
  return requests.filter((r) => r.tag === tag).reduce((a, r) => a + r.tokensSent, 0);
}

export async function backpressureFigure(ctx: Context): Promise<BackpressureRow[]> {
  const { clients, tokens, windowMs, replyMaxBytes, warmTokens } = ctx.sizes.backpressure;
  const rows: BackpressureRow[] = [];
  for (const id of RELAYS) {
    const server = await startVariant(
      ctx,
      id,
      id === 'app' ? { REPLY_MAX_BYTES: String(replyMaxBytes) } : {},
    );
    const tag = `bp-${id}-${Date.now()}`;
    const streams: ReturnType<typeof openStalled>[] = [];
    try {
      // Warm-up: a long reply read at full speed, so that the baseline is a server whose heap
      // has already grown to what relaying at that speed takes (RSS rarely shrinks again).
      const warm = await streamReply(
        target(id, server.port, `[[tokens:${warmTokens}]] [[delay:0]] warm`),
        { timeoutMs: 120_000 },
      );
      if (!warm.ok) throw new Error(`backpressure: warm-up through ${id} failed (${warm.error})`);
      await sleep(1_000);
      const baseline = rssBytes(server.pid);
      const prompt = `[[tokens:${tokens}]] [[delay:0]] [[tag:${tag}]] long answer`;
      for (let i = 0; i < clients; i++)
        streams.push(openStalled(target(id, server.port, prompt), 60_000));
      const statuses = await Promise.all(streams.map((s) => s.started));
      if (statuses.some((s) => s !== 200)) {
        throw new Error(`backpressure: ${id} answered ${statuses.join(', ')}`);
      }
      const started = performance.now();
      const samples: { at: number; rss: number }[] = [];
      let sent = 0;
      let stalledSince = performance.now();
      while (performance.now() - started < windowMs) {
        await sleep(500);
        const now = await upstreamTokens(ctx, tag);
        samples.push({ at: performance.now(), rss: rssBytes(server.pid) });
        if (now !== sent) stalledSince = performance.now();
        sent = now;
        // The upstream is held back (or done): nothing more will arrive.
        if (performance.now() - stalledSince > 2_000 && performance.now() - started > 3_000) break;
      }
      const elapsed = performance.now() - started;
      const growth = rssBytes(server.pid) - baseline;
      const kernel = kernelSendQueueBytes(server.port);
      // Growth over the last second or so: still going up means it is not bounded.
      const last = samples.at(-1)!;
      const earlier = samples[Math.max(0, samples.length - 3)]!;
      const slope =
        last.at > earlier.at ? (last.rss - earlier.rss) / ((last.at - earlier.at) / 1000) : 0;
      const row: BackpressureRow = {
        variant: id,
        clients,
        windowMs: round(elapsed, 0),
        upstreamTokensPerClient: Math.round(sent / clients),
        rssGrowthMiB: round(growth / 2 ** 20, 1),
        rssPerClientMiB: round(growth / clients / 2 ** 20, 2),
        kernelPerClientMiB: round(kernel / clients / 2 ** 20, 2),
        stillGrowingMiBPerS: round(slope / clients / 2 ** 20, 2),
        replyMaxBytes: id === 'app' ? replyMaxBytes : null,
      };
      rows.push(row);
      ctx.log(
        `  backpressure ${id}: +${row.rssPerClientMiB} MiB RSS per stalled client ` +
          `(${row.kernelPerClientMiB} MiB in kernel, upstream sent ${row.upstreamTokensPerClient} tokens each, ` +
          `still growing ${row.stillGrowingMiBPerS} MiB/s)`,
      );
    } finally {
      for (const s of streams) s.close();
      await server.stop();
    }
  }
  return rows;
}
