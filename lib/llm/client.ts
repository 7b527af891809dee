import 'server-only';
/**
 * The upstream client: the official `openai` SDK, set up once per process. `OPENAI_BASE_URL`
 * points it at any OpenAI-compatible server; with neither a key nor a base URL it talks to the
 * built-in demo model, a local simulator started on first use, over HTTP like any other
 * upstream. Also the health check of the upstream.
 */
import OpenAI from 'openai';
import type { Readable } from 'node:stream';
import { BodyLimitError, nodeBody, nodeFetch } from '@/lib/llm/node-fetch';
import { getEnv } from '@/lib/env';
import { retryAfterMs, toErrorData } from '@/lib/llm/errors';

/** The longest `Retry-After` the SDK may sleep on before retrying; longer ones fail fast. */
const MAX_RETRY_SLEEP_MS = 3_000;

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
    // An event stream is read (and bounded) by lib/llm/body.ts; anything else (the model list)
    // is read whole by the SDK, so it is read here first, up to a limit.
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
  const wait = retryAfterMs(res.headers);
  if (wait !== undefined && wait > MAX_RETRY_SLEEP_MS) headers.set('x-should-retry', 'false');
  const empty = res.status === 204 || res.status === 304 || init?.method === 'HEAD';
  return new Response(empty ? null : new Uint8Array(text), {
    status: res.status,
    statusText: res.statusText,
    headers,
  });
};

export interface Upstream {
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
