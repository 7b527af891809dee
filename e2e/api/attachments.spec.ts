/**
 * Attachments through the API: OpenAI's content-part form (text and image_url parts) streams,
 * reaches the model exactly as sent, and is bounded with its own 413 codes; a string content
 * works as before; /api/models says which models see images; the demo model says what it got.
 */
import { expect, test } from '@playwright/test';
import { APP, readSse, someClient, text, uniqueTag } from '../support/api';

const png = (bytes: number) => `data:image/png;base64,${Buffer.alloc(bytes, 9).toString('base64')}`;
const image = (url: string) => ({ type: 'image_url', image_url: { url } });

async function simRequest(tag: string) {
  const res = await fetch(`${process.env.SIMULATOR_URL}/_stats`);
  const { requests } = (await res.json()) as {
    requests: {
      tag?: string;
      messages: { role: string; images: { mediaType: string; bytes: number }[]; files: string[] }[];
    }[];
  };
  return requests.find((r) => r.tag === tag);
}

function send(content: unknown, base = APP()) {
  return readSse(`${base}/api/chat`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream', ...someClient() },
    body: JSON.stringify({ messages: [{ role: 'user', content }] }),
  });
}

test('a message with text and image parts streams, and the model gets the parts unchanged', async () => {
  const tag = uniqueTag('api-image');
  const parts = [
    { type: 'text', text: `[[tag:${tag}]] [[delay:0]] What is in this picture?` },
    image(png(3000)),
    { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg', detail: 'low' } },
  ];
  const result = await send(parts);
  expect(result.status).toBe(200);
  expect(result.events.at(-1)?.event).toBe('close');
  expect(text(result.events)).toBe('Reply to: What is in this picture?');
  const received = await simRequest(tag);
  expect(received?.messages[0]?.images).toEqual([
    { mediaType: 'image/png', bytes: 3000 },
    { mediaType: 'url', bytes: 0 },
  ]);
});

test('a string content works as before', async () => {
  const result = await send('[[delay:0]] plain text');
  expect(text(result.events)).toBe('Reply to: plain text');
});

test('each bound on images answers 413 with its own code; other shapes are refused', async () => {
  const cases: [unknown, number, string][] = [
    [[image(png(6 * 1024 * 1024))], 413, 'image_too_large'],
    [[1, 2, 3, 4, 5].map(() => image(png(100))), 413, 'too_many_images'],
    [[image('http://example.com/a.png')], 422, 'invalid_request'],
    [[{ type: 'input_audio', input_audio: { data: 'x' } }], 422, 'invalid_request'],
  ];
  for (const [content, status, code] of cases) {
    const res = await fetch(`${APP()}/api/chat`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...someClient() },
      body: JSON.stringify({ messages: [{ role: 'user', content }] }),
    });
    expect([res.status, ((await res.json()) as { error: { code: string } }).error.code]).toEqual([
      status,
      code,
    ]);
  }
});

test('/api/models says which models see images', async () => {
  const body = (await (await fetch(`${APP()}/api/models`)).json()) as {
    models: { id: string; vision: boolean }[];
  };
  expect(body.models.find((m) => m.id === 'test-model')?.vision).toBe(true);
  expect(body.models.find((m) => m.id === 'other-model')?.vision).toBe(false);
});

test('the demo model says which images and files it received', async () => {
  const result = await send(
    [
      { type: 'text', text: 'Look\n\n--- File: notes.txt ---\nhello\n--- End of notes.txt ---' },
      image(png(2048)),
    ],
    process.env.DEMO_URL!,
  );
  expect(text(result.events)).toContain(
    'I received 1 image (image/png, 2.0 KB) and 1 file (notes.txt).',
  );
});
