// Any other /api path — a JSON 404, like the rest of the API (not the HTML page)
import { noSuchRoute } from '@/lib/http/api-route';

export const dynamic = 'force-dynamic';

export {
  noSuchRoute as GET,
  noSuchRoute as POST,
  noSuchRoute as PUT,
  noSuchRoute as PATCH,
  noSuchRoute as DELETE,
};
