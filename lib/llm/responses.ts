/**
 * The Responses dialect (`POST /v1/responses`, `OPENAI_API=responses`): the conversation as
 * `input` (sent whole each time, `store: false`: nothing is kept at the provider), the settings
 * in its form, and the reader of its event stream, the same shape as the Chat Completions one.
 * https://platform.openai.com/docs/api-reference/responses-streaming
 */
import { APIError } from 'openai';
import type {
  ChatCompletionContentPart,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions';
import type {
  ResponseCreateParamsStreaming,
  ResponseInputContent,
  ResponseInputItem,
} from 'openai/resources/responses/responses';
import type { GenerationParams } from '@/lib/chat/request';
import {
  createJsonEventReader,
  text,
  usageOf,
  type EventControl,
  type ReaderOptions,
  type UpstreamReader,
} from '@/lib/llm/reader';
import type { FinishReason } from '@/lib/chat/protocol';

type Content = ChatCompletionMessageParam['content'];

/** The text of a message's content: the string, or its text parts joined. */
function textOf(content: Content): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let out = '';
  for (const part of content) if (part.type === 'text') out += part.text;
  return out;
}

/** A user message's content part as Responses input (text and images; others have no place). */
function inputPart(part: ChatCompletionContentPart): ResponseInputContent[] {
  if (part.type === 'text') return [{ type: 'input_text', text: part.text }];
  if (part.type === 'image_url') {
    const { url, detail } = part.image_url;
    return [{ type: 'input_image', image_url: url, detail: detail ?? 'auto' }];
  }
  return [];
}

/**
 * The conversation (validated by lib/chat/request.ts, in the Chat Completions form) as Responses
 * input. A first system message becomes `instructions`; a later one stays a system message in
 * its place. User text parts become `input_text` and image parts `input_image` (the URL passed
 * on as it is); an assistant's text becomes the `output_text` of an assistant message, as the
 * API's own output items are sent back.
 */
export function responsesInput(messages: readonly ChatCompletionMessageParam[]): {
  instructions?: string;
  input: ResponseInputItem[];
} {
  let instructions: string | undefined;
  const input: ResponseInputItem[] = [];
  for (const [i, message] of messages.entries()) {
    switch (message.role) {
      case 'system':
      case 'developer':
        if (i === 0) instructions = textOf(message.content);
        else input.push({ role: message.role, content: textOf(message.content) });
        break;
      case 'user':
        if (typeof message.content === 'string') {
          input.push({ role: 'user', content: message.content });
          break;
        }
        input.push({ role: 'user', content: message.content.flatMap(inputPart) });
        break;
      case 'assistant':
        // An output message as input: the API wants no id or status for it when nothing is stored.
        input.push({
          type: 'message',
          role: 'assistant',
          content: [{ type: 'output_text', text: textOf(message.content ?? '') }],
        } as ResponseInputItem);
        break;
      default:
      // Tool messages: the request schema lets none through.
    }
  }
  return instructions === undefined ? { input } : { instructions, input };
}

/** `params` in this dialect's form (only those given: a server's own defaults hold otherwise). */
export function responsesParams(
  params: GenerationParams = {},
): Pick<ResponseCreateParamsStreaming, 'temperature' | 'max_output_tokens' | 'reasoning'> {
  const out: ReturnType<typeof responsesParams> = {};
  if (params.temperature !== undefined) out.temperature = params.temperature;
  if (params.maxTokens !== undefined) out.max_output_tokens = params.maxTokens;
  // Summaries are what the Responses API streams of a model's reasoning; asked for with it.
  if (params.reasoningEffort !== undefined) {
    out.reasoning = { effort: params.reasoningEffort, summary: 'auto' };
  }
  return out;
}

/** The streaming request for a conversation; nothing is stored at the provider. */
export function responsesBody(request: {
  model: string;
  messages: readonly ChatCompletionMessageParam[];
  params?: GenerationParams;
}): ResponseCreateParamsStreaming {
  return {
    model: request.model,
    ...responsesInput(request.messages),
    stream: true,
    store: false,
    ...responsesParams(request.params),
  };
}

/** One event's data, as far as we read it; the reader checks every type. */
interface ResponsesEvent {
  type?: unknown;
  delta?: unknown;
  response?: {
    usage?: { input_tokens?: unknown; output_tokens?: unknown; total_tokens?: unknown } | null;
    incomplete_details?: { reason?: unknown } | null;
    error?: unknown;
  } | null;
  code?: unknown;
  message?: unknown;
  param?: unknown;
  error?: unknown;
}

/**
 * Reads a Responses event stream: `response.output_text.delta` is text, reasoning summary (and
 * raw reasoning) deltas are reasoning; `response.completed` ends it (usage, finish `stop`),
 * `response.incomplete` too (finish `length`, or `content_filter` when it says so),
 * `response.failed` and `error` events are an `APIError` inside the stream, as an error object
 * is on Chat Completions. Other events (created, item and part boundaries, `.done` repeats of
 * the text) carry nothing new. The same checks as the Chat Completions reader: one
 * `JSON.parse` per event, text of the wrong type and events over MAX_EVENT_CHARS are
 * `bad_upstream_response`, a body that ends before a terminal event was cut.
 */
export function createResponsesReader({ onDelta, headers }: ReaderOptions): UpstreamReader {
  return createJsonEventReader(read);

  function read(event: ResponsesEvent, control: EventControl): void {
    // As the SDK does for every event: an error object means the stream failed.
    if (event.error) {
      control.fail(new APIError(undefined, event.error as object, undefined, headers));
      return;
    }
    switch (text(event.type)) {
      case 'response.output_text.delta': {
        const content = text(event.delta);
        if (content) onDelta({ type: 'text', content });
        return;
      }
      case 'response.reasoning_summary_text.delta':
      case 'response.reasoning_text.delta': {
        const content = text(event.delta);
        if (content) onDelta({ type: 'reasoning', content });
        return;
      }
      case 'response.completed':
        return end('stop');
      case 'response.incomplete': {
        const reason = text(event.response?.incomplete_details?.reason);
        return end(reason === 'content_filter' ? 'content_filter' : 'length');
      }
      case 'response.failed': {
        const error = event.response?.error;
        control.fail(
          new APIError(
            undefined,
            error && typeof error === 'object' ? error : { message: 'response.failed' },
            undefined,
            headers,
          ),
        );
        return;
      }
      case 'error':
        control.fail(
          new APIError(
            undefined,
            { code: event.code, message: event.message, param: event.param },
            undefined,
            headers,
          ),
        );
        return;
    }

    function end(reason: FinishReason): void {
      onDelta({ type: 'finish', reason });
      const usage = event.response?.usage;
      if (usage) {
        const delta = usageOf(usage.input_tokens, usage.output_tokens, usage.total_tokens);
        if (delta) onDelta(delta);
      }
      control.finish();
      control.end();
    }
  }
}
