// GET /api/metrics — Prometheus metrics, for `Authorization: Bearer <METRICS_TOKEN>` only.
// Without METRICS_TOKEN the route does not exist (404, like any unknown API path). Not guarded by
// the host and access-code checks: a scraper reaches each instance by its own address, and the
// token is its credential.
import { getEnv } from '@/lib/env';
import { apiRoute } from '@/lib/http/api-route';
import { apiError } from '@/lib/http/api-error';
import { hasMetricsToken } from '@/lib/http/access';
import { getHub } from '@/lib/chat/service';
import { metrics } from '@/lib/metrics';

export const dynamic = 'force-dynamic';

const noSuchRoute = () => apiError('not_found', 'There is no such API route.');

export const GET = apiRoute(
  'GET /api/metrics',
  async (request) => {
    if (!getEnv().METRICS_TOKEN) throw noSuchRoute();
    if (!hasMetricsToken(request)) {
      throw apiError('unauthorized', 'Send Authorization: Bearer <METRICS_TOKEN>.');
    }
    // The store is instrumented where it is made: make it, if no request has yet.
    getHub();
    const { registry } = metrics();
    return new Response(await registry.metrics(), {
      headers: { 'Content-Type': registry.contentType, 'Cache-Control': 'no-store' },
    });
  },
  { guarded: false },
);

/** Other methods: as for any unknown API path (a 405 would say that the route exists). */
function notFound(): Response {
  return noSuchRoute().toResponse();
}

export { notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE };
