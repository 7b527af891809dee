/**
 * GET /api/metrics, on an app of its own so that only this spec's traffic moves its counts:
 * Prometheus text for the METRICS_TOKEN bearer, 401 without it, 404 when no token is set; and
 * the log line of each finished reply says the same as the counters.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { freePort } from '../support/ports';
import { metricsAuth, startApp } from '../support/servers';
import { postChat, readSse, SIM, simRecord, text, uniqueTag } from '../support/api';

test.describe.configure({ mode: 'serial' });

const upstream = () => ({
  OPENAI_API_KEY: process.env.TEST_API_KEY!,
  OPENAI_BASE_URL: `${SIM()}/v1`,
  OPENAI_MODEL: 'test-model',
  UPSTREAM_MAX_RETRIES: '0',
  RATE_LIMIT_PER_MINUTE: '0',
  RATE_LIMIT_CONCURRENT: '0',
});

/** Log names of this worker's apps (test-results/<name>.log), apart from another worker's. */
const named = (name: string) => `${name}-${process.env.TEST_WORKER_INDEX ?? 0}`;

let app: { url: string; child: ChildProcess };

test.beforeAll(async () => {
  app = await startApp(named('metrics'), await freePort(), upstream());
});

test.afterAll(() => {
  app.child.kill('SIGTERM');
});

/** The samples of a Prometheus text body, keyed as written: `name{label="value",…}`. */
function parseSamples(body: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of body.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    samples.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return samples;
}

async function scrape(base = app.url): Promise<(key: string) => number> {
  const res = await fetch(`${base}/api/metrics`, { headers: metricsAuth });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  expect(res.headers.get('cache-control')).toBe('no-store');
  const samples = parseSamples(await res.text());
  // A series not seen yet (a label value that never happened) counts as 0.
  return (key) => samples.get(key) ?? 0;
}

function appLog(name: string): string {
  return readFileSync(`test-results/${named(name)}.log`, 'utf8');
}

