// DELETE /api/chat/{id} — stop a reply now: aborts the upstream, followers get close "stopped"
import { apiRoute, noSuchRoute } from '@/lib/http/api-route';
import { isReplyId, notFound, readyHub } from '@/lib/chat/service';

export const dynamic = 'force-dynamic';

type Params = { params: Promise<{ id: string }> };

export const DELETE = apiRoute<Params>('DELETE /api/chat/{id}', async (_request, { params }) => {
  const { id } = await params;
  if (!isReplyId(id) || !(await (await readyHub()).stop(id))) throw notFound();
  return new Response(null, { status: 204 });
});

// Other methods (and `/api/chat/stream`, which a path like `/api/chat/./stream` becomes) get the
// API's JSON 404 rather than Next's bare 405.
export { noSuchRoute as GET, noSuchRoute as POST, noSuchRoute as PUT, noSuchRoute as PATCH };
