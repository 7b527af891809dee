/**
 * lib/metrics.ts: a ReplyStore driven with a fake clock moves the registry's counters and
 * histograms, and each finished reply logs one line that says the same.
 */
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { Reply, ReplyStore } from '@/lib/streams/reply-store';
import type { ReplyHub } from '@/lib/streams/hub';
import {
  countHubEvent,
  createMetrics,
  instrument,
  metrics as processMetrics,
  startUpstreamTimer,
  type Metrics,
} from '@/lib/metrics';
import { FakeClock } from './helpers';

const GRACE = 30_000;

function setup(hub?: ReplyHub) {
  const clock = new FakeClock();
  const store = new ReplyStore({
    graceMs: GRACE,
    ttlMs: 600_000,
    maxReplyBytes: 4096,
    maxBytes: 64 * 1024 * 1024,
    maxReplies: 1000,
    timers: clock,
  });
  const metrics = createMetrics({ defaults: false });
  instrument(store, hub, { metrics, now: () => clock.now() });
  return { clock, store, metrics };
}

/** One sample of a metric (a counter, a gauge, or one series of a histogram), 0 when absent. */
async function sample(
  metrics: Metrics,
  name: string,
  labels: Record<string, string | number> = {},
  series = name,
): Promise<number> {
  const metric = metrics.registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  const found = values.find(
    (v) =>
      ((v as { metricName?: string }).metricName ?? name) === series &&
      Object.entries(labels).every(([k, want]) => v.labels[k] === want),
  );
  return found?.value ?? 0;
}

const TTFT = 'streamchat_time_to_first_token_seconds';

let consoleLog: MockInstance<typeof console.log>;
beforeEach(() => {
  consoleLog = vi.spyOn(console, 'log').mockImplementation(() => {});
});
afterEach(() => consoleLog.mockRestore());

/** The `reply finished` lines logged so far (they are written a microtask after the end). */
async function finishedLines(): Promise<Record<string, unknown>[]> {
  await Promise.resolve();
  return consoleLog.mock.calls
    .map(([line]) => JSON.parse(String(line)) as Record<string, unknown>)
    .filter((entry) => entry.msg === 'reply finished');
}

function say(store: ReplyStore, reply: Reply, content: string): void {
  store.append(reply, { event: 'message', data: { content } });
}

