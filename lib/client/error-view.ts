/**
 * What the person chatting sees of a failed reply. The server's error codes and messages stay as
 * they are (the `error` event is a public contract, and operators read the messages in the logs);
 * this maps a code to what helps here: a plain sentence instead of an operator's instructions
 * ("check OPENAI_API_KEY") where the person cannot act on it, whether Retry can help at all, and
 * how long to wait before it can. The sentences are the UI's own, in the person's language, by
 * code (messages/<locale>.json, `errors`); an unknown code shows the server's message.
 */
import type { Translate } from '@/lib/client/translate';

export interface StoredError {
  code: string;
  message: string;
  retryable: boolean;
  /** Seconds the server (or the provider through it) asked to wait. */
  retryAfter?: number;
  /** When Retry may be pressed again (epoch ms), from `retryAfter` when the error arrived. */
  retryAt?: number;
}

export interface ErrorView {
  text: string;
  /** Whether to offer Retry: not for problems only the operator can fix. */
  retry: boolean;
  /** A problem with the server's configuration: tell the person who runs the app. */
  operator: boolean;
}

/**
 * Codes whose cause is the server's configuration (shown without the server's instructions to
 * its operator), and whether Retry may still help (a flaky network to the provider may come back).
 */
const OPERATOR: Record<string, { retry: boolean }> = {
  upstream_auth: { retry: false },
  upstream_forbidden: { retry: true },
  upstream_unreachable: { retry: true },
};

/**
 * Codes the person can act on but Retry cannot help with (the same request fails the same way).
 */
const NO_RETRY = new Set(['image_not_supported']);

/**
 * Every code with a sentence of its own in messages/<locale>.json (`errors.<code>`): the codes of
 * the `error` event and of the HTTP API (the server's messages stay English: they are the
 * contract), and the browser's own (`network`, `connection_lost`, …). Any other code shows the
 * server's message as it is.
 */
export const ERROR_CODES = [
  // the `error` event (lib/llm/errors.ts, the reply store)
  'upstream_auth',
  'upstream_forbidden',
  'model_not_found',
  'image_not_supported',
  'upstream_bad_request',
  'context_too_long',
  'rate_limited',
  'upstream_unavailable',
  'upstream_unreachable',
  'upstream_timeout',
  'upstream_interrupted',
  'upstream_error',
  'bad_upstream_response',
  'reply_timeout',
  'reply_too_large',
  'server_restarting',
  'internal_error',
  // the HTTP API, when starting a reply fails (lib/http/api-error.ts)
  'invalid_json',
  'invalid_body',
  'invalid_last_event_id',
  'unknown_model',
  'invalid_request',
  'unauthorized',
  'cross_origin',
  'not_found',
  'unknown_host',
  'body_too_large',
  'too_many_images',
  'image_too_large',
  'too_many_messages',
  'message_too_long',
  'conversation_too_long',
  'unsupported_media_type',
  'overloaded',
  'shutting_down',
  'store_unavailable',
  // the browser's own
  'network',
  'attachments_unreadable',
  'connection_lost',
  'interrupted',
] as const;

const KNOWN = new Set<string>(ERROR_CODES);

/** Codes that are worth another try soon: "Try again in a moment" unless a wait is counted down. */
const SOON = new Set([
  'rate_limited',
  'upstream_unavailable',
  'overloaded',
  'shutting_down',
  'store_unavailable',
]);

/** What the person chatting reads for a failed reply, in the language of `t`. */
export function errorView(error: StoredError, t: Translate): ErrorView {
  const operator = OPERATOR[error.code];
  if (operator) return { text: t(`errors.${error.code}`), retry: operator.retry, operator: true };
  // Not retryable: the provider redirected (a wrong base URL), which only the operator can fix.
  if (error.code === 'bad_upstream_response' && !error.retryable) {
    return { text: t('errors.misconfigured'), retry: false, operator: true };
  }
  const retry = !NO_RETRY.has(error.code);
  const http = /^http_(\d{3})$/.exec(error.code);
  if (http) return { text: t('errors.http', { status: http[1]! }), retry, operator: false };
  if (!KNOWN.has(error.code)) return { text: error.message, retry, operator: false };
  const text = t(`errors.${error.code}`);
  // A known wait is shown live under the message instead.
  const soon = SOON.has(error.code) && !error.retryAfter;
  return { text: soon ? t('errors.tryAgainSoon', { text }) : text, retry, operator: false };
}

/** Whole seconds left before Retry, 0 when it may be pressed. */
export function secondsLeft(error: StoredError, now: number): number {
  if (error.retryAt === undefined) return 0;
  return Math.max(0, Math.ceil((error.retryAt - now) / 1000));
}

/** "Try again in 12 s", "Try again in 2 min 5 s". */
export function waitText(seconds: number, t: Translate): string {
  if (seconds < 60) return t('errors.waitSeconds', { seconds });
  return t('errors.waitMinutes', { minutes: Math.floor(seconds / 60), seconds: seconds % 60 });
}

/** `Retry-After` in whole seconds (a number or an HTTP date); undefined when absent or unreadable. */
export function parseRetryAfter(raw: string | null, now = Date.now()): number | undefined {
  if (!raw?.trim()) return undefined;
  const n = Number(raw);
  const wait = Number.isFinite(n) ? n : (Date.parse(raw) - now) / 1000;
  if (!Number.isFinite(wait)) return undefined;
  return Math.min(3600, Math.max(0, Math.ceil(wait)));
}

/** The error as stored: with the moment Retry is allowed again, when the server gave a wait. */
export function withRetryAt<E extends StoredError>(
  error: E,
  now = Date.now(),
): E & { retryAt?: number } {
  return error.retryAfter ? { ...error, retryAt: now + error.retryAfter * 1000 } : error;
}
