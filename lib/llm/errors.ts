/**
 * Upstream failures, mapped to the stable codes of the `error` event. The message is a sentence
 * for a person: never the raw upstream body, a stack trace or anything that could hold a secret.
 * The table of codes is in the README.
 */
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import type { ErrorData } from '@/lib/chat/protocol';

/** Thrown by our own watchdogs; `code` picks the mapping. */
export class UpstreamFault extends Error {
  constructor(
    readonly code:
      'upstream_timeout' | 'upstream_interrupted' | 'reply_timeout' | 'bad_upstream_response',
  ) {
    super(code);
  }
}

export const ERROR_MESSAGES = {
  upstream_auth: 'The model provider rejected the API key. Check OPENAI_API_KEY on the server.',
  upstream_forbidden: 'The model provider refused access to this model for this API key.',
  model_not_found: 'The model provider does not know this model. Check the model name.',
  rate_limited: 'The model provider is rate limiting requests. Try again in a moment.',
  upstream_bad_request:
    'The model provider rejected the request (the conversation may be too long for this model).',
  image_not_supported:
    'This model cannot read images. Choose a model that can see images, or send the message without them.',
  upstream_unavailable: 'The model provider had a server error. Try again in a moment.',
  upstream_unreachable:
    'Could not connect to the model provider. Check OPENAI_BASE_URL and the network.',
  upstream_timeout: 'The model provider did not respond in time.',
  upstream_interrupted:
    'The connection to the model provider was cut before the reply was complete.',
  upstream_error: 'The model provider reported an error while generating the reply.',
  context_too_long:
    'The conversation is too long for this model. Start a new chat, or shorten the last message.',
  bad_upstream_response: 'The model provider sent a response this app could not read.',
  upstream_redirect:
    'The model provider answered with a redirect, which this app does not follow. Check OPENAI_BASE_URL (the exact address, http or https, and the /v1 path).',
  reply_timeout: 'The reply took longer than this server allows and was cut short.',
  internal_error: 'Something went wrong on the server while generating the reply.',
} as const;

export type UpstreamErrorCode = Exclude<keyof typeof ERROR_MESSAGES, 'upstream_redirect'>;

function make(code: UpstreamErrorCode, retryable: boolean, extra = ''): ErrorData {
  return { code, message: ERROR_MESSAGES[code] + extra, retryable };
}

/** The longest wait passed on from an upstream's `Retry-After`: beyond it, "an hour" is news enough. */
export const MAX_RETRY_AFTER_S = 3600;

/**
 * The one reader of `Retry-After` (RFC 9110 §10.2.3): a number of seconds or an HTTP date, as
 * seconds from now, unclamped (fractional, or negative for a date in the past); undefined when
 * absent or unreadable. The error mapping and the retry sleeps (lib/llm/client.ts) both use it.
 */
export function parseRetryAfter(raw: string | null | undefined): number | undefined {
  if (!raw) return undefined;
  const seconds = raw.trim() === '' ? NaN : Number(raw);
  const date = Number.isFinite(seconds) ? NaN : Date.parse(raw);
  const wait = Number.isFinite(seconds) ? seconds : (date - Date.now()) / 1000;
  return Number.isFinite(wait) ? wait : undefined;
}

/** `Retry-After` in seconds (a number or an HTTP date), clamped to 0..MAX_RETRY_AFTER_S. */
export function retryAfterSeconds(raw: string | null | undefined): number | undefined {
  const wait = parseRetryAfter(raw);
  if (wait === undefined) return undefined;
  return Math.min(MAX_RETRY_AFTER_S, Math.max(0, Math.ceil(wait)));
}

/**
 * How long an upstream asked to wait before a retry, in ms: OpenAI's `retry-after-ms` first (as
 * the SDK reads it), else `Retry-After`. Undefined when neither says.
 */
export function retryAfterMs(headers: Headers): number | undefined {
  const ms = headers.get('retry-after-ms');
  if (ms !== null) return ms ? Number(ms) : undefined;
  const seconds = parseRetryAfter(headers.get('retry-after'));
  return seconds === undefined ? undefined : seconds * 1000;
}

