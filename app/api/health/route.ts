// GET /api/health — is the reply store reachable, and the upstream? 200 when both are, else 503
import { getHub } from '@/lib/chat/service';
import { checkUpstream } from '@/lib/llm/provider';

export const dynamic = 'force-dynamic';

export async function GET(): Promise<Response> {
  const [store, upstream] = await Promise.all([getHub().health(), checkUpstream()]);
  const ok = store.ok && upstream.ok;
  return Response.json(
    { ok, store: { kind: getHub().kind, ...store, ...getHub().local.stats() }, upstream },
    { status: ok ? 200 : 503, headers: { 'Cache-Control': 'no-store' } },
  );
}
