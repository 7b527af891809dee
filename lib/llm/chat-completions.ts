/**
 * The Chat Completions dialect (`POST /v1/chat/completions`, the default; what Ollama, vLLM,
 * llama.cpp server and LM Studio speak): the request body, and the reader of its event stream.
 * https://platform.openai.com/docs/api-reference/chat-streaming
 */
import { APIError } from 'openai';
import type {
  ChatCompletionCreateParamsStreaming,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions';
import type { GenerationParams } from '@/lib/chat/request';
import { UpstreamFault } from '@/lib/llm/errors';
import {
  createJsonEventReader,
  text,
  usageOf,
  type ReaderOptions,
  type UpstreamReader,
} from '@/lib/llm/reader';
import type { FinishReason } from '@/lib/chat/protocol';

/** `params` in this dialect's form (only those given: a server's own defaults hold otherwise). */
export function chatCompletionsParams(
  params: GenerationParams = {},
): Pick<
  ChatCompletionCreateParamsStreaming,
  'temperature' | 'max_completion_tokens' | 'reasoning_effort'
> {
  const out: ReturnType<typeof chatCompletionsParams> = {};
  if (params.temperature !== undefined) out.temperature = params.temperature;
  if (params.maxTokens !== undefined) out.max_completion_tokens = params.maxTokens;
  if (params.reasoningEffort !== undefined) out.reasoning_effort = params.reasoningEffort;
  return out;
}

/** The streaming request for a conversation (messages are already in this dialect's form). */
export function chatCompletionsBody(request: {
  model: string;
  messages: ChatCompletionMessageParam[];
  params?: GenerationParams;
}): ChatCompletionCreateParamsStreaming {
  return {
    model: request.model,
    messages: request.messages,
    stream: true,
    stream_options: { include_usage: true },
    ...chatCompletionsParams(request.params),
  };
}

/**
 * One `data:` payload, as far as we read it. The types are what a well-behaved server sends;
 * the reader checks them, since an upstream may send anything.
 */
interface Chunk {
  choices?: {
    delta?: { content?: unknown; reasoning_content?: unknown; reasoning?: unknown } | null;
    finish_reason?: unknown;
  }[];
  usage?: { prompt_tokens: unknown; completion_tokens: unknown; total_tokens: unknown } | null;
  error?: unknown;
}

/**
 * Reads a chat-completions stream with the SDK's semantics: `[DONE]` ends it, an `error` object
 * inside it is an `APIError`, a chunk that is not JSON a `SyntaxError`, an event over
 * MAX_EVENT_CHARS or a value of the wrong type `bad_upstream_response`. One `JSON.parse` per
 * event and no promise: a network read costs one synchronous pass, whatever it holds (the SDK's
 * own iterator costs a promise per event and re-copies its buffer per event).
 */
export function createChatCompletionsReader({ onDelta, headers }: ReaderOptions): UpstreamReader {
  return createJsonEventReader((chunk: Chunk, control) => {
    if (chunk.error) {
      control.fail(new APIError(undefined, chunk.error as object, undefined, headers));
    } else if (collect(chunk)) {
      control.finish();
    }
  });

  /**
   * Hands over one chunk's deltas; true when it carried a finish reason. Text of another type
   * ends the reply (`bad_upstream_response`); token counts that are not counts are dropped.
   */
  function collect(chunk: Chunk): boolean {
    let finish = false;
    const choices: unknown = chunk.choices;
    if (choices !== undefined && choices !== null && !Array.isArray(choices)) {
      throw new UpstreamFault('bad_upstream_response');
    }
    const choice = (choices as Chunk['choices'])?.[0];
    if (choice) {
      const delta = choice.delta;
      const reasoning = text(delta?.reasoning_content) ?? text(delta?.reasoning);
      if (reasoning) onDelta({ type: 'reasoning', content: reasoning });
      const content = text(delta?.content);
      if (content) onDelta({ type: 'text', content });
      const reason = text(choice.finish_reason);
      if (reason) {
        finish = true;
        onDelta({ type: 'finish', reason: mapFinish(reason) });
      }
    }
    const usage = chunk.usage;
    if (usage) {
      const delta = usageOf(usage.prompt_tokens, usage.completion_tokens, usage.total_tokens);
      if (delta) onDelta(delta);
    }
    return finish;
  }
}

function mapFinish(reason: string): FinishReason {
  if (reason === 'length' || reason === 'content_filter') return reason;
  return 'stop';
}
