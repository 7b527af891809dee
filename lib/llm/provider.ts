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
import { nodeBody, nodeFetch } from '@/lib/llm/node-fetch';
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
 * The SDK sleeps as long as `Retry-After` says (an hour, if told), and that sleep cannot be
 * aborted. Past a few seconds, tell it not to retry: the person sees "rate limited" at once.
 */
const boundedRetryFetch: typeof fetch = async (input, init) => {
  const res = await nodeFetch(input, init);
  if (res.ok) return res;
  const after = res.headers.get('retry-after-ms') ?? res.headers.get('retry-after');
  if (!after) return res;
  const ms = res.headers.has('retry-after-ms')
    ? Number(after)
    : Number.isFinite(Number(after))
      ? Number(after) * 1000
      : Date.parse(after) - Date.now();
  if (!(ms > MAX_RETRY_SLEEP_MS)) return res;
  const headers = new Headers(res.headers);
  headers.set('x-should-retry', 'false');
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
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
    fetch: boundedRetryFetch,
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

type ExtraDelta = { reasoning_content?: string | null; reasoning?: string | null };

/** One `data:` payload of a chat-completions stream, as far as we read it. */
interface StreamChunk {
  choices?: {
    delta?: ({ content?: string | null } & ExtraDelta) | null;
    finish_reason?: string | null;
  }[];
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null;
  error?: unknown;
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
  const response = await client.chat.completions
    .create(
      {
        model: request.model,
        messages: request.messages,
        stream: true,
        stream_options: { include_usage: true },
      },
      { signal: request.signal },
    )
    .asResponse()
    .catch((error: unknown) => {
      if (request.signal.aborted) return undefined;
      throw error;
    });
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
    // The SDK's timeout covers only the wait for headers; a body that goes silent is ours to catch.
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
      onEvent({ data }) {
        if (sawDone || failure !== undefined) return;
        if (data.startsWith('[DONE]')) {
          sawDone = true;
          return;
        }
        let chunk: StreamChunk | null;
        try {
          chunk = JSON.parse(data) as StreamChunk | null;
        } catch (error) {
          failure = error;
          return;
        }
        if (chunk?.error) {
          failure = new APIError(undefined, chunk.error as object, undefined, response.headers);
        } else if (chunk && collect(chunk, batch)) {
          finished = true;
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
      if (pending.length > 0) {
        idle.refresh();
        const bytes = pending.length === 1 ? pending[0]! : Buffer.concat(pending);
        pending = [];
        parser.feed(decoder.decode(bytes, { stream: true }));
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
    // undici says `terminated`, node:http `aborted`/ECONNRESET: either way the body was cut.
    const onError = () => {
      flush();
      finish(new UpstreamFault('upstream_interrupted'));
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

/** Adds one chunk's deltas to `out`; true when it carried a finish reason. */
function collect(chunk: StreamChunk, out: Delta[]): boolean {
  let finished = false;
  const choice = chunk.choices?.[0];
  if (choice) {
    const delta = choice.delta;
    const reasoning = delta?.reasoning_content ?? delta?.reasoning;
    if (reasoning) out.push({ type: 'reasoning', content: reasoning });
    if (delta?.content) out.push({ type: 'text', content: delta.content });
    if (choice.finish_reason) {
      finished = true;
      out.push({ type: 'finish', reason: mapFinish(choice.finish_reason) });
    }
  }
  if (chunk.usage) {
    out.push({
      type: 'usage',
      usage: {
        promptTokens: chunk.usage.prompt_tokens,
        completionTokens: chunk.usage.completion_tokens,
        totalTokens: chunk.usage.total_tokens,
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
