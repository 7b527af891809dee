import 'server-only';
/**
 * The upstream request of a reply: made through the `openai` SDK (lib/llm/client.ts: auth, base
 * URL, timeout, retries before the response starts, HTTP errors as `APIError`) in the dialect
 * `OPENAI_API` names, its body read by us (lib/llm/body.ts) with the reader of that dialect's
 * wire format (lib/llm/chat-completions.ts, lib/llm/responses.ts).
 */
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type OpenAI from 'openai';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { nodeBody } from '@/lib/llm/node-fetch';
import { getEnv, type Env } from '@/lib/env';
import { UpstreamFault } from '@/lib/llm/errors';
import { getUpstream } from '@/lib/llm/client';
import { readUpstreamBody } from '@/lib/llm/body';
import { chatCompletionsBody, createChatCompletionsReader } from '@/lib/llm/chat-completions';
import { createResponsesReader, responsesBody } from '@/lib/llm/responses';
import type { Delta, ReaderOptions, UpstreamReader } from '@/lib/llm/reader';
import type { GenerationParams } from '@/lib/chat/request';

export type { Delta } from '@/lib/llm/reader';
// Where they were before the client had its own module.
export { checkUpstream, getUpstream } from '@/lib/llm/client';

export interface ChatRequest {
  model: string;
  messages: ChatCompletionMessageParam[];
  /** Generation settings, passed in the dialect's own form. */
  params?: GenerationParams;
  signal: AbortSignal;
}

/** How each upstream API is asked (through the SDK, for the raw response) and read. */
interface Dialect {
  request(client: OpenAI, request: ChatRequest, signal: AbortSignal): Promise<Response>;
  createReader(options: ReaderOptions): UpstreamReader;
}

const DIALECTS: Record<Env['OPENAI_API'], Dialect> = {
  'chat-completions': {
    request: (client, request, signal) =>
      client.chat.completions.create(chatCompletionsBody(request), { signal }).asResponse(),
    createReader: createChatCompletionsReader,
  },
  responses: {
    request: (client, request, signal) =>
      client.responses.create(responsesBody(request), { signal }).asResponse(),
    createReader: createResponsesReader,
  },
};

/**
 * Makes the streaming request and waits for its response headers, at most `timeoutMs` in all:
 * the SDK's own timeout is per attempt, so with retries a dead upstream would take three times
 * as long as configured. Undefined when `request.signal` stopped it.
 */
async function requestStream(
  client: OpenAI,
  dialect: Dialect,
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
  const made = dialect.request(client, request, AbortSignal.any([request.signal, deadline.signal]));
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
 * read, in order; resolves when the completion is complete. The body is read from the Node
 * stream under the SDK's response (see node-fetch.ts), not through the SDK's iterator. Once a
 * token has been read, a failure ends the reply (nothing is retried). An abort through `signal`
 * resolves quietly; the caller knows why.
 */
export async function streamChat(
  request: ChatRequest,
  onDeltas: (batch: Delta[]) => void,
): Promise<void> {
  const { client } = await getUpstream();
  const env = getEnv();
  const dialect = DIALECTS[env.OPENAI_API];
  const response = await requestStream(client, dialect, request, env.UPSTREAM_TIMEOUT_MS);
  if (!response) return;
  const body =
    nodeBody(response) ??
    (response.body ? Readable.fromWeb(response.body as NodeReadableStream) : undefined);
  if (!body) throw new UpstreamFault('upstream_interrupted');
  await readUpstreamBody(
    body,
    (options) => dialect.createReader({ ...options, headers: response.headers }),
    { signal: request.signal, idleMs: env.UPSTREAM_IDLE_TIMEOUT_MS, onDeltas },
  );
}
