/**
 * The errors of the HTTP API, named once: each code's status, the sentence a person reads, and
 * headers it always carries. Call sites say `apiError('not_found')` (or pass a more precise
 * sentence); every error is answered as `{ "error": { "code", "message" } }`.
 */
import type { ErrorBody } from '@/lib/chat/protocol';

type Entry = { status: number; message: string; headers?: Record<string, string> };

const RETRY_SOON = { 'Retry-After': '5' };

export const API_ERRORS = {
  invalid_json: { status: 400, message: 'The request body is not valid JSON.' },
  invalid_body: { status: 400, message: 'The request body could not be read as UTF-8 text.' },
  unknown_model: { status: 400, message: 'Unknown model. GET /api/models lists the models.' },
  invalid_last_event_id: {
    status: 400,
    message: 'Last-Event-ID must be a non-negative integer.',
  },
  unauthorized: {
    status: 401,
    message: 'An access code is required. Send Authorization: Bearer <code>.',
    headers: { 'WWW-Authenticate': 'Bearer' },
  },
  cross_origin: { status: 403, message: 'Requests from other sites are not allowed.' },
  not_found: { status: 404, message: 'No reply with this id (it may have expired).' },
  unknown_host: { status: 421, message: 'This server does not answer to that host name.' },
  body_too_large: { status: 413, message: 'The request body is too large.' },
  too_many_images: { status: 413, message: 'The request carries too many images.' },
  image_too_large: { status: 413, message: 'An image is too large.' },
  too_many_messages: { status: 413, message: 'The request carries too many messages.' },
  message_too_long: { status: 413, message: 'A message is too long.' },
  conversation_too_long: { status: 413, message: 'The messages together are too long.' },
  context_too_long: {
    status: 413,
    message:
      'The last message is too long for this model, even with the earlier messages left out. Shorten it, or choose a model with a larger context window.',
  },
  unsupported_media_type: { status: 415, message: 'Send the request body as application/json.' },
  invalid_request: { status: 422, message: 'Invalid request.' },
  rate_limited: { status: 429, message: 'Too many requests. Try again in a moment.' },
  internal_error: { status: 500, message: 'Something went wrong on the server.' },
  overloaded: {
    status: 503,
    message: 'The server is holding too many replies. Try again shortly.',
    headers: RETRY_SOON,
  },
  shutting_down: {
    status: 503,
    message: 'The server is restarting. Try again in a moment.',
    headers: RETRY_SOON,
  },
  store_unavailable: {
    status: 503,
    message: 'The reply store is unreachable. Try again shortly.',
    headers: RETRY_SOON,
  },
} as const satisfies Record<string, Entry>;

export type ApiErrorCode = keyof typeof API_ERRORS;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  toResponse(): Response {
    const body: ErrorBody = { error: { code: this.code, message: this.message } };
    return Response.json(body, {
      status: this.status,
      headers: { 'Cache-Control': 'no-store', ...this.headers },
    });
  }
}

/** The error for `code`, with its status; `message` replaces the default sentence. */
export function apiError(
  code: ApiErrorCode,
  message?: string,
  headers?: Record<string, string>,
): ApiError {
  const entry: Entry = API_ERRORS[code];
  return new ApiError(entry.status, code, message ?? entry.message, {
    ...entry.headers,
    ...headers,
  });
}

/** Renders any thrown value: ApiErrors as themselves, anything else as a generic 500. */
export function errorResponse(error: unknown, onUnknown?: (error: unknown) => void): Response {
  if (error instanceof ApiError) return error.toResponse();
  onUnknown?.(error);
  return apiError('internal_error').toResponse();
}
