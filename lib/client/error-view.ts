/**
 * What the person chatting sees of a failed reply. The server's error codes and messages stay as
 * they are (the `error` event is a public contract, and operators read the messages in the logs);
 * this maps a code to what helps here: a plain sentence instead of an operator's instructions
 * ("check OPENAI_API_KEY") where the person cannot act on it, whether Retry can help at all, and
 * how long to wait before it can.
 */

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

const TELL = 'Let the person who runs this app know.';

/**
 * Codes whose cause is the server's configuration, with the sentence shown instead of the
 * server's, and whether Retry may still help (a flaky network to the provider may come back).
 */
const OPERATOR: Record<string, { text: string; retry: boolean }> = {
  upstream_auth: {
    text: `The server cannot reach its model provider right now (the provider refused its credentials). ${TELL}`,
    retry: false,
  },
  upstream_forbidden: {
    text: `The model provider does not allow this server to use this model. Try another model, or ${TELL.toLowerCase()}`,
    retry: true,
  },
  upstream_unreachable: {
    text: `The server cannot connect to its model provider right now. Try again in a moment; if it keeps failing, ${TELL.toLowerCase()}`,
    retry: true,
  },
};

/**
 * Codes the person can act on but Retry cannot help with (the same request fails the same way):
 * the server's sentence already says what to do, so it is shown as it is, without Retry.
 */
const NO_RETRY = new Set(['image_not_supported']);

/** `bad_upstream_response` that is not retryable: the provider redirected (a wrong base URL). */
const MISCONFIGURED = `The server is not set up correctly to reach its model provider. ${TELL}`;

export function errorView(error: StoredError): ErrorView {
  const known = OPERATOR[error.code];
  if (known) return { text: known.text, retry: known.retry, operator: true };
  if (error.code === 'bad_upstream_response' && !error.retryable) {
    return { text: MISCONFIGURED, retry: false, operator: true };
  }
  if (NO_RETRY.has(error.code)) return { text: error.message, retry: false, operator: false };
  // A known wait is shown live under the message: drop the server's fixed words about it.
  const text = error.retryAfter
    ? error.message.replace(/\s*(Try again in a moment|The provider asks to wait \d+ s)\./g, '')
    : error.message;
  return { text, retry: true, operator: false };
}

/** Whole seconds left before Retry, 0 when it may be pressed. */
export function secondsLeft(error: StoredError, now: number): number {
  if (error.retryAt === undefined) return 0;
  return Math.max(0, Math.ceil((error.retryAt - now) / 1000));
}

/** "Try again in 12 s", "Try again in 2 min 5 s". */
export function waitText(seconds: number): string {
  if (seconds < 60) return `Try again in ${seconds} s`;
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return `Try again in ${m} min${s ? ` ${s} s` : ''}`;
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
