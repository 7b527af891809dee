// Any other /api path — a JSON 404, like the rest of the API (not the HTML page)
import { apiError } from '@/lib/http/api-error';

export const dynamic = 'force-dynamic';

function notFound(): Response {
  return apiError('not_found', 'There is no such API route.').toResponse();
}

export {
  notFound as GET,
  notFound as POST,
  notFound as PUT,
  notFound as PATCH,
  notFound as DELETE,
};
