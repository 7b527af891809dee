/**
 * The one error type of the HTTP API: a stable `code`, a status and a sentence for a person,
 * answered as `{ "error": { "code", "message" } }`.
 */
import type { ErrorBody } from '@/lib/chat/protocol';

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

/** Renders any thrown value: ApiErrors as themselves, anything else as a generic 500. */
export function errorResponse(error: unknown, onUnknown?: (error: unknown) => void): Response {
  if (error instanceof ApiError) return error.toResponse();
  onUnknown?.(error);
  return new ApiError(500, 'internal_error', 'Something went wrong on the server.').toResponse();
}
