import 'server-only';
/**
 * The one wrapper of every API route: the host, origin and access checks (unless a route says
 * otherwise), the try/catch, the JSON error response, and logging of what was not expected. A
 * handler is only its own logic:
 *   export const POST = apiRoute('POST /api/chat', async (request) => { … });
 */
import { guard } from '@/lib/http/access';
import { apiError, errorResponse } from '@/lib/http/api-error';
import { log } from '@/lib/log';

type Handler<C> = (request: Request, context: C) => Promise<Response> | Response;

export function apiRoute<C = unknown>(
  name: string,
  handler: Handler<C>,
  { guarded = true }: { guarded?: boolean } = {},
): (request: Request, context: C) => Promise<Response> {
  return async (request, context) => {
    try {
      if (guarded) guard(request);
      return await handler(request, context);
    } catch (error) {
      return errorResponse(error, (e) => log.error(`${name} failed`, { error: e }));
    }
  };
}

/** A JSON 404 for a method or path the API does not have (Next would answer without a body). */
export function noSuchRoute(): Response {
  return apiError('not_found', 'There is no such API route.').toResponse();
}
