/**
 * A lean streaming HTTP client on raw sockets (one connection per reply, `Connection: close`),
 * so that thousands of open replies cost the bench little CPU. It does not decode events: it
 * counts a marker that each variant's wire format carries once per token, and looks for the
 * marker of a successful end and of an error. Bytes are read as latin1 (markers are ASCII), with
 * the tail of each read carried over so a marker split across reads is still found.
 */
import net from 'node:net';

export interface Target {
  port: number;
  /** POST unless said (GET: no body; this app's `GET /api/chat/{id}/stream`). */
  method?: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body: string;
  /** Occurs once per streamed token. */
  tokenMarker: string;
  /** Occurs once the reply ended normally. */
  endMarker: string;
  /** Occurs when the reply failed. */
  errorMarker: string;
}

export interface StreamResult {
  status: number;
  tokens: number;
  /** The end marker was seen and the server closed the connection. */
  ok: boolean;
  error: string | undefined;
  startedAt: number;
  /** performance.now() when the TCP connection was established. */
  connectedAt: number | undefined;
  /** performance.now() when the response headers arrived. */
  headersAt: number | undefined;
  /** performance.now() when the first token arrived. */
  firstTokenAt: number | undefined;
  endedAt: number;
  bytes: number;
}

export interface StreamOptions {
  /** Called for each read that carried tokens: how many, and when. */
  onTokens?: (count: number, at: number) => void;
  /** Stop reading once the response has started (a stalled client); see `StalledStream`. */
  stall?: boolean;
  timeoutMs: number;
  /** Closes the connection (the result then has error 'aborted'). */
  signal?: AbortSignal;
}

function countOf(text: string, marker: string): number {
  let n = 0;
  for (let i = text.indexOf(marker); i !== -1; i = text.indexOf(marker, i + marker.length)) n++;
  return n;
}

function request(t: Target): string {
  const method = t.method ?? 'POST';
  let head = `${method} ${t.path} HTTP/1.1\r\nHost: 127.0.0.1:${t.port}\r\nConnection: close\r\n`;
  if (method === 'POST') {
    head += `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(t.body)}\r\n`;
  }
  for (const [k, v] of Object.entries(t.headers)) head += `${k}: ${v}\r\n`;
  return head + '\r\n' + (method === 'POST' ? t.body : '');
}

export interface StalledStream {
  /** Resolves once the response headers arrived (then the socket is paused). */
  started: Promise<number>;
  close(): void;
}

/** Opens a reply and stops reading as soon as its response has started. */
export function openStalled(t: Target, timeoutMs: number): StalledStream {
  const socket = net.connect({ port: t.port, host: '127.0.0.1' });
  const started = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no response'));
    }, timeoutMs);
    socket.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.once('data', (chunk: Buffer) => {
      clearTimeout(timer);
      socket.pause();
      resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(chunk.toString('latin1', 0, 16))?.[1] ?? 0));
    });
  });
  started.catch(() => {});
  socket.on('error', () => {});
  socket.write(request(t));
  return { started, close: () => socket.destroy() };
}

export interface NeverReading {
  /** Resolves with the socket's local port once connected. */
  connected: Promise<number>;
  /** Writes the request (call it once connected, to send many requests at one moment). */
  send(): void;
  close(): void;
}

/**
 * A client that sends its request and never reads the response: the socket is paused before it
 * connects, so Node never reads from it and what the server sends stays in the kernel (this
 * socket's receive queue, the server's send queue) and, once those are full, in the server.
 * Whether the server answered shows in the receive queue (`receiveQueues` in proc.ts).
 */
export function openNeverReading(t: Target, timeoutMs: number): NeverReading {
  const socket = net.connect({ port: t.port, host: '127.0.0.1' });
  socket.pause();
  socket.on('error', () => {});
  const connected = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no connection'));
    }, timeoutMs);
    socket.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket.localPort!);
    });
  });
  connected.catch(() => {});
  return { connected, send: () => socket.write(request(t)), close: () => socket.destroy() };
}

