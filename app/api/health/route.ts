// GET /api/health — is the reply store reachable, and the upstream? 200 when both are, else 503.
// Anyone learns `ok`; which part failed and the store's counts need the access code or
// METRICS_TOKEN.
import { getHub } from '@/lib/chat/service';
import { canSeeDetails } from '@/lib/http/access';
import { checkUpstream } from '@/lib/llm/client';
import { openFollowerCount } from '@/lib/streams/follow';

export const dynamic = 'force-dynamic';

export async function GET(request: Request): Promise<Response> {
  const [store, upstream] = await Promise.all([getHub().health(), checkUpstream()]);
  const ok = store.ok && upstream.ok;
  const body = canSeeDetails(request)
    ? {
        ok,
        store: { kind: getHub().kind, ...store, ...getHub().local.stats() },
        followers: openFollowerCount(),
        upstream,
      }
    : { ok };
  return Response.json(body, { status: ok ? 200 : 503, headers: { 'Cache-Control': 'no-store' } });
}
