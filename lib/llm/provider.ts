import 'server-only';
/**
 * The upstream: streaming chat completions through the official `openai` SDK, normalised to the
 * deltas the reply generator needs. `OPENAI_BASE_URL` points it at any OpenAI-compatible server;
 * with neither a key nor a base URL it talks to the built-in demo model, a local simulator
 * started on first use, over HTTP like any other upstream.
 */
import OpenAI, { APIError } from 'openai';
import { createParser } from 'eventsource-parser';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { BodyLimitError, nodeBody, nodeFetch } from '@/lib/llm/node-fetch';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { getEnv } from '@/lib/env';
import type { FinishReason, UsageData } from '@/lib/chat/protocol';
import { toErrorData, UpstreamFault } from '@/lib/llm/errors';

export type Delta =
  | { type: 'text'; content: string }
  | { type: 'reasoning'; content: string }
  | { type: 'usage'; usage: UsageData }
  | { type: 'finish'; reason: FinishReason };

export interface ChatRequest {
  model: string;
  messages: ChatCompletionMessageParam[];
  signal: AbortSignal;
}

/** The longest `Retry-After` the SDK may sleep on before retrying; longer ones fail fast. */
const MAX_RETRY_SLEEP_MS = 3_000;

/**
 * The longest event (line, or lines of one event) read before it is parsed: far above any real
 * chunk (a token is tens of bytes, a tool call a few KB), far below what hurts the process. An
 * upstream that sends a body without line breaks is cut here instead of buffered without end.
 */
export const MAX_EVENT_CHARS = 1024 * 1024;

/**
 * The most of an error response's body that is read. The SDK reads it whole for its error
 * message, which we never show anyone; a few KB is plenty, and a 300 MB body costs nothing.
 */
const MAX_ERROR_BODY_BYTES = 4 * 1024;

/** The most of a JSON answer (the model list) that is read: real ones are a few hundred KB. */
const MAX_JSON_BODY_BYTES = 8 * 1024 * 1024;

function withoutLength(headers: Headers): Headers {
  const copy = new Headers(headers);
  copy.delete('content-length');
  return copy;
}

/** Reads at most `max` bytes of `body`, then closes it. */
async function readSome(body: Readable, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= max) break;
    }
  } catch {
    // A cut error body is still an error response: its status is what counts.
  } finally {
    body.destroy();
  }
  return Buffer.concat(chunks).subarray(0, max);
}

/**
 * What the SDK fetches with: node:http (see node-fetch.ts), with two bounds on what an upstream
 * can make it do. An error body is cut to a few KB before the SDK reads it. And the SDK sleeps
 * as long as `Retry-After` says (an hour, if told), a sleep that cannot be aborted: past a few
 * seconds, it is told not to retry, so the person sees "rate limited" at once.
 */
const upstreamFetch: typeof fetch = async (input, init) => {
  const res = await nodeFetch(input, init);
  if (res.ok) {
    // An event stream is read (and bounded) by streamChat; anything else (the model list) is
    // read whole by the SDK, so it is read here first, up to a limit.
    if (res.headers.get('content-type')?.includes('text/event-stream')) return res;
    const raw = nodeBody(res);
    if (!raw) return res;
    const body = await readSome(raw, MAX_JSON_BODY_BYTES + 1);
    if (body.length > MAX_JSON_BODY_BYTES) throw new BodyLimitError(MAX_JSON_BODY_BYTES);
    return new Response(new Uint8Array(body), {
      status: res.status,
      statusText: res.statusText,
      headers: withoutLength(res.headers),
    });
  }
  const raw = nodeBody(res);
  const text = raw ? await readSome(raw, MAX_ERROR_BODY_BYTES) : Buffer.alloc(0);
  const headers = withoutLength(res.headers);
  const after = res.headers.get('retry-after-ms') ?? res.headers.get('retry-after');
  if (after) {
    const ms = res.headers.has('retry-after-ms')
      ? Number(after)
      : Number.isFinite(Number(after))
        ? Number(after) * 1000
        : Date.parse(after) - Date.now();
    if (ms > MAX_RETRY_SLEEP_MS) headers.set('x-should-retry', 'false');
  }
  const empty = res.status === 204 || res.status === 304 || init?.method === 'HEAD';
  return new Response(empty ? null : new Uint8Array(text), {
    status: res.status,
    statusText: res.statusText,
    headers,
  });
};

