import { expect, test } from '@playwright/test';
import { startTcpProxy } from '../support/tcp-proxy';
import { freePort } from '../support/ports';
import { startApp } from '../support/servers';
import { expectConsecutiveIds, followWithEventSource, postChat, text } from '../support/api';

test('100 replies whose connections are cut at random, several times each, arrive whole and once', async () => {
  test.setTimeout(90_000);
  // Its own server with the default 30 s grace: under this much cutting (and a loaded machine) a
  // follower can stay away longer than the 2 s grace the shared test server uses.
  const app = await startApp('churn', await freePort(), {
    OPENAI_API_KEY: process.env.TEST_API_KEY!,
    OPENAI_BASE_URL: `${process.env.SIMULATOR_URL}/v1`,
    RATE_LIMIT_PER_MINUTE: '0',
    RATE_LIMIT_CONCURRENT: '0',
    SSE_RETRY_MS: '500',
  });
  const proxy = await startTcpProxy(Number(new URL(app.url).port));
  const expected: string[] = [];
  let cuts = 0;
  let connected = 0;
  let chaos: ReturnType<typeof setInterval> | undefined;
  // Once every follower is streaming, cut about a third of the open connections every 300 ms.
  const startChaos = () => {
    chaos = setInterval(() => (cuts += proxy.dropSome(0.3)), 300);
  };
  try {
    const results = await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        const words = Array.from({ length: 200 }, (_, j) => `r${i}w${j}`).join(' ');
        expected[i] = words;
        const { streamUrl } = await postChat(`[[echo]] [[delay:25]] ${words}`, {}, app.url);
        const followed = await followWithEventSource(proxy.url + streamUrl, (e) => {
          if (e.event === 'meta' && ++connected === 90) startChaos();
        });
        return { streamUrl, ...followed };
      }),
    );
    clearInterval(chaos);
    const reconnects = results.reduce((n, r) => n + r.opens - 1, 0);
    console.log(`churn: ${cuts} connections cut, ${reconnects} reconnects over 100 replies`);
    // Several cuts per reply on average (timing varies with the machine's load).
    expect(reconnects).toBeGreaterThan(50);
    results.forEach((r, i) => {
      expectConsecutiveIds(r.events);
      expect(text(r.events)).toBe(expected[i]);
      expect(r.events.at(-1)?.data).toEqual({ finishReason: 'stop' });
    });
    // Coming back after the end: 204, so EventSource stops for good.
    const statuses = await Promise.all(
      results.map(async (r) => {
        const res = await fetch(app.url + r.streamUrl, {
          headers: { 'Last-Event-ID': String(r.events.at(-1)!.id) },
        });
        return res.status;
      }),
    );
    expect(new Set(statuses)).toEqual(new Set([204]));
  } finally {
    clearInterval(chaos);
    await proxy.close();
    app.child.kill('SIGTERM');
  }
});