describe('metrics from the reply store', () => {
  it('counts a finished reply: tokens, finish reason, time to first token, one log line', async () => {
    const { clock, store, metrics } = setup();
    const reply = store.create('gpt-x');
    clock.advance(300);
    store.append(reply, { event: 'reasoning', data: { content: 'hmm' } });
    clock.advance(200);
    say(store, reply, 'Hello');
    say(store, reply, ' secret words');
    store.append(reply, {
      event: 'usage',
      data: { promptTokens: 3, completionTokens: 3, totalTokens: 6 },
    });
    clock.advance(1_000);
    store.append(reply, { event: 'close', data: { finishReason: 'stop' } });

    expect(await sample(metrics, 'streamchat_tokens_relayed_total')).toBe(3);
    // A scrape moves the pending count into the counter once.
    expect(await sample(metrics, 'streamchat_tokens_relayed_total')).toBe(3);
    expect(await sample(metrics, 'streamchat_replies_total', { finish_reason: 'stop' })).toBe(1);
    expect(await sample(metrics, 'streamchat_replies_total', { finish_reason: 'error' })).toBe(0);
    expect(await sample(metrics, TTFT, {}, `${TTFT}_count`)).toBe(1);
    expect(await sample(metrics, TTFT, {}, `${TTFT}_sum`)).toBeCloseTo(0.5);
    expect(await sample(metrics, TTFT, { le: 0.25 }, `${TTFT}_bucket`)).toBe(0);
    expect(await sample(metrics, TTFT, { le: 0.5 }, `${TTFT}_bucket`)).toBe(1);

    const lines = await finishedLines();
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'info',
        id: reply.id,
        model: 'gpt-x',
        finishReason: 'stop',
        ttftMs: 500,
        tokens: 3,
        durationMs: 1_500,
      }),
    ]);
    expect(lines[0]).not.toHaveProperty('errorCode');
    expect(lines[0]).not.toHaveProperty('cause');
    expect(JSON.stringify(lines)).not.toMatch(/Hello|secret|hmm/);
  });

  it('counts replies ended from outside, and the line says why', async () => {
    const { clock, store, metrics } = setup();
    const stopped = store.create('m');
    say(store, stopped, 'a');
    store.stop(stopped.id);
    const abandoned = store.create('m');
    clock.advance(GRACE);
    expect(abandoned.done).toBe(true);

    expect(await sample(metrics, 'streamchat_replies_total', { finish_reason: 'stopped' })).toBe(2);
    expect(await sample(metrics, TTFT, {}, `${TTFT}_count`)).toBe(1);
    const lines = await finishedLines();
    expect(lines.map((l) => [l.id, l.finishReason, l.cause, l.tokens])).toEqual([
      [stopped.id, 'stopped', 'stopped', 1],
      [abandoned.id, 'stopped', 'abandoned', 0],
    ]);
    expect(lines[1]).not.toHaveProperty('ttftMs');
  });

  it('counts errors by code: the upstream’s, and the store’s own (too large)', async () => {
    const { store, metrics } = setup();
    const failed = store.create('m');
    store.append(failed, {
      event: 'error',
      data: { code: 'upstream_unavailable', message: 'x', retryable: true },
    });
    store.append(failed, { event: 'close', data: { finishReason: 'error' } });
    const big = store.create('m');
    say(store, big, 'x'.repeat(5_000));

    const errors = (code: string) => sample(metrics, 'streamchat_reply_errors_total', { code });
    expect(await errors('upstream_unavailable')).toBe(1);
    expect(await errors('reply_too_large')).toBe(1);
    expect(await sample(metrics, 'streamchat_replies_total', { finish_reason: 'error' })).toBe(1);
    expect(await sample(metrics, 'streamchat_replies_total', { finish_reason: 'length' })).toBe(1);
    const lines = await finishedLines();
    expect(lines.map((l) => [l.finishReason, l.errorCode, l.cause])).toEqual([
      ['error', 'upstream_unavailable', undefined],
      ['length', 'reply_too_large', 'too_large'],
    ]);
  });

  it('does not take a reply taken over from another instance as a first token', async () => {
    const { store, metrics } = setup();
    const reply = new Reply('taken-over-reply-id-0001', 'm', 1);
    reply.pushFrames(
      ['event: meta\nid: 1\ndata: {}\n\n', 'id: 2\ndata: {"content":"a"}\n\n'],
      false,
    );
    store.adopt(reply);
    say(store, reply, 'b');
    store.append(reply, { event: 'close', data: { finishReason: 'stop' } });

    expect(await sample(metrics, TTFT, {}, `${TTFT}_count`)).toBe(0);
    expect(await sample(metrics, 'streamchat_tokens_relayed_total')).toBe(1);
    const [line] = await finishedLines();
    expect(line).toMatchObject({ takenOver: true, tokens: 1 });
    expect(line).not.toHaveProperty('ttftMs');
  });

  it('reads open replies and Redis availability on scrape', async () => {
    const redisHub = { kind: 'redis', available: true } as unknown as ReplyHub;
    const { store, metrics } = setup(redisHub);
    const a = store.create('m');
    store.create('m');
    expect(await sample(metrics, 'streamchat_open_replies')).toBe(2);
    store.stop(a.id);
    expect(await sample(metrics, 'streamchat_open_replies')).toBe(1);
    expect(await sample(metrics, 'streamchat_followers')).toBe(0);
    expect(await sample(metrics, 'streamchat_redis_up')).toBe(1);
    (redisHub as unknown as { available: boolean }).available = false;
    expect(await sample(metrics, 'streamchat_redis_up')).toBe(0);

    // Without Redis there is no such metric at all.
    const memory = setup();
    expect(memory.metrics.registry.getSingleMetric('streamchat_redis_up')).toBeUndefined();
    const text = await memory.metrics.registry.metrics();
    expect(text).toContain('# TYPE streamchat_tokens_relayed_total counter');
    expect(text).toContain('streamchat_replies_total{finish_reason="stop"} 0');
  });
});

describe('metrics fed from elsewhere (the process-wide registry)', () => {
  it('counts takeovers, hand-overs and lost leases', async () => {
    const m = processMetrics();
    const before = await Promise.all(
      ['takeovers', 'handovers', 'leases_lost'].map((n) => sample(m, `streamchat_${n}_total`)),
    );
    countHubEvent('takeover');
    countHubEvent('handover');
    countHubEvent('handover');
    countHubEvent('lease_lost');
    const after = await Promise.all(
      ['takeovers', 'handovers', 'leases_lost'].map((n) => sample(m, `streamchat_${n}_total`)),
    );
    expect(after.map((v, i) => v - before[i]!)).toEqual([1, 2, 1]);
  });

  it('times upstream requests by outcome, once each', async () => {
    const m = processMetrics();
    const name = 'streamchat_upstream_request_duration_seconds';
    const count = (outcome: string) => sample(m, name, { outcome }, `${name}_count`);
    const before = await Promise.all(['ok', 'error', 'aborted'].map(count));
    const ok = startUpstreamTimer();
    ok('ok');
    ok('error');
    startUpstreamTimer()('aborted');
    const after = await Promise.all(['ok', 'error', 'aborted'].map(count));
    expect(after.map((v, i) => v - before[i]!)).toEqual([1, 0, 1]);
    // The process metrics are there too.
    expect(await m.registry.metrics()).toContain('process_cpu_user_seconds_total');
  });
});