/**
 * How providers say that a model cannot take image parts: OpenAI ("Invalid content type. image_url
 * is only supported by certain models.", "… does not support image input"), vLLM and others
 * ("… is not a multimodal model", "image input is not supported", "vision is not supported"),
 * Ollama ("this model is missing data required for image input"). Specific phrases only: a 400
 * that merely mentions images (too large, bad URL) stays `upstream_bad_request`.
 */
const IMAGE_REFUSAL =
  /image_url is only supported by certain models|does not support image(?:s|_url| input| content)|is not a multimodal model|(?:image input|vision) is not supported|missing data required for image input/i;

/**
 * How providers say a conversation is longer than the model's context window: OpenAI (code
 * `context_length_exceeded`, "This model's maximum context length is …"), vLLM (the same
 * sentence), llama.cpp ("the request exceeds the available context size"), LM Studio and others
 * ("… context length …", "prompt is too long").
 */
const CONTEXT_EXCEEDED =
  /context_length_exceeded|maximum context length|exceeds? (?:the )?(?:available |model's )?context (?:size|length|window)|context (?:length|window) (?:exceeded|is too small)|prompt is too long|too many tokens in (?:the )?prompt/i;

/** What an upstream error says (the SDK's message and the error body); never shown. */
function saying(error: APIError): string {
  let body = '';
  try {
    body = JSON.stringify(error.error) ?? '';
  } catch {
    // A body that cannot be serialised (a cycle, a BigInt) has nothing more to say.
  }
  return `${error.message}\n${body}`;
}

/** Whether an upstream 400/422 says the model cannot read images. */
export function refusesImages(error: APIError): boolean {
  if (error.status !== 400 && error.status !== 422) return false;
  return IMAGE_REFUSAL.test(saying(error));
}

/** Whether an upstream error (a 400/413/422, or an error inside the stream) says the conversation does not fit. */
export function exceedsContext(error: APIError): boolean {
  if (error.status !== undefined && ![400, 413, 422].includes(error.status)) return false;
  return CONTEXT_EXCEEDED.test(saying(error));
}

/** Maps anything the SDK or the stream threw to the `error` event's data. */
export function toErrorData(error: unknown): ErrorData {
  if (error instanceof UpstreamFault) return make(error.code, error.code !== 'reply_timeout');
  if (error instanceof APIUserAbortError) return make('upstream_interrupted', true);
  if (error instanceof APIConnectionTimeoutError) return make('upstream_timeout', true);
  if (error instanceof APIConnectionError) return make('upstream_unreachable', true);
  if (error instanceof APIError) {
    const status = error.status;
    if (exceedsContext(error)) return make('context_too_long', false);
    if (status === undefined) return make('upstream_error', true); // an error object inside the stream
    if (status === 401) return make('upstream_auth', false);
    if (status === 403) return make('upstream_forbidden', false);
    if (status === 404) return make('model_not_found', false);
    if (status === 429) {
      const after = retryAfterSeconds(error.headers?.get?.('retry-after'));
      if (!after) return make('rate_limited', true);
      return {
        ...make('rate_limited', true, ` The provider asks to wait ${after} s.`),
        retryAfter: after,
      };
    }
    if (status === 408) return make('upstream_timeout', true);
    // node-fetch.ts follows no redirect: an API that redirects is a misconfigured base URL.
    if (status >= 300 && status < 400) {
      return {
        code: 'bad_upstream_response',
        message: ERROR_MESSAGES.upstream_redirect,
        retryable: false,
      };
    }
    if (status >= 500) return make('upstream_unavailable', true);
    if (refusesImages(error)) return make('image_not_supported', false);
    return make('upstream_bad_request', false);
  }
  if (error instanceof SyntaxError) return make('bad_upstream_response', true);
  // undici's `TypeError: terminated` (socket closed mid-body) and its relatives.
  if (error instanceof TypeError) return make('upstream_interrupted', true);
  return make('internal_error', true);
}
