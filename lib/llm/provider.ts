import 'server-only';
/**
 * The upstream: streaming chat completions through the official `openai` SDK, normalised to the
 * deltas the reply generator needs. `OPENAI_BASE_URL` points it at any OpenAI-compatible server;
 * with neither a key nor a base URL it talks to the built-in demo model, a local simulator
 * started on first use, over HTTP like any other upstream.
 */
import OpenAI from 'openai';
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
  const res = await fetch(input, init);
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

/**
 * Streams one completion. Retries (by the SDK) happen only before the response starts: once a
 * token has been read, a failure ends the reply. An abort through `signal` ends the iteration
 * quietly; the caller knows why it aborted.
 */
export async function* streamChat(request: ChatRequest): AsyncGenerator<Delta> {
  const { client } = await getUpstream();
  const env = getEnv();
  const stream = await client.chat.completions.create(
    {
      model: request.model,
      messages: request.messages,
      stream: true,
      stream_options: { include_usage: true },
    },
    { signal: request.signal },
  );
  // The SDK's timeout covers only the wait for headers; a body that goes silent is ours to catch.
  const idle = setTimeout(
    () => stream.controller.abort(new UpstreamFault('upstream_timeout')),
    env.UPSTREAM_IDLE_TIMEOUT_MS,
  );
  let finished = false;
  try {
    for await (const chunk of stream) {
      idle.refresh();
      const choice = chunk.choices[0];
      if (choice) {
        const delta = choice.delta as (typeof choice.delta & ExtraDelta) | undefined;
        const reasoning = delta?.reasoning_content ?? delta?.reasoning;
        if (reasoning) yield { type: 'reasoning', content: reasoning };
        if (delta?.content) yield { type: 'text', content: delta.content };
        if (choice.finish_reason) {
          finished = true;
          yield { type: 'finish', reason: mapFinish(choice.finish_reason) };
        }
      }
      if (chunk.usage) {
        yield {
          type: 'usage',
          usage: {
            promptTokens: chunk.usage.prompt_tokens,
            completionTokens: chunk.usage.completion_tokens,
            totalTokens: chunk.usage.total_tokens,
          },
        };
      }
    }
  } finally {
    clearTimeout(idle);
  }
  if (request.signal.aborted) return;
  if (stream.controller.signal.aborted) {
    const reason: unknown = stream.controller.signal.reason;
    throw reason instanceof UpstreamFault ? reason : new UpstreamFault('upstream_interrupted');
  }
  // The SDK ends quietly when the body ends without `[DONE]`; no finish reason means it was cut.
  if (!finished) throw new UpstreamFault('upstream_interrupted');
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
