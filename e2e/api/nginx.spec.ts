import { expect, test } from '@playwright/test';
import { startNginx } from '../support/nginx';
import {
  expectConsecutiveIds,
  oneRequest,
  postChat,
  readSse,
  someClient,
  text,
} from '../support/api';

test.describe('behind nginx with the documented configuration', () => {
  let nginx: Awaited<ReturnType<typeof startNginx>>;
  test.beforeAll(async () => {
    nginx = await startNginx(Number(new URL(process.env.APP_URL!).port));
  });
  test.afterAll(async () => nginx?.stop());

  test('tokens arrive one by one, spread over time, not bunched at the end', async () => {
    const { streamUrl } = await postChat('[[tokens:40]] [[delay:50]]');
    const result = await readSse(nginx.url + streamUrl, { headers: { 'Accept-Encoding': 'gzip' } });
    expect(result.status).toBe(200);
    expect(result.headers.get('content-encoding')).toBeNull();
    expectConsecutiveIds(result.events);
    const times = result.events.filter((e) => e.event === 'message').map((e) => e.at);
    expect(times).toHaveLength(40);
    // 40 tokens 50 ms apart: about 2 s from first to last when nothing buffers.
    expect(times.at(-1)! - times[0]!).toBeGreaterThan(1500);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    const spread = gaps.filter((g) => g > 20).length;
    expect(spread).toBeGreaterThan(30);
  });

  test('one-request mode streams through nginx too', async () => {
    const started = performance.now();
    const result = await oneRequest('[[tokens:20]] [[delay:50]]', nginx.url);
    const first = result.events.find((e) => e.event === 'message')!;
    expect(first.at - started).toBeLessThan(600);
    expect(result.events.at(-1)?.data).toEqual({ finishReason: 'stop' });
  });

  test('resume after Last-Event-ID and errors pass through unchanged', async () => {
    const { streamUrl } = await postChat('[[echo]] [[delay:5]] one two three four');
    const all = await readSse(nginx.url + streamUrl);
    const rest = await readSse(nginx.url + streamUrl, { headers: { 'Last-Event-ID': '3' } });
    expect(rest.events[0]?.id).toBe(4);
    expect(text(all.events)).toBe('one two three four');
    const bad = await fetch(`${nginx.url}/api/chat`, { method: 'POST', body: '{' });
    expect(bad.status).toBe(415);
    expect((await bad.json()).error.code).toBe('unsupported_media_type');
  });

  test('a message with a large image gets through; a body over every limit gets the JSON 413', async () => {
    const image = (bytes: number) => ({
      type: 'image_url',
      image_url: { url: `data:image/png;base64,${Buffer.alloc(bytes, 9).toString('base64')}` },
    });
    const post = (content: unknown) =>
      fetch(`${nginx.url}/api/chat`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...someClient() },
        body: JSON.stringify({ messages: [{ role: 'user', content }] }),
      });
    // 3 MiB of image (4 MiB as base64): over the text-only limit, well within the image limits.
    const large = await post([{ type: 'text', text: '[[delay:0]] Look' }, image(3 * 1024 * 1024)]);
    expect(large.status).toBe(201);
    // Four images of 4.5 MiB: 24 MiB as base64, more than nginx lets through.
    const huge = await post([1, 2, 3, 4].map(() => image(4.5 * 1024 * 1024)));
    expect(huge.status).toBe(413);
    expect(huge.headers.get('content-type')).toContain('application/json');
    expect((await huge.json()).error.code).toBe('body_too_large');
  });
});
