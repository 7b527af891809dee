import { expect, test } from '@playwright/test';
import { freePort } from '../support/ports';
import { startApp } from '../support/servers';
import { readSse, simRecord, someClient, text, uniqueTag } from '../support/api';

test('SIGTERM: no new replies, running ones finish within the grace, the rest end with an error', async () => {
  const { url, child } = await startApp('shutdown', await freePort(), {
    OPENAI_API_KEY: process.env.TEST_API_KEY!,
    OPENAI_BASE_URL: `${process.env.SIMULATOR_URL}/v1`,
    SHUTDOWN_GRACE_MS: '1500',
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const create = async (content: string) => {
    const res = await fetch(`${url}/api/chat`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...someClient() },
      body: JSON.stringify({ messages: [{ role: 'user', content }] }),
    });
    return res;
  };
  const tag = uniqueTag('shutdown');
  const long = await (await create(`[[tag:${tag}]] [[tokens:2000]] [[delay:20]]`)).json();
  const short = await (await create('[[echo]] [[delay:40]] a b c d e f g h i j')).json();
  const longFollower = readSse(url + long.streamUrl);
  const shortFollower = readSse(url + short.streamUrl);
  await expect.poll(async () => (await simRecord(tag))?.tokensSent ?? 0).toBeGreaterThan(3);

  child.kill('SIGTERM');
  // New replies are refused at once, with a reason a client can act on.
  await expect
    .poll(async () => {
      const res = await create('[[delay:0]] late');
      return res.status === 503 ? (await res.json()).error.code : res.status;
    })
    .toBe('shutting_down');

  const shortResult = await shortFollower;
  expect(text(shortResult.events)).toBe('a b c d e f g h i j');
  expect(shortResult.events.at(-1)?.data).toEqual({ finishReason: 'stop' });

  const longResult = await longFollower;
  expect(longResult.events.slice(-2).map((e) => e.event)).toEqual(['error', 'close']);
  expect(longResult.events.at(-2)?.data).toMatchObject({
    code: 'server_restarting',
    retryable: true,
  });
  expect(await exited).toBe(0);
  await expect.poll(async () => (await simRecord(tag))?.clientClosed).toBe(true);
});
