// DELETE /api/chat/{id} — stop a reply now: aborts the upstream, followers get close "stopped"
import { apiRoute } from '@/lib/http/api-route';
import { isReplyId, notFound, readyHub } from '@/lib/chat/service';

export const dynamic = 'force-dynamic';

type Params = { params: Promise<{ id: string }> };

export const DELETE = apiRoute<Params>('DELETE /api/chat/{id}', async (_request, { params }) => {
  const { id } = await params;
  if (!isReplyId(id) || !(await (await readyHub()).stop(id))) throw notFound();
  return new Response(null, { status: 204 });
});
