import { spawn } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { freePort, waitForPort } from '../support/ports';
import { metricsAuth, startApp } from '../support/servers';
import { oneRequest, someClient } from '../support/api';

test('when the upstream is down, health says so and replies fail fast', async () => {
  const base = process.env.UNREACHABLE_URL!;
  const health = await fetch(`${base}/api/health`, { headers: metricsAuth });
  expect(health.status).toBe(503);
  expect(await health.json()).toMatchObject({
    ok: false,
    upstream: { ok: false },
    store: { ok: true },
  });
  const started = Date.now();
  const result = await oneRequest('hello', base);
  expect(result.events.find((e) => e.event === 'error')?.data.code).toBe('upstream_unreachable');
  expect(Date.now() - started).toBeLessThan(3000);
});

test('when Redis is down, health says so and new replies fail fast with a clear error', async () => {
  const redisPort = await freePort();
  const redis = spawn(
    'redis-server',
    ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', ''],
    {
      stdio: 'ignore',
    },
  );
  await waitForPort(redisPort);
  const { url, child } = await startApp('redis-down', await freePort(), {
    OPENAI_API_KEY: process.env.TEST_API_KEY!,
    OPENAI_BASE_URL: `${process.env.SIMULATOR_URL}/v1`,
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
  });
  try {
    const post = () =>
      fetch(`${url}/api/chat`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...someClient() },
        body: JSON.stringify({ messages: [{ role: 'user', content: '[[delay:0]] hi' }] }),
      });
    expect((await post()).status).toBe(201);

    redis.kill('SIGKILL');
    await expect.poll(async () => (await fetch(`${url}/api/health`)).status).toBe(503);
    expect(await (await fetch(`${url}/api/health`, { headers: metricsAuth })).json()).toMatchObject(
      {
        store: { kind: 'redis', ok: false },
      },
    );
    const started = Date.now();
    const res = await post();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      error: { code: 'store_unavailable', message: expect.any(String) },
    });
  } finally {
    child.kill('SIGTERM');
    redis.kill('SIGKILL');
  }
});