/** An app's `reply finished` log lines (complete ones: the last may be still being written). */
function finishedLines(name = 'metrics'): Record<string, unknown>[] {
  return appLog(name)
    .split('\n')
    .filter((line) => line.includes('"reply finished"') && line.endsWith('}'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

test('the counters move with replies that finish, fail and are stopped', async () => {
  const before = await scrape();
  expect(before('streamchat_open_replies')).toBe(0);
  expect(before('process_cpu_user_seconds_total')).toBeGreaterThan(0);

  // A normal reply.
  const tag = uniqueTag('metrics');
  const normal = await postChat(`[[tag:${tag}]] [[delay:0]] one two three four`, {}, app.url);
  const normalRead = await readSse(app.url + normal.streamUrl);
  expect(normalRead.events.at(-1)?.data).toEqual({ finishReason: 'stop' });
  const sent = (await simRecord(tag))!.tokensSent;
  expect(sent).toBeGreaterThan(3);

  // One that fails before its first token (no retries on this app).
  const failing = await postChat('[[status:500]] [[delay:0]] hello', {}, app.url);
  const failedRead = await readSse(app.url + failing.streamUrl);
  expect(failedRead.events.find((e) => e.event === 'error')?.data.code).toBe(
    'upstream_unavailable',
  );

  // One that is stopped while it streams; while it runs, it is open and followed.
  const long = await postChat('[[tokens:400]] [[delay:50]] go on', {}, app.url);
  let firstToken!: () => void;
  const streaming = new Promise<void>((resolve) => (firstToken = resolve));
  const following = readSse(app.url + long.streamUrl, {
    stopWhen: (events) => {
      if (events.some((e) => e.event === 'message')) firstToken();
      return false;
    },
  });
  await streaming;
  const during = await scrape();
  expect(during('streamchat_open_replies')).toBe(1);
  expect(during('streamchat_followers')).toBe(1);
  expect((await fetch(`${app.url}/api/chat/${long.id}`, { method: 'DELETE' })).status).toBe(204);
  const stoppedRead = await following;
  expect(stoppedRead.events.at(-1)?.data).toEqual({ finishReason: 'stopped' });
  const stoppedTokens = stoppedRead.events.filter((e) => e.event === 'message').length;

  await expect.poll(async () => (await scrape())('streamchat_open_replies')).toBe(0);
  const after = await scrape();
  const grew = (key: string) => after(key) - before(key);
  expect(grew('streamchat_tokens_relayed_total')).toBeGreaterThanOrEqual(sent + stoppedTokens);
  expect(grew('streamchat_replies_total{finish_reason="stop"}')).toBe(1);
  expect(grew('streamchat_replies_total{finish_reason="error"}')).toBe(1);
  expect(grew('streamchat_replies_total{finish_reason="stopped"}')).toBe(1);
  expect(grew('streamchat_reply_errors_total{code="upstream_unavailable"}')).toBe(1);
  expect(grew('streamchat_time_to_first_token_seconds_count')).toBe(2);
  const upstreamCount = (outcome: string) =>
    grew(`streamchat_upstream_request_duration_seconds_count{outcome="${outcome}"}`);
  expect([upstreamCount('ok'), upstreamCount('error'), upstreamCount('aborted')]).toEqual([
    1, 1, 1,
  ]);
  expect(after('streamchat_takeovers_total')).toBe(0);
  // No Redis here: no Redis gauge.
  expect(after('streamchat_redis_up')).toBe(0);

  // The log says the same, one line per reply, and never the text.
  await expect.poll(() => finishedLines().length).toBe(3);
  const lines = finishedLines();
  const line = (id: string) => lines.find((l) => l.id === id);
  expect(line(normal.id)).toMatchObject({
    model: 'test-model',
    finishReason: 'stop',
    tokens: sent,
    ttftMs: expect.any(Number),
    durationMs: expect.any(Number),
  });
  expect(line(failing.id)).toMatchObject({
    finishReason: 'error',
    errorCode: 'upstream_unavailable',
    tokens: 0,
  });
  expect(line(long.id)).toMatchObject({
    finishReason: 'stopped',
    cause: 'stopped',
    tokens: stoppedTokens,
  });
  const log = appLog('metrics');
  expect(log).not.toContain(text(normalRead.events));
  expect(log).not.toContain(process.env.TEST_API_KEY!);
});

test('without the token, or with a wrong one, the answer is 401', async () => {
  const wrong = { Authorization: 'Bearer not-the-metrics-token-000' };
  for (const headers of [{}, wrong] as Record<string, string>[]) {
    const res = await fetch(`${app.url}/api/metrics`, { headers });
    expect(res.status).toBe(401);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({
      error: { code: 'unauthorized', message: expect.any(String) },
    });
  }
});

test('without METRICS_TOKEN the route is not there', async () => {
  const off = await startApp(named('metrics-off'), await freePort(), {
    ...upstream(),
    METRICS_TOKEN: '',
  });
  try {
    for (const init of [{ headers: metricsAuth }, { method: 'POST' }]) {
      const res = await fetch(`${off.url}/api/metrics`, init);
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({
        error: { code: 'not_found', message: 'There is no such API route.' },
      });
    }
    // The health endpoint keeps its shape, without details for that token now.
    const health = await fetch(`${off.url}/api/health`, { headers: metricsAuth });
    expect(await health.json()).toEqual({ ok: true });
  } finally {
    off.child.kill('SIGTERM');
  }
});

test('with Redis: a hand-over on SIGTERM is a takeover on the other instance', async () => {
  const redis = {
    ...upstream(),
    REDIS_URL: `redis://127.0.0.1:${process.env.REDIS_PORT}`,
    REDIS_PREFIX: `${uniqueTag('metrics')}:`,
    SHUTDOWN_GRACE_MS: '200',
  };
  const [a, b] = await Promise.all([
    startApp(named('metrics-redis-a'), await freePort(), redis),
    startApp(named('metrics-redis-b'), await freePort(), redis),
  ]);
  try {
    expect((await scrape(b.url))('streamchat_redis_up')).toBe(1);
    const tag = uniqueTag('metrics-handover');
    const reply = await postChat(`[[tag:${tag}]] [[tokens:60]] [[delay:40]] go`, {}, a.url);
    await expect.poll(async () => (await simRecord(tag))?.tokensSent ?? 0).toBeGreaterThan(3);
    a.child.kill('SIGTERM');
    await expect.poll(async () => (await scrape(b.url))('streamchat_takeovers_total')).toBe(1);
    const read = await readSse(b.url + reply.streamUrl);
    expect(read.events.at(-1)?.data).toEqual({ finishReason: 'stop' });
    const after = await scrape(b.url);
    expect(after('streamchat_replies_total{finish_reason="stop"}')).toBe(1);
    // The first token came on the other instance: not a time to first token here.
    expect(after('streamchat_time_to_first_token_seconds_count')).toBe(0);
    await expect
      .poll(() => finishedLines('metrics-redis-b').find((l) => l.id === reply.id))
      .toMatchObject({ finishReason: 'stop', takenOver: true });
    expect(appLog('metrics-redis-a')).toMatch(
      new RegExp(`"msg":"reply handed over","id":"${reply.id}","events":\\d+`),
    );
  } finally {
    a.child.kill('SIGTERM');
    b.child.kill('SIGTERM');
  }
});