interface Upstream {
  client: OpenAI;
  demo: boolean;
}

const globalKey = Symbol.for('streamchat.upstream');
type Holder = { [globalKey]?: Promise<Upstream> };

async function createUpstream(): Promise<Upstream> {
  const env = getEnv();
  let baseURL = env.OPENAI_BASE_URL;
  if (env.demo) {
    const { createSimulator } = await import('@/lib/simulator/server');
    const simulator = createSimulator({ tokenDelayMs: env.DEMO_TOKEN_DELAY_MS });
    simulator.server.unref();
    baseURL = await simulator.listen(0, '127.0.0.1');
  }
  const client = new OpenAI({
    // Local servers (Ollama, llama.cpp) take any key; the SDK insists on one.
    apiKey: env.OPENAI_API_KEY ?? 'not-needed',
    baseURL,
    timeout: env.UPSTREAM_TIMEOUT_MS,
    maxRetries: env.UPSTREAM_MAX_RETRIES,
    fetch: upstreamFetch,
    // Debug logging would print prompts; errors are logged by us, without bodies.
    logLevel: 'off',
  });
  return { client, demo: env.demo };
}

/** The process-wide client (kept on globalThis so every route bundle shares it). */
export function getUpstream(): Promise<Upstream> {
  const holder = globalThis as Holder;
  holder[globalKey] ??= createUpstream().catch((error) => {
    delete holder[globalKey];
    throw error;
  });
  return holder[globalKey];
}

type ExtraDelta = { reasoning_content?: unknown; reasoning?: unknown };

/**
 * One `data:` payload of a chat-completions stream, as far as we read it. The types are what a
 * well-behaved server sends; `collect` checks them, since an upstream may send anything.
 */
interface StreamChunk {
  choices?: {
    delta?: ({ content?: unknown } & ExtraDelta) | null;
    finish_reason?: unknown;
  }[];
  usage?: { prompt_tokens: unknown; completion_tokens: unknown; total_tokens: unknown } | null;
  error?: unknown;
}

/**
 * Makes the streaming request and waits for its response headers, at most `timeoutMs` in all:
 * the SDK's own timeout is per attempt, so with retries a dead upstream would take three times
 * as long as configured. Undefined when `request.signal` stopped it.
 */
async function requestStream(
  client: OpenAI,
  request: ChatRequest,
  timeoutMs: number,
): Promise<Response | undefined> {
  const deadline = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const fault = new UpstreamFault('upstream_timeout');
      deadline.abort(fault);
      reject(fault);
    }, timeoutMs);
  });
  const made = client.chat.completions
    .create(
      {
        model: request.model,
        messages: request.messages,
        stream: true,
        stream_options: { include_usage: true },
      },
      { signal: AbortSignal.any([request.signal, deadline.signal]) },
    )
    .asResponse();
  try {
    // The SDK's retry sleep cannot be interrupted: the race answers at the deadline anyway.
    return await Promise.race([made, expired]);
  } catch (error) {
    if (request.signal.aborted) return undefined;
    if (deadline.signal.aborted) throw new UpstreamFault('upstream_timeout');
    throw error;
  } finally {
    clearTimeout(timer);
    made.catch(() => {});
    expired.catch(() => {});
  }
}

/**
 * Streams one completion into `onDeltas`, called with every delta that arrived in one network
 * read, in order; resolves when the completion is complete. The SDK makes the request (auth,
 * base URL, timeout, retries before the response starts, HTTP errors as `APIError`); the body is
 * read here, from the Node stream under it (see node-fetch.ts), with `eventsource-parser` and one
 * `JSON.parse` per event: a network read costs one synchronous pass, whatever it holds (the
 * SDK's own iterator costs a promise per event and re-copies its buffer per event). It keeps the
 * SDK's semantics: `[DONE]` ends the stream, an `error` object inside it throws `APIError`, a
 * chunk that is not JSON throws `SyntaxError`. Once a token has been read, a failure ends the
 * reply (nothing is retried). An abort through `signal` resolves quietly; the caller knows why.
 */
