/**
 * The simulator's two upstream dialects: what it reads of a request in each, normalised so that
 * the rest of it (faults, answers, the request log) is the same for both, and how each writes
 * an answer on the wire (Chat Completions chunks, or the Responses API's event sequence).
 */

export type Api = 'chat.completions' | 'responses';

/** Generation settings as received, in the names of POST /api/chat's `params`. */
export interface ReceivedParams {
  temperature?: unknown;
  maxTokens?: unknown;
  reasoningEffort?: unknown;
}

type Body = Record<string, unknown>;

/** A message in the Chat Completions form, which the rest of the simulator reads. */
export type ChatMessage = { role: string; content: unknown };

/**
 * The settings a request carried, read from the dialect's own fields only: Chat Completions
 * `temperature`, `max_completion_tokens` (or the older `max_tokens`), `reasoning_effort`;
 * Responses `temperature`, `max_output_tokens`, `reasoning.effort`. Absent ones are left out.
 */
export function receivedParams(body: Body, api: Api): ReceivedParams {
  const reasoning = body.reasoning as { effort?: unknown } | null | undefined;
  const found: ReceivedParams =
    api === 'responses'
      ? {
          temperature: body.temperature,
          maxTokens: body.max_output_tokens,
          reasoningEffort: reasoning?.effort,
        }
      : {
          temperature: body.temperature,
          maxTokens: body.max_completion_tokens ?? body.max_tokens,
          reasoningEffort: body.reasoning_effort,
        };
  return Object.fromEntries(
    Object.entries(found).filter(([, v]) => v !== undefined && v !== null),
  ) as ReceivedParams;
}

/** A Responses content part in the Chat Completions form (text, image); others are dropped. */
function chatPart(part: unknown): object[] {
  if (!part || typeof part !== 'object') return [];
  const p = part as { type?: unknown; text?: unknown; image_url?: unknown };
  if (p.type === 'input_text' || p.type === 'output_text') return [{ type: 'text', text: p.text }];
  if (p.type === 'input_image') return [{ type: 'image_url', image_url: { url: p.image_url } }];
  return [];
}

/**
 * The conversation of a request: `messages` on Chat Completions; on Responses, `instructions`
 * (as a first system message) and `input` (a string, or message items whose parts are read
 * back into the Chat Completions form).
 */
export function messagesOf(body: Body, api: Api): ChatMessage[] {
  if (api === 'chat.completions') {
    return Array.isArray(body.messages) ? (body.messages as ChatMessage[]) : [];
  }
  const messages: ChatMessage[] = [];
  if (typeof body.instructions === 'string') {
    messages.push({ role: 'system', content: body.instructions });
  }
  if (typeof body.input === 'string') messages.push({ role: 'user', content: body.input });
  else if (Array.isArray(body.input)) {
    for (const item of body.input as { role?: unknown; content?: unknown }[]) {
      if (!item || typeof item.role !== 'string') continue; // not a message (a tool call…)
      const content = Array.isArray(item.content) ? item.content.flatMap(chatPart) : item.content;
      messages.push({ role: item.role, content });
    }
  }
  return messages;
}

/** Usage in the Chat Completions form (what the simulator counts). */
export type ChatUsage = Record<string, unknown>;

/**
 * How an answer is written in one dialect. Each method returns the bytes of one network write;
 * values are passed on as they are, so that faults can send the wrong types.
 */
export interface Wire {
  /** The first bytes of the body. */
  start(): string;
  text(content: unknown): string;
  /** An answer's text event up to where its text begins (`[[trickle]]` never ends it). */
  openText(): string;
  /** Reasoning: `reasoning_content` or `reasoning` on Chat Completions; on Responses a summary, or raw reasoning text. */
  reasoning(content: unknown, field: 'reasoning_content' | 'reasoning'): string;
  /** An error inside the stream (`[[error-mid]]`). */
  error(): string;
  /** An event that is not JSON (`[[malformed]]`). */
  malformed(): string;
  /** The end of a complete answer, one write each. */
  end(finish: unknown, usage: ChatUsage, includeUsage: boolean): string[];
}

