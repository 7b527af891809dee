/**
 * What the simulator reads of a request in each upstream dialect, normalised so that the rest of
 * it (faults, answers, the request log) is the same for both.
 */

export type Api = 'chat.completions' | 'responses';

/** Generation settings as received, in the names of POST /api/chat's `params`. */
export interface ReceivedParams {
  temperature?: unknown;
  maxTokens?: unknown;
  reasoningEffort?: unknown;
}

type Body = Record<string, unknown>;

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