export async function streamChat(
  request: ChatRequest,
  onDeltas: (batch: Delta[]) => void,
): Promise<void> {
  const { client } = await getUpstream();
  const env = getEnv();
  const response = await requestStream(client, request, env.UPSTREAM_TIMEOUT_MS);
  if (!response) return;
  const body =
    nodeBody(response) ??
    (response.body ? Readable.fromWeb(response.body as NodeReadableStream) : undefined);
  if (!body) throw new UpstreamFault('upstream_interrupted');

  await new Promise<void>((resolve, reject) => {
    let finished = false;
    let settled = false;
    let batch: Delta[] = [];
    const decoder = new TextDecoder();
    // The SDK's timeout covers only the wait for headers; a body that goes silent is ours to
    // catch. Silent means no complete event: bytes that never make one (a line that never ends,
    // one byte a second) do not count as life.
    let sawEvent = false;
    const idle = setTimeout(() => {
      flush();
      finish(new UpstreamFault('upstream_timeout'));
    }, env.UPSTREAM_IDLE_TIMEOUT_MS);

    const settle = () => {
      settled = true;
      clearTimeout(idle);
      request.signal.removeEventListener('abort', onAbort);
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onError);
      body.off('close', onClose);
      if (body.readableEnded) return;
      if (sawDone && failure === undefined && !request.signal.aborted) {
        // Complete; the body's last bytes are on their way: read them (and drop them) so that the
        // connection goes back to the pool, unless the server keeps it open.
        const linger = setTimeout(() => body.destroy(), 1_000);
        linger.unref();
        body.once('end', () => clearTimeout(linger));
        body.resume();
      } else {
        // Stopped early (a stop, an error): close the upstream connection now.
        body.destroy();
      }
    };
    /** Ends the completion: resolves when it is complete (or stopped), rejects otherwise. */
    function finish(error?: unknown) {
      if (settled) return;
      settle();
      if (request.signal.aborted) resolve();
      else if (error !== undefined) reject(error);
      // A body that ends without a finish reason (with or without `[DONE]`) was cut.
      else if (finished) resolve();
      else reject(new UpstreamFault('upstream_interrupted'));
    }

    let sawDone = false;
    let failure: unknown;
    const parser = createParser({
      maxBufferSize: MAX_EVENT_CHARS,
      onEvent({ data }) {
        sawEvent = true;
        if (sawDone || failure !== undefined) return;
        if (data.startsWith('[DONE]')) {
          sawDone = true;
          return;
        }
        let chunk: unknown;
        try {
          chunk = JSON.parse(data);
        } catch (error) {
          failure = error;
          return;
        }
        if (chunk === null) return;
        if (typeof chunk !== 'object' || Array.isArray(chunk)) {
          failure = new UpstreamFault('bad_upstream_response');
        } else if ((chunk as StreamChunk).error) {
          const error = (chunk as StreamChunk).error;
          failure = new APIError(undefined, error as object, undefined, response.headers);
        } else {
          try {
            if (collect(chunk as StreamChunk, batch)) finished = true;
          } catch (error) {
            failure = error;
          }
        }
      },
      onError(error) {
        // Only an event past MAX_EVENT_CHARS stops the parser; other parse errors are harmless.
        if (error.type === 'max-buffer-size-exceeded') {
          failure ??= new UpstreamFault('bad_upstream_response');
        }
      },
    });

    // node:http emits one `data` event per HTTP chunk (a token, for most servers), all those of
    // one network read before the read's microtasks run: they are decoded, parsed and handed
    // over together, once per read. The text before a failure is handed over before it.
    let pending: Buffer[] = [];
    let scheduled = false;
    function flush() {
      scheduled = false;
      if (settled) return;
      if (pending.length > 0 && failure === undefined) {
        const bytes = pending.length === 1 ? pending[0]! : Buffer.concat(pending);
        pending = [];
        parser.feed(decoder.decode(bytes, { stream: true }));
        if (sawEvent) {
          sawEvent = false;
          idle.refresh();
        }
      }
      if (batch.length > 0) {
        const out = batch;
        batch = [];
        try {
          onDeltas(out);
        } catch (error) {
          failure ??= error;
        }
      }
      if (failure !== undefined) finish(failure);
      else if (sawDone) finish();
    }
    const onData = (bytes: Buffer) => {
      pending.push(bytes);
      if (!scheduled) {
        scheduled = true;
        queueMicrotask(flush);
      }
    };
    // 'end' and 'error' come on process.nextTick, before the microtask: read what is left first.
    const onEnd = () => {
      flush();
      finish();
    };
    // undici says `terminated`, node:http `aborted`/ECONNRESET: either way the body was cut,
    // unless it inflated past its limit.
    const onError = (error: unknown) => {
      flush();
      finish(
        new UpstreamFault(
          error instanceof BodyLimitError ? 'bad_upstream_response' : 'upstream_interrupted',
        ),
      );
    };
    const onClose = () => {
      if (body.readableEnded) return;
      flush();
      finish(new UpstreamFault('upstream_interrupted'));
    };
    const onAbort = () => finish(request.signal.reason);

    request.signal.addEventListener('abort', onAbort, { once: true });
    body.on('data', onData);
    body.once('end', onEnd);
    body.once('error', onError);
    body.once('close', onClose);
  });
}