const MID_ERROR = { message: 'The model had an internal error', type: 'server_error', code: null };

/** Chat Completions chunks (`data: {…}`), then `data: [DONE]`. */
export function chatWire(id: string, model: string, created: number): Wire {
  const chunk = (delta: object, finish: unknown = null) =>
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  return {
    start: () => chunk({ role: 'assistant', content: '' }),
    text: (content) => chunk({ content }),
    openText() {
      const whole = chunk({ content: '' });
      return whole.slice(0, whole.indexOf('"content":""') + '"content":"'.length);
    },
    reasoning: (content, field) => chunk({ [field]: content }),
    error: () => `data: ${JSON.stringify({ error: MID_ERROR })}\n\n`,
    malformed: () => 'data: {"id": "oops", "choices": [\n\n',
    end(finish, usage, includeUsage) {
      const out = [chunk({}, finish)];
      if (includeUsage) {
        out.push(
          `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage })}\n\n`,
        );
      }
      out.push('data: [DONE]\n\n');
      return out;
    },
  };
}

/**
 * The Responses API's event sequence (`event: <type>` and `data: {type, sequence_number, …}`):
 * response.created, response.in_progress; a reasoning item with its summary (or reasoning text)
 * deltas when there is reasoning; the message item (output_item.added, content_part.added,
 * output_text.delta…, output_text.done, content_part.done, output_item.done); then
 * response.completed with usage, or response.incomplete (`max_output_tokens`) for `length`.
 */
