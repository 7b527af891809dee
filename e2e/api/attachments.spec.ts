/**
 * Attachments through the API: OpenAI's content-part form (text and image_url parts) streams,
 * reaches the model exactly as sent (with each image's pixel size, as the test server read it),
 * and is bounded with its own 413 codes; a string content works as before; /api/models says which
 * models see images; the demo model says what it got; a model that refuses images gives its own
 * error code.
 */
import zlib from 'node:zlib';
import { expect, test } from '@playwright/test';
import { APP, readSse, someClient, text, uniqueTag } from '../support/api';

const png = (bytes: number) => `data:image/png;base64,${Buffer.alloc(bytes, 9).toString('base64')}`;
const image = (url: string) => ({ type: 'image_url', image_url: { url } });

/** A real grey PNG of the given size (greyscale, 8 bits, zlib-compressed rows, CRCs). */
function realPng(width: number, height: number): string {
  const crc32 = (bytes: Buffer) => {
    let c = ~0;
    for (const b of bytes) {
      c ^= b;
      for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
    }
    return ~c >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  const rows = Buffer.alloc((width + 1) * height, 0x80);
  for (let y = 0; y < height; y++) rows[y * (width + 1)] = 0;
  const bytes = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
  return `data:image/png;base64,${bytes.toString('base64')}`;
}

async function simRequest(tag: string) {
  const res = await fetch(`${process.env.SIMULATOR_URL}/_stats`);
  const { requests } = (await res.json()) as {
    requests: {
      tag?: string;
      status: number;
      messages: {
        role: string;
        images: { mediaType: string; bytes: number; width?: number; height?: number }[];
        files: string[];
      }[];
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
  const url = realPng(640, 480);
  const kb = (Buffer.from(url.split(',')[1]!, 'base64').length / 1024).toFixed(1);
  const sized = await send([{ type: 'text', text: 'Look' }, image(url)], process.env.DEMO_URL!);
  expect(text(sized.events)).toContain(`I received 1 image (image/png, 640×480, ${kb} KB).`);
});

test('the test server records the pixel size of each image it can read', async () => {
  const tag = uniqueTag('api-image-size');
  const url = realPng(640, 480);
  const result = await send([
    { type: 'text', text: `[[tag:${tag}]] [[delay:0]] How big?` },
    image(url),
    image(png(100)),
  ]);
  expect(result.events.at(-1)?.data).toEqual({ finishReason: 'stop' });
  const received = await simRequest(tag);
  expect(received?.messages[0]?.images).toEqual([
    {
      mediaType: 'image/png',
      bytes: Buffer.from(url.split(',')[1]!, 'base64').length,
      width: 640,
      height: 480,
    },
    { mediaType: 'image/png', bytes: 100 },
  ]);
});

test('a model that refuses images ends the reply with image_not_supported', async () => {
  const tag = uniqueTag('api-refuse-images');
  const result = await send([
    { type: 'text', text: `[[tag:${tag}]] [[refuse-images]] What is this?` },
    image(realPng(2, 2)),
  ]);
  expect(result.status).toBe(200);
  expect(result.events.map((e) => e.event)).toEqual(['meta', 'error', 'close']);
  const error = result.events[1]!.data;
  expect(error).toEqual({
    code: 'image_not_supported',
    message:
      'This model cannot read images. Choose a model that can see images, or send the message without them.',
    retryable: false,
  });
  expect(String(error.message)).not.toMatch(/image_url|Invalid content type/);
  expect(result.events[2]!.data).toEqual({ finishReason: 'error' });
  expect((await simRequest(tag))?.status).toBe(400);
});
