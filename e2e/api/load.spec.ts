import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { freePort } from '../support/ports';
import { metricsAuth, startApp } from '../support/servers';
import { expectConsecutiveIds, readSse, someClient, text } from '../support/api';
import { longAnswer } from '../../lib/simulator/content';

const rssMb = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

test('1,000 concurrent replies, three rounds in a 256 MB heap: all complete, memory is released', async () => {
  test.setTimeout(240_000);
  const { url, child } = await startApp('load', await freePort(), {
    OPENAI_API_KEY: process.env.TEST_API_KEY!,
    OPENAI_BASE_URL: `${process.env.SIMULATOR_URL}/v1`,
    RATE_LIMIT_PER_MINUTE: '0',
    RATE_LIMIT_CONCURRENT: '0',
    REPLY_TTL_MS: '3000',
    // A bounded heap: if replies were retained after eviction, a later round would run out of
    // memory (V8 keeps the RSS it grew to, so RSS alone cannot show a leak).
    NODE_OPTIONS: '--max-old-space-size=256',
  });
  try {
    const pid = child.pid!;
    // Warm up, then take the baseline.
    await readSse(`${url}/api/chat`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream' },
      body: JSON.stringify({ messages: [{ role: 'user', content: '[[tokens:10]] [[delay:0]]' }] }),
    });
    const baseline = rssMb(pid);
    const N = 1000;
    const expected = longAnswer(40).join('');

    /** One round of N concurrent replies; returns the peak RSS seen while it ran. */
    const round = async (label: string) => {
      let peak = rssMb(pid);
      const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 100);
      const started = performance.now();
      const results = await Promise.all(
        Array.from({ length: N }, async () => {
          const t0 = performance.now();
          try {
            const r = await readSse(`${url}/api/chat`, {
              method: 'POST',
              headers: {
                'Content-Type': 'application/json',
                Accept: 'text/event-stream',
                ...someClient(),
              },
              body: JSON.stringify({
                messages: [{ role: 'user', content: '[[tokens:40]] [[delay:25]]' }],
              }),
            });
            const first = r.events.find((e) => e.event === 'message');
            return { r, ttft: (first?.at ?? Infinity) - t0, total: performance.now() - t0 };
          } catch (error) {
            return { error };
          }
        }),
      );
      clearInterval(sampler);
      const wall = performance.now() - started;
      const failed = results.filter((x) => !('r' in x));
      const ok = results.flatMap((x) => ('r' in x && x.r ? [x] : []));
      let wrong = 0;
      for (const { r } of ok) {
        const good =
          r.status === 200 &&
          text(r.events) === expected &&
          r.events.at(-1)?.event === 'close' &&
          (r.events.at(-1)?.data as { finishReason?: string }).finishReason === 'stop';
        if (!good) wrong++;
        else expectConsecutiveIds(r.events);
      }
      const ttft = ok.map((x) => x.ttft).sort((a, b) => a - b);
      const total = ok.map((x) => x.total).sort((a, b) => a - b);
      console.log(
        `load ${label}: ${N} replies in ${Math.round(wall)} ms; errors ${failed.length}, wrong ${wrong}; ` +
          `TTFT p50 ${pct(ttft, 0.5).toFixed(0)} ms p99 ${pct(ttft, 0.99).toFixed(0)} ms; ` +
          `total p50 ${pct(total, 0.5).toFixed(0)} ms p99 ${pct(total, 0.99).toFixed(0)} ms; ` +
          `RSS baseline ${baseline.toFixed(0)} MB, peak ${peak.toFixed(0)} MB`,
      );
      expect(failed).toHaveLength(0);
      expect(wrong).toBe(0);
      // Finished replies are evicted after REPLY_TTL_MS: the store is empty again.
      await expect
        .poll(
          async () =>
            (await (await fetch(`${url}/api/health`, { headers: metricsAuth })).json()).store,
          {
            timeout: 15_000,
          },
        )
        .toMatchObject({ replies: 0, running: 0, bytes: 0 });
      console.log(`load ${label}: RSS after eviction ${rssMb(pid).toFixed(0)} MB`);
    };

    await round('round 1');
    await round('round 2');
    await round('round 3');
    expect(child.exitCode).toBeNull();
  } finally {
    child.kill('SIGTERM');
  }
});