export function responsesWire(
  id: string,
  model: string,
  created: number,
  request: { instructions?: unknown },
): Wire {
  let sequence = 0;
  const output: object[] = [];
  let reasoning: { id: string; index: number; summary: boolean; text: string } | undefined;
  let message: { id: string; index: number; text: string } | undefined;

  const event = (type: string, fields: object) =>
    `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...fields })}\n\n`;
  const response = (status: string, extra: object = {}) => ({
    id,
    object: 'response',
    created_at: created,
    status,
    error: null,
    incomplete_details: null,
    instructions: request.instructions ?? null,
    model,
    output,
    store: false,
    usage: null,
    ...extra,
  });

  function closeReasoning(): string {
    if (!reasoning) return '';
    const r = reasoning;
    reasoning = undefined;
    const item = r.summary
      ? { id: r.id, type: 'reasoning', summary: [{ type: 'summary_text', text: r.text }] }
      : {
          id: r.id,
          type: 'reasoning',
          summary: [],
          content: [{ type: 'reasoning_text', text: r.text }],
        };
    output.push(item);
    const at = { item_id: r.id, output_index: r.index };
    return (
      (r.summary
        ? event('response.reasoning_summary_text.done', { ...at, summary_index: 0, text: r.text }) +
          event('response.reasoning_summary_part.done', {
            ...at,
            summary_index: 0,
            part: { type: 'summary_text', text: r.text },
          })
        : event('response.reasoning_text.done', { ...at, content_index: 0, text: r.text })) +
      event('response.output_item.done', { output_index: r.index, item })
    );
  }

  /** Opens the message item (closing reasoning first) when it is not open yet. */
  function openMessage(): string {
    if (message) return '';
    const before = closeReasoning();
    message = { id: `msg_${id}`, index: output.length, text: '' };
    const at = { item_id: message.id, output_index: message.index };
    return (
      before +
      event('response.output_item.added', {
        output_index: message.index,
        item: {
          id: message.id,
          type: 'message',
          status: 'in_progress',
          role: 'assistant',
          content: [],
        },
      }) +
      event('response.content_part.added', {
        ...at,
        content_index: 0,
        part: { type: 'output_text', text: '', annotations: [] },
      })
    );
  }

  function delta(content: unknown): string {
    const m = message!;
    if (typeof content === 'string') m.text += content;
    return event('response.output_text.delta', {
      item_id: m.id,
      output_index: m.index,
      content_index: 0,
      logprobs: [],
      delta: content,
    });
  }

  return {
    start: () =>
      event('response.created', { response: response('in_progress') }) +
      event('response.in_progress', { response: response('in_progress') }),
    text: (content) => openMessage() + delta(content),
    openText() {
      const whole = delta('');
      return whole.slice(0, whole.indexOf('"delta":""') + '"delta":"'.length);
    },
    reasoning(content, field) {
      let head = '';
      if (!reasoning) {
        const summary = field === 'reasoning_content';
        reasoning = { id: `rs_${id}`, index: output.length, summary, text: '' };
        head = event('response.output_item.added', {
          output_index: reasoning.index,
          item: { id: reasoning.id, type: 'reasoning', summary: [] },
        });
        if (summary) {
          head += event('response.reasoning_summary_part.added', {
            item_id: reasoning.id,
            output_index: reasoning.index,
            summary_index: 0,
            part: { type: 'summary_text', text: '' },
          });
        }
      }
      if (typeof content === 'string') reasoning.text += content;
      const at = { item_id: reasoning.id, output_index: reasoning.index };
      return (
        head +
        (reasoning.summary
          ? event('response.reasoning_summary_text.delta', {
              ...at,
              summary_index: 0,
              delta: content,
            })
          : event('response.reasoning_text.delta', { ...at, content_index: 0, delta: content }))
      );
    },
    error: () =>
      event('response.failed', {
        response: response('failed', {
          error: { code: 'server_error', message: MID_ERROR.message },
        }),
      }),
    malformed: () =>
      'event: response.output_text.delta\ndata: {"type": "response.output_text.delta", "delta": [\n\n',
    end(finish, usage) {
      const out: string[] = [];
      const before = closeReasoning();
      if (before) out.push(before);
      if (message) {
        const m = message;
        const at = { item_id: m.id, output_index: m.index };
        const part = { type: 'output_text', text: m.text, annotations: [] };
        const item = {
          id: m.id,
          type: 'message',
          status: finish === 'stop' ? 'completed' : 'incomplete',
          role: 'assistant',
          content: [part],
        };
        output.push(item);
        out.push(
          event('response.output_text.done', {
            ...at,
            content_index: 0,
            text: m.text,
            logprobs: [],
          }) +
            event('response.content_part.done', { ...at, content_index: 0, part }) +
            event('response.output_item.done', { output_index: m.index, item }),
        );
      }
      const counts = {
        input_tokens: usage.prompt_tokens,
        input_tokens_details: { cached_tokens: 0 },
        output_tokens: usage.completion_tokens,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: usage.total_tokens,
      };
      out.push(
        finish === 'stop'
          ? event('response.completed', { response: response('completed', { usage: counts }) })
          : event('response.incomplete', {
              response: response('incomplete', {
                usage: counts,
                incomplete_details: { reason: finish === 'length' ? 'max_output_tokens' : finish },
              }),
            }),
      );
      return out;
    },
  };
}

/** A whole (non-streamed) Responses answer. */
export function responsesObject(
  id: string,
  model: string,
  created: number,
  text: string,
  finish: unknown,
  usage: ChatUsage,
): object {
  return {
    id,
    object: 'response',
    created_at: created,
    status: finish === 'stop' ? 'completed' : 'incomplete',
    incomplete_details: finish === 'stop' ? null : { reason: 'max_output_tokens' },
    model,
    output: [
      {
        id: `msg_${id}`,
        type: 'message',
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text, annotations: [] }],
      },
    ],
    usage: {
      input_tokens: usage.prompt_tokens,
      output_tokens: usage.completion_tokens,
      total_tokens: usage.total_tokens,
    },
  };
}
