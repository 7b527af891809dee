/**
 * The pixel size the test server records for each image it receives: headers of the four image
 * formats a request may carry, built here byte by byte, and what it must not pretend to read.
 */
import zlib from 'node:zlib';
import { imageSize } from 'image-size';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageDimensions } from '@/lib/simulator/image-dimensions';
import { createSimulator } from '@/lib/simulator/server';

const dataUrl = (type: string, bytes: Buffer) => `data:${type};base64,${bytes.toString('base64')}`;

function crc32(bytes: Buffer): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

/** A complete grey PNG (8-bit greyscale). */
function png(width: number, height: number): Buffer {
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
  ihdr[8] = 8; // bit depth; colour type 0 (grey), no interlace
  const rows = Buffer.alloc((width + 1) * height, 0x80);
  for (let y = 0; y < height; y++) rows[y * (width + 1)] = 0; // filter: none
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A JPEG's start: SOI, a JFIF APP0 segment, then a baseline SOF0 with the size. */
function jpeg(width: number, height: number): Buffer {
  const app0 = Buffer.from([
    0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0,
  ]);
  const sof = Buffer.from([0xff, 0xc0, 0, 11, 8, 0, 0, 0, 0, 1, 1, 0x11, 0]);
  sof.writeUInt16BE(height, 5);
  sof.writeUInt16BE(width, 7);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof, Buffer.from([0xff, 0xd9])]);
}

/** A GIF89a header with its logical screen size. */
function gif(width: number, height: number): Buffer {
  const head = Buffer.alloc(13);
  head.write('GIF89a', 0, 'latin1');
  head.writeUInt16LE(width, 6);
  head.writeUInt16LE(height, 8);
  return Buffer.concat([head, Buffer.from([0x3b])]);
}

/** An extended WebP (VP8X): canvas width and height minus one, 24-bit little-endian. */
function webp(width: number, height: number): Buffer {
  const out = Buffer.alloc(30);
  out.write('RIFF', 0, 'latin1');
  out.writeUInt32LE(22, 4);
  out.write('WEBPVP8X', 8, 'latin1');
  out.writeUInt32LE(10, 16);
  out.writeUIntLE(width - 1, 24, 3);
  out.writeUIntLE(height - 1, 27, 3);
  return out;
}

describe('imageDimensions', () => {
  it('reads the pixel size of PNG, JPEG, GIF and WebP data URLs', () => {
    expect(imageDimensions(dataUrl('image/png', png(3, 2)))).toEqual({ width: 3, height: 2 });
    expect(imageDimensions(dataUrl('image/jpeg', jpeg(1600, 1200)))).toEqual({
      width: 1600,
      height: 1200,
    });
    expect(imageDimensions(dataUrl('image/gif', gif(640, 480)))).toEqual({
      width: 640,
      height: 480,
    });
    expect(imageDimensions(dataUrl('image/webp', webp(4032, 3024)))).toEqual({
      width: 4032,
      height: 3024,
    });
  });

  it('reads what the bytes are, whatever the data URL claims', () => {
    expect(imageDimensions(dataUrl('image/jpeg', png(5, 7)))).toEqual({ width: 5, height: 7 });
  });

  it('says nothing of a URL, of bytes that are no such image, or of a cut header', () => {
    expect(imageDimensions('https://example.com/cat.png')).toBeUndefined();
    expect(imageDimensions(dataUrl('image/png', Buffer.alloc(3000, 9)))).toBeUndefined();
    expect(imageDimensions(dataUrl('image/png', Buffer.alloc(0)))).toBeUndefined();
    expect(imageDimensions(dataUrl('image/png', png(3, 2).subarray(0, 12)))).toBeUndefined();
    expect(imageDimensions(dataUrl('image/jpeg', jpeg(10, 10).subarray(0, 8)))).toBeUndefined();
    expect(imageDimensions(dataUrl('image/png', gif(0, 0)))).toBeUndefined();
    // A format image-size knows but a request may not carry (BMP).
    const bmp = Buffer.alloc(26);
    bmp.write('BM', 0, 'latin1');
    bmp.writeUInt32LE(40, 14);
    bmp.writeUInt32LE(4, 18);
    bmp.writeInt32LE(4, 22);
    expect(imageSize(bmp)).toMatchObject({ type: 'bmp', width: 4, height: 4 });
    expect(imageDimensions(dataUrl('image/bmp', bmp))).toBeUndefined();
    expect(imageDimensions('data:image/png,not-base64')).toBeUndefined();
  });
});

describe('the test server records what it received', () => {
  let sim: ReturnType<typeof createSimulator>;
  let baseURL: string;
  beforeAll(async () => {
    sim = createSimulator({ faults: true, tokenDelayMs: 0, firstTokenDelayMs: 0 });
    baseURL = await sim.listen(0);
  });
  afterAll(() => sim.close());

  it('lists each image with its pixel size where it could read it', async () => {
    const image = (url: string) => ({ type: 'image_url', image_url: { url } });
    const content = [
      { type: 'text', text: '[[tag:dims]] look' },
      image(dataUrl('image/png', png(300, 200))),
      image(dataUrl('image/png', Buffer.alloc(100, 9))),
      image('https://example.com/cat.jpg'),
    ];
    const res = await fetch(`${baseURL}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'demo', messages: [{ role: 'user', content }] }),
    });
    expect(res.status).toBe(200);
    const stats = (await (await fetch(`${baseURL.replace(/\/v1$/, '')}/_stats`)).json()) as {
      requests: { tag?: string; messages: { images: unknown[] }[] }[];
    };
    const images = stats.requests.find((r) => r.tag === 'dims')?.messages[0]?.images;
    expect(images).toEqual([
      { mediaType: 'image/png', bytes: png(300, 200).length, width: 300, height: 200 },
      { mediaType: 'image/png', bytes: 100 },
      { mediaType: 'url', bytes: 0 },
    ]);
  });
});
