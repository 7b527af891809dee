/**
 * The `fetch` given to the openai SDK (node:http underneath): what the SDK relies on from fetch
 * (status, headers, body text, abort, connection errors) and the Node body the relay reads,
 * against real HTTP servers on loopback.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BodyLimitError, MAX_INFLATED_BYTES, nodeBody, nodeFetch } from '@/lib/llm/node-fetch';

let server: http.Server;
let base: string;
const seen: { method?: string; body: string; headers: http.IncomingHttpHeaders }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method, body, headers: req.headers });
      if (req.url === '/gzip') {
        res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Content-Encoding': 'gzip' });
        const gzip = zlib.createGzip();
        gzip.pipe(res);
        gzip.write('data: one\n\n');
        gzip.flush(() => {
          setTimeout(() => gzip.end('data: two\n\n'), 20);
        });
      } else if (req.url === '/bomb') {
        // Zeros, compressed about 1000:1, for as long as the client reads.
        res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Content-Encoding': 'gzip' });
        const gzip = zlib.createGzip();
        gzip.pipe(res);
        const zeros = Buffer.alloc(1024 * 1024);
        let sent = 0;
        const pump = () => {
          while (!res.destroyed && sent < 1024 && gzip.write(zeros)) sent++;
          if (!res.destroyed && sent < 1024) gzip.once('drain', pump);
        };
        res.on('close', () => gzip.destroy());
        pump();
      } else if (req.url === '/error') {
        res.writeHead(429, { 'Content-Type': 'application/json', 'Retry-After': '2' });
        res.end('{"error":{"message":"slow down"}}');
      } else if (req.url === '/hang') {
        res.writeHead(200, { 'Content-Type': 'text/event-stream' });
        res.write('data: first\n\n');
      } else {
        res.writeHead(200, { 'Content-Type': 'text/plain', 'X-Multi': 'a' });
        res.end(`echo ${body}`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += String(chunk);
  return text;
}

describe('nodeFetch', () => {
  it('sends method, headers and body, and gives status, headers and text back', async () => {
    const res = await nodeFetch(`${base}/echo`, {
      method: 'POST',
      headers: { Authorization: 'Bearer k', 'Content-Type': 'application/json' },
      body: '{"ü":1}',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-multi')).toBe('a');
    expect(await res.text()).toBe('echo {"ü":1}');
    const req = seen.at(-1)!;
    expect(req.method).toBe('POST');
    expect(req.headers.authorization).toBe('Bearer k');
    expect(req.headers['content-length']).toBe(String(Buffer.byteLength('{"ü":1}')));
  });

  it('passes an error status with its headers and body for the SDK to read', async () => {
    const res = await nodeFetch(`${base}/error`);
    expect(res.status).toBe(429);
    expect(res.ok).toBe(false);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(await res.json()).toEqual({ error: { message: 'slow down' } });
  });

  it('hands the relay the Node body, decoded when the server compressed it anyway', async () => {
    const res = await nodeFetch(`${base}/gzip`);
    expect(res.headers.get('content-encoding')).toBeNull();
    const body = nodeBody(res);
    expect(body).toBeDefined();
    expect(await readAll(body!)).toBe('data: one\n\ndata: two\n\n');
    // Once: a second reader gets the web body instead.
    expect(nodeBody(res)).toBeUndefined();
  });

  it('asks for no compression', async () => {
    await (await nodeFetch(`${base}/echo`)).text();
    expect(seen.at(-1)!.headers['accept-encoding']).toBe('identity');
  });

  it('inflates a compressed body only up to a limit, then errors and closes it', async () => {
    const res = await nodeFetch(`${base}/bomb`);
    const body = nodeBody(res)!;
    let inflated = 0;
    const error = await new Promise<unknown>((resolve) => {
      body.on('data', (chunk: Buffer) => (inflated += chunk.length));
      body.once('error', resolve);
      body.once('end', () => resolve(undefined));
    });
    expect(error).toBeInstanceOf(BodyLimitError);
    expect(inflated).toBeLessThanOrEqual(MAX_INFLATED_BYTES);
    expect(body.destroyed).toBe(true);
  });

  it('decodes a compressed body read as a web stream too', async () => {
    const res = await nodeFetch(`${base}/gzip`);
    expect(await res.text()).toBe('data: one\n\ndata: two\n\n');
  });

  it('rejects with an AbortError when aborted before the response, and ends the body after', async () => {
    const early = new AbortController();
    early.abort();
    await expect(nodeFetch(`${base}/echo`, { signal: early.signal })).rejects.toMatchObject({
      name: 'AbortError',
    });

    const late = new AbortController();
    const res = await nodeFetch(`${base}/hang`, { signal: late.signal });
    const body = nodeBody(res)!;
    const first = await new Promise<string>((resolve) =>
      body.once('data', (c: Buffer) => resolve(String(c))),
    );
    expect(first).toBe('data: first\n\n');
    const closed = new Promise<void>((resolve) => body.once('close', () => resolve()));
    late.abort();
    await closed;
    expect(body.destroyed).toBe(true);
  });

  it('fails like fetch when nothing listens (the SDK maps it to a connection error)', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(nodeFetch(`http://127.0.0.1:${port}/`)).rejects.toMatchObject({
      name: 'TypeError',
      message: 'fetch failed',
    });
  });
});