/** A string field of a chunk: absent, null or a string; anything else is a broken upstream. */
function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new UpstreamFault('bad_upstream_response');
  return value;
}

const count = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;

/**
 * Adds one chunk's deltas to `out`; true when it carried a finish reason. Values are checked
 * for type before they are relayed: text of another type ends the reply
 * (`bad_upstream_response`), token counts that are not counts are dropped.
 */
function collect(chunk: StreamChunk, out: Delta[]): boolean {
  let finished = false;
  const choices: unknown = chunk.choices;
  if (choices !== undefined && choices !== null && !Array.isArray(choices)) {
    throw new UpstreamFault('bad_upstream_response');
  }
  const choice = (choices as StreamChunk['choices'])?.[0];
  if (choice) {
    const delta = choice.delta;
    const reasoning = text(delta?.reasoning_content) ?? text(delta?.reasoning);
    if (reasoning) out.push({ type: 'reasoning', content: reasoning });
    const content = text(delta?.content);
    if (content) out.push({ type: 'text', content });
    const reason = text(choice.finish_reason);
    if (reason) {
      finished = true;
      out.push({ type: 'finish', reason: mapFinish(reason) });
    }
  }
  const usage = chunk.usage;
  if (usage && count(usage.prompt_tokens) && count(usage.completion_tokens)) {
    const total = usage.total_tokens;
    out.push({
      type: 'usage',
      usage: {
        promptTokens: usage.prompt_tokens,
        completionTokens: usage.completion_tokens,
        totalTokens: count(total) ? total : usage.prompt_tokens + usage.completion_tokens,
      },
    });
  }
  return finished;
}

function mapFinish(reason: string): FinishReason {
  if (reason === 'length' || reason === 'content_filter') return reason;
  return 'stop';
}

let lastCheck: { at: number; result: { ok: boolean; detail?: string } } | undefined;

/**
 * Whether the upstream answers (its model list), cached for 10 s so health probes cost nothing.
 * The detail names the failure class only: never a body or a key.
 */
export async function checkUpstream(): Promise<{ ok: boolean; detail?: string }> {
  if (lastCheck && Date.now() - lastCheck.at < 10_000) return lastCheck.result;
  let result: { ok: boolean; detail?: string };
  try {
    const { client } = await getUpstream();
    await client.models.list({ timeout: 3000, maxRetries: 0 });
    result = { ok: true };
  } catch (error) {
    const status = (error as { status?: number }).status;
    // A provider that does not list models (404) is still reachable.
    result = status === 404 ? { ok: true } : { ok: false, detail: toErrorData(error).code };
  }
  lastCheck = { at: Date.now(), result };
  return result;
}