/** Streams one reply to its end (or error, or timeout). */
export function streamReply(t: Target, options: StreamOptions): Promise<StreamResult> {
  return new Promise((resolve) => {
    const startedAt = performance.now();
    const result: StreamResult = {
      status: 0,
      tokens: 0,
      ok: false,
      error: undefined,
      startedAt,
      connectedAt: undefined,
      headersAt: undefined,
      firstTokenAt: undefined,
      endedAt: 0,
      bytes: 0,
    };
    const keep = Math.max(t.tokenMarker.length, t.endMarker.length, t.errorMarker.length) - 1;
    let carry = '';
    let sawEnd = false;
    let chunked = false;
    let finished = false;
    const socket = net.connect({ port: t.port, host: '127.0.0.1' });
    const finish = (error?: string) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      result.endedAt = performance.now();
      if (error && !result.error) result.error = error;
      result.ok = !result.error && sawEnd && result.status === 200;
      if (!result.ok && !result.error) {
        result.error = result.status !== 200 ? `status ${result.status}` : 'ended without end';
      }
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish('timeout'), options.timeoutMs);
    const onAbort = () => finish('aborted');
    if (options.signal?.aborted) return finish('aborted');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    socket.setNoDelay(true);
    socket.once('connect', () => (result.connectedAt = performance.now()));
    socket.on('data', (chunk: Buffer) => {
      const now = performance.now();
      result.bytes += chunk.length;
      let text = carry + chunk.toString('latin1');
      if (result.status === 0) {
        const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
        if (!m) {
          if (text.length < 64) {
            carry = text;
            return;
          }
          return finish('bad response');
        }
        result.status = Number(m[1]);
        result.headersAt = now;
        const headEnd = text.indexOf('\r\n\r\n');
        if (headEnd === -1) return finish('headers split across reads');
        chunked = /\r\ntransfer-encoding: *chunked/i.test(text.slice(0, headEnd));
        // Keep the CRLF before the body: the end of a chunked body is CRLF "0" CRLF CRLF.
        text = text.slice(headEnd + 2);
      }
      const n = countOf(text, t.tokenMarker);
      if (n > 0) {
        if (result.firstTokenAt === undefined) result.firstTokenAt = now;
        result.tokens += n;
        options.onTokens?.(n, now);
      }
      if (!sawEnd && text.includes(t.endMarker)) sawEnd = true;
      if (text.includes(t.errorMarker)) result.error = 'error event';
      // Some servers keep the connection open after the response (AI SDK sets keep-alive).
      if (chunked && text.includes('\r\n0\r\n\r\n')) return finish();
      // Keep the tail, minus any marker already counted in it.
      carry = text.length > keep ? text.slice(text.length - keep) : text;
      const counted = carry.lastIndexOf(t.tokenMarker);
      if (counted !== -1) carry = carry.slice(counted + t.tokenMarker.length);
    });
    socket.on('end', () => finish());
    socket.on('close', () => finish());
    socket.on('error', (e) => finish(e.message));
    socket.write(request(t));
  });
}

export interface SseEvent {
  event: string;
  id: number | undefined;
  data: string;
  /** performance.now() when the read that completed it arrived. */
  at: number;
}

export interface EventsResult {
  status: number;
  events: SseEvent[];
  /** How the stream ended: its `close` event, the server ending it first, or neither. */
  ended: 'close' | 'eof' | 'timeout' | 'error';
  error: string | undefined;
}

/**
 * Follows an event stream (`GET url`) and decodes every event with its arrival time, until the
 * `close` event, the end of the body, or `timeoutMs`. For a few streams whose events matter one
 * by one (not for load: see `streamReply`).
 */
export async function readEvents(
  url: string,
  options: { timeoutMs: number; onEvent?: (event: SseEvent) => void },
): Promise<EventsResult> {
  const out: EventsResult = { status: 0, events: [], ended: 'eof', error: undefined };
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), options.timeoutMs);
  try {
    const res = await fetch(url, {
      headers: { Accept: 'text/event-stream' },
      signal: abort.signal,
    });
    out.status = res.status;
    if (res.status !== 200 || !res.body) {
      out.ended = 'error';
      out.error = `status ${res.status}`;
      await res.body?.cancel();
      return out;
    }
    const decoder = new TextDecoder();
    let buffer = '';
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const at = performance.now();
      buffer += decoder.decode(value, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event: SseEvent = { event: 'message', id: undefined, data: '', at };
        let data: string[] | undefined;
        for (const line of block.split('\n')) {
          const colon = line.indexOf(':');
          if (colon === 0) continue; // a comment (`: ping`)
          const field = colon === -1 ? line : line.slice(0, colon);
          const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'event') event.event = value;
          else if (field === 'id') event.id = Number(value);
          else if (field === 'data') (data ??= []).push(value);
        }
        if (data === undefined) continue; // `retry:` alone, or a comment
        event.data = data.join('\n');
        out.events.push(event);
        options.onEvent?.(event);
        if (event.event === 'close') {
          out.ended = 'close';
          await reader.cancel().catch(() => {});
          return out;
        }
      }
    }
  } catch (error) {
    out.ended = abort.signal.aborted ? 'timeout' : 'error';
    out.error = abort.signal.aborted ? 'timeout' : (error as Error).message;
  } finally {
    clearTimeout(timer);
  }
  return out;
}

/** Starts a reply the two-step way (POST, 201) and returns its stream URL. */
export async function startTwoStep(port: number, prompt: string): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/api/chat`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ messages: [{ role: 'user', content: prompt }] }),
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await res.json()) as { streamUrl?: string };
  if (res.status !== 201 || !body.streamUrl) {
    throw new Error(`POST /api/chat answered ${res.status} ${JSON.stringify(body)}`);
  }
  return body.streamUrl;
}
