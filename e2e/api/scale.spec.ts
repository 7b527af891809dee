import { expect, test } from '@playwright/test';
import { startTcpProxy } from '../support/tcp-proxy';
import { metricsAuth } from '../support/servers';
import {
  expectConsecutiveIds,
  followWithEventSource,
  postChat,
  readSse,
  simRecord,
  text,
  uniqueTag,
} from '../support/api';

/** Two `next start` instances sharing one real redis-server (started by the global setup). */
const A = () => process.env.SCALE_A_URL!;
const B = () => process.env.SCALE_B_URL!;
const WORDS = Array.from({ length: 120 }, (_, i) => `w${i}`).join(' ');

test.describe('several instances with Redis', () => {
  test('create on one, follow on the other: the text arrives whole and once', async () => {
    const { streamUrl } = await postChat(`[[echo]] [[delay:10]] ${WORDS}`, {}, A());
    const result = await readSse(B() + streamUrl);
    expect(result.status).toBe(200);
    expectConsecutiveIds(result.events);
    expect(text(result.events)).toBe(WORDS);
    expect(result.events.at(-1)).toMatchObject({ event: 'close', data: { finishReason: 'stop' } });
    // A finished reply replays from either instance, and a reconnect after close gets 204.
    expect(text((await readSse(A() + streamUrl)).events)).toBe(WORDS);
    const closeId = result.events.at(-1)!.id;
    const again = await fetch(B() + streamUrl, { headers: { 'Last-Event-ID': String(closeId) } });
    expect(again.status).toBe(204);
  });

  test('drop and resume on the other instance with EventSource: no gap, no repeat', async () => {
    const { streamUrl } = await postChat(`[[echo]] [[delay:20]] ${WORDS}`, {}, A());
    const proxy = await startTcpProxy(Number(new URL(B()).port));
    try {
      let drops = 0;
      const { events } = await followWithEventSource(proxy.url + streamUrl, (e) => {
        if (e.event === 'message' && e.id % 30 === 0 && drops < 3) {
          drops++;
          proxy.dropAll();
        }
      });
      expect(drops).toBe(3);
      expectConsecutiveIds(events);
      expect(text(events)).toBe(WORDS);
    } finally {
      await proxy.close();
    }
  });

  test('stop through the other instance closes the upstream request', async () => {
    const tag = uniqueTag('scale-stop');
    const { id, streamUrl } = await postChat(
      `[[tag:${tag}]] [[tokens:2000]] [[delay:20]]`,
      {},
      A(),
    );
    const follower = readSse(B() + streamUrl);
    await expect.poll(async () => (await simRecord(tag))?.tokensSent ?? 0).toBeGreaterThan(5);
    const stoppedAt = Date.now();
    expect((await fetch(`${B()}/api/chat/${id}`, { method: 'DELETE' })).status).toBe(204);
    const result = await follower;
    expect(result.events.at(-1)).toMatchObject({
      event: 'close',
      data: { finishReason: 'stopped' },
    });
    expectConsecutiveIds(result.events);
    await expect
      .poll(async () => (await simRecord(tag))?.clientClosed, { timeout: 1000 })
      .toBe(true);
    expect((await simRecord(tag))!.endedAt! - stoppedAt).toBeLessThan(1000);
    expect(
      (await fetch(`${B()}/api/chat/AAAAAAAAAAAAAAAAAAAAAAAA`, { method: 'DELETE' })).status,
    ).toBe(404);
  });

  test('a follower on the other instance keeps the reply alive past the grace period', async () => {
    const tag = uniqueTag('scale-grace');
    // 150 tokens at 25 ms: about 3.8 s, longer than the 2 s grace; nobody follows on A.
    const { streamUrl } = await postChat(`[[tag:${tag}]] [[tokens:150]] [[delay:25]]`, {}, A());
    const result = await readSse(B() + streamUrl);
    expect(result.events.at(-1)?.data).toEqual({ finishReason: 'stop' });
    expect(result.events.filter((e) => e.event === 'message')).toHaveLength(150);
    expect((await simRecord(tag))?.clientClosed).toBe(false);
  });

  test('an abandoned reply is aborted after the grace period when nobody follows anywhere', async () => {
    const tag = uniqueTag('scale-abandon');
    const { streamUrl } = await postChat(`[[tag:${tag}]] [[tokens:2000]] [[delay:20]]`, {}, A());
    await readSse(B() + streamUrl, { stopWhen: (e) => e.length >= 5 });
    await expect
      .poll(async () => (await simRecord(tag))?.clientClosed, { timeout: 6000 })
      .toBe(true);
    const replay = await readSse(B() + streamUrl);
    expect(replay.events.at(-1)).toMatchObject({
      event: 'close',
      data: { finishReason: 'stopped' },
    });
  });

  test('the health endpoint reports the Redis store', async () => {
    const res = await fetch(`${A()}/api/health`, { headers: metricsAuth });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      ok: true,
      store: { kind: 'redis', ok: true },
      upstream: { ok: true },
    });
  });
});
