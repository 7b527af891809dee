import 'server-only';
/**
 * The `fetch` the `openai` SDK is given: `node:http(s)` with keep-alive agents instead of the
 * global (undici) fetch. The SDK still builds, retries and times the request and turns HTTP
 * errors into `APIError`; this only carries it. The reason is the body: undici delivers it as a
 * web stream, several promises and a copy per network read, which at thousands of open replies
 * is most of a relay's CPU. `nodeBody(response)` hands the streaming route the Node stream
 * underneath, read with plain `data` events; everyone else reads `response.body` as usual.
 */
import http from 'node:http';
import https from 'node:https';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import zlib from 'node:zlib';

/** Keep-alive pools, one per protocol (exported for the tests that check reuse). */
export const agents = {
  'http:': new http.Agent({ keepAlive: true }),
  'https:': new https.Agent({ keepAlive: true }),
};

const nodeBodies = new WeakMap<Response, Readable>();

/**
 * The most a compressed body may inflate to. We ask for `identity`, so only a server that
 * compresses anyway gets here; 4 MB of gzip can inflate to 4 GB, so the output is counted.
 */
export const MAX_INFLATED_BYTES = 64 * 1024 * 1024;

/** A body that went past a size limit (inflated too far); the stream errors with it. */
export class BodyLimitError extends Error {
  constructor(readonly limit: number) {
    super(`response body larger than ${limit} bytes`);
    this.name = 'BodyLimitError';
  }
}

/** Passes bytes through until `limit` have gone by, then errors with BodyLimitError. */
function byteLimit(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      seen += chunk.length;
      if (seen > limit) callback(new BodyLimitError(limit));
      else callback(null, chunk);
    },
  });
}

/** The Node stream under a response from `nodeFetch`, once; later callers get undefined. */
export function nodeBody(response: Response): Readable | undefined {
  const body = nodeBodies.get(response);
  nodeBodies.delete(response);
  return body;
}

function abortError(signal: AbortSignal): unknown {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  return new DOMException('This operation was aborted', 'AbortError');
}

/** A web stream over `res` that starts reading only when someone reads it. */
function webBody(res: Readable): ReadableStream<Uint8Array> {
  let wired = false;
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (wired) {
          res.resume();
          return;
        }
        wired = true;
        res.on('data', (chunk: Buffer) => {
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((controller.desiredSize ?? 0) <= 0) res.pause();
        });
        res.once('end', () => controller.close());
        res.once('error', (error) => controller.error(error));
      },
      cancel() {
        res.destroy();
      },
    },
    { highWaterMark: 0 },
  );
}

function decoderFor(
  encoding: string | undefined,
): zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress | undefined {
  switch (encoding?.trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      // Flushing every chunk: an event stream must come out as it goes in.
      return zlib.createGunzip({ flush: zlib.constants.Z_SYNC_FLUSH });
    case 'deflate':
      return zlib.createInflate({ flush: zlib.constants.Z_SYNC_FLUSH });
    case 'br':
      return zlib.createBrotliDecompress({ flush: zlib.constants.BROTLI_OPERATION_FLUSH });
    default:
      return undefined;
  }
}

export const nodeFetch: typeof fetch = (input, init = {}) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  const body = init.body;
  if (
    (url.protocol !== 'http:' && url.protocol !== 'https:') ||
    (body != null && typeof body !== 'string')
  ) {
    // Nothing the chat routes send; keep the general case on the platform's fetch.
    return fetch(input, init);
  }
  const signal = init.signal ?? undefined;
  if (signal?.aborted) return Promise.reject(abortError(signal));
  const headers: Record<string, string> = {};
  new Headers(init.headers).forEach((value, key) => {
    headers[key] = value;
  });
  if (body != null) headers['content-length'] = String(Buffer.byteLength(body));
  // An event stream must arrive as it is sent; compression only adds a bomb to defuse.
  headers['accept-encoding'] ??= 'identity';

  return new Promise<Response>((resolve, reject) => {
    const request = (url.protocol === 'https:' ? https : http).request(url, {
      method: init.method ?? 'GET',
      headers,
      agent: agents[url.protocol as 'http:' | 'https:'],
    });
    let res: Readable | undefined;
    const onAbort = () => {
      const error = abortError(signal!);
      if (res) res.destroy(error as Error);
      else request.destroy(error as Error);
      reject(error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    request.on('error', (error) => {
      signal?.removeEventListener('abort', onAbort);
      // The same shape as undici's: the SDK maps it to a connection error and may retry.
      reject(new TypeError('fetch failed', { cause: error }));
    });
    request.once('response', (incoming) => {
      // Readers add their own listeners; this one keeps a late socket error from crashing us.
      incoming.on('error', () => {});
      incoming.once('close', () => signal?.removeEventListener('abort', onAbort));
      // Nothing asks for compression, but a server or proxy may compress anyway (fetch would
      // decode it, so this does too).
      const decoder = decoderFor(incoming.headers['content-encoding']);
      let body: Readable = incoming;
      if (decoder) {
        const limit = byteLimit(MAX_INFLATED_BYTES);
        body = incoming.pipe(decoder).pipe(limit);
        decoder.on('error', (error) => limit.destroy(error));
        limit.on('error', () => {});
        incoming.once('error', (error) => decoder.destroy(error));
        // However the body ends (limit, bad data, a reader's destroy), the socket goes with it.
        limit.once('close', () => {
          decoder.destroy();
          incoming.destroy();
        });
      }
      res = body;
      const responseHeaders = new Headers();
      const raw = incoming.rawHeaders;
      for (let i = 0; i + 1 < raw.length; i += 2) responseHeaders.append(raw[i]!, raw[i + 1]!);
      const status = incoming.statusCode ?? 502;
      const empty = status === 204 || status === 304 || init.method === 'HEAD';
      if (empty) incoming.resume();
      if (decoder) {
        responseHeaders.delete('content-encoding');
        responseHeaders.delete('content-length');
      }
      const response = new Response(empty ? null : webBody(body), {
        status,
        statusText: incoming.statusMessage ?? '',
        headers: responseHeaders,
      });
      if (!empty) nodeBodies.set(response, body);
      resolve(response);
    });
    request.end(body ?? undefined);
  });
};
